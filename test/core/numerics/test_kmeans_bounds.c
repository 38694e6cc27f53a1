/*
 * test_kmeans_bounds.c: Lloyd passes by Hamerly's bounds (kmeans_bounds.h).
 *
 * A fit over rows in memory takes the bounds; the same rows through a
 * source that runs the same chunks but hides its rows take the plain
 * passes.  Both must reach the very same fit, to the bit: the bounds only
 * skip distances that cannot change a row's cluster.  Rows in clusters,
 * rows without clusters (many near a boundary), rows far from the origin
 * (where roundings are largest against the distances), rows with fewer
 * distinct values than clusters (clusters left empty, which take the
 * farthest rows) and one cluster.  An exact bounded
 * pass makes the plain pass's state, and a lean one its counts, sums and
 * fingerprint.
 */
#include "testutil.h"

#include <string.h>

#include "kmeans.h"
#include "kmeans_bounds.h"
#include "kmeans_passes.h"

/* A source in memory that hides its rows: the plain passes, in the same chunks. */
static MmDataSource inner;

static MmErrorCode
hidden_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	return inner.run(&inner, pass, arg, state, err);
}

/* Fits x both ways, on threads, and checks the two fits are one. */
static void
assert_same_both_ways(const double *x, size_t n, int p, int k, int max_iter, double tol, int threads)
{
	MmKMeansOptions o = {k, max_iter, tol, 7};
	MmKMeans	a,
				b;
	int64_t    *sa = malloc(sizeof(int64_t) * k),
			   *sb = malloc(sizeof(int64_t) * k);
	MmKMeansStats stats_a,
				stats_b;
	MmRows		rows;
	MmDataSource src,
				hidden;
	MmError		err;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.p = p;
	rows.x = x;
	mm_set_threads(threads);
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &a, sa, &stats_a, &err), MM_OK);
	inner = src;
	hidden = src;
	hidden.rows = NULL;
	hidden.run = hidden_run;
	assert_int_equal(mm_kmeans_fit_source(&hidden, &o, &b, sb, &stats_b, &err), MM_OK);
	mm_set_threads(1);
	assert_memory_equal(a.centers, b.centers, sizeof(double) * (size_t) k * p);
	assert_memory_equal(sa, sb, sizeof(int64_t) * k);
	assert_memory_equal(&a.inertia, &b.inertia, sizeof(double));
	assert_int_equal(a.n_iter, b.n_iter);
	assert_int_equal(a.converged, b.converged);
	assert_int_equal(stats_a.lloyd_passes, stats_b.lloyd_passes);
	mm_free(a.centers);
	mm_free(b.centers);
	free(sa);
	free(sb);
}

static double *
uniform_rows(size_t n, int p, double offset, double scale, uint64_t seed)
{
	double	   *x = malloc(sizeof(double) * n * p);
	uint64_t	s = seed;
	size_t		i;

	for (i = 0; i < n * (size_t) p; i++)
		x[i] = offset + scale * test_uniform(&s);
	return x;
}

/* Rows around 5 centers, spread so that the clusters touch. */
static double *
clustered_rows(size_t n, int p, uint64_t seed)
{
	double	   *x = malloc(sizeof(double) * n * p);
	uint64_t	s = seed;
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		int			c = (int) (test_uniform(&s) * 5);

		for (j = 0; j < p; j++)
			x[i * p + j] = 2.0 * ((c + j) % 3) + (test_uniform(&s) - 0.5) * 1.6;
	}
	return x;
}

static void
test_clustered(void **state)
{
	size_t		n = 2 * MM_CHUNK_ROWS + 777;
	double	   *x = clustered_rows(n, 4, 3);

	assert_same_both_ways(x, n, 4, 6, 300, 0.0, 1);
	assert_same_both_ways(x, n, 4, 6, 300, 0.0, 3);
	assert_same_both_ways(x, n, 4, 9, 4, 0.0, 2);	/* stops at max_iter */
	assert_same_both_ways(x, n, 4, 6, 300, 1e-4, 1);
	free(x);
}

static void
test_uniform_rows(void **state)
{
	size_t		n = 30000;
	double	   *x = uniform_rows(n, 10, -0.5, 1.0, 5);

	assert_same_both_ways(x, n, 10, 8, 500, 0.0, 1);
	assert_same_both_ways(x, n, 10, 13, 500, 0.0, 2);
	free(x);
}

/* Far from the origin the roundings of a distance are widest against its size. */
static void
test_far_rows(void **state)
{
	size_t		n = 20000;
	double	   *x = uniform_rows(n, 3, 1e7, 1e-3, 9);

	assert_same_both_ways(x, n, 3, 5, 500, 0.0, 1);
	free(x);
}

/* 12 distinct rows: 16 clusters come out empty and take the farthest rows. */
static void
test_few_values(void **state)
{
	size_t		n = 5000,
				i;
	double	   *x = malloc(sizeof(double) * n * 2);

	for (i = 0; i < n; i++)
	{
		x[i * 2] = (double) (i % 4);
		x[i * 2 + 1] = (double) ((i / 4) % 3) * 0.5;
	}
	assert_same_both_ways(x, n, 2, 12, 300, 0.0, 1);
	assert_same_both_ways(x, n, 2, 16, 300, 0.0, 1);
	assert_same_both_ways(x, n, 2, 1, 300, 0.0, 1);
	free(x);
}

/* An exact bounded pass is the plain pass; a lean one agrees on what it fills. */
static void
test_pass_states(void **state)
{
	size_t		n = MM_CHUNK_ROWS + 1000,
				len;
	int			p = 3,
				k = 4;
	double	   *x = clustered_rows(n, p, 12);
	double		centers[12] = {0, 0, 0, 2, 2, 2, 4, 0, 2, 0, 4, 4},
				moved[12];
	MmKMeansArg *arg = mm_kmeans_arg_new(p, centers, k, k, 0, &len),
			   *arg2;
	size_t		size = mm_kmeans_lloyd_pass.state_size(p, arg);
	void	   *plain = malloc(size),
			   *bounded = malloc(size);
	MmKMeansLloyd lp,
				lb;
	MmRows		rows;
	MmDataSource src;
	MmKMeansBounds *b;
	MmError		err;
	int			i;

	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.p = p;
	rows.x = x;
	mm_memory_source(&src, &rows);
	b = mm_kmeans_bounds_new(&src, k);
	assert_non_null(b);
	for (i = 0; i < 12; i++)
		moved[i] = centers[i] + 0.01 * (i % 5);
	arg2 = mm_kmeans_arg_new(p, moved, k, k, 0, &len);
	/* exact, first with no bounds yet, then with the bounds of the last pass */
	assert_int_equal(src.run(&src, &mm_kmeans_lloyd_pass, arg, plain, &err), MM_OK);
	assert_int_equal(mm_kmeans_bounds_pass(b, &src, centers, arg, 1, bounded, &err), MM_OK);
	assert_memory_equal(plain, bounded, sizeof(double) * (3 + k + 2 * k * p));
	assert_int_equal(src.run(&src, &mm_kmeans_lloyd_pass, arg2, plain, &err), MM_OK);
	assert_int_equal(mm_kmeans_bounds_pass(b, &src, moved, arg2, 0, bounded, &err), MM_OK);
	mm_kmeans_lloyd_read(plain, p, k, &lp);
	mm_kmeans_lloyd_read(bounded, p, k, &lb);
	assert_true(lp.fingerprint == lb.fingerprint);
	assert_memory_equal(lp.counts, lb.counts, sizeof(double) * (k + 2 * k * p));
	assert_true(lb.inertia == 0.0);
	assert_int_equal(mm_kmeans_bounds_pass(b, &src, moved, arg2, 1, bounded, &err), MM_OK);
	assert_memory_equal(plain, bounded, sizeof(double) * (3 + k + 2 * k * p));
	mm_kmeans_lloyd_read(bounded, p, k, &lb);
	assert_memory_equal(lp.farthest, lb.farthest, sizeof(double) * (1 + k * (2 + p)));
	mm_kmeans_bounds_free(b);
	/* a source without its rows in memory has no bounds */
	src.rows = NULL;
	assert_null(mm_kmeans_bounds_new(&src, k));
	mm_free(arg);
	mm_free(arg2);
	free(plain);
	free(bounded);
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clustered),
		cmocka_unit_test(test_uniform_rows),
		cmocka_unit_test(test_far_rows),
		cmocka_unit_test(test_few_values),
		cmocka_unit_test(test_pass_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
