/*
 * lanedot.h: a dot product in a fixed order that vector units keep.
 *
 * The sum runs in four interleaved partial sums, added pairwise at the
 * end: one running sum would wait on every addition, and a vector unit of
 * any width (widevectors.h) keeps these four in its lanes, so every build
 * and every copy gives the same bits.
 */
#ifndef MM_LANEDOT_H
#define MM_LANEDOT_H

/* Sum of a[r] * b[r] over m values. */
static inline double
mm_lane_dot(const double *a, const double *b, int m)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			r = 0;

	for (; r + 4 <= m; r += 4)
	{
		s0 += a[r] * b[r];
		s1 += a[r + 1] * b[r + 1];
		s2 += a[r + 2] * b[r + 2];
		s3 += a[r + 3] * b[r + 3];
	}
	for (; r < m; r++)
		s0 += a[r] * b[r];
	return (s0 + s1) + (s2 + s3);
}

#endif							/* MM_LANEDOT_H */
