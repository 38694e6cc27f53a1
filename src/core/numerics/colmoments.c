/*
 * colmoments.c: compensated moments of the columns of rows in memory (see
 * colmoments.h).
 */
#include "colmoments.h"

#include <math.h>

#include "compsum.h"

void
mm_column_sums_start(MmColumnSums *s, int p)
{
	int			j;

	s->p = p;
	for (j = 0; j < p; j++)
	{
		s->count[j] = 0;
		s->sum[j] = 0.0;
		s->carry[j] = 0.0;
		s->min[j] = INFINITY;
		s->max[j] = -INFINITY;
	}
}

void
mm_column_sums_add(MmColumnSums *s, const double *x, size_t n)
{
	int			p = s->p,
				j;
	int64_t    *restrict count = s->count;
	double	   *restrict sum = s->sum,
			   *restrict carry = s->carry,
			   *restrict lo = s->min,
			   *restrict hi = s->max;
	size_t		r;

	for (r = 0; r < n; r++)
	{
		const double *row = x + r * (size_t) p;

		for (j = 0; j < p; j++)
		{
			/* a missing value adds 0, which leaves the sum and its carry as they were */
			double		u = row[j],
						w = u == u ? u : 0.0;

			count[j] += u == u;
			mm_compsum_add(&sum[j], &carry[j], w);
			lo[j] = u < lo[j] ? u : lo[j];
			hi[j] = u > hi[j] ? u : hi[j];
		}
	}
}

void
mm_column_sums_add_squares(MmColumnSums *s, const double *x, size_t n, const double *center)
{
	int			p = s->p,
				j;
	double	   *restrict sum = s->sum,
			   *restrict carry = s->carry;
	size_t		r;

	for (r = 0; r < n; r++)
	{
		const double *row = x + r * (size_t) p;

		for (j = 0; j < p; j++)
		{
			double		d = row[j] - center[j],
						w = d == d ? d * d : 0.0;

			mm_compsum_add(&sum[j], &carry[j], w);
		}
	}
}
