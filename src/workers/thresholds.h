/*
 * thresholds.h: the drift metrics, and a monitor's thresholds resolved
 * against a model.
 */
#ifndef MM_THRESHOLDS_H
#define MM_THRESHOLDS_H

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

#endif							/* MM_THRESHOLDS_H */
