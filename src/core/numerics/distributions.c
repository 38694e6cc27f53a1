/*
 * distributions.c: Student's t, normal, F and chi-square tail probabilities.
 *
 * The regularized incomplete beta function is evaluated with its continued
 * fraction (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
 * to stay in the region where the fraction converges fast.  Accuracy is
 * about 1e-13 relative for moderate degrees of freedom; the lgamma terms
 * cancel as df grows, to about 1e-10 at df = 1e5 and 1e-8 at df = 1e7, far
 * below what a p-value is read to.  The unit tests check closed forms,
 * published tables and MADlib's p-values.  The chi-square tail is the
 * regularized upper incomplete gamma function, by its series or its
 * continued fraction, whichever converges fast for the argument.
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

double
mm_f_upper_p(double f, double d1, double d2)
{
	if (!(f > 0.0))
		return 1.0;
	if (isinf(f))
		return 0.0;
	return mm_incomplete_beta(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f));
}

/*
 * The regularized upper incomplete gamma Q(a, x): by its series where
 * x < a + 1 (as 1 - P), by its continued fraction (modified Lentz) beyond.
 */
static double
gamma_upper(double a, double x)
{
	double		front = exp(-x + a * log(x) - lgamma(a));
	int			n;

	if (x < a + 1.0)
	{
		double		term = 1.0 / a,
					sum = term;

		for (n = 1; n <= CF_MAX_ITER; n++)
		{
			term *= x / (a + n);
			sum += term;
			if (fabs(term) < fabs(sum) * CF_EPS)
				break;
		}
		return 1.0 - sum * front;
	}
	else
	{
		double		b = x + 1.0 - a,
					c = 1.0 / CF_TINY,
					d = 1.0 / b,
					h = d;

		for (n = 1; n <= CF_MAX_ITER; n++)
		{
			double		an = -n * (n - a),
						delta;

			b += 2.0;
			d = 1.0 / nonzero(an * d + b);
			c = nonzero(b + an / c);
			delta = d * c;
			h *= delta;
			if (fabs(delta - 1.0) < CF_EPS)
				break;
		}
		return front * h;
	}
}

double
mm_chi2_upper_p(double x, double df)
{
	if (!(x > 0.0))
		return 1.0;
	if (isinf(x))
		return 0.0;
	return gamma_upper(df / 2.0, x / 2.0);
}
