/*
 * distributions.c: Student's t and normal tail probabilities.
 *
 * The regularized incomplete beta function is evaluated with its continued
 * fraction (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
 * to stay in the region where the fraction converges fast.  Accuracy is
 * about 1e-14 relative for the arguments inference produces; the unit tests
 * check it against published tables and MADlib's p-values.
 */
#include "distributions.h"

#include <math.h>

#define CF_MAX_ITER 500
#define CF_EPS 1e-16
#define CF_TINY 1e-300

/* Continued fraction for I_x(a, b), valid where x < (a+1)/(a+b+2). */
static double
beta_continued_fraction(double a, double b, double x)
{
	double		qab = a + b,
				qap = a + 1.0,
				qam = a - 1.0;
	double		c = 1.0,
				d = 1.0 - qab * x / qap,
				h;
	int			m;

	if (fabs(d) < CF_TINY)
		d = CF_TINY;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= CF_MAX_ITER; m++)
	{
		int			m2 = 2 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < CF_EPS)
			break;
	}
	return h;
}

/* Regularized incomplete beta function I_x(a, b); NaN for invalid input. */
double
mm_incomplete_beta(double a, double b, double x)
{
	double		front;

	if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0))
		return NAN;
	if (x == 0.0 || x == 1.0)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_continued_fraction(a, b, x) / a;
	return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

/* Two-sided p-value of a t statistic with df degrees of freedom. */
double
mm_t_two_sided_p(double t, double df)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return 0.0;
	return mm_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

/* Two-sided p-value of a z statistic. */
double
mm_z_two_sided_p(double z)
{
	if (isnan(z))
		return NAN;
	return erfc(fabs(z) / sqrt(2.0));
}
