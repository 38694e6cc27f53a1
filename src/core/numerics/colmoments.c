/*
 * colmoments.c: compensated moments of the columns of rows in memory (see
 * colmoments.h).
 */
#include "colmoments.h"

#include <math.h>

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
			mm_column_take(row[j], &count[j], &sum[j], &carry[j], &lo[j], &hi[j]);
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

void
mm_values_mean_var(const double *v, size_t n, double *mean, double *var)
{
	double		sum = 0.0,
				carry = 0.0,
				m;
	size_t		i;

	for (i = 0; i < n; i++)
		mm_compsum_add(&sum, &carry, v[i]);
	m = (sum + carry) / (double) n;
	sum = carry = 0.0;
	for (i = 0; i < n; i++)
		mm_compsum_add(&sum, &carry, (v[i] - m) * (v[i] - m));
	*mean = m;
	*var = (sum + carry) / (double) n;
}
