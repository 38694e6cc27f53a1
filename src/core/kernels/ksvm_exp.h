/*
 * ksvm_exp.h: exp of a value at most zero, written for loops the compiler
 * vectorizes.  The rbf kernel takes one exp per row and support vector,
 * and libm's exp is a call per value, which no loop can put in vector
 * lanes; this one is straight-line arithmetic and bit operations that run
 * lane by lane, so every vector width (and the scalar code) gives the same
 * bits for the same argument.
 *
 * exp(x) = 2^n exp(r), with n the integer nearest x / ln 2 and
 * r = x - n ln 2 in [-ln 2 / 2, ln 2 / 2]: ln 2 in two parts (fdlibm's) so
 * that n times the first is exact, exp(r) by its Taylor series to r^13,
 * whose remainder (below 5e-18 there) is far under half an ulp, and 2^n
 * added to the result's exponent bits.  The result is within about one ulp
 * of exp(x); test_ksvm_exp.c measures it against libm.  Below -708, where
 * exp(x) would fall among the subnormals (under 3.3e-308), the result is 0:
 * a kernel value that small adds nothing a decision can show.
 */
#ifndef MM_KSVM_EXP_H
#define MM_KSVM_EXP_H

#include <stdint.h>
#include <string.h>

/* Below it the result is 0 rather than subnormal: 2^n must stay a normal number's exponent. */
#define MM_EXP_FLUSH (-708.0)

static inline double
mm_exp_nonpositive(double x)
{
	/* adding 1.5 * 2^52 rounds to an integer, which then sits in the low bits */
	const double shifter = 0x1.8p52,
				log2e = 1.4426950408889634,
				ln2_hi = 6.93147180369123816490e-01,
				ln2_lo = 1.90821492927058770002e-10;
	double		t = x * log2e + shifter,
				n = t - shifter,
				r = (x - n * ln2_hi) - n * ln2_lo,
				p;
	uint64_t	tbits,
				pbits,
				xbits,
				keep = (uint64_t) 0 - (uint64_t) (x >= MM_EXP_FLUSH),
				nan = (uint64_t) 0 - (uint64_t) (x != x);

	p = 1.6059043836821613e-10;
	p = p * r + 2.08767569878681e-09;
	p = p * r + 2.505210838544172e-08;
	p = p * r + 2.755731922398589e-07;
	p = p * r + 2.7557319223985893e-06;
	p = p * r + 2.48015873015873e-05;
	p = p * r + 0.0001984126984126984;
	p = p * r + 0.001388888888888889;
	p = p * r + 0.008333333333333333;
	p = p * r + 0.041666666666666664;
	p = p * r + 0.16666666666666666;
	p = p * r + 0.5;
	p = p * r + 1.0;
	p = p * r + 1.0;
	/* n, two's complement in t's low bits, shifted into the exponent field */
	memcpy(&tbits, &t, sizeof(tbits));
	memcpy(&pbits, &p, sizeof(pbits));
	pbits += tbits << 52;
	/* a result that would be subnormal is 0, and NaN stays NaN, by masks rather than branches */
	memcpy(&xbits, &x, sizeof(xbits));
	pbits = (pbits & keep) | (xbits & nan);
	memcpy(&p, &pbits, sizeof(p));
	return p;
}

#endif							/* MM_KSVM_EXP_H */
