/*
 * ksvm.h: a fitted kernel support vector machine (libsvm's C-SVC or
 * epsilon-SVR) and its prediction.
 *
 * The fit (ksvm_fit.c) runs in libsvm; the model it leaves is copied into
 * MmKernelSvm, and prediction runs here, in the core, so that mm-score,
 * mm_predict, the training's metrics and the monitoring baseline share one
 * code path and no row pays a library call.  Prediction follows libsvm's
 * svm_predict_values and svm_predict_probability: the same kernel
 * arithmetic (the rbf kernel's squared distance term by term, as libsvm
 * predicts, not through |x|^2 + |y|^2 - 2 x.y), the same one-vs-one vote
 * and its tie rule, the same pairwise coupling.  Two things differ, for
 * speed (ksvm_block.c): the rbf kernel's exp is the core's own (within an
 * ulp of libm's, ksvm_exp.h), and each decision's terms are added in
 * blocks of support vectors, four partial sums to a block, rather than one
 * after another.  Both are fixed by the model alone, so the bits do not
 * depend on the vector width, the threads or the caller; against libsvm a
 * decision value differs by a few ulps of its largest terms.
 */
#ifndef MM_KSVM_H
#define MM_KSVM_H

#include <stdint.h>

#include "mmcore.h"

/* The kernels, numbered as libsvm numbers them (its kernel_type). */
typedef enum MmKernel
{
	MM_KERNEL_LINEAR = 0,
	MM_KERNEL_POLY = 1,
	MM_KERNEL_RBF = 2,
	MM_KERNEL_SIGMOID = 3
} MmKernel;

/* Most classes a model with probabilities may have: its coupling works on the stack. */
#define MM_KSVM_MAX_PROBA_CLASSES 50

/*
 * Support vectors per block of prediction: the kernel values of a row and
 * a block stay on the stack and in registers (prediction threads do not
 * allocate), and a block's p columns of 32 values load as whole vectors.
 */
#define MM_KSVM_BLOCK 32

/* The model's support vectors as prediction reads them (mm_ksvm_prepare). */

typedef struct MmKernelSvm
{
	/* the kernel */
	int			kernel;			/* MmKernel */
	int			degree;
	double		gamma;			/* as resolved at the fit ("scale" and "auto" made numbers) */
	double		coef0;
	/*
	 * The decision functions.  Regression: n_groups 1, one function over all
	 * support vectors.  Classification: the n_groups classes that had
	 * training rows (group_class maps them to the model's class indexes, in
	 * increasing order), one function per pair of them, libsvm's layout.
	 */
	int			regression;
	int			n_groups;
	int		   *group_class;	/* n_groups, classification; NULL for regression */
	int		   *group_sv;		/* support vectors per group (classification), summing to n_sv */
	int			n_sv;
	double	   *sv;				/* n_sv x p, row-major, grouped by class */
	/*
	 * The same support vectors for prediction (derived, never stored): in
	 * blocks of MM_KSVM_BLOCK, each block p columns of MM_KSVM_BLOCK values,
	 * the last padded with zeros; built by mm_ksvm_prepare.
	 */
	double	   *sv_block;
	double	   *sv_coef;		/* (n_groups - 1) x n_sv; regression: 1 x n_sv */
	double	   *rho;			/* one per decision function */
	double	   *prob_a;			/* Platt's sigmoid per pair, or NULL without probabilities */
	double	   *prob_b;
	/* how it was fitted, for the record */
	double		C;
	double		epsilon;		/* regression */
	double		tol;
	double		cache_size;		/* MB */
	int			shrinking;
	int			balanced;
} MmKernelSvm;

/* How many decision functions the model has: one per pair of groups, or one. */
extern int	mm_ksvm_n_decisions(const MmKernelSvm *m);

/*
 * Lays the support vectors (p values each) out for prediction, once a fit
 * or a reader has filled the model; 0 when out of memory.
 */
extern int	mm_ksvm_prepare(MmKernelSvm *m, int p);

/*
 * The decision values of row z (p values) into dec[mm_ksvm_n_decisions],
 * libsvm's up to the order of summation and the exp (see the head of this
 * file): for pair (i, j) positive favours group i.
 */
extern void mm_ksvm_decision_values(const MmKernelSvm *m, int p, const double *z, double *dec);

/* The group the one-vs-one vote of the decision values picks (the first among ties). */
extern int	mm_ksvm_vote(const MmKernelSvm *m, const double *dec);

/* Each group's probability from the decision values, as svm_predict_probability gives it. */
extern void mm_ksvm_probabilities(const MmKernelSvm *m, const double *dec, double *prob);

/* gamma "scale": 1 / (p Var(x)) over every entry of the n x p matrix x, summed compensated; 1 for no spread. */
extern double mm_ksvm_gamma_scale(const double *x, size_t n, int p);

extern void mm_ksvm_free(MmKernelSvm *m);

#endif							/* MM_KSVM_H */
