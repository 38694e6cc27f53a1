/*
 * column_stats.h: the column-statistics pass, which every data source offers
 * (sourcepasses.h): what preprocessing and monitor profiles fit per column,
 * in one mergeable pass.
 *
 * Per column of the design: the values present and the missing ones (NaN,
 * as rows in memory mark a NULL), their mean and sum of squared deviations
 * (merged by Chan's formula, so exact to rounding in any order), minimum,
 * maximum, and a quantile sketch (quantile_sketch.h) for medians, quartiles
 * and clipping bounds.
 *
 * The arg is four doubles per column, (impute, lo, hi, quantiles): a
 * missing value is replaced by impute unless it is NaN (then it counts as
 * missing), and every value is clamped to [lo, hi] before it is counted, so
 * that a second pass sees a column as preprocessing has imputed and clipped
 * it.  quantiles is 1 when the column's sketch must summarize every value
 * (preprocessing takes medians and quartiles from it) and 0 when it is kept
 * only while exact (mm_qsketch_init_exact): compacting is most of the cost
 * of the pass, and a baseline profiles a longer column from its sample.  The
 * identity arg (mm_column_stats_identity) gives the raw column, sketched in
 * full.
 *
 * The state is a head (the width p, then 0) and p MmColumnStats; a column
 * takes sizeof(MmColumnStats) bytes, about 128 KiB, most of it the sketch.
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
	MmQuantileSketch sketch;
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
	double		quantiles;		/* 1: sketch every value; 0: only while exact */
} MmColumnStatsArg;

extern const MmPass mm_pass_column_stats;

/* Fills arg (p entries) with the identity: nothing imputed, nothing clipped, every value sketched. */
extern void mm_column_stats_identity(MmColumnStatsArg *arg, int p);

/* Column j of a state of the pass. */
static inline MmColumnStats *
mm_column_stats_of(void *state, int j)
{
	return (MmColumnStats *) ((char *) state + sizeof(MmColumnStatsHead)) + j;
}

/* The population variance of a column, 0 without values. */
static inline double
mm_column_stats_var(const MmColumnStats *c)
{
	return c->n > 0 ? c->m2 / (double) c->n : 0.0;
}

#endif							/* MM_COLUMN_STATS_H */
