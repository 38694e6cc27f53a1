/*
 * refine.c: compensated residual sums (see refine.h).
 */
#include "refine.h"

#include <math.h>
#include <stddef.h>

/* a + b = *s + *e exactly (Knuth). */
static inline void
two_sum(double a, double b, double *s, double *e)
{
	double		t = a + b,
				bb = t - a;

	*e = (a - (t - bb)) + (b - bb);
	*s = t;
}

/* Adds x to the (sum, error) pair at acc. */
static inline void
acc_add(double *acc, double x)
{
	double		e;

	two_sum(acc[0], x, &acc[0], &e);
	acc[1] += e;
}

/* Adds the exact product a * b to the pair at acc. */
static inline void
acc_add_product(double *acc, double a, double b)
{
	double		hi = a * b;

	acc_add(acc, hi);
	acc[1] += fma(a, b, -hi);
}

/* Adds a row (see refine.h). */
void
mm_residual_sums_add(double *acc, const MmResidualModel *model, const double *x, double y)
{
	double		r[2] = {y, 0.0};
	double		res;
	int			j;

	/* the residual in twice the working precision, then rounded once */
	acc_add(r, -model->intercept);
	for (j = 0; j < model->p; j++)
		acc_add_product(r, -x[j], model->coef[j]);
	res = r[0] + r[1];

	acc_add(acc, res);
	acc_add_product(acc + 2, res, res);
	for (j = 0; j < model->p; j++)
		acc_add_product(acc + 4 + 2 * j,
						model->center != NULL ? x[j] - model->center[j] : x[j], res);
}

/* Adds the accumulator src into dst (see refine.h). */
void
mm_residual_sums_merge(double *dst, const double *src, int p)
{
	int			k;

	for (k = 0; k < p + 2; k++)
	{
		acc_add(dst + 2 * k, src[2 * k]);
		dst[2 * k + 1] += src[2 * k + 1];
	}
}

/* The sums, each rounded once (see refine.h). */
void
mm_residual_sums_value(const double *acc, int p, double *sums)
{
	int			k;

	for (k = 0; k < p + 2; k++)
		sums[k] = acc[2 * k] + acc[2 * k + 1];
}
