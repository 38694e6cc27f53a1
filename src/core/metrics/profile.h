/*
 * profile.h: the baseline profile of a feature (or of a model's
 * predictions) on its training rows, a window of live values counted
 * against it, and the drift between the two.
 *
 * A numeric profile keeps MM_PROFILE_SKETCH + 1 quantiles of the training
 * values (the first the exact minimum, the last the exact maximum) and the
 * share of the training values in each interval between neighbouring
 * quantiles.  A live value is counted in the interval it falls in, so a
 * window costs one binary search per value and holds MM_PROFILE_SKETCH
 * counts.  The ten drift bins of PSI, Jensen-Shannon and L-infinity are the
 * deciles among those quantiles, so they are sums of intervals; the
 * Kolmogorov-Smirnov statistic compares the two distribution functions at
 * the quantiles, and the Wasserstein distance integrates their difference
 * between the quantiles and exactly beyond the training range.  Between two
 * quantiles the functions are taken as linear, or, for a discrete feature
 * (few distinct training values, whose functions are steps), as constant.
 *
 * A categorical profile keeps the shares of the most frequent training
 * categories (at most MM_PROFILE_CATEGORIES) and of the rest together.
 */
#ifndef MM_PROFILE_H
#define MM_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

#define MM_PROFILE_SKETCH 100	/* quantile intervals of a numeric profile */
#define MM_PROFILE_BINS 10		/* drift bins: the deciles */
#define MM_PROFILE_CATEGORIES 100	/* categories a categorical profile names */
#define MM_PROFILE_FLOOR 1e-4	/* smallest share a drift bin counts with */
#define MM_PROFILE_DISCRETE 50	/* distinct values up to which a feature is discrete */
#define MM_PROFILE_CELLS 512	/* cells of the grid that finds a value's interval */

typedef struct MmNumericProfile
{
	int64_t		rows;			/* values present */
	int64_t		missing;		/* NULL (or not finite) */
	double		min;
	double		max;
	double		mean;
	double		sd;				/* n - 1 degrees of freedom; 0 for one value */
	int			discrete;		/* at most MM_PROFILE_DISCRETE distinct values */
	double		quantile[MM_PROFILE_SKETCH + 1];
	double		share[MM_PROFILE_SKETCH];	/* of the values, per interval */
	/*
	 * A grid of equal cells over [min, max], each with the interval of its
	 * left edge, so that counting a value is a multiplication and a step or
	 * two (mm_profile_prepare); cell_scale is 0 when there is no grid.
	 */
	double		cell_scale;
	uint8_t		cell_first[MM_PROFILE_CELLS + 1];
} MmNumericProfile;

/* Live values counted against a numeric profile. */
typedef struct MmNumericWindow
{
	int64_t		rows;
	int64_t		missing;
	int64_t		count[MM_PROFILE_SKETCH];
	int64_t		below;			/* values under the profile's minimum */
	int64_t		above;			/* values over its maximum */
	double		below_gap;		/* sum of (minimum - value) over those */
	double		above_gap;		/* sum of (value - maximum) */
} MmNumericWindow;

typedef struct MmCategoricalProfile
{
	int64_t		rows;
	int64_t		missing;
	int			n;				/* categories named, most frequent first */
	char	  **names;
	double	   *share;			/* n + 1: each category's, then the rest's */
} MmCategoricalProfile;

/* Live values counted against a categorical profile. */
typedef struct MmCategoricalWindow
{
	int64_t		rows;
	int64_t		missing;
	int64_t    *count;			/* n + 1: each named category, then the rest */
	int64_t		unseen;			/* values the model never saw in training */
} MmCategoricalWindow;

/* What a window's drift from its profile measures; NaN where undefined. */
typedef struct MmDrift
{
	double		psi;
	double		js;				/* base 2, in [0, 1] */
	double		linf;
	double		ks;				/* numeric only */
	double		wasserstein;	/* numeric only, in training standard deviations */
	double		missing_rate;
	double		missing_rate_baseline;
	double		out_of_range;	/* numeric only: share of values outside [min, max] */
	double		unseen;			/* categorical only: share of values unseen in training */
} MmDrift;

/*
 * Builds a numeric profile.  rows, missing, min, max, mean and sd describe
 * every training value (a mean or sd that overflowed is kept as NaN);
 * sorted holds m of them (all, or a uniform sample) in ascending order,
 * from which the quantiles and shares come.
 */
extern MmErrorCode mm_profile_numeric(MmNumericProfile *prof, int64_t rows, int64_t missing,
									  double min, double max, double mean, double sd,
									  const double *sorted, size_t m, MmError *err);

/* The interval a present value falls in: the count of inner quantiles below it. */
extern int	mm_profile_interval(const MmNumericProfile *prof, double v);

/*
 * Builds the grid of a profile whose quantiles were set by other means (read
 * back from a document); mm_profile_numeric builds it itself.
 */
extern void mm_profile_prepare(MmNumericProfile *prof);

/* The same as mm_profile_interval, through the grid when there is one. */
extern int	mm_profile_locate(const MmNumericProfile *prof, double v);

/* Counts one value (NaN or infinite: missing) into a window. */
extern void mm_window_add(MmNumericWindow *w, const MmNumericProfile *prof, double v);

/*
 * mm_window_add for n values, value i into windows[i] against profiles[i]:
 * the numbers of a row counted in one call, where a check counts every
 * value of its window.
 */
extern void mm_window_add_values(MmNumericWindow *const *windows, const MmNumericProfile *const *profiles,
								 const double *values, int n);

/* Merges window b into a. */
extern void mm_window_merge(MmNumericWindow *a, const MmNumericWindow *b);

/* Drift of a numeric window from its profile. */
extern void mm_drift_numeric(const MmNumericProfile *prof, const MmNumericWindow *w, MmDrift *out);

/* Drift of a categorical window from its profile. */
extern void mm_drift_categorical(const MmCategoricalProfile *prof, const MmCategoricalWindow *w,
								 MmDrift *out);

/*
 * PSI, Jensen-Shannon (base 2) and L-infinity between two distributions
 * given as counts or shares over k bins (each normalized to sum 1, then
 * floored at MM_PROFILE_FLOOR and normalized again).  NaN when either sums
 * to 0.
 */
extern void mm_drift_bins(const double *baseline, const double *live, int k,
						  double *psi, double *js, double *linf);

#endif							/* MM_PROFILE_H */
