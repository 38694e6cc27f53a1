/*
 * distributions.c: Student's t and normal tail probabilities.
 *
 * The regularized incomplete beta function is evaluated with its continued
 * fraction (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
 * to stay in the region where the fraction converges fast.  Accuracy is
 * about 1e-13 relative for moderate degrees of freedom; the lgamma terms
 * cancel as df grows, to about 1e-10 at df = 1e5 and 1e-8 at df = 1e7, far
 * below what a p-value is read to.  The unit tests check closed forms,
 * published tables and MADlib's p-values.
 */
#include "distributions.h"

#include <math.h>

#define CF_MAX_ITER 500
#define CF_EPS 1e-16
#define CF_TINY 1e-300

/* Keeps a continued fraction's term away from zero (Lentz's method). */
static double
nonzero(double v)
{
	return fabs(v) < CF_TINY ? CF_TINY : v;
}

/*
 * Continued fraction for I_x(a, b), valid where x < (a+1)/(a+b+2): each
 * iteration applies the even and then the odd coefficient of the fraction.
 */
static double
beta_continued_fraction(double a, double b, double x)
{
	double		c = 1.0,
				d = 1.0 / nonzero(1.0 - (a + b) * x / (a + 1.0)),
				h = d;
	int			m;

	for (m = 1; m <= CF_MAX_ITER; m++)
	{
		double		coef[2];
		double		del = 1.0;
		int			k;

		coef[0] = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		coef[1] = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		for (k = 0; k < 2; k++)
		{
			d = 1.0 / nonzero(1.0 + coef[k] * d);
			c = nonzero(1.0 + coef[k] / c);
			del = d * c;
			h *= del;
		}
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
	/* for small |t|, 1 - I over t^2/(df+t^2) keeps the digits df/(df+t^2) loses */
	if (t * t < df)
		return 1.0 - mm_incomplete_beta(0.5, df / 2.0, t * t / (df + t * t));
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
