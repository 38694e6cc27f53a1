/*
 * column_stats.h: the column-statistics pass, which every data source offers
 * (sourcepasses.h): what preprocessing and monitor profiles fit per column,
 * in one mergeable pass.
 *
 * Per column of the design: the values present and the missing ones (NaN,
 * as rows in memory mark a NULL), their mean and sum of squared deviations
 * (merged by Chan's formula, so exact to rounding in any order), minimum,
 * maximum, and, where the arg asks for it, a quantile sketch
 * (quantile_sketch.h) for medians, quartiles and clipping bounds.
 *
 * The arg is four doubles per column, (impute, lo, hi, quantiles): a
 * missing value is replaced by impute unless it is NaN (then it counts as
 * missing), and every value is clamped to [lo, hi] before it is counted, so
 * that a second pass sees a column as preprocessing has imputed and clipped
 * it.  quantiles is 1 when the column needs a sketch (preprocessing takes
 * its medians or quartiles) and 0 when it does not: a sketch takes 131,280
 * bytes and compacting it was most of the pass's cost, and a baseline
 * profiles a column without one from its bounded sample.  The identity arg
 * (mm_column_stats_identity) gives the raw columns, each with a sketch.
 *
 * The state is a head (the width p, then 0), p MmColumnStats, then the
 * sketches of the columns that have one, in column order: 56 bytes a
 * column and a sketch's size for each sketched one.
 */
#ifndef MM_COLUMN_STATS_H
#define MM_COLUMN_STATS_H

#include <stdint.h>

#include "quantile_sketch.h"
#include "source.h"

typedef struct MmColumnStats
{
	int64_t		n;				/* values counted (present, or imputed) */
	int64_t		missing;		/* NaN left missing */
	double		mean;
	double		m2;				/* sum of squared deviations from the mean */
	double		min;			/* inf, -inf while n is 0 */
	double		max;
	int64_t		sketch;			/* its sketch's place among the state's sketches; -1: none */
} MmColumnStats;

typedef struct MmColumnStatsHead
{
	int64_t		p;
	int64_t		pad;
} MmColumnStatsHead;

/* What the pass does to column j's values before counting them (the arg holds p of them). */
typedef struct MmColumnStatsArg
{
	double		impute;			/* NaN: leave missing */
	double		lo;
	double		hi;
	double		quantiles;		/* 1: the column has a quantile sketch; 0: none */
} MmColumnStatsArg;

extern const MmPass mm_pass_column_stats;

/* Fills arg (p entries) with the identity: nothing imputed, nothing clipped, every column sketched. */
extern void mm_column_stats_identity(MmColumnStatsArg *arg, int p);

/* Column j of a state of the pass. */
static inline MmColumnStats *
mm_column_stats_of(void *state, int j)
{
	return (MmColumnStats *) ((char *) state + sizeof(MmColumnStatsHead)) + j;
}

/* Column j's quantile sketch in a state of p columns; NULL when the arg asked for none. */
static inline MmQuantileSketch *
mm_column_stats_sketch(void *state, int p, int j)
{
	const MmColumnStats *c = mm_column_stats_of(state, j);

	if (c->sketch < 0)
		return NULL;
	return (MmQuantileSketch *) ((char *) state + sizeof(MmColumnStatsHead) +
								 sizeof(MmColumnStats) * (size_t) p) + c->sketch;
}

/* The population variance of a column, 0 without values. */
static inline double
mm_column_stats_var(const MmColumnStats *c)
{
	return c->n > 0 ? c->m2 / (double) c->n : 0.0;
}

#endif							/* MM_COLUMN_STATS_H */
