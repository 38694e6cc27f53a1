/*
 * distributions.h: tail probabilities for the inference statistics.
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

/* Two-sided p-value of a z statistic. */
extern double mm_z_two_sided_p(double z);

#endif							/* MM_DISTRIBUTIONS_H */
