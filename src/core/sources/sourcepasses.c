/*
 * sourcepasses.c: the passes every data source offers (see sourcepasses.h).
 *
 * The column summary's state begins with its width d = p + 1 (as a
 * double), which check ties to p when a state comes back from bytes.
 */
#include "sourcepasses.h"

#include "column_stats.h"

#include <math.h>
#include <string.h>

/* Bytes of a column summary over p columns and the target. */
static size_t
summary_size(int p, const void *arg)
{
	(void) arg;					/* the summary takes no arg */
	return sizeof(double) * (2 + 3 * (size_t) (p + 1));
}

/* An empty summary: no rows, sums 0, the extremes of nothing. */
static void
summary_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	int			d = p + 1,
				j;

	memset(s, 0, summary_size(p, arg));
	s[0] = d;
	for (j = 0; j < d; j++)
	{
		s[2 + d + j] = INFINITY;
		s[2 + 2 * d + j] = -INFINITY;
	}
}

/* Widens the summary of column j by value v. */
static inline void
summary_value(double *s, int d, int j, double v)
{
	s[2 + j] += v;
	if (v < s[2 + d + j])
		s[2 + d + j] = v;
	if (v > s[2 + 2 * d + j])
		s[2 + 2 * d + j] = v;
}

/* Adds a block of rows. */
static void
summary_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			p = rows->p,
				d = p + 1,
				j;
	size_t		r;

	(void) arg;
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p;

		for (j = 0; j < p; j++)
			summary_value(s, d, j, x[j]);
		summary_value(s, d, p, rows->t != NULL ? rows->t[r] : 0.0);
	}
	s[1] += (double) rows->n;
}

/* Merges another summary of the same width. */
static void
summary_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			d = p + 1,
				j;

	(void) arg;
	s[1] += o[1];
	for (j = 0; j < d; j++)
	{
		s[2 + j] += o[2 + j];
		s[2 + d + j] = fmin(s[2 + d + j], o[2 + d + j]);
		s[2 + 2 * d + j] = fmax(s[2 + 2 * d + j], o[2 + 2 * d + j]);
	}
}

/* True when a summary read back has the width of p columns and the target. */
static int
summary_check(const void *state, int p, const void *arg)
{
	const double *s = state;

	(void) arg;
	return s[0] == (double) (p + 1) && s[1] >= 0.0;
}

const MmPass mm_pass_column_summary = {
	.name = "column_summary",
	.state_size = summary_size,
	.init = summary_init,
	.add = summary_add,
	.merge = summary_merge,
	.arg_size = NULL,
	.check = summary_check,
};

const MmPass *const mm_source_passes[] = {&mm_pass_column_summary, &mm_pass_column_stats, NULL};
