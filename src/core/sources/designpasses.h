/*
 * designpasses.h: the passes a fit in passes runs around the algorithm's
 * own: what the preprocessing is fitted from, and how the fitted model
 * scores each part.
 *
 * mm_pass_find lists them under artifact id MM_PASS_DESIGN_ID, which no
 * algorithm has, so that they run over a relation like any algorithm's
 * passes.
 *
 * The column profile runs over rows as read (a raw design, passdesign.h):
 * per column the rows where it is present, their sum, minimum and maximum,
 * NULLs (NaN) left out, and the sum of the target.  Its state is 3 + 4 p
 * doubles: p, the rows, present[p], sum[p], min[p], max[p], the target's sum.
 *
 * The profile with statistics is the column profile and the column
 * statistics (column_stats.h) in one pass: its state is the profile's, then
 * at mm_profile_stats_offset(p) the statistics' state; its arg is theirs.
 * A fit reads the relation once for both.
 *
 * The linear evaluation scores a model whose prediction is intercept +
 * coef . z (a linear form, algorithm.h) and the constant mean predictor on
 * the part's rows: two evaluation states (regmetrics.h) after p.  Its arg is
 * p + 3 doubles: p, the intercept, coef[p], the mean.
 */
#ifndef MM_DESIGNPASSES_H
#define MM_DESIGNPASSES_H

#include "source.h"

#define MM_PASS_DESIGN_ID 255

#define MM_DESIGN_PASS_PROFILE 0
#define MM_DESIGN_PASS_LINEAR_EVAL 1
#define MM_DESIGN_PASS_SELECT_STATS 2	/* selectstats.h */
#define MM_DESIGN_PASS_PROFILE_STATS 3

extern const MmPass mm_pass_column_profile;
extern const MmPass mm_pass_linear_eval;
extern const MmPass mm_pass_profile_stats;

/* The design passes, NULL-terminated. */
extern const MmPass *const mm_design_passes[];

/* Offsets into a column profile's state over p columns. */
#define MM_PROFILE_ROWS 1
#define MM_PROFILE_PRESENT(p, j) (2 + (j))
#define MM_PROFILE_SUM(p, j) (2 + (p) + (j))
#define MM_PROFILE_MIN(p, j) (2 + 2 * (p) + (j))
#define MM_PROFILE_MAX(p, j) (2 + 3 * (p) + (j))
#define MM_PROFILE_TARGET_SUM(p) (2 + 4 * (p))

/* Where the column statistics begin in a state of the profile with statistics. */
static inline size_t
mm_profile_stats_offset(int p)
{
	return sizeof(double) * (3 + 4 * (size_t) p);
}

#endif							/* MM_DESIGNPASSES_H */
