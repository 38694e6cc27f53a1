/*
 * test_unsupervised.c: the linear SVM (svm.h), k-means (kmeans.h) and PCA
 * (pca.h), against closed forms and constructed data.
 */
#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "kmeans.h"
#include "model.h"
#include "pca.h"
#include "svm.h"

static MmSvmOptions
svm_options(double C)
{
	MmSvmOptions o;

	memset(&o, 0, sizeof(o));
	o.C = C;
	o.fit_intercept = 1;
	o.max_iter = 1000;
	o.tol = 1e-6;
	o.seed = 1;
	return o;
}

static void
free_classifier(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
	memset(c, 0, sizeof(*c));
}

static MmModel
classifier_shell(const MmClassifier *c, int p, const MmAlgorithm *algorithm)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = algorithm;
	m.task = MM_TASK_CLASSIFICATION;
	m.n_features = p;
	m.n_design = p;
	m.fit = (void *) c;
	m.labels.n_classes = c->n_rows == 1 ? 2 : c->n_rows;
	return m;
}

/*
 * Two points, x = -1 of the negative class and x = 1 of the positive: with
 * the intercept a penalized constant feature the hard margin solution is
 * w = 1, b = 0 (|w|^2 + b^2 smallest with y (w x + b) >= 1).
 */
static void
test_svm_margin(void **state)
{
	double		x[2] = {-1.0, 1.0};
	int32_t		y[2] = {0, 1};
	MmSvmOptions o = svm_options(100.0);
	MmClassifier c;
	MmError		err;

	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, 2, 1, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_close(c.coef[0], 1.0, 1e-9);
	assert_close(c.intercept[0], 0.0, 1e-9);
	free_classifier(&c);
	/* and with the squared hinge the same points give the same margin */
	o.squared_hinge = 1;
	o.C = 1e6;
	assert_int_equal(mm_svm_fit(x, y, 2, 1, 2, &o, &c, &err), MM_OK);
	assert_close(c.coef[0], 1.0, 1e-5);
	assert_int_equal(c.variant, 1);
	free_classifier(&c);
}

/*
 * On overlapping data the hinge-loss solution satisfies the primal
 * optimality condition: w = C sum over margin violators and support rows of
 * alpha y x, which shows as a subgradient of the primal containing zero.
 * Checked here through the primal objective: no small move of w lowers it.
 */
static double
primal(const double *x, const int32_t *y, int n, int p, const double *w, double b, double C)
{
	double		obj = 0.0;
	int			i,
				j;

	for (j = 0; j < p; j++)
		obj += 0.5 * w[j] * w[j];
	obj += 0.5 * b * b;
	for (i = 0; i < n; i++)
	{
		double		s = b;

		for (j = 0; j < p; j++)
			s += w[j] * x[i * p + j];
		s = 1.0 - (y[i] == 1 ? 1.0 : -1.0) * s;
		if (s > 0.0)
			obj += C * s;
	}
	return obj;
}

static void
test_svm_optimal(void **state)
{
	int			n = 300,
				p = 2,
				i,
				j,
				dir;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	uint64_t	s = 5;
	MmSvmOptions o = svm_options(0.5);
	MmClassifier c;
	MmError		err;
	double		w[2],
				best;

	for (i = 0; i < n; i++)
	{
		y[i] = i % 2;
		x[i * p] = test_uniform(&s) * 2 + (y[i] ? 0.8 : 0.0);
		x[i * p + 1] = test_uniform(&s) * 2 - (y[i] ? 0.5 : 0.0);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, n, p, 2, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	w[0] = c.coef[0];
	w[1] = c.coef[1];
	best = primal(x, y, n, p, w, c.intercept[0], o.C);
	for (dir = 0; dir < 6; dir++)
	{
		double		step = 1e-4;
		double		w2[2] = {w[0], w[1]},
					b2 = c.intercept[0];

		if (dir < 4)
			w2[dir / 2] += dir % 2 ? step : -step;
		else
			b2 += dir % 2 ? step : -step;
		assert_true(primal(x, y, n, p, w2, b2, o.C) >= best - 1e-7 * best);
	}
	(void) j;
	free_classifier(&c);
	free(x);
	free(y);
}

/* Three classes one against the rest: a row of coefficients each, and the blobs told apart. */
static void
test_svm_multiclass(void **state)
{
	int			n = 600,
				p = 2,
				i,
				correct = 0;
	double	   *x = malloc(sizeof(double) * n * p);
	int32_t    *y = malloc(sizeof(int32_t) * n);
	uint64_t	s = 9;
	MmSvmOptions o = svm_options(1.0);
	MmClassifier c;
	MmError		err;
	MmModel		m;

	for (i = 0; i < n; i++)
	{
		y[i] = i % 3;
		x[i * p] = test_uniform(&s) + (y[i] == 1 ? 3.0 : 0.0);
		x[i * p + 1] = test_uniform(&s) + (y[i] == 2 ? 3.0 : 0.0);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(mm_svm_fit(x, y, n, p, 3, &o, &c, &err), MM_OK);
	assert_int_equal(c.n_rows, 3);
	m = classifier_shell(&c, p, ALGO("linear_svm"));
	for (i = 0; i < n; i++)
		correct += mm_model_class(&m, x + i * p) == y[i];
	assert_int_equal(correct, n);
	assert_false(mm_model_has_proba(&m));
	free_classifier(&c);
	free(x);
	free(y);
}

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

/*
 * Points on the line through (3, 4) with a little noise across it: the first
 * component is (0.6, 0.8), its variance the sample variance along it, and
 * the two variances add up to the trace of the covariance.
 */
static void
test_pca_line(void **state)
{
	size_t		n = 1001,
				i;
	double	   *x = malloc(sizeof(double) * n * 2);
	MmPCA		pc;
	MmError		err;
	double		mt = 0.0,
				vt = 0.0,
				mx = 0.0,
				my = 0.0,
				vx = 0.0,
				vy = 0.0;

	for (i = 0; i < n; i++)
	{
		double		t = (double) i / 100.0 - 5.0,
					u = (i % 2 ? 0.01 : -0.01);

		x[2 * i] = 0.6 * t - 0.8 * u + 7;
		x[2 * i + 1] = 0.8 * t + 0.6 * u - 2;
		mt += t;
	}
	mt /= n;
	for (i = 0; i < n; i++)
	{
		double		t = (double) i / 100.0 - 5.0;

		vt += (t - mt) * (t - mt);
		mx += x[2 * i];
		my += x[2 * i + 1];
	}
	vt /= n - 1;
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++)
	{
		vx += (x[2 * i] - mx) * (x[2 * i] - mx);
		vy += (x[2 * i + 1] - my) * (x[2 * i + 1] - my);
	}
	vx /= n - 1;
	vy /= n - 1;
	memset(&pc, 0, sizeof(pc));
	assert_int_equal(mm_pca_fit(x, n, 2, 0, 0.99, &pc, &err), MM_OK);
	assert_int_equal(pc.n_components, 1);
	assert_close(pc.components[0], 0.6, 1e-6);
	assert_close(pc.components[1], 0.8, 1e-6);
	assert_close(pc.mean[0], mx, 1e-12);
	assert_close(pc.explained_variance[0], vt, 1e-5);
	mm_free(pc.mean);
	mm_free(pc.components);
	mm_free(pc.explained_variance);
	mm_free(pc.explained_variance_ratio);

	memset(&pc, 0, sizeof(pc));
	assert_int_equal(mm_pca_fit(x, n, 2, 2, 0.0, &pc, &err), MM_OK);
	assert_close(pc.explained_variance[0] + pc.explained_variance[1], vx + vy, 1e-10);
	assert_close(pc.explained_variance_ratio[0] + pc.explained_variance_ratio[1], 1.0, 1e-12);
	assert_true(pc.explained_variance[0] >= pc.explained_variance[1]);
	/* the second component is orthogonal, its largest loading positive: (0.8, -0.6) */
	assert_close(pc.components[0] * pc.components[2] + pc.components[1] * pc.components[3], 0.0, 1e-12);
	assert_close(pc.components[2], 0.8, 1e-6);
	assert_close(pc.components[3], -0.6, 1e-6);
	{
		MmModel		m;
		double		z[2],
					ratio[2];

		memset(&m, 0, sizeof(m));
		m.algorithm = ALGO("pca");
		m.task = MM_TASK_DECOMPOSITION;
		m.n_features = 2;
		m.n_design = 2;
		m.fit = &pc;
		assert_int_equal(mm_model_project(&m, x, z), 2);
		assert_close(z[0], (x[0] - mx) * 0.6 + (x[1] - my) * 0.8, 1e-6);
		/* on the rows it was fitted on, each component captures its own ratio */
		mm_pca_captured(&m, x, n, ratio);
		assert_close(ratio[0], pc.explained_variance_ratio[0], 1e-12);
		assert_close(ratio[1], pc.explained_variance_ratio[1], 1e-9);
	}
	mm_free(pc.mean);
	mm_free(pc.components);
	mm_free(pc.explained_variance);
	mm_free(pc.explained_variance_ratio);
	assert_int_equal(mm_pca_fit(x, 1, 2, 1, 0.0, &pc, &err), MM_ERR_TOO_FEW_ROWS);
	free(x);
}

/* k-means and PCA models read back bit for bit. */
static void
test_roundtrips(void **state)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	MmModel    *back = NULL;
	MmError		err;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	double		z[2] = {0.25, -1.5},
				a[3],
				b[3];

	m->algorithm = ALGO("kmeans");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_CLUSTERING;
	m->n_features = 2;
	m->n_design = 2;
	m->feature_names = mm_alloc0(sizeof(char *) * 2);
	m->feature_kinds = mm_alloc0(2);
	m->feature_names[0] = mm_strdup("a");
	m->feature_names[1] = mm_strdup("b");
	m->feature_kinds[0] = m->feature_kinds[1] = MM_FEATURE_NUMERIC;
	KM(m)->k = 3;
	KM(m)->centers = mm_alloc(sizeof(double) * 6);
	for (len = 0; len < 6; len++)
		KM(m)->centers[len] = (double) len * 1.5 - 2;
	KM(m)->inertia = 12.5;
	KM(m)->max_iter = 300;
	KM(m)->tol = 1e-4;
	KM(m)->seed = -3;
	KM(m)->n_iter = 9;
	KM(m)->converged = 1;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_memory_equal(KM(back)->centers, KM(m)->centers, sizeof(double) * 6);
	assert_int_equal(KM(back)->seed, -3);
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	assert_int_equal(mm_model_project(m, z, a), 3);
	mm_model_project(back, z, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_true(mm_model_predict(back, z) == (double) mm_model_class(m, z));
	mm_free(bytes);
	mm_free(again);
	mm_model_free(back);

	/* a center that is not finite is damage */
	KM(m)->centers[4] = NAN;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	back = NULL;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	assert_null(back);
	mm_free(bytes);
	mm_free(KM(m)->centers);
	KM(m)->centers = NULL;

	m->algorithm = ALGO("pca");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_DECOMPOSITION;
	PCA(m)->n_components = 1;
	PCA(m)->mean = mm_alloc(sizeof(double) * 2);
	PCA(m)->components = mm_alloc(sizeof(double) * 2);
	PCA(m)->explained_variance = mm_alloc(sizeof(double));
	PCA(m)->explained_variance_ratio = mm_alloc(sizeof(double));
	PCA(m)->mean[0] = 1;
	PCA(m)->mean[1] = -1;
	PCA(m)->components[0] = 0.6;
	PCA(m)->components[1] = 0.8;
	PCA(m)->explained_variance[0] = 4;
	PCA(m)->explained_variance_ratio[0] = 0.9;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(mm_model_project(back, z, a), 1);
	assert_close(a[0], (0.25 - 1) * 0.6 + (-1.5 + 1) * 0.8, 1e-15);
	assert_true(isnan(mm_model_predict(back, z)));
	mm_free(bytes);
	mm_model_free(back);
	/* a ratio above one is damage */
	PCA(m)->explained_variance_ratio[0] = 1.5;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	back = NULL;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	mm_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svm_margin),
		cmocka_unit_test(test_svm_optimal),
		cmocka_unit_test(test_svm_multiclass),
		cmocka_unit_test(test_kmeans_blobs),
		cmocka_unit_test(test_kmeans_fixed_point),
		cmocka_unit_test(test_kmeans_threads),
		cmocka_unit_test(test_kmeans_edges),
		cmocka_unit_test(test_pca_line),
		cmocka_unit_test(test_roundtrips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
