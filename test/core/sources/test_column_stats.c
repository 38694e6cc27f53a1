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
		assert_int_equal(mm_column_stats_sketch(state, P, j)->n, count);
		assert_true(c->min == min);
		assert_true(c->max == max);
		assert_close(c->mean, mean, rtol);
		assert_close(mm_column_stats_var(c), var, rtol);
	}
}

/* Listed among the source's passes, with an arg of four doubles a column. */
static void
test_listed(void **state)
{
	MmColumnStatsArg arg[P];

	mm_column_stats_identity(arg, P);
	assert_ptr_equal(mm_source_passes[MM_SOURCE_PASS_COLUMN_STATS], pass);
	assert_ptr_equal(mm_pass_find(MM_PASS_SOURCE_ID, MM_SOURCE_PASS_COLUMN_STATS), pass);
	assert_string_equal(pass->name, "column_stats");
	assert_int_equal(pass->state_size(P, arg),
					 sizeof(MmColumnStatsHead) + P * (sizeof(MmColumnStats) + sizeof(MmQuantileSketch)));
	assert_int_equal(pass->state_size(P, NULL), pass->state_size(P, arg));
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
	mm_column_stats_identity(arg, P);
	arg[1].quantiles = 0.5;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), 0);
	arg[1].quantiles = 0.0;
	assert_int_equal(pass->arg_size(P, arg, SIZE_MAX), sizeof(arg));

	/* a column without a sketch: the others' sketches follow the columns, in order */
	{
		char	   *s = malloc(pass->state_size(P, arg));

		assert_int_equal(pass->state_size(P, arg),
						 sizeof(MmColumnStatsHead) + P * sizeof(MmColumnStats) + 2 * sizeof(MmQuantileSketch));
		pass->init(s, P, arg);
		assert_true(pass->check(s, P, arg));
		assert_null(mm_column_stats_sketch(s, P, 1));
		assert_ptr_equal(mm_column_stats_sketch(s, P, 0),
						 s + sizeof(MmColumnStatsHead) + P * sizeof(MmColumnStats));
		assert_ptr_equal(mm_column_stats_sketch(s, P, 2), mm_column_stats_sketch(s, P, 0) + 1);
		/* a sketch out of its place, or where the arg asks for none */
		mm_column_stats_of(s, 2)->sketch = 0;
		assert_false(pass->check(s, P, arg));
		mm_column_stats_of(s, 2)->sketch = 1;
		mm_column_stats_of(s, 1)->sketch = 1;
		assert_false(pass->check(s, P, arg));
		free(s);
	}
}

/* Columns of the wide test: more than the sweeps take at once. */
#define W 37

/*
 * One block of column j summarized on its own, as the pass did before its
 * sweeps ran across columns: the compensated sum of the values present,
 * then their squared deviations, merged by Chan's formula.
 */
static void
reference_block(MmColumnStats *c, const double *x, size_t n, int j, const MmColumnStatsArg *a)
{
	int64_t		count = 0;
	double		sum = 0.0,
				carry = 0.0,
				mean,
				m2 = 0.0;
	size_t		r;

	for (r = 0; r < n; r++)
	{
		double		v = isnan(x[r * W + j]) ? a->impute : x[r * W + j],
					t;

		v = v < a->lo ? a->lo : v > a->hi ? a->hi : v;
		if (isnan(v))
		{
			c->missing++;
			continue;
		}
		count++;
		t = sum + v;
		carry += fabs(sum) >= fabs(v) ? (sum - t) + v : (v - t) + sum;
		sum = t;
		if (v < c->min)
			c->min = v;
		if (v > c->max)
			c->max = v;
	}
	if (count == 0)
		return;
	mean = (sum + carry) / (double) count;
	for (r = 0; r < n; r++)
	{
		double		v = isnan(x[r * W + j]) ? a->impute : x[r * W + j];

		v = v < a->lo ? a->lo : v > a->hi ? a->hi : v;
		if (!isnan(v))
			m2 += (v - mean) * (v - mean);
	}
	if (c->n == 0)
	{
		c->n = count;
		c->mean = mean;
		c->m2 = m2;
		return;
	}
	{
		int64_t		total = c->n + count;
		double		delta = mean - c->mean;

		c->mean += delta * ((double) count / (double) total);
		c->m2 += m2 + delta * delta * ((double) c->n * (double) count / (double) total);
		c->n = total;
	}
}

/*
 * The sweeps across a block's columns (two groups here, raw ones and
 * imputed or clipped ones) give every column's statistics bit for bit as
 * one column at a time did, with missing values, signed zeros and blocks
 * of a pass's size and of other sizes; columns without sketches have the
 * same statistics.
 */
static void
test_sweeps_bits(void **state)
{
	size_t		n = 20000,
				done,
				r;
	double	   *x = malloc(sizeof(double) * n * W);
	MmColumnStatsArg arg[W];
	void	   *s = malloc(pass->state_size(W, NULL)),
			   *bare = malloc(pass->state_size(W, NULL));
	MmColumnStats *ref = calloc(W, sizeof(MmColumnStats));
	uint64_t	seed = 5;
	int			j;

	for (r = 0; r < n; r++)
		for (j = 0; j < W; j++)
		{
			double		u = test_uniform(&seed);

			/* zeros of both signs where they are the minimum, and among other values */
			x[r * W + j] = j % 5 == 1 && u < 0.1 ? NAN :
				j % 11 == 4 ? (u < 0.25 ? -0.0 : u < 0.5 ? 0.0 : u) :
				j % 7 == 2 && u < 0.05 ? -0.0 :
				j % 3 == 0 ? 1e6 + u : exp(4.0 * u) - 3.0;
		}
	mm_column_stats_identity(arg, W);
	/* the second group imputes and clips; the first reads raw */
	arg[33].impute = 0.25;
	arg[35].lo = -1.0;
	arg[35].hi = 2.0;
	pass->init(s, W, arg);
	for (j = 0; j < W; j++)
	{
		ref[j].min = INFINITY;
		ref[j].max = -INFINITY;
	}
	for (done = 0; done < n; done += 32 + done % 7)
	{
		size_t		m = done + 32 + done % 7 <= n ? 32 + done % 7 : n - done;
		MmRows		rows = {m, W, x + done * W, NULL, NULL};

		pass->add(s, &rows, arg);
		for (j = 0; j < W; j++)
			reference_block(&ref[j], x + done * W, m, j, &arg[j]);
	}
	for (j = 0; j < W; j++)
	{
		const MmColumnStats *c = mm_column_stats_of(s, j);

		assert_int_equal(c->n, ref[j].n);
		assert_int_equal(c->missing, ref[j].missing);
		assert_memory_equal(&c->mean, &ref[j].mean, sizeof(double));
		assert_memory_equal(&c->m2, &ref[j].m2, sizeof(double));
		assert_memory_equal(&c->min, &ref[j].min, sizeof(double));
		assert_memory_equal(&c->max, &ref[j].max, sizeof(double));
	}

	/* no column sketched: the same statistics, in a state of 56 bytes a column */
	for (j = 0; j < W; j++)
		arg[j].quantiles = 0.0;
	assert_int_equal(pass->state_size(W, arg), sizeof(MmColumnStatsHead) + W * sizeof(MmColumnStats));
	pass->init(bare, W, arg);
	for (done = 0; done < n; done += 32 + done % 7)
	{
		size_t		m = done + 32 + done % 7 <= n ? 32 + done % 7 : n - done;
		MmRows		rows = {m, W, x + done * W, NULL, NULL};

		pass->add(bare, &rows, arg);
	}
	assert_true(pass->check(bare, W, arg));
	for (j = 0; j < W; j++)
	{
		const MmColumnStats *a = mm_column_stats_of(s, j),
				   *b = mm_column_stats_of(bare, j);

		assert_memory_equal(&a->mean, &b->mean, 4 * sizeof(double));
		assert_null(mm_column_stats_sketch(bare, W, j));
	}
	/* a state without the sketch the arg asks for does not check */
	arg[4].quantiles = 1.0;
	assert_false(pass->check(bare, W, arg));
	free(x);
	free(s);
	free(bare);
	free(ref);
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
	assert_true(mm_qsketch_exact(mm_column_stats_sketch(s, P, 1)));
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
	assert_false(mm_qsketch_exact(mm_column_stats_sketch(s, P, 0)));

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
		mm_column_stats_sketch(v.pass_state, P, 2)->bound[0] = -1;
		assert_int_equal(mm_pass_state_check(chunk[0], len, pass, 1, &err), MM_ERR_CORRUPT);
		mm_column_stats_sketch(v.pass_state, P, 2)->bound[0] = mm_column_stats_sketch(v.pass_state, P, 2)->bound[1];
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
		cmocka_unit_test(test_sweeps_bits),
		cmocka_unit_test(test_one_chunk),
		cmocka_unit_test(test_many_chunks),
		cmocka_unit_test(test_pass_states),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
