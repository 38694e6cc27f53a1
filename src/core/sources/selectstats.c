/*
 * selectstats.c: the feature-selection statistics pass (see selectstats.h).
 */
#include "selectstats.h"

#include <math.h>
#include <string.h>

#include "model.h"

#define CORRELATION_LEN 6

size_t
mm_select_stats_block(const double *a, int j)
{
	size_t		classes = (size_t) a[1],
				codes = (size_t) a[2 + j];

	if (classes == 0)
		return codes == 0 ? CORRELATION_LEN : 3 * codes;
	return codes == 0 ? 3 * classes : codes * classes;
}

size_t
mm_select_stats_offset(const double *a, int j)
{
	size_t		off = 2;
	int			i;

	for (i = 0; i < j; i++)
		off += mm_select_stats_block(a, i);
	return off;
}

static size_t
select_size(int p, const void *arg)
{
	return sizeof(double) * mm_select_stats_offset(arg, p);
}

static void
select_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	const double *a = arg;

	memset(s, 0, select_size(p, arg));
	s[0] = p;
	s[1] = a[1];
}

/* Adds value v to a group of (rows, mean, sum of squared deviations). */
static void
group_add(double *g, double v)
{
	double		d = v - g[1];

	g[0] += 1.0;
	g[1] += d / g[0];
	g[2] += d * (v - g[1]);
}

/* Merges group o into g (Chan's formula). */
static void
group_merge(double *g, const double *o)
{
	double		n,
				d;

	if (o[0] == 0.0)
		return;
	if (g[0] == 0.0)
	{
		memcpy(g, o, sizeof(double) * 3);
		return;
	}
	n = g[0] + o[0];
	d = o[1] - g[1];
	g[2] += o[2] + d * d * g[0] * o[0] / n;
	g[1] += d * o[0] / n;
	g[0] = n;
}

/* Adds (x, y) to a correlation block: rows, mean x, mean y, sxx, syy, sxy. */
static void
correlation_add(double *c, double x, double y)
{
	double		dx = x - c[1],
				dy = y - c[2];

	c[0] += 1.0;
	c[1] += dx / c[0];
	c[2] += dy / c[0];
	c[3] += dx * (x - c[1]);
	c[4] += dy * (y - c[2]);
	c[5] += dx * (y - c[2]);
}

static void
correlation_merge(double *c, const double *o)
{
	double		n,
				dx,
				dy,
				w;

	if (o[0] == 0.0)
		return;
	if (c[0] == 0.0)
	{
		memcpy(c, o, sizeof(double) * CORRELATION_LEN);
		return;
	}
	n = c[0] + o[0];
	dx = o[1] - c[1];
	dy = o[2] - c[2];
	w = c[0] * o[0] / n;
	c[3] += o[3] + dx * dx * w;
	c[4] += o[4] + dy * dy * w;
	c[5] += o[5] + dx * dy * w;
	c[1] += dx * o[0] / n;
	c[2] += dy * o[0] / n;
	c[0] = n;
}

/* The code of v among codes, or -1 when the row sits out the test. */
static long
code_of(double v, size_t codes)
{
	if (!(v >= 0.0) || v >= (double) codes)
		return -1;
	return (long) v;
}

static void
select_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	const double *a = arg;
	int			p = rows->p,
				j;
	size_t		classes = (size_t) a[1],
				r;

	if (classes == 0 ? rows->t == NULL : rows->y == NULL)
		return;
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p;
		size_t		off = 2;
		long		label = classes > 0 ? (long) rows->y[r] : 0;

		if (classes > 0 && (label < 0 || (size_t) label >= classes))
			continue;
		for (j = 0; j < p; j++)
		{
			size_t		codes = (size_t) a[2 + j];
			double	   *b = s + off;
			long		code = codes > 0 ? code_of(x[j], codes) : 0;

			off += mm_select_stats_block(a, j);
			if (code < 0)
				continue;
			if (classes == 0 && codes == 0)
				correlation_add(b, x[j], rows->t[r]);
			else if (classes == 0)
				group_add(b + 3 * code, rows->t[r]);
			else if (codes == 0)
				group_add(b + 3 * label, x[j]);
			else
				b[code * classes + label] += 1.0;
		}
	}
}

static void
select_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other,
			   *a = arg;
	size_t		classes = (size_t) a[1],
				off = 2,
				i;
	int			j;

	for (j = 0; j < p; j++)
	{
		size_t		len = mm_select_stats_block(a, j),
					codes = (size_t) a[2 + j];

		if (classes == 0 && codes == 0)
			correlation_merge(s + off, o + off);
		else if (classes == 0 || codes == 0)
			for (i = 0; i < len; i += 3)
				group_merge(s + off + i, o + off + i);
		else
			for (i = 0; i < len; i++)
				s[off + i] += o[off + i];
		off += len;
	}
}

/* 2 + p doubles: p itself, the classes, then each column's codes; the state stays bounded. */
static size_t
select_arg_size(int p, const void *arg, size_t avail)
{
	size_t		size = sizeof(double) * ((size_t) p + 2),
				total = 2;
	const double *a = arg;
	int			j;

	if (p < 0 || avail < size)
		return 0;
	if (a[0] != (double) p || !mm_whole_in(a[1], 0, MM_MAX_CLASSES))
		return 0;
	for (j = 0; j < p; j++)
	{
		if (!mm_whole_in(a[2 + j], 0, MM_MAX_CATEGORIES + 1.0))
			return 0;
		total += mm_select_stats_block(a, j);
		if (total > MM_SELECT_STATS_MAX_DOUBLES)
			return 0;
	}
	return size;
}

static int
select_check(const void *state, int p, const void *arg)
{
	const double *s = state,
			   *a = arg;
	size_t		n = mm_select_stats_offset(a, p),
				i;

	if (s[0] != (double) p || s[1] != a[1])
		return 0;
	for (i = 2; i < n; i++)
		if (isnan(s[i]))
			return 0;
	return 1;
}

const MmPass mm_pass_select_stats = {
	.name = "select_stats",
	.state_size = select_size,
	.init = select_init,
	.add = select_add,
	.merge = select_merge,
	.arg_size = select_arg_size,
	.check = select_check,
};
