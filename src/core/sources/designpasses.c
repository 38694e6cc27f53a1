/*
 * designpasses.c: the passes of a fit in passes besides the algorithm's
 * (see designpasses.h).
 */
#include "designpasses.h"

#include <math.h>
#include <string.h>

#include "column_stats.h"
#include "regmetrics.h"
#include "selectstats.h"
#include "widevectors.h"

/* ---------------------------------------------------------------- profile */

static size_t
profile_size(int p, const void *arg)
{
	(void) arg;
	return sizeof(double) * (3 + 4 * (size_t) p);
}

static void
profile_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	int			j;

	memset(s, 0, profile_size(p, arg));
	s[0] = p;
	for (j = 0; j < p; j++)
	{
		s[MM_PROFILE_MIN(p, j)] = INFINITY;
		s[MM_PROFILE_MAX(p, j)] = -INFINITY;
	}
}

/*
 * Across each row's columns without a branch, four at a time: a missing
 * value adds 0 to its column's count and sum (which changes neither) and
 * compares false with its extremes.
 */
static MM_WIDE_VECTORS void
profile_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			p = rows->p,
				j;
	size_t		r;
	double	   *restrict present = s + MM_PROFILE_PRESENT(p, 0),
			   *restrict sum = s + MM_PROFILE_SUM(p, 0),
			   *restrict lo = s + MM_PROFILE_MIN(p, 0),
			   *restrict hi = s + MM_PROFILE_MAX(p, 0);

	(void) arg;
	for (r = 0; r < rows->n; r++)
	{
		const double *restrict x = rows->x + r * (size_t) p;

		for (j = 0; j < p; j++)
		{
			double		v = x[j];

			present[j] += v == v ? 1.0 : 0.0;
			sum[j] += v == v ? v : 0.0;
			lo[j] = v < lo[j] ? v : lo[j];
			hi[j] = v > hi[j] ? v : hi[j];
		}
		if (rows->t != NULL)
			s[MM_PROFILE_TARGET_SUM(p)] += rows->t[r];
	}
	s[MM_PROFILE_ROWS] += (double) rows->n;
}

static void
profile_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			j;

	(void) arg;
	s[MM_PROFILE_ROWS] += o[MM_PROFILE_ROWS];
	for (j = 0; j < p; j++)
	{
		s[MM_PROFILE_PRESENT(p, j)] += o[MM_PROFILE_PRESENT(p, j)];
		s[MM_PROFILE_SUM(p, j)] += o[MM_PROFILE_SUM(p, j)];
		s[MM_PROFILE_MIN(p, j)] = fmin(s[MM_PROFILE_MIN(p, j)], o[MM_PROFILE_MIN(p, j)]);
		s[MM_PROFILE_MAX(p, j)] = fmax(s[MM_PROFILE_MAX(p, j)], o[MM_PROFILE_MAX(p, j)]);
	}
	s[MM_PROFILE_TARGET_SUM(p)] += o[MM_PROFILE_TARGET_SUM(p)];
}

static int
profile_check(const void *state, int p, const void *arg)
{
	const double *s = state;

	(void) arg;
	return s[0] == (double) p && s[MM_PROFILE_ROWS] >= 0.0;
}

const MmPass mm_pass_column_profile = {
	.name = "column_profile",
	.state_size = profile_size,
	.init = profile_init,
	.add = profile_add,
	.merge = profile_merge,
	.arg_size = NULL,
	.check = profile_check,
};

/* ---------------------------------------------------------------- linear evaluation */

static size_t
eval_size(int p, const void *arg)
{
	(void) arg;
	(void) p;
	return sizeof(double) * (1 + 2 * MM_EVAL_STATE_LEN);
}

static void
eval_init(void *state, int p, const void *arg)
{
	double	   *s = state;

	(void) arg;
	s[0] = p;
	mm_eval_init(s + 1);
	mm_eval_init(s + 1 + MM_EVAL_STATE_LEN);
}

static void
eval_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	const double *a = arg;
	int			p = rows->p,
				j;
	double		scratch[4],
				mean = a[2 + p];
	size_t		r;

	if (rows->t == NULL)
		return;
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p;
		double		prediction = a[1];

		for (j = 0; j < p; j++)
			prediction += a[2 + j] * x[j];
		mm_eval_add(s + 1, rows->t[r], prediction, scratch);
		mm_eval_add(s + 1 + MM_EVAL_STATE_LEN, rows->t[r], mean, scratch);
	}
}

static void
eval_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	double		scratch[2];

	(void) p;
	(void) arg;
	mm_eval_merge(s + 1, o + 1, scratch);
	mm_eval_merge(s + 1 + MM_EVAL_STATE_LEN, o + 1 + MM_EVAL_STATE_LEN, scratch);
}

/* p + 3 doubles, the first p itself. */
static size_t
eval_arg_size(int p, const void *arg, size_t avail)
{
	size_t		size = sizeof(double) * ((size_t) p + 3);
	double		first;

	if (avail < sizeof(double))
		return 0;
	memcpy(&first, arg, sizeof(double));
	if (first != (double) p || avail < size)
		return 0;
	return size;
}

static int
eval_check(const void *state, int p, const void *arg)
{
	const double *s = state;

	(void) arg;
	return s[0] == (double) p;
}

const MmPass mm_pass_linear_eval = {
	.name = "linear_eval",
	.state_size = eval_size,
	.init = eval_init,
	.add = eval_add,
	.merge = eval_merge,
	.arg_size = eval_arg_size,
	.check = eval_check,
};

/* ---------------------------------------------------------------- profile and statistics */

/*
 * Each half is the pass it stands for, run over the same blocks and merged
 * in the same order, so either half equals what its own pass would give:
 * one read of the relation instead of two.
 */

static size_t
profile_stats_size(int p, const void *arg)
{
	return mm_profile_stats_offset(p) + mm_pass_column_stats.state_size(p, arg);
}

static void
profile_stats_init(void *state, int p, const void *arg)
{
	profile_init(state, p, NULL);
	mm_pass_column_stats.init((char *) state + mm_profile_stats_offset(p), p, arg);
}

static void
profile_stats_add(void *state, const MmRows *rows, const void *arg)
{
	profile_add(state, rows, NULL);
	mm_pass_column_stats.add((char *) state + mm_profile_stats_offset(rows->p), rows, arg);
}

static void
profile_stats_merge(void *state, const void *other, int p, const void *arg)
{
	size_t		off = mm_profile_stats_offset(p);

	profile_merge(state, other, p, NULL);
	mm_pass_column_stats.merge((char *) state + off, (const char *) other + off, p, arg);
}

static size_t
profile_stats_arg_size(int p, const void *arg, size_t avail)
{
	return mm_pass_column_stats.arg_size(p, arg, avail);
}

static int
profile_stats_check(const void *state, int p, const void *arg)
{
	return profile_check(state, p, NULL) &&
		mm_pass_column_stats.check((const char *) state + mm_profile_stats_offset(p), p, arg);
}

const MmPass mm_pass_profile_stats = {
	.name = "column_profile_stats",
	.state_size = profile_stats_size,
	.init = profile_stats_init,
	.add = profile_stats_add,
	.merge = profile_stats_merge,
	.arg_size = profile_stats_arg_size,
	.check = profile_stats_check,
};

/* listed after the others: a pass is found again by its index */
const MmPass *const mm_design_passes[] = {&mm_pass_column_profile, &mm_pass_linear_eval,
	&mm_pass_select_stats, &mm_pass_profile_stats, NULL};
