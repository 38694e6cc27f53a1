/*
 * prepfit.h: fitting numeric preprocessing (impute, clip, scale, the
 * variance threshold) from column-statistics passes (column_stats.h) over
 * a data source, without holding its rows.
 *
 * The result is what preprocessing in memory fits from the sorted column
 * (src/fit/preprocess.c), step for step: the impute value from the present
 * values; clipping bounds from the imputed column; range, moments and
 * quartiles from the imputed, clipped one.  Means, deviations and ranges
 * are exact (to rounding: Chan's merge instead of one sum); medians,
 * quantile clipping bounds and quartiles come from the quantile sketch, so
 * exact for columns of up to MM_QSKETCH_ITEMS values and otherwise within
 * its rank error (mm_qsketch_rank_error).
 *
 * One pass gives everything, except for a clipped column whose standard
 * scaling or variance threshold needs the moments after clipping: those take
 * a second pass, which imputes and clips as its arg says.  Options that need
 * more than these statistics (the most frequent value, feature selection,
 * dropping duplicates, text) are not the core's to refuse: callers choose
 * this path only without them.
 */
#ifndef MM_PREPFIT_H
#define MM_PREPFIT_H

#include <stdint.h>

#include "mmcore.h"
#include "model.h"
#include "source.h"

typedef enum MmPrepImpute
{
	MM_PREP_IMPUTE_NONE,		/* a missing value is an error */
	MM_PREP_IMPUTE_MEAN,
	MM_PREP_IMPUTE_MEDIAN,
	MM_PREP_IMPUTE_ZERO,
	MM_PREP_IMPUTE_CONSTANT
} MmPrepImpute;

typedef enum MmPrepClip
{
	MM_PREP_CLIP_NONE,
	MM_PREP_CLIP_QUANTILES,		/* between the quantiles lo and hi */
	MM_PREP_CLIP_Z				/* within hi deviations of the mean */
} MmPrepClip;

typedef enum MmPrepScale
{
	MM_PREP_SCALE_NONE,
	MM_PREP_SCALE_STANDARD,
	MM_PREP_SCALE_MINMAX,
	MM_PREP_SCALE_ROBUST
} MmPrepScale;

/* What one column asks for. */
typedef struct MmPrepColumn
{
	MmPrepImpute impute;
	double		impute_value;	/* MM_PREP_IMPUTE_CONSTANT */
	MmPrepClip	clip;
	double		clip_lo;
	double		clip_hi;
	MmPrepScale scale;
	/*
	 * Not a number (a text feature of a source that also reads text): its
	 * values are all missing to the statistics, and the caller fits it; it
	 * is counted, kept, and given the identity transform.
	 */
	int			not_numeric;
	/* missing values the column does not impute stay missing (the algorithm takes them) */
	int			keeps_missing;
} MmPrepColumn;

/* What was fitted, per column of the source (arrays of p, the caller's). */
typedef struct MmPrepResult
{
	MmFeatureTransform *transform;
	uint8_t    *keep;			/* 0: dropped by the variance threshold, or constant */
	uint8_t    *constant;		/* one value in every training row (and no threshold set) */
	int64_t    *present;		/* training values that were not missing */
	int64_t    *missing;
	int			passes;			/* passes run: 1 or 2 */
	double		rank_error;		/* bound on the quantiles' rank error, a share of the rows; 0: exact */
} MmPrepResult;

/*
 * Fits the p columns of source as column[] asks (variance_threshold < 0:
 * none) into res.  Fails with MM_ERR_INVALID_INPUT and item j when column j
 * has no value in the training rows (res->present[j] 0) or has missing
 * values it does not impute (res->missing[j]); res's counts are filled then
 * too, for the caller's message.
 */
extern MmErrorCode mm_prep_fit(MmDataSource *source, const MmPrepColumn *column,
							   double variance_threshold, MmPrepResult *res, MmError *err);

/* 1 when the column's options take quantiles (median, quantile clipping, robust scaling). */
extern int	mm_prep_uses_sketch(const MmPrepColumn *opt);

/*
 * mm_prep_fit from the first pass already run: stats is a state of the
 * column-statistics pass over source's training rows with the identity arg,
 * or with the quantiles flag cleared on columns mm_prep_uses_sketch says
 * take none (the caller's, unchanged; it may profile the same columns for
 * a monitor baseline).  Runs the second pass when a column needs it;
 * res->passes counts the first too.
 */
extern MmErrorCode mm_prep_fit_from_stats(MmDataSource *source, const void *stats,
										  const MmPrepColumn *column, double variance_threshold,
										  MmPrepResult *res, MmError *err);

#endif							/* MM_PREPFIT_H */
