/*
 * elastic_net.h: elastic net regression from moments.
 *
 * The model is scikit-learn's ElasticNet on the design as given (no
 * standardization inside): over the slopes w and the intercept b it minimizes
 *
 *     1/(2n) |y - Xw - b|^2 + alpha l1_ratio |w|_1 + alpha (1 - l1_ratio)/2 |w|^2
 *
 * by cyclic coordinate descent on the Gram matrix.  The Gram matrix, X'y and
 * y'y follow from the count, means and co-moments of the features and the
 * target (moments.h, the target last), so a fit reads the rows once, in one
 * mergeable pass, and a whole regularization path reuses that one pass.
 */
#ifndef MM_ELASTIC_NET_H
#define MM_ELASTIC_NET_H

#include <stdint.h>

#include "mmcore.h"
#include "source.h"

/* The hyperparameters of a fit. */
typedef struct MmEnetParams
{
	double		alpha;			/* >= 0; 0 is least squares, by coordinate descent */
	double		l1_ratio;		/* in [0, 1]; 1 is the lasso, 0 a ridge penalty */
	int			fit_intercept;	/* 1: an unpenalized intercept (centered design) */
	int			max_iter;		/* sweeps over the coordinates, >= 1 */
	double		tol;			/* >= 0; the duality gap's bound, relative to y'y */
	/* called after each sweep with the sweeps done so far; may be NULL */
	void		(*progress) (void *arg, int iteration);
	void	   *progress_arg;
} MmEnetParams;

/* How one solve ended. */
typedef struct MmEnetStatus
{
	int			n_iter;			/* sweeps done */
	int			converged;		/* 0: stopped at max_iter with the gap above its bound */
	double		dual_gap;		/* the last duality gap, in the objective's units (per row) */
} MmEnetStatus;

/* A fitted elastic net: a linear prediction, intercept + coef . x. */
typedef struct MmElasticNet
{
	int			n_features;
	double	   *coef;			/* n_features, exact zeros where the L1 penalty put them */
	double		intercept;
	double		alpha;
	double		l1_ratio;
	int			fit_intercept;
	int			max_iter;
	double		tol;
	MmEnetStatus status;
} MmElasticNet;

/*
 * Fits an elastic net from a moments block over p + 1 variables, the p
 * features first and the target last (as mm_linear_fit).  start, when not
 * NULL, holds p slopes the descent starts from (a neighbouring fit's);
 * otherwise it starts from zero.  Fills out, its coef allocated with
 * mm_alloc (mm_elastic_net_free releases it).
 *
 * Features without variance (without an intercept: identically zero) get a
 * zero coefficient.  A target without variance is accepted and gives all
 * zero slopes and its mean as the intercept, converged in no sweep: the
 * objective is then minimized at zero outright.  Errors: too few rows (fewer
 * than 2 with an intercept, none without), parameters out of range,
 * moments that are not finite.
 */
extern MmErrorCode mm_enet_fit(const double *moments, int p, const MmEnetParams *params,
							   const double *start, MmElasticNet *out, MmError *err);

/*
 * A warm-started regularization path: fits every alpha of alphas[0 ..
 * n_alphas - 1] in turn (params->alpha is not read), each starting from the
 * previous solution, the first from zero.  Decreasing alphas, starting at
 * or below mm_enet_alpha_max, are what makes the warm starts pay.  Writes
 * row k of coefs (n_alphas x p, row-major), intercepts[k] and, unless status
 * is NULL, status[k].  A point that reaches max_iter does not stop the
 * path; its status says so.
 */
extern MmErrorCode mm_enet_path(const double *moments, int p, const MmEnetParams *params,
								const double *alphas, int n_alphas, double *coefs,
								double *intercepts, MmEnetStatus *status, MmError *err);

/*
 * The smallest alpha whose fit has every slope zero, max_j |x_j'y| /
 * (n l1_ratio) on the centered design (uncentered without an intercept),
 * into *alpha_max.  With l1_ratio 0 no alpha does, and *alpha_max is
 * HUGE_VAL.
 */
extern MmErrorCode mm_enet_alpha_max(const double *moments, int p, double l1_ratio,
									 int fit_intercept, double *alpha_max, MmError *err);

/*
 * A default path, as scikit-learn's: n_alphas values spaced evenly on a log
 * scale from alpha_max down to eps * alpha_max, into alphas (n_alphas >= 1;
 * a path of one is eps * alpha_max alone, as numpy.logspace's).  alpha_max must be finite (there is no
 * such path for l1_ratio 0); at or below MM_ENET_GRID_FLOOR (a constant
 * target) every value is MM_ENET_GRID_FLOOR, as scikit-learn's grid is then.
 */
#define MM_ENET_GRID_FLOOR 1e-15	/* numpy.finfo(float).resolution */
extern void mm_enet_alpha_grid(double alpha_max, double eps, int n_alphas, double *alphas);

/* Releases a fit's arrays (the struct itself is the caller's). */
extern void mm_elastic_net_free(MmElasticNet *model);

#endif							/* MM_ELASTIC_NET_H */
