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
#include "colmoments.h"
#include "column_stats.h"
#include "widevectors.h"

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
		arg[j].quantiles = 1.0;
	}
}

/* Columns the arg gives a sketch: every one without an arg (a size to allocate before one is known). */
static int
sketched(int p, const MmColumnStatsArg *arg)
{
	int			j,
				q = 0;

	if (arg == NULL)
		return p;
	for (j = 0; j < p; j++)
		q += arg[j].quantiles != 0.0;
	return q;
}

static size_t
stats_size(int p, const void *arg)
{
	return sizeof(MmColumnStatsHead) + sizeof(MmColumnStats) * (size_t) p +
		sizeof(MmQuantileSketch) * (size_t) sketched(p, arg);
}

/* An arg is p entries of an impute value (finite or NaN), bounds lo <= hi and a quantiles flag. */
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
			a[j].hi == -INFINITY || (a[j].quantiles != 0.0 && a[j].quantiles != 1.0))
			return 0;
	return need;
}

static void
stats_init(void *state, int p, const void *arg)
{
	MmColumnStatsHead *head = state;
	const MmColumnStatsArg *args = arg;
	int			j;
	int64_t		q = 0;

	head->p = p;
	head->pad = 0;
	for (j = 0; j < p; j++)
	{
		MmColumnStats *c = mm_column_stats_of(state, j);

		c->n = 0;
		c->missing = 0;
		c->mean = 0.0;
		c->m2 = 0.0;
		c->min = INFINITY;
		c->max = -INFINITY;
		c->sketch = args[j].quantiles != 0.0 ? q++ : -1;
		if (c->sketch >= 0)
			mm_qsketch_init(mm_column_stats_sketch(state, p, j));
	}
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
	v = isnan(v) ? a->impute : v;
	/* NaN compares false both ways and stays NaN */
	return v < a->lo ? a->lo : v > a->hi ? a->hi : v;
}

/* Columns a block's sweeps take at once: their sums sit side by side on the stack. */
#define GROUP 32

/*
 * Columns j0 .. j0 + g - 1 of a block: each column's values are summed in
 * row order exactly as one column at a time would (a missing value adds
 * 0, which changes no sum), but the sweeps run across the row's columns,
 * contiguous in the block and free of branches, four at a time.  raw: the
 * arg neither imputes nor clips these columns (a first pass), so values
 * are read as they are (the compiler makes a loop of each kind).
 */
static MM_WIDE_VECTORS void
sweep_group(void *state, const MmRows *rows, const MmColumnStatsArg *args, int j0, int g, int raw)
{
	int			p = rows->p,
				j;
	size_t		r;
	double		sum[GROUP],
				carry[GROUP],
				lo[GROUP],
				hi[GROUP],
				mean[GROUP],
				m2[GROUP];
	int64_t		count[GROUP];

	for (j = 0; j < g; j++)
	{
		sum[j] = carry[j] = m2[j] = 0.0;
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
		count[j] = 0;
	}
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p + j0;

		for (j = 0; j < g; j++)
			mm_column_take(raw ? x[j] : transformed(x[j], &args[j0 + j]), &count[j], &sum[j], &carry[j],
						   &lo[j], &hi[j]);
	}
	for (j = 0; j < g; j++)
		mean[j] = count[j] > 0 ? (sum[j] + carry[j]) / (double) count[j] : 0.0;
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p + j0;

		for (j = 0; j < g; j++)
		{
			double		u = raw ? x[j] : transformed(x[j], &args[j0 + j]),
						d = u == u ? u - mean[j] : 0.0;

			m2[j] += d * d;
		}
	}
	for (j = 0; j < g; j++)
	{
		MmColumnStats *c = mm_column_stats_of(state, j0 + j);

		c->missing += (int64_t) rows->n - count[j];
		c->min = lo[j] < c->min ? lo[j] : c->min;
		c->max = hi[j] > c->max ? hi[j] : c->max;
		if (count[j] > 0)
			merge_moments(c, count[j], mean[j], m2[j]);
	}
}

/* Columns j0 .. j0 + g - 1 of a block, read raw when the arg leaves them so. */
static void
add_group(void *state, const MmRows *rows, const MmColumnStatsArg *args, int j0, int g)
{
	int			j,
				raw = 1;

	for (j = j0; j < j0 + g; j++)
		if (!isnan(args[j].impute) || args[j].lo != -INFINITY || args[j].hi != INFINITY)
			raw = 0;
	sweep_group(state, rows, args, j0, g, raw);
}

/* Column j's values into its sketch sk. */
static void
sketch_column(MmQuantileSketch *sk, const MmRows *rows, int j, const MmColumnStatsArg *a)
{
	size_t		r;

	for (r = 0; r < rows->n; r++)
	{
		double		v = transformed(rows->x[r * (size_t) rows->p + j], a);

		if (!isnan(v))
			mm_qsketch_add(sk, v);
	}
}

static void
stats_add(void *state, const MmRows *rows, const void *arg)
{
	const MmColumnStatsArg *args = arg;
	int			p = rows->p,
				j;

	for (j = 0; j < p; j++)
	{
		MmQuantileSketch *sk = mm_column_stats_sketch(state, p, j);

		if (sk != NULL)
			sketch_column(sk, rows, j, &args[j]);
	}
	for (j = 0; j < p; j += GROUP)
		add_group(state, rows, args, j, p - j < GROUP ? p - j : GROUP);
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
		if (c->sketch >= 0)
			mm_qsketch_merge(mm_column_stats_sketch(state, p, j),
							 mm_column_stats_sketch((void *) other, p, j));
	}
}

/*
 * Column j read back: the sketch the arg asks for, in its place (q: the
 * sketches of the columns before it), counts that agree with it, extremes
 * that bound a mean.
 */
static int
column_valid(const void *state, int p, int j, const MmColumnStatsArg *a, int64_t q)
{
	const MmColumnStats *c = mm_column_stats_of((void *) state, j);
	const MmQuantileSketch *sk;

	if (c->n < 0 || c->missing < 0 || c->sketch != (a->quantiles != 0.0 ? q : -1))
		return 0;
	sk = mm_column_stats_sketch((void *) state, p, j);
	/* an overflowed sketch stopped counting; the moments did not */
	if (sk != NULL && (!mm_qsketch_check(sk) || (sk->overflow ? sk->n > c->n : sk->n != c->n)))
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
	const MmColumnStatsArg *args = arg;
	int			j;
	int64_t		q = 0;

	if (head->p != p || head->pad != 0)
		return 0;
	for (j = 0; j < p; j++)
	{
		if (!column_valid(state, p, j, &args[j], q))
			return 0;
		q += args[j].quantiles != 0.0;
	}
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
