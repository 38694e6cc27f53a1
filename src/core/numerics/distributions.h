/*
 * distributions.h: tail probabilities and quantiles for the inference
 * statistics.
 *
 * Hand-written on purpose: the Debian libraries that have them (GSL, Rmath)
 * are GPL, which the extension's license cannot take in.
 */
#ifndef MM_DISTRIBUTIONS_H
#define MM_DISTRIBUTIONS_H

/* Regularized incomplete beta function I_x(a, b); NaN for invalid input. */
extern double mm_incomplete_beta(double a, double b, double x);

/* Two-sided p-value of a t statistic with df degrees of freedom. */
extern double mm_t_two_sided_p(double t, double df);

/* Upper tail P(F > f) of the F distribution with d1 and d2 degrees of freedom. */
extern double mm_f_upper_p(double f, double d1, double d2);

/* Upper tail P(X > x) of the chi-square distribution with df degrees of freedom. */
extern double mm_chi2_upper_p(double x, double df);

/* Two-sided p-value of a z statistic. */
extern double mm_z_two_sided_p(double z);

/* The standard normal quantile: x with P(Z <= x) = p; NaN outside (0, 1). */
extern double mm_normal_quantile(double p);

/*
 * Student's t quantile: t with P(T <= t) = p for df degrees of freedom,
 * the normal quantile when df is +inf; NaN outside p in (0, 1), df > 0.
 */
extern double mm_t_quantile(double p, double df);

#endif							/* MM_DISTRIBUTIONS_H */
