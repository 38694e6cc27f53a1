/*
 * linear_refine.c: the refinement pass of linear regression (see
 * linear_refine.h).
 *
 * The arg is an array of doubles: p, whether there is an intercept, the
 * intercept, whether rows are mapped back (center and scale), then the p
 * coefficients, the p means, the p centers and the p scales.  The state is
 * the accumulator of refine.h followed by room for one mapped row, as add
 * runs on worker threads and may not allocate.
 */
#include "linear_refine.h"

#include <math.h>
#include <string.h>

#include "refine.h"

enum
{
	A_P,
	A_FIT_INTERCEPT,
	A_INTERCEPT,
	A_UNSCALE,
	A_HEAD
};

static size_t
arg_len(int p)
{
	return (size_t) A_HEAD + 4 * (size_t) p;
}

double *
mm_linear_refine_arg(int p, const MmLinearModel *fit, const double *mean,
					 const double *center, const double *scale)
{
	double	   *arg = mm_alloc0(sizeof(double) * arg_len(p));
	int			j;

	if (arg == NULL)
		return NULL;
	arg[A_P] = p;
	arg[A_FIT_INTERCEPT] = fit->fit_intercept ? 1.0 : 0.0;
	arg[A_INTERCEPT] = fit->fit_intercept ? fit->intercept : 0.0;
	arg[A_UNSCALE] = center != NULL ? 1.0 : 0.0;
	for (j = 0; j < p; j++)
	{
		arg[A_HEAD + j] = fit->coef[j];
		arg[A_HEAD + p + j] = mean[j];
		arg[A_HEAD + 2 * p + j] = center != NULL ? center[j] : 0.0;
		arg[A_HEAD + 3 * p + j] = center != NULL ? scale[j] : 1.0;
	}
	return arg;
}

static size_t
refine_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;
	size_t		len = arg_len(p),
				k;

	if (avail < sizeof(double) * len || a[A_P] != p ||
		(a[A_FIT_INTERCEPT] != 0.0 && a[A_FIT_INTERCEPT] != 1.0) ||
		(a[A_UNSCALE] != 0.0 && a[A_UNSCALE] != 1.0))
		return 0;
	for (k = 0; k < len; k++)
		if (!isfinite(a[k]))
			return 0;
	return sizeof(double) * len;
}

static size_t
refine_state_size(int p, const void *arg)
{
	(void) arg;
	return sizeof(double) * ((size_t) mm_residual_sums_len(p) + (size_t) p);
}

static void
refine_init(void *state, int p, const void *arg)
{
	memset(state, 0, refine_state_size(p, arg));
}

static void
refine_add(void *state, const MmRows *rows, const void *arg)
{
	const double *a = arg;
	int			p = rows->p,
				j;
	double	   *acc = state;
	double	   *x = acc + mm_residual_sums_len(p);
	const double *center = a + A_HEAD + 2 * p,
			   *scale = a + A_HEAD + 3 * p;
	MmResidualModel model;
	size_t		i;

	model.p = p;
	model.intercept = a[A_INTERCEPT];
	model.coef = a + A_HEAD;
	model.center = a[A_FIT_INTERCEPT] != 0.0 ? a + A_HEAD + p : NULL;
	for (i = 0; i < rows->n; i++)
	{
		const double *row = rows->x + i * (size_t) p;

		if (a[A_UNSCALE] != 0.0)
			for (j = 0; j < p; j++)
				x[j] = row[j] * scale[j] + center[j];
		else
			memcpy(x, row, sizeof(double) * p);
		mm_residual_sums_add(acc, &model, x, rows->t ? rows->t[i] : 0.0);
	}
}

static void
refine_merge(void *state, const void *other, int p, const void *arg)
{
	(void) arg;
	mm_residual_sums_merge(state, other, p);
}

void
mm_linear_refine_sums(const void *state, int p, double *sums)
{
	mm_residual_sums_value(state, p, sums);
}

const MmPass mm_linear_refine_pass = {
	.name = "linear_regression.refine",
	.state_size = refine_state_size,
	.init = refine_init,
	.add = refine_add,
	.merge = refine_merge,
	.arg_size = refine_arg_size,
};
