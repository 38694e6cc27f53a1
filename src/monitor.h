/*
 * monitor.h: what the monitoring modules (thresholds.c, check.c,
 * monitor.c, worker.c) share.
 */
#ifndef MM_MONITOR_H
#define MM_MONITOR_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "model.h"

/* The drift metrics, in the order arrays of thresholds hold them. */
#define MM_DRIFT_PSI 0
#define MM_DRIFT_JS 1
#define MM_DRIFT_LINF 2
#define MM_DRIFT_KS 3
#define MM_DRIFT_WASSERSTEIN 4
#define MM_DRIFT_METRICS 5

extern const char *const mm_drift_metric_names[MM_DRIFT_METRICS];

/* The thresholds of a monitor, resolved against a model; NaN where off. */
typedef struct MmThresholds
{
	int			n;				/* features */
	double	   *feature;		/* n x MM_DRIFT_METRICS */
	double		prediction[MM_DRIFT_METRICS];
	double		missing_rate;	/* rise over the training rows' rate */
	double		out_of_range;
	double		unseen;
	double		quality_drop;
} MmThresholds;

extern void MmParseThresholds(Jsonb *thresholds, const MmModel *model, MmThresholds *out);

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

/* check.c: one check, as the current user; SPI is connected. */
extern void MmCheckRun(const MmCheckSpec *spec, MmCheckResult *out);
extern void MmCheckValidate(const MmCheckSpec *spec);
extern bool MmBaselineValid(Jsonb *baseline, const MmModel *model, char **field, const char **what);

/* monitor.c */
extern Jsonb *MmMonitorExecute(int32 id, const char *via, bool skip_locked, bool check_owner);

/* worker.c */
extern bool MmMonitorsCanRun(void);
extern void MmMonitorCreated(void);

#endif							/* MM_MONITOR_H */
