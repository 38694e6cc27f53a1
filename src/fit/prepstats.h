/*
 * prepstats.h: the preprocess argument fitted from statistics passes over a
 * data source, for training that does not read the rows into memory.
 *
 * MmFitPreprocessFromPasses fits what MmFitPreprocess (preprocess.h) fits
 * from rows in memory, for numeric, boolean and date-part features:
 * impute (mean, median, zero, constant), clip (quantiles, z), scale
 * (standard, minmax, robust) and the variance threshold.  It runs one
 * column-statistics pass (column_stats.h) over the source's training rows,
 * two when a clipped feature is scaled to unit variance or a variance
 * threshold is set; means, deviations and ranges are the in-memory ones to
 * rounding, medians, quantile clipping bounds and quartiles come from the
 * quantile sketch (exact up to 16,384 values a feature, then within its
 * documented rank error).
 *
 * Options that need more than per-column statistics are refused, naming
 * the option: most_frequent on a number (counts per value), feature
 * selection (per-class moments), dedupe (every row), and text features.
 */
#ifndef MM_PREPSTATS_H
#define MM_PREPSTATS_H

#include "postgres.h"

#include "columns.h"
#include "preprocess.h"
#include "source.h"

/*
 * Checks that pp can be fitted from passes over src's features: errors
 * name the first option or feature that cannot.  The fit driver calls it
 * before choosing this path, or lets MmFitPreprocessFromPasses call it.
 */
extern void MmCheckPreprocessByPasses(const MmPreprocess *pp, const MmSource *src);

/*
 * Fits pp over the training rows of source (a data source over src's
 * features in order, such as MmRelationSource), into fit as MmFitPreprocess
 * fills it, and drops the features it leaves out from src, as
 * MmFitPreprocess does.  The source still reads the features it was built
 * with: a fit continues over a source built on src afterwards.  Returns the
 * passes it ran; *rank_error (may be NULL) gets the bound on the quantiles'
 * rank error as a share of the rows, 0 where they are exact.
 */
extern int	MmFitPreprocessFromPasses(const MmPreprocess *pp, MmSource *src, MmDataSource *source,
									  MmPreprocessFit *fit, double *rank_error);

/*
 * Whether numeric feature j's options take quantiles from the column
 * statistics' sketch (median, quantile clipping, robust scaling): the
 * first pass sketches only those columns in full.
 */
extern bool MmFeatureTakesQuantiles(const MmPreprocess *pp, int j);

/*
 * The transforms of src's numeric features (transform, keep, constant:
 * arrays of src->nfeatures) from stats, a state of the column-statistics
 * pass over source's training rows with the identity arg (or its quantiles
 * flag cleared where MmFeatureTakesQuantiles is false), running the
 * second pass where a clipped feature needs it; text features are left to
 * the caller (kept, identity).  The options must have passed
 * MmCheckPreprocessByPasses for the numbers.  Returns the passes the fit
 * took, stats' included.
 */
extern int	MmFitNumericFromStats(const MmPreprocess *pp, const MmSource *src,
								  MmDataSource *source, const void *stats,
								  MmFeatureTransform *transform, uint8 *keep, uint8 *constant,
								  double *rank_error);

#endif							/* MM_PREPSTATS_H */
