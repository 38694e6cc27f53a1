/*
 * test_selectstats.c: the feature-selection statistics pass (selectstats.h).
 *
 * Over rows of a number and a text code, against a numeric target and
 * against classes, the state holds the sums a two-pass computation over
 * all rows gives, whether the rows arrive in one block or are split into
 * blocks whose states merge; codes out of range sit their row out; damaged
 * args are refused; other processes find the pass under the design's id.
 */
#include "testutil.h"

#include <string.h>

#include "designpasses.h"
#include "selectstats.h"

#define N 9

/* column 0 a number, column 1 a code of 3 (-1: sits out) */
static const double x[N * 2] = {
	1.5, 0, 2.0, 1, -0.5, 2, 3.25, 0, 4.0, -1, 0.75, 1, 2.5, 2, 1.0, 0, 5.5, 1,
};
static const double t[N] = {2.0, 3.5, -1.0, 4.0, 6.5, 1.25, 2.0, 1.5, 7.0};
static const int32_t y[N] = {0, 1, 0, 1, 1, 0, 2, 0, 1};

/* Runs the pass over the rows, in one block or in blocks split at cut, merged. */
static double *
run(const double *arg, int classes, size_t cut)
{
	size_t		size = mm_pass_select_stats.state_size(2, arg);
	double	   *s = malloc(size),
			   *o = malloc(size);
	MmRows		a = {cut, 2, x, classes ? y : NULL, classes ? NULL : t};
	MmRows		b = {N - cut, 2, x + 2 * cut, classes ? y + cut : NULL, classes ? NULL : t + cut};

	mm_pass_select_stats.init(s, 2, arg);
	mm_pass_select_stats.init(o, 2, arg);
	mm_pass_select_stats.add(s, &a, arg);
	mm_pass_select_stats.add(o, &b, arg);
	mm_pass_select_stats.merge(s, o, 2, arg);
	assert_true(mm_pass_select_stats.check(s, 2, arg));
	free(o);
	return s;
}

static void
test_numeric_target(void **unused)
{
	const double arg[4] = {2, 0, 0, 3};
	double		mx = 0,
				my = 0,
				sxx = 0,
				syy = 0,
				sxy = 0;
	size_t		cut,
				i;
	int			g;

	for (i = 0; i < N; i++)
	{
		mx += x[2 * i];
		my += t[i];
	}
	mx /= N;
	my /= N;
	for (i = 0; i < N; i++)
	{
		sxx += (x[2 * i] - mx) * (x[2 * i] - mx);
		syy += (t[i] - my) * (t[i] - my);
		sxy += (x[2 * i] - mx) * (t[i] - my);
	}
	assert_int_equal(mm_select_stats_offset(arg, 1), 8);
	for (cut = 0; cut <= N; cut += 4)
	{
		double	   *s = run(arg, 0, cut),
				   *c = s + 2,
				   *groups = s + mm_select_stats_offset(arg, 1);

		assert_true(c[0] == N);
		assert_true(fabs(c[1] - mx) < 1e-12 && fabs(c[2] - my) < 1e-12);
		assert_true(fabs(c[3] - sxx) < 1e-12 && fabs(c[4] - syy) < 1e-12 && fabs(c[5] - sxy) < 1e-12);
		/* the target per code: the row coded -1 sits out */
		for (g = 0; g < 3; g++)
		{
			double		n = 0,
						m = 0,
						m2 = 0;

			for (i = 0; i < N; i++)
				if (x[2 * i + 1] == g)
				{
					n++;
					m += t[i];
				}
			m /= n;
			for (i = 0; i < N; i++)
				if (x[2 * i + 1] == g)
					m2 += (t[i] - m) * (t[i] - m);
			assert_true(groups[3 * g] == n);
			assert_true(fabs(groups[3 * g + 1] - m) < 1e-12);
			assert_true(fabs(groups[3 * g + 2] - m2) < 1e-12);
		}
		free(s);
	}
}

static void
test_classes(void **unused)
{
	const double arg[4] = {2, 3, 0, 3};
	size_t		cut,
				i;
	int			k,
				g;

	for (cut = 0; cut <= N; cut += 3)
	{
		double	   *s = run(arg, 1, cut),
				   *groups = s + 2,
				   *table = s + mm_select_stats_offset(arg, 1);

		assert_int_equal(mm_select_stats_offset(arg, 1), 2 + 9);
		for (k = 0; k < 3; k++)
		{
			double		n = 0,
						m = 0,
						m2 = 0;

			for (i = 0; i < N; i++)
				if (y[i] == k)
				{
					n++;
					m += x[2 * i];
				}
			m /= n;
			for (i = 0; i < N; i++)
				if (y[i] == k)
					m2 += (x[2 * i] - m) * (x[2 * i] - m);
			assert_true(groups[3 * k] == n);
			assert_true(fabs(groups[3 * k + 1] - m) < 1e-12);
			assert_true(fabs(groups[3 * k + 2] - m2) < 1e-12);
			for (g = 0; g < 3; g++)
			{
				double		cell = 0;

				for (i = 0; i < N; i++)
					cell += y[i] == k && x[2 * i + 1] == g;
				assert_true(table[g * 3 + k] == cell);
			}
		}
		free(s);
	}
}

static void
test_bad_args(void **unused)
{
	const double wrong_p[4] = {3, 0, 0, 3};
	const double fractional[4] = {2, 1.5, 0, 3};
	const double negative[4] = {2, 0, -1, 3};
	const double huge[4] = {2, MM_MAX_CLASSES, MM_MAX_CATEGORIES + 1, MM_MAX_CATEGORIES + 1};
	const double good[4] = {2, 2, 0, 3};

	assert_int_equal(mm_pass_select_stats.arg_size(2, wrong_p, SIZE_MAX), 0);
	assert_int_equal(mm_pass_select_stats.arg_size(2, fractional, SIZE_MAX), 0);
	assert_int_equal(mm_pass_select_stats.arg_size(2, negative, SIZE_MAX), 0);
	assert_int_equal(mm_pass_select_stats.arg_size(2, huge, SIZE_MAX), 0);
	assert_int_equal(mm_pass_select_stats.arg_size(2, good, 3 * sizeof(double)), 0);
	assert_int_equal(mm_pass_select_stats.arg_size(2, good, SIZE_MAX), 4 * sizeof(double));
}

static void
test_found(void **unused)
{
	int			id;

	assert_ptr_equal(mm_pass_find(MM_PASS_DESIGN_ID, MM_DESIGN_PASS_SELECT_STATS), &mm_pass_select_stats);
	assert_int_equal(mm_pass_index(0, &mm_pass_select_stats, &id), MM_DESIGN_PASS_SELECT_STATS);
	assert_int_equal(id, MM_PASS_DESIGN_ID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_target),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
