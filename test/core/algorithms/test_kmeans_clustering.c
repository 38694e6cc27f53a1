/*
 * test_kmeans_clustering.c: k-means' table.  Its fit gives the very bits
 * of mm_kmeans_fit with the same options, and predicts the nearest center;
 * it refuses more clusters than rows and fits from passes alone; the
 * artifact and the document carry a fitted model so that it gives every
 * row the same cluster and distances.
 */
#include "algotest.h"

#include "kmeans.h"

static void
test_fit_kmeans(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(600, 2, 2, 5);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmKMeansOptions o = {3, 300, 1e-4, 42};
	MmKMeans	want = {0};
	int64_t		sizes[3];
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 3, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(mm_kmeans_fit(d.x, d.n, 2, &o, &want, sizes, &err), MM_OK);
	assert_int_equal(KM(&m)->k, 3);
	assert_true(same(KM(&m)->centers, want.centers, 6));
	assert_true(same(&KM(&m)->inertia, &want.inertia, 1));
	assert_memory_equal(ctx.report.sizes, sizes, sizeof(sizes));
	assert_int_equal(ctx.report.n_iter, want.n_iter);
	/* its prediction is the nearest center, its coordinates the distances */
	{
		double		dist[3];

		assert_int_equal(mm_model_project(&m, d.x, dist), 3);
		assert_int_equal(mm_model_class(&m, d.x),
						 dist[0] <= dist[1] && dist[0] <= dist[2] ? 0 : dist[1] <= dist[2] ? 1 : 2);
	}
	a->free(m.fit);
	mm_free(ctx.report.sizes);
	mm_free(want.centers);
	free_data(&d);
}

/* k-means refuses more clusters than training rows, as a setting the rows cannot meet. */
static void
test_kmeans_more_clusters_than_rows(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(5, 2, 2, 9);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 6, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "k = 6 clusters need at least as many training rows, and there are 5");
	if (m.fit)
		a->free(m.fit);
	free_data(&d);
}

/* A source that runs passes in memory but does not hand out its rows. */
static const MmRows *
no_rows(MmDataSource *self)
{
	return NULL;
}

/* Without the rows at hand, the fit from the passes alone is the same. */
static void
test_fit_without_rows(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(500, 2, 2, 8);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2),
				alone = shell(a, 2);
	int64_t    *sizes;
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	sizes = ctx.report.sizes;
	src.rows = no_rows;
	assert_int_equal(a->fit(&ctx, &alone, &err), MM_OK);
	assert_true(same(KM(&m)->centers, KM(&alone)->centers, 8 * 2));
	assert_memory_equal(sizes, ctx.report.sizes, sizeof(int64_t) * 8);
	a->free(m.fit);
	a->free(alone.fit);
	mm_free(sizes);
	mm_free(ctx.report.sizes);
	free_data(&d);
}

/* A fitted model reads back from either codec with its fit's record, and clusters every row the same. */
static void
test_codecs_carry_fit(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(400, 3, 2, 40);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		fitted = shell(a, 3);
	MmModel    *m,
			   *back = NULL;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 4, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &fitted, &err), MM_OK);
	mm_free(ctx.report.sizes);
	m = whole_model(&fitted, 0);
	assert_int_equal(mm_model_n_coordinates(m), 4);
	assert_codecs_carry(m, &d);

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_true(same(&KM(back)->inertia, &KM(m)->inertia, 1));
	assert_int_equal(KM(back)->n_iter, KM(m)->n_iter);
	assert_int_equal(KM(back)->converged, KM(m)->converged);
	assert_int_equal(KM(back)->seed, KM(m)->seed);
	mm_model_free(back);
	mm_free(bytes);
	mm_model_free(m);
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_kmeans),
		cmocka_unit_test(test_kmeans_more_clusters_than_rows),
		cmocka_unit_test(test_fit_without_rows),
		cmocka_unit_test(test_codecs_carry_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
