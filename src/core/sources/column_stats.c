/*
 * column_stats.c: the column-statistics pass (see column_stats.h).
 *
 * A block of rows is summarized column by column on its own (the mean of
 * its values, then their squared deviations from it: two sweeps) and
 * merged into the column by Chan's formula, as two states merge.  The
 * block's sum is compensated (Neumaier): Chan's formula weighs the
 * difference of two blocks' means by the rows, so for a column far from
 * zero (1e6 + noise) a mean off by the rounding of a plain sum moved the
 * variance in its 11th digit; compensated, the merged moments agree with
 * the column's computed in one go to about 1e-13.
 */
#include "column_stats.h"

#include <math.h>
#include <string.h>

void
mm_column_stats_identity(MmColumnStatsArg *arg, int p)
{
	int			j;

	for (j = 0; j < p; j++)
	{
		arg[j].impute = NAN;
		arg[j].lo = -INFINITY;
		arg[j].hi = INFINITY;
	}
}

static size_t
stats_size(int p, const void *arg)
{
	(void) arg;
	return sizeof(MmColumnStatsHead) + sizeof(MmColumnStats) * (size_t) p;
}

/* An arg is p triples of an impute value (finite or NaN) and bounds lo <= hi. */
static size_t
stats_arg_size(int p, const void *arg, size_t avail)
{
	const MmColumnStatsArg *a = arg;
	size_t		need = sizeof(MmColumnStatsArg) * (size_t) p;
	int			j;

	if (avail < need)
		return 0;
	for (j = 0; j < p; j++)
		if (isinf(a[j].impute) || !(a[j].lo <= a[j].hi) || a[j].lo == INFINITY ||
			a[j].hi == -INFINITY)
			return 0;
	return need;
}

static void
column_empty(MmColumnStats *c)
{
	c->n = 0;
	c->missing = 0;
	c->mean = 0.0;
	c->m2 = 0.0;
	c->min = INFINITY;
	c->max = -INFINITY;
	mm_qsketch_init(&c->sketch);
}

static void
stats_init(void *state, int p, const void *arg)
{
	MmColumnStatsHead *head = state;
	int			j;

	(void) arg;					/* the arg changes values, not the empty state */
	head->p = p;
	head->pad = 0;
	for (j = 0; j < p; j++)
		column_empty(mm_column_stats_of(state, j));
}

/* Chan's merge of (nb, mb, m2b) into column c. */
static void
merge_moments(MmColumnStats *c, int64_t nb, double mb, double m2b)
{
	int64_t		n = c->n + nb;
	double		delta;

	if (nb == 0)
		return;
	if (c->n == 0)
	{
		c->n = nb;
		c->mean = mb;
		c->m2 = m2b;
		return;
	}
	delta = mb - c->mean;
	c->mean += delta * ((double) nb / (double) n);
	c->m2 += m2b + delta * delta * ((double) c->n * (double) nb / (double) n);
	c->n = n;
}

/* Value v of a column as the arg makes it: imputed, clamped; NaN when left missing. */
static inline double
transformed(double v, const MmColumnStatsArg *a)
{
	if (isnan(v))
		v = a->impute;
	return v < a->lo ? a->lo : v > a->hi ? a->hi : v;
}

static void
stats_add(void *state, const MmRows *rows, const void *arg)
{
	const MmColumnStatsArg *args = arg;
	int			p = rows->p,
				j;
	size_t		r;

	for (j = 0; j < p; j++)
	{
		MmColumnStats *c = mm_column_stats_of(state, j);
		const MmColumnStatsArg *a = &args[j];
		int64_t		count = 0;
		double		sum = 0.0,
					carry = 0.0,
					mean,
					m2 = 0.0;

		for (r = 0; r < rows->n; r++)
		{
			double		v = transformed(rows->x[r * (size_t) p + j], a);

			if (isnan(v))
			{
				c->missing++;
				continue;
			}
			count++;
			{
				double		t = sum + v;

				carry += fabs(sum) >= fabs(v) ? (sum - t) + v : (v - t) + sum;
				sum = t;
			}
			if (v < c->min)
				c->min = v;
			if (v > c->max)
				c->max = v;
			mm_qsketch_add(&c->sketch, v);
		}
		if (count == 0)
			continue;
		mean = (sum + carry) / (double) count;
		for (r = 0; r < rows->n; r++)
		{
			double		v = transformed(rows->x[r * (size_t) p + j], a);

			if (!isnan(v))
				m2 += (v - mean) * (v - mean);
		}
		merge_moments(c, count, mean, m2);
	}
}

static void
stats_merge(void *state, const void *other, int p, const void *arg)
{
	int			j;

	(void) arg;
	for (j = 0; j < p; j++)
	{
		MmColumnStats *c = mm_column_stats_of(state, j);
		const MmColumnStats *o = mm_column_stats_of((void *) other, j);

		merge_moments(c, o->n, o->mean, o->m2);
		c->missing += o->missing;
		c->min = fmin(c->min, o->min);
		c->max = fmax(c->max, o->max);
		mm_qsketch_merge(&c->sketch, &o->sketch);
	}
}

/* A column read back: counts that agree with its sketch, extremes that bound a mean. */
static int
column_valid(const MmColumnStats *c)
{
	if (c->n < 0 || c->missing < 0 || !mm_qsketch_check(&c->sketch))
		return 0;
	/* an overflowed sketch stopped counting; the moments did not */
	if (c->sketch.overflow ? c->sketch.n > c->n : c->sketch.n != c->n)
		return 0;
	if (c->n == 0)
		return c->min == INFINITY && c->max == -INFINITY && c->mean == 0.0 && c->m2 == 0.0;
	/* sums of huge values may overflow, so the moments need only be numbers */
	return isfinite(c->min) && isfinite(c->max) && c->min <= c->max &&
		!isnan(c->mean) && c->m2 >= 0.0;
}

static int
stats_check(const void *state, int p, const void *arg)
{
	const MmColumnStatsHead *head = state;
	int			j;

	(void) arg;
	if (head->p != p || head->pad != 0)
		return 0;
	for (j = 0; j < p; j++)
		if (!column_valid(mm_column_stats_of((void *) state, j)))
			return 0;
	return 1;
}

const MmPass mm_pass_column_stats = {
	.name = "column_stats",
	.state_size = stats_size,
	.init = stats_init,
	.add = stats_add,
	.merge = stats_merge,
	.arg_size = stats_arg_size,
	.check = stats_check,
};
