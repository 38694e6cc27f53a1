/*
 * logistic_passes.h: the passes logistic regression's Newton iteration
 * runs over its data source (source.h), so that it fits the same way over
 * rows in memory and over a relation's aggregate.
 *
 * The class count pass counts the training rows of each class (for the
 * balanced weights and the start).  The Newton pass sums, over every
 * training row at given coefficients, the weighted log-loss's gradient and
 * Hessian (a full pass) or the loss itself (a line search's judge); the
 * penalty is the driver's to add.  Every sum is over every
 * row, so the result depends on the rows' order only through rounding.
 *
 * A Newton pass may instead sum the gradient and Hessian of a sample of the
 * rows (MM_LOGISTIC_PASS_SAMPLED): those whose content hash (rowhash.h, under a salt of its own) falls below
 * the fraction asked for.  Which rows those are depends on their values
 * alone, never on their order or on how a source splits them, so a sampled
 * pass repeats as well as a full one; the driver takes its first steps on
 * such passes (see logistic.c).
 *
 * A row's class is its class index (MmRows.y) or, where rows carry a
 * numeric target instead (a relation's numeric 0/1 target), that number,
 * which must be a whole number in [0, k).  Rows whose class is neither are
 * counted, never indexed with; the driver refuses the fit then.
 *
 * Both passes take flat arrays of doubles as their arg, checked before use
 * when they arrive as bytes, and keep flat doubles as their state.
 */
#ifndef MM_LOGISTIC_PASSES_H
#define MM_LOGISTIC_PASSES_H

#include "source.h"

/*
 * The most coefficients (classes' rows times p plus the intercept) a fit
 * takes: the pass's state holds the Hessian's upper triangle and the
 * driver one square copy of it, 32 MB at this bound, and each thread of a
 * pass in memory a triangle of its own.
 */
#define MM_LOGISTIC_MAX_PARAMS 2048

/* The class count pass: arg is one double, k; the state is k, the rows of no class, then k counts. */
#define MM_LOGISTIC_COUNTS_HEAD 2

/*
 * The Newton pass's arg: its head, then k class weights, then the
 * coefficients, then for a sampled pass one double more, the share of rows
 * sampled, in (0, 1).
 */
enum
{
	MM_LOGISTIC_ARG_K,			/* classes */
	MM_LOGISTIC_ARG_D,			/* parameters per coefficient row: p, plus 1 with an intercept */
	MM_LOGISTIC_ARG_FULL,		/* what the pass sums: one of the kinds below */
	MM_LOGISTIC_ARG_HEAD
};

/* What a Newton pass sums. */
enum
{
	MM_LOGISTIC_PASS_LOSS = 0,	/* the loss of every row */
	MM_LOGISTIC_PASS_FULL = 1,	/* the gradient and Hessian of every row */
	MM_LOGISTIC_PASS_SAMPLED = 2	/* the gradient and Hessian of the sampled rows */
};

/*
 * The Newton pass's state: its head, then the gradient (m), then the
 * Hessian's upper triangle, then in a sampled pass the summed rows' total
 * class weight.
 */
enum
{
	MM_LOGISTIC_STATE_M,		/* parameters in all, as the arg gives them */
	MM_LOGISTIC_STATE_FULL,		/* 1 when the pass sums the gradient and Hessian, else 0 */
	MM_LOGISTIC_STATE_ROWS,		/* the rows summed */
	MM_LOGISTIC_STATE_NO_CLASS, /* rows of no class in [0, k), skipped */
	MM_LOGISTIC_STATE_WRONG,	/* rows not strictly in their own class by the scores */
	MM_LOGISTIC_STATE_LOSS,		/* the weighted log-loss (0 in a full pass) */
	MM_LOGISTIC_STATE_HEAD
};

extern const MmPass mm_logistic_counts_pass;
extern const MmPass mm_logistic_newton_pass;

/* Coefficient rows of a k-class model: one for two classes, k beyond. */
static inline int
mm_logistic_rows(int k)
{
	return k == 2 ? 1 : k;
}

/* Doubles in the Newton pass's arg for k classes and m parameters (a sampled pass's: one more). */
static inline size_t
mm_logistic_arg_len(int k, int m)
{
	return (size_t) MM_LOGISTIC_ARG_HEAD + (size_t) k + (size_t) m;
}

/* The packed upper triangle's place of entry (a, b), a <= b, of an m x m matrix. */
static inline size_t
mm_logistic_packed(int m, int a, int b)
{
	return (size_t) a * (size_t) m - (size_t) a * (size_t) (a - 1) / 2 + (size_t) (b - a);
}

/*
 * Whether a row of p values belongs to a sampled pass's share (in (0, 1)):
 * a function of the values alone.
 */
extern int	mm_logistic_sampled(const double *x, int p, double share);

#endif							/* MM_LOGISTIC_PASSES_H */
