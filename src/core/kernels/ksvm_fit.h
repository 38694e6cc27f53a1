/*
 * ksvm_fit.h: fitting a kernel SVM with libsvm (C-SVC or epsilon-SVR) into
 * the core's MmKernelSvm.
 */
#ifndef MM_KSVM_FIT_H
#define MM_KSVM_FIT_H

#include "ksvm.h"
#include "source.h"

typedef struct MmKsvmOptions
{
	int			regression;		/* epsilon-SVR on rows->t, else C-SVC on rows->y */
	int			kernel;			/* MmKernel */
	int			degree;
	double		gamma;			/* a number: the caller resolves "scale" and "auto" */
	double		coef0;
	double		C;
	double		epsilon;
	double		tol;
	double		cache_size;		/* MB */
	int			shrinking;
	int			probability;	/* fit Platt's sigmoids by libsvm's 5-fold cross-validation */
	const double *class_weight; /* per class, multiplying C; NULL: 1 each */
	double		memory_limit;	/* bytes the fit may take; 0: no limit */
	uint64_t	seed;			/* draws the cross-validation's folds */
} MmKsvmOptions;

/*
 * The bytes a fit of n rows of p values takes at most: the problem as
 * libsvm reads it, the solver's per-row state, and the kernel cache.
 */
extern double mm_ksvm_fit_memory(size_t n, int p, const MmKsvmOptions *opts);

/*
 * Fits rows (n_classes classes for classification) into a new model in
 * *out.  The solver has no hook to stop it, so a fit runs to its end once
 * started; it checks for interrupts before and after.  Fails with
 * MM_ERR_INVALID_INPUT for settings libsvm refuses or when the working
 * memory would exceed opts->memory_limit.
 */
extern MmErrorCode mm_ksvm_fit(const MmRows *rows, int n_classes, const MmKsvmOptions *opts,
							   MmKernelSvm **out, MmError *err);

#endif							/* MM_KSVM_FIT_H */
