/*
 * distributions.c: Student's t, normal, F and chi-square tail probabilities,
 * and the t and normal quantiles.
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

#include <float.h>
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
beta_continued_fraction(double a, double b, double x, int max_iter)
{
	double		c = 1.0,
				d = 1.0 / nonzero(1.0 - (a + b) * x / (a + 1.0)),
				h = d;
	int			m;

	for (m = 1; m <= max_iter; m++)
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
		return front * beta_continued_fraction(a, b, x, CF_MAX_ITER) / a;
	return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x, CF_MAX_ITER) / b;
}

/* Two-sided p-value of a t statistic with df degrees of freedom. */
double
mm_t_two_sided_p(double t, double df)
{
	double		x;

	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return 0.0;
	x = df / (df + t * t);

	/*
	 * Where the incomplete beta's own continued fraction converges, the
	 * p-value comes straight from it, with its relative precision however
	 * small it is (the two-sided p of a t of 10 with 400 df is 1e-20); below
	 * that the p-value is near 1, and 1 - I over t^2/(df+t^2) keeps the
	 * digits that rounding df/(df+t^2) near 1 loses.
	 */
	if (x < (0.5 * df + 1.0) / (0.5 * df + 2.5))
		return mm_incomplete_beta(df / 2.0, 0.5, x);
	return 1.0 - mm_incomplete_beta(0.5, df / 2.0, t * t / (df + t * t));
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

/*
 * Quantiles.  The normal quantile starts from Acklam's rational
 * approximation (relative error about 1e-9) and is polished by Halley steps
 * on erfc, which reach double precision from there.  The t quantile has no
 * such approximation for every df, so it solves the tail probability above
 * for t: Newton steps on the two-sided p-value, kept inside a bracket that
 * every evaluation narrows and falling back to bisection when a step leaves
 * it, so heavy tails (df near 0) and levels near 1 converge too.  Its
 * accuracy is that of the tail probability it inverts.
 */
#define QUANTILE_MAX_ITER 200
/*
 * Near x = (a+1)/(a+b+2), where the fraction switches sides, it takes about
 * sqrt(a) terms; the p-values stop at CF_MAX_ITER, short of that for
 * millions of degrees of freedom, the quantile does not.
 */
#define T_TAIL_MAX_ITER 20000

/* Acklam's approximation of the normal quantile, for 0 < p <= 1/2. */
static double
normal_quantile_start(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
	1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
	6.680131188771972e+01, -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
	-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
	3.754408661907416e+00};

	if (p < 0.02425)
	{
		double		q = sqrt(-2.0 * log(p));

		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else
	{
		double		q = p - 0.5,
					r = q * q;

		return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
}

double
mm_normal_quantile(double p)
{
	double		q,
				x;
	int			i;

	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	/* the lower tail, where erfc keeps every digit of tiny probabilities */
	q = p < 0.5 ? p : 1.0 - p;
	x = normal_quantile_start(q);
	for (i = 0; i < 4; i++)
	{
		double		e = 0.5 * erfc(-x / M_SQRT2) - q,
					u = e * sqrt(2.0 * M_PI) * exp(0.5 * x * x),
					step;

		/* beyond about 1e-300 the density underflows: the start is all there is */
		if (!isfinite(u))
			break;
		step = u / (1.0 + 0.5 * x * u);
		x -= step;
		if (fabs(step) <= DBL_EPSILON * fabs(x))
			break;
	}
	return p < 0.5 ? x : -x;
}

/*
 * log Gamma(a + 1/2) - log Gamma(a).  For large a the two lgamma values
 * cancel to a few units and lose their digits with them, so there the
 * difference comes from Stirling's series, whose terms nearly cancel only in
 * the small corrections: the first omitted term is below 2e-15 from a = 20.
 */
static double
lgamma_half_step(double a)
{
	double		b = a + 0.5;

	if (a < 20.0)
		return lgamma(b) - lgamma(a);
	return a * log1p(0.5 / a) - 0.5 + 0.5 * log(a) +
		(1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * b * b)) / (b * b)) / (b * b)) / b -
		(1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * a * a)) / (a * a)) / (a * a)) / a;
}

/*
 * The two-sided p-value of t > 0, I_x(df/2, 1/2) at x = df / (df + t^2),
 * for the quantile: unlike mm_t_two_sided_p it takes x, 1 - x and the
 * beta function from t^2/df with log1p and the series above, which keeps
 * the tiny tails of many degrees of freedom to full precision.
 */
static double
t_tail(double t, double df)
{
	double		a = 0.5 * df,
				u = t * t / df,
				x = 1.0 / (1.0 + u),
				y = u / (1.0 + u),
				front = exp(lgamma_half_step(a) - 0.5 * log(M_PI) - a * log1p(u) + 0.5 * log(y));

	if (x < (a + 1.0) / (a + 2.5))
		return front * beta_continued_fraction(a, 0.5, x, T_TAIL_MAX_ITER) / a;
	return 1.0 - front * beta_continued_fraction(0.5, a, y, T_TAIL_MAX_ITER) / 0.5;
}

/* The density of Student's t with df degrees of freedom. */
static double
t_density(double t, double df)
{
	return exp(lgamma_half_step(0.5 * df) - 0.5 * log(df * M_PI) - 0.5 * (df + 1.0) * log1p(t * t / df));
}

/* The t > 0 whose two-sided p-value with df degrees of freedom is alpha, in (0, 1). */
static double
t_critical(double alpha, double df)
{
	double		lo = 0.0,
				hi,
				t;
	int			i;

	/* t's tails are heavier than the normal's: its quantile is beyond the normal one */
	t = -mm_normal_quantile(0.5 * alpha);
	for (hi = fmax(2.0 * t, 2.0); t_tail(hi, df) > alpha; hi *= 2.0)
	{
		lo = hi;
		/* t^2 overflows soon after: quantiles that far out are infinite here */
		if (hi > 1e150)
			return INFINITY;
	}
	if (!(t > lo && t < hi))
		t = 0.5 * (lo + hi);
	for (i = 0; i < QUANTILE_MAX_ITER; i++)
	{
		double		g = t_tail(t, df) - alpha,
					next;

		if (g == 0.0)
			break;
		if (g > 0.0)
			lo = t;
		else
			hi = t;
		/* the p-value falls by twice the density as t grows */
		next = t + g / (2.0 * t_density(t, df));
		if (!(next > lo && next < hi))
			next = lo > 0.0 && hi > 8.0 * lo ? sqrt(lo * hi) : 0.5 * (lo + hi);
		if (fabs(next - t) <= 2.0 * DBL_EPSILON * next)
		{
			t = next;
			break;
		}
		t = next;
	}
	return t;
}

/*
 * The t quantile from the normal one z by the asymptotic expansion in 1/df
 * (Abramowitz and Stegun 26.7.5).  With df >= 3e4 and |z| <= 9 the first
 * omitted term is below 1e-17 of t: there the expansion is exact in double
 * precision, where the tail probability's continued fractions converge
 * slowly (the t of a usual level lies where they switch sides).
 */
static double
t_from_normal(double z, double df)
{
	double		z2 = z * z,
				g1 = (z2 + 1.0) * z / 4.0,
				g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0,
				g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0,
				g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;

	return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

double
mm_t_quantile(double p, double df)
{
	double		z,
				t;

	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	z = mm_normal_quantile(p);
	if (isinf(df) || p == 0.5)
		return z;
	if (df >= 3e4 && fabs(z) <= 9.0)
		return t_from_normal(z, df);
	/* 1 - p is exact for p >= 1/2, so both tails keep their digits */
	t = t_critical(2.0 * (p < 0.5 ? p : 1.0 - p), df);
	return p < 0.5 ? -t : t;
}
