/*
 * selectstats.h: the pass that feature selection (preprocess option
 * {"select": {"k_best": k}}) is scored from when a fit runs in passes.
 *
 * It runs over the training rows through a design that imputes and clips
 * the numbers but neither centers nor scales them, and gives each text
 * feature as its category code (ordinal): the values the selection in
 * memory tests.  Per column it keeps what that column's test needs, all of
 * it mergeable:
 *
 *   numeric target, number     the count, both means and the sums of
 *                              squared and crossed deviations (6 doubles),
 *                              for the F test of the correlation;
 *   numeric target, text       per code: rows, the target's mean and sum
 *                              of squared deviations (3 doubles a code), for
 *                              one-way ANOVA across the categories;
 *   classes, number            per class: rows, mean, sum of squared
 *                              deviations (3 doubles a class), for one-way
 *                              ANOVA across the classes;
 *   classes, text              the table of codes by classes (a double a
 *                              cell), for the chi-square test.
 *
 * Means and deviations are updated row by row and merged by Chan's formula,
 * so they are exact to rounding in any order; counts are exact.  A code
 * below 0 or past the column's codes (a category training never saw, a
 * missing value not imputed) sits the row out of that column's test, as it
 * does in memory.
 *
 * The arg is 2 + p doubles: p, the classes (0 for a numeric target), then
 * per column its codes (0 for a number).  The state is 2 doubles (p, the
 * classes), then the columns' blocks in order.
 */
#ifndef MM_SELECTSTATS_H
#define MM_SELECTSTATS_H

#include <stddef.h>

#include "source.h"

/* Most doubles a state may take: a bound that keeps every size in range. */
#define MM_SELECT_STATS_MAX_DOUBLES ((size_t) 1 << 26)

extern const MmPass mm_pass_select_stats;

/* The doubles of column j's block, whose arg is a; its first at the returned offset. */
extern size_t mm_select_stats_offset(const double *a, int j);
extern size_t mm_select_stats_block(const double *a, int j);

#endif							/* MM_SELECTSTATS_H */
