/*
 * test_column_stats.c: the column-statistics pass (column_stats.h).
 *
 * The reference is the column computed in one go, as preprocessing in
 * memory computes it: the mean as one sum, the variance from deviations,
 * the extremes.  The pass must give it through the memory source (one
 * chunk or several, merged by Chan's formula) and through pass states
 * (passstate.h) merged in any grouping, to 1e-12 even for a column far
 * from zero, and refuse damaged states and args.
 */
#include "testutil.h"

#include <string.h>

#include "column_stats.h"
#include "passstate.h"
#include "sourcepasses.h"

#define P 3

static const MmPass *const pass = &mm_pass_column_stats;

/* Rows of P columns: a skewed one, one far from zero with missing values (NaN), a coarse one. */
static double *
make_rows(size_t n, int with_missing)
{
	double	   *x = malloc(sizeof(double) * n * P);
	uint64_t	seed = 42;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		x[i * P] = exp(3.0 * test_uniform(&seed));
		x[i * P + 1] = with_missing && i % 17 == 3 ? NAN : 1e6 + test_uniform(&seed);
		x[i * P + 2] = floor(10.0 * test_uniform(&seed)) - 4.0;
	}
	return x;
}

/* The reference statistics of column j (NaN missing), as arg would transform it. */
static void
reference(const double *x, size_t n, int j, const MmColumnStatsArg *a, int64_t *count,
		  int64_t *missing, double *mean, double *var, double *min, double *max)
{
	double		sum = 0.0,
				ss = 0.0;
	size_t		i;

	*count = *missing = 0;
	*min = INFINITY;
	*max = -INFINITY;
	for (i = 0; i < n; i++)
	{
		double		v = isnan(x[i * P + j]) ? a->impute : x[i * P + j];

		if (isnan(v))
		{
			(*missing)++;
			continue;
		}
		v = v < a->lo ? a->lo : v > a->hi ? a->hi : v;
		(*count)++;
		sum += v;
		*min = fmin(*min, v);
		*max = fmax(*max, v);
	}
	*mean = sum / (double) *count;
	for (i = 0; i < n; i++)
	{
		double		v = isnan(x[i * P + j]) ? a->impute : x[i * P + j];

		if (isnan(v))
			continue;
		v = v < a->lo ? a->lo : v > a->hi ? a->hi : v;
		ss += (v - *mean) * (v - *mean);
	}
	*var = ss / (double) *count;
}

/* Checks state against the reference of x with arg: counts and extremes exact, moments to rtol. */
static void
assert_stats(void *state, const double *x, size_t n, const MmColumnStatsArg *arg, double rtol)
{
	int			j;

	assert_true(pass->check(state, P, arg));
	for (j = 0; j < P; j++)
	{
		const MmColumnStats *c = mm_column_stats_of(state, j);
		int64_t		count,
					missing;
		double		mean,
					var,
					min,
					max;

		reference(x, n, j, &arg[j], &count, &missing, &mean, &var, &min, &max);
		assert_int_equal(c->n, count);
		assert_int_equal(c->missing, missing);
		assert_int_equal(c->sketch.n, count);
		assert_true(c->min == min);
		assert_true(c->max == max);
		assert_close(c->mean, mean, rtol);
		assert_close(mm_column_stats_var(c), var, rtol);
	}
}

/* Listed among the source's passes, with an arg of three doubles a column. */
static void
test_listed(void **state)
{
	MmColumnStatsArg arg[P];

	mm_column_stats_identity(arg, P);
	assert_ptr_equal(mm_source_passes[MM_SOURCE_PASS_COLUMN_STATS], pass);
	assert_ptr_equal(mm_pass_find(MM_PASS_SOURCE_ID, MM_SOURCE_PASS_COLUMN_STATS), pass);
	assert_string_equal(pass->name, "column_stats");
	assert_int_equal(pass->state_size(P, arg), sizeof(MmColumnStatsHead) + P * sizeof(MmColumnStats));
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), sizeof(arg));
	assert_int_equal(pass->arg_size(P, arg, sizeof(arg) - 1), 0);
	arg[1].lo = 2.0;
	arg[1].hi = 1.0;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), 0);
	mm_column_stats_identity(arg, P);
	arg[2].impute = INFINITY;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), 0);
	mm_column_stats_identity(arg, P);
	arg[0].lo = NAN;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), 0);
}

/* One chunk of the memory source: the column computed in one go, to rounding (compensated sums). */
static void
test_one_chunk(void **state)
{
	size_t		n = 5000;
	double	   *x = make_rows(n, 1);
	MmRows		rows = {n, P, x, NULL, NULL};
	MmColumnStatsArg arg[P];
	MmDataSource src;
	MmError		err;
	void	   *s = malloc(pass->state_size(P, NULL));

	mm_column_stats_identity(arg, P);
	mm_memory_source(&src, &rows);
	assert_int_equal(src.run(&src, pass, arg, s, &err), MM_OK);
	assert_stats(s, x, n, arg, 1e-14);
	assert_true(mm_qsketch_exact(&mm_column_stats_of(s, 1)->sketch));
	free(x);
	free(s);
}

/* Many chunks, merged: the same counts and extremes, moments to rounding; imputed and clipped too. */
static void
test_many_chunks(void **state)
{
	size_t		n = 3 * MM_CHUNK_ROWS + 1234;
	double	   *x = make_rows(n, 1);
	MmRows		rows = {n, P, x, NULL, NULL};
	MmColumnStatsArg arg[P];
	MmDataSource src;
	MmError		err;
	void	   *s = malloc(pass->state_size(P, NULL));

	mm_column_stats_identity(arg, P);
	mm_memory_source(&src, &rows);
	assert_int_equal(src.run(&src, pass, arg, s, &err), MM_OK);
	assert_stats(s, x, n, arg, 1e-12);
	assert_false(mm_qsketch_exact(&mm_column_stats_of(s, 0)->sketch));

	arg[0].lo = 2.0;
	arg[0].hi = 10.0;
	arg[1].impute = 1e6 + 0.5;
	arg[2].lo = -1.0;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), sizeof(arg));
	assert_int_equal(src.run(&src, pass, arg, s, &err), MM_OK);
	assert_stats(s, x, n, arg, 1e-12);
	assert_int_equal(mm_column_stats_of(s, 1)->missing, 0);
	assert_true(mm_column_stats_of(s, 0)->min == 2.0);
	free(x);
	free(s);
}

/* A pass state (header, split, buffer) over every row. */
static void *
new_state(size_t *len, const MmColumnStatsArg *arg)
{
	MmPassSpec *spec = malloc(mm_pass_spec_size(sizeof(MmColumnStatsArg) * P));
	MmError		err;
	void	   *buf;

	mm_pass_spec_write(spec, MM_PASS_SOURCE_ID, MM_SOURCE_PASS_COLUMN_STATS, P, MM_PASS_TARGET_NONE,
					   0.0, 1, arg, sizeof(MmColumnStatsArg) * P);
	assert_int_equal(mm_pass_spec_check(spec, mm_pass_spec_size(sizeof(MmColumnStatsArg) * P), &err),
					 MM_OK);
	*len = mm_pass_state_size(spec, pass, &err);
	assert_true(*len > 0);
	buf = malloc(*len);
	mm_pass_state_init(buf, spec, pass);
	free(spec);
	return buf;
}

/*
 * Through pass states, as the mm_pass aggregate runs it: parts merged in a
 * chain and in a tree give the column's statistics; the state checks.
 */
static void
test_pass_states(void **state)
{
	size_t		n = 40000,
				parts = 7,
				len,
				k,
				i;
	double	   *x = make_rows(n, 0);
	MmColumnStatsArg arg[P];
	void	   *chunk[7];
	MmPassStateView v;
	MmError		err;

	mm_column_stats_identity(arg, P);
	for (k = 0; k < parts; k++)
	{
		chunk[k] = new_state(&len, arg);
		mm_pass_state_view(chunk[k], &v);
		for (i = n * k / parts; i < n * (k + 1) / parts; i++)
			mm_pass_state_add(&v, pass, x + i * P, NULL, 0.0, 0);
		assert_int_equal(mm_pass_state_check(chunk[k], len, pass, 1, &err), MM_OK);
	}
	/* a tree: (0 1) (2 3) (4 5 6), then the three */
	assert_int_equal(mm_pass_state_merge(chunk[0], chunk[1], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(chunk[2], chunk[3], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(chunk[5], chunk[6], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(chunk[4], chunk[5], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(chunk[2], chunk[4], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(chunk[0], chunk[2], pass, &err), MM_OK);
	assert_int_equal(mm_pass_state_check(chunk[0], len, pass, 1, &err), MM_OK);
	mm_pass_state_view(chunk[0], &v);
	mm_pass_state_finish(&v, pass);
	assert_int_equal(v.head->rows_train, (int64_t) n);
	assert_stats(v.pass_state, x, n, arg, 1e-12);

	/* damaged: a column count that disagrees with its sketch, a wrong width */
	{
		MmColumnStats *c = mm_column_stats_of(v.pass_state, 2);

		c->n++;
		assert_int_equal(mm_pass_state_check(chunk[0], len, pass, 1, &err), MM_ERR_CORRUPT);
		c->n--;
		c->sketch.bound[0] = -1;
		assert_int_equal(mm_pass_state_check(chunk[0], len, pass, 1, &err), MM_ERR_CORRUPT);
		c->sketch.bound[0] = c->sketch.bound[1];
		((MmColumnStatsHead *) v.pass_state)->p = P + 1;
		assert_int_equal(mm_pass_state_check(chunk[0], len, pass, 1, &err), MM_ERR_CORRUPT);
	}
	for (k = 0; k < parts; k++)
		free(chunk[k]);
	free(x);
}

/* An empty column: extremes any value replaces, and a state that checks. */
static void
test_empty(void **state)
{
	MmColumnStatsArg arg[P];
	void	   *s = malloc(pass->state_size(P, NULL));
	MmColumnStats *c;

	mm_column_stats_identity(arg, P);
	pass->init(s, P, arg);
	assert_true(pass->check(s, P, arg));
	assert_false(pass->check(s, P + 1, arg));
	c = mm_column_stats_of(s, 1);
	assert_int_equal(c->n, 0);
	assert_true(c->min == INFINITY && c->max == -INFINITY);
	c->min = 0.0;
	assert_false(pass->check(s, P, arg));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed),
		cmocka_unit_test(test_one_chunk),
		cmocka_unit_test(test_many_chunks),
		cmocka_unit_test(test_pass_states),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
