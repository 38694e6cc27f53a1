/*
 * check.h: one check of a monitor: the drift of a relation's rows from the
 * training rows' profile, and the model's quality on them.
 */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "model.h"

/* What a check reads. */
typedef struct MmCheckSpec
{
	const char *reference;		/* the model */
	const char *relation;
	const char *time_column;	/* NULL: every row */
	Datum		time_window;	/* an interval, with time_column */
	const char *label_column;	/* NULL: no quality */
	Jsonb	   *thresholds;
} MmCheckSpec;

/* One threshold a check crossed. */
typedef struct MmCheckAlert
{
	const char *scope;			/* feature, prediction, quality */
	const char *feature;		/* NULL unless a feature's */
	const char *metric;
	double		value;
	double		threshold;
} MmCheckAlert;

typedef struct MmCheckResult
{
	char	   *model;
	int32		version;
	int64		version_id;
	int64		rows;
	const char *verdict;		/* ok, alert, no_data */
	char	   *json;			/* the whole result */
	int			nalerts;
	MmCheckAlert *alerts;
} MmCheckResult;

/* One check, as the current user; SPI is connected. */
extern void MmCheckRun(const MmCheckSpec *spec, MmCheckResult *out);
extern void MmCheckValidate(const MmCheckSpec *spec);
extern bool MmBaselineValid(Jsonb *baseline, const MmModel *model, char **field, const char **what);

#endif							/* MM_CHECK_H */
