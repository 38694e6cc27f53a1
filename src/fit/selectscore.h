/*
 * selectscore.h: feature selection's tests and ranking, from the sums a
 * test needs, so that the selection in memory (select.c, which sums its
 * rows) and in passes (selectpasses.c, which sums them in a pass) score
 * and rank alike.
 */
#ifndef MM_SELECTSCORE_H
#define MM_SELECTSCORE_H

#include "postgres.h"

#include "columns.h"
#include "preprocess.h"

/* One feature's test. */
typedef struct MmSelectScore
{
	int			feature;		/* the source feature */
	double		p_value;
	double		per_df;			/* the statistic over its degrees of freedom */
} MmSelectScore;

/* Errors for selection without a target: nothing to score features against. */
extern void MmSelectRequireTarget(bool has_target);

/*
 * One-way ANOVA from its sums of squares: between the groups' means and
 * within the groups, over rows in used non-empty groups.
 */
extern void MmSelectAnova(double between, double within, int used, double rows, MmSelectScore *s);

/* The F test of a correlation from n rows' sums of squared and crossed deviations. */
extern void MmSelectCorrelation(double sxx, double syy, double sxy, double n, MmSelectScore *s);

/* The chi-square test of a table of counts, na rows by nb columns. */
extern void MmSelectChiSquare(const double *table, int na, int nb, MmSelectScore *s);

/*
 * Ranks the n scored features (the smallest p-value first, ties by the
 * larger statistic per degree of freedom, then by column order), keeps the
 * first k_best, clears keep for the rest and records them in fit with the
 * p-values' JSON.  Reorders scores.
 */
extern void MmSelectRank(int k_best, const MmSource *src, MmSelectScore *scores, int n, bool *keep,
						 MmPreprocessFit *fit);

#endif							/* MM_SELECTSCORE_H */
