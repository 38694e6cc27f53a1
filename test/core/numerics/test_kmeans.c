/*
 * test_kmeans.c: k-means (kmeans.h) against constructed data and its own
 * fixed point, with threads and at the edges.
 */
#include "testutil.h"

#include <string.h>

#include "kmeans.h"
#include "model.h"

/* Rows in three tight blobs around known centers. */
static void
blobs(double *x, size_t n, uint64_t seed)
{
	static const double centers[3][2] = {{0, 0}, {10, 0}, {0, 10}};
	uint64_t	s = seed;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		x[2 * i] = centers[i % 3][0] + test_uniform(&s) - 0.5;
		x[2 * i + 1] = centers[i % 3][1] + test_uniform(&s) - 0.5;
	}
}

static void
test_kmeans_blobs(void **state)
{
	size_t		n = 3000,
				i;
	double	   *x = malloc(sizeof(double) * n * 2);
	MmKMeansOptions o = {3, 100, 1e-4, 7};
	MmKMeans	km;
	MmModel		m;
	MmError		err;
	double		inertia = 0.0,
				sil;
	int64_t		sizes[3];
	int			c,
				found = 0;

	blobs(x, n, 3);
	memset(&km, 0, sizeof(km));
	assert_int_equal(mm_kmeans_fit(x, n, 2, &o, &km, sizes, &err), MM_OK);
	assert_int_equal(sizes[0] + sizes[1] + sizes[2], n);
	assert_true(km.converged);
	/* every true center has a fitted one within the blob's spread */
	for (c = 0; c < 3; c++)
	{
		double		tx = c == 1 ? 10 : 0,
					ty = c == 2 ? 10 : 0;
		int			j;

		for (j = 0; j < 3; j++)
			if (fabs(km.centers[2 * j] - tx) < 0.05 && fabs(km.centers[2 * j + 1] - ty) < 0.05)
				found++;
	}
	assert_int_equal(found, 3);
	memset(&m, 0, sizeof(m));
	m.algorithm = ALGO("kmeans");
	m.task = MM_TASK_CLUSTERING;
	m.n_features = 2;
	m.n_design = 2;
	m.fit = &km;
	for (i = 0; i < n; i++)
	{
		int			k = mm_model_class(&m, x + 2 * i);
		double		dx = x[2 * i] - km.centers[2 * k],
					dy = x[2 * i + 1] - km.centers[2 * k + 1];

		inertia += dx * dx + dy * dy;
	}
	assert_close(km.inertia, inertia, 1e-12);
	/* well-separated blobs: a silhouette close to 1 */
	sil = mm_silhouette(&m, x, n, 500);
	assert_true(sil > 0.9 && sil <= 1.0);
	mm_free(km.centers);
	free(x);
}

/*
 * On unstructured data, where the bounds settle fewer rows, a converged fit
 * is a fixed point of Lloyd's iteration: every center is the mean of the
 * rows nearest to it, measured here directly.
 */
static void
test_kmeans_fixed_point(void **state)
{
	size_t		n = 20000,
				i;
	int			p = 5,
				k = 8,
				c,
				j;
	double	   *x = malloc(sizeof(double) * n * p);
	double	   *sum = calloc((size_t) k * p, sizeof(double));
	size_t	   *count = calloc(k, sizeof(size_t));
	uint64_t	s = 77;
	MmKMeansOptions o = {8, 1000, 0.0, 5};
	MmKMeans	km;
	MmModel		m;
	MmError		err;

	for (i = 0; i < n * p; i++)
		x[i] = test_uniform(&s);
	memset(&km, 0, sizeof(km));
	assert_int_equal(mm_kmeans_fit(x, n, p, &o, &km, NULL, &err), MM_OK);
	assert_true(km.converged);
	memset(&m, 0, sizeof(m));
	m.algorithm = ALGO("kmeans");
	m.task = MM_TASK_CLUSTERING;
	m.n_features = p;
	m.n_design = p;
	m.fit = &km;
	for (i = 0; i < n; i++)
	{
		c = mm_model_class(&m, x + i * p);
		for (j = 0; j < p; j++)
			sum[c * p + j] += x[i * p + j];
		count[c]++;
	}
	for (c = 0; c < k; c++)
	{
		assert_true(count[c] > 0);
		for (j = 0; j < p; j++)
			assert_close(sum[c * p + j] / count[c], km.centers[c * p + j], 1e-12);
	}
	mm_free(km.centers);
	free(x);
	free(sum);
	free(count);
}

/* The model is the same bits whatever the number of threads the passes run on. */
static void
test_kmeans_threads(void **state)
{
	size_t		n = 3 * MM_CHUNK_ROWS + 1234,
				i;
	int			p = 3;
	double	   *x = malloc(sizeof(double) * n * p);
	uint64_t	s = 4242;
	MmKMeansOptions o = {5, 50, 0.0, 9};
	MmKMeans	one,
				three;
	int64_t		sizes1[5],
				sizes3[5];
	MmError		err;

	for (i = 0; i < n * p; i++)
		x[i] = test_uniform(&s);
	memset(&one, 0, sizeof(one));
	memset(&three, 0, sizeof(three));
	mm_set_threads(1);
	assert_int_equal(mm_kmeans_fit(x, n, p, &o, &one, sizes1, &err), MM_OK);
	mm_set_threads(3);
	assert_int_equal(mm_kmeans_fit(x, n, p, &o, &three, sizes3, &err), MM_OK);
	mm_set_threads(1);
	assert_memory_equal(one.centers, three.centers, sizeof(double) * 5 * p);
	assert_memory_equal(sizes1, sizes3, sizeof(sizes1));
	assert_true(one.inertia == three.inertia);
	assert_int_equal(one.n_iter, three.n_iter);
	mm_free(one.centers);
	mm_free(three.centers);
	free(x);
}

/* As many clusters as distinct rows: every row a center, no inertia; more is an error. */
static void
test_kmeans_edges(void **state)
{
	double		x[8] = {0, 0, 1, 0, 0, 1, 5, 5};
	MmKMeansOptions o = {4, 50, 0.0, 1};
	MmKMeans	km;
	MmError		err;

	memset(&km, 0, sizeof(km));
	assert_int_equal(mm_kmeans_fit(x, 4, 2, &o, &km, NULL, &err), MM_OK);
	assert_close(km.inertia, 0.0, 0);
	mm_free(km.centers);
	o.k = 5;
	assert_int_equal(mm_kmeans_fit(x, 4, 2, &o, &km, NULL, &err), MM_ERR_TOO_FEW_ROWS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmeans_blobs),
		cmocka_unit_test(test_kmeans_fixed_point),
		cmocka_unit_test(test_kmeans_threads),
		cmocka_unit_test(test_kmeans_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
