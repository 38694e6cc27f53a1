/*
 * The JSON document: every algorithm's model written, read back and written
 * again to the same text, predicting to the same bits; damaged, hostile and
 * truncated documents refused.
 */
#include <string.h>

#include "document.h"
#include "model.h"
#include "testutil.h"

static double *
doubles(int n, double first, double step)
{
	double	   *v = mm_alloc(sizeof(double) * n);
	int			i;

	for (i = 0; i < n; i++)
		v[i] = first + step * i;
	return v;
}

/* Three features: a number, a boolean and a text column, preprocessed. */
static MmModel *
base_model(const MmAlgorithm *algorithm, MmTask task)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	int			j;

	m->algorithm = algorithm;
	m->fit = test_payload(algorithm);
	m->task = task;
	m->n_features = 3;
	m->feature_names = mm_alloc0(sizeof(char *) * 3);
	m->feature_names[0] = mm_strdup("area \"m\xc2\xb2\"");
	m->feature_names[1] = mm_strdup("garage");
	m->feature_names[2] = mm_strdup("district");
	m->feature_kinds = mm_alloc0(3);
	m->feature_kinds[0] = MM_FEATURE_NUMERIC;
	m->feature_kinds[1] = MM_FEATURE_BOOLEAN;
	m->feature_kinds[2] = MM_FEATURE_CATEGORICAL;
	m->categories = mm_alloc0(sizeof(MmCategories) * 3);
	m->categories[2].encoding = MM_ENCODE_ONEHOT;
	m->categories[2].n = 2;
	m->categories[2].names = mm_alloc0(sizeof(char *) * 2);
	m->categories[2].names[0] = mm_strdup("centre");
	m->categories[2].names[1] = mm_strdup("outer\ttab");
	m->categories[2].n_other = 1;
	m->categories[2].other = mm_alloc0(sizeof(char *));
	m->categories[2].other[0] = mm_strdup("rare");
	m->transform = mm_alloc0(sizeof(MmFeatureTransform) * 3);
	for (j = 0; j < 3; j++)
	{
		m->transform[j].impute = NAN;
		m->transform[j].clip_lo = -INFINITY;
		m->transform[j].clip_hi = INFINITY;
		m->transform[j].scale = 1.0;
	}
	m->transform[0].impute = 120.5;
	m->transform[0].clip_lo = 10.0;
	m->transform[0].center = 118.3;
	m->transform[0].scale = 0.1 + 0.2;	/* 0.30000000000000004: exact bits matter */
	m->transform[2].impute = 2;		/* the other group */
	m->n_design = 1 + 1 + 3;
	return m;
}

static MmModel *
linear_model(void)
{
	MmModel    *m = base_model(ALGO("linear_regression"), MM_TASK_REGRESSION);

	m->target = mm_strdup("price");
	LIN(m)->fit_intercept = 1;
	LIN(m)->alpha = 1e-4;
	LIN(m)->intercept = 1.0 / 3.0;
	LIN(m)->coef = doubles(5, -2.5e-7, 1.1);
	LIN(m)->coef[1] = -0.0;
	LIN(m)->rank = 5;
	LIN(m)->df_resid = 95;
	LIN(m)->std_err = doubles(6, 0.01, 0.5);
	LIN(m)->std_err[2] = NAN;
	LIN(m)->stat = doubles(6, 3, 1);
	LIN(m)->p_value = doubles(6, 1e-300, 0.1);
	return m;
}

static MmModel *
classifier_model(const MmAlgorithm *algorithm, int k)
{
	MmModel    *m = base_model(algorithm, MM_TASK_CLASSIFICATION);
	MmClassifier *c = CLS(m);
	int			i;

	m->target = mm_strdup("band");
	m->labels.n_classes = k;
	m->labels.label_kind = MM_LABEL_TEXT;
	m->labels.classes = mm_alloc0(sizeof(char *) * k);
	for (i = 0; i < k; i++)
	{
		char		name[16];

		snprintf(name, sizeof(name), "c%d", i);
		m->labels.classes[i] = mm_strdup(name);
	}
	c->n_rows = k == 2 ? 1 : k;
	c->intercept = doubles(c->n_rows, 0.7, -0.3);
	c->coef = doubles(c->n_rows * 5, -1.0 / 7.0, 0.25);
	c->std_err = doubles(c->n_rows * 6, NAN, 0);
	c->stat = doubles(c->n_rows * 6, NAN, 0);
	c->p_value = doubles(c->n_rows * 6, NAN, 0);
	c->alpha = 1.0;
	c->fit_intercept = 1;
	c->max_iter = 100;
	c->tol = 1e-4;
	c->n_iter = 7;
	c->converged = 1;
	c->variant = algorithm == ALGO("linear_svm");
	return m;
}

static MmModel *
kmeans_model(void)
{
	MmModel    *m = base_model(ALGO("kmeans"), MM_TASK_CLUSTERING);

	KM(m)->k = 3;
	KM(m)->centers = doubles(15, -1.25, 0.37);
	KM(m)->inertia = 1234.5;
	KM(m)->max_iter = 300;
	KM(m)->tol = 1e-4;
	KM(m)->seed = -7;
	KM(m)->n_iter = 12;
	KM(m)->converged = 1;
	return m;
}

static MmModel *
pca_model(void)
{
	MmModel    *m = base_model(ALGO("pca"), MM_TASK_DECOMPOSITION);

	PCA(m)->n_components = 2;
	PCA(m)->mean = doubles(5, 0.1, 0.1);
	PCA(m)->components = doubles(10, 0.3, -0.05);
	PCA(m)->explained_variance = doubles(2, 4.5, -2);
	PCA(m)->explained_variance_ratio = doubles(2, 0.6, -0.3);
	return m;
}

/* What a model makes of a row, as bits, for a few rows (text as category codes). */
static void
assert_same_outcomes(const MmModel *a, const MmModel *b)
{
	double		rows[4][3] = {{130, 1, 0}, {NAN, 0, 1}, {5, 1, 2}, {1e6, 0, MM_CATEGORY_UNSEEN}};
	double		za[8],
				zb[8],
				oa[8],
				ob[8];
	MmError		err;
	int			r,
				i;

	for (r = 0; r < 4; r++)
	{
		assert_int_equal(mm_model_transform(a, rows[r], za, &err), MM_OK);
		assert_int_equal(mm_model_transform(b, rows[r], zb, &err), MM_OK);
		assert_memory_equal(za, zb, sizeof(double) * a->n_design);
		switch (a->task)
		{
			case MM_TASK_REGRESSION:
				oa[0] = mm_model_predict(a, za);
				ob[0] = mm_model_predict(b, zb);
				assert_memory_equal(oa, ob, sizeof(double));
				break;
			case MM_TASK_CLASSIFICATION:
				mm_model_scores(a, za, oa);
				mm_model_scores(b, zb, ob);
				assert_memory_equal(oa, ob, sizeof(double) * CLS(a)->n_rows);
				break;
			case MM_TASK_CLUSTERING:
				assert_int_equal(mm_model_class(a, za), mm_model_class(b, zb));
				break;
			case MM_TASK_DECOMPOSITION:
				i = mm_model_project(a, za, oa);
				assert_int_equal(mm_model_project(b, zb, ob), i);
				assert_memory_equal(oa, ob, sizeof(double) * i);
				break;
		}
	}
}

/* Written, read, written again: the same text, the same predictions, the extras kept. */
static void
roundtrip(MmModel *m)
{
	MmDocumentExtras extras = {"{\"alpha\":1}", "{\"test\":{\"r2\":0.5}}", NULL, "{\"model\":\"m\"}",
	"[\"double precision\",\"boolean\",\"text\"]"};
	MmDocumentExtras back;
	char	   *first,
			   *second;
	MmModel    *read;
	MmError		err;

	assert_int_equal(mm_document_write(m, &extras, &first, &err), MM_OK);
	if (mm_document_read(first, strlen(first), &read, &back, &err) != MM_OK)
		fail_msg("%s", err.message);
	assert_int_equal(mm_document_write(read, &back, &second, &err), MM_OK);
	if (strcmp(first, second) != 0)
	{
		size_t		at = 0;

		while (first[at] == second[at])
			at++;
		fail_msg("documents differ at %zu: %.60s | %.60s", at, first + (at > 20 ? at - 20 : 0),
				 second + (at > 20 ? at - 20 : 0));
	}
	assert_string_equal(back.params, "{\"alpha\":1}");
	assert_null(back.baseline);
	assert_same_outcomes(m, read);
	mm_free(first);
	mm_free(second);
	mm_free(back.params);
	mm_free(back.metrics);
	mm_free(back.provenance);
	mm_free(back.feature_types);
	mm_model_free(read);
	mm_model_free(m);
}

/* The linear model with its text feature coded against its second name. */
static MmModel *
reference_model(void)
{
	MmModel    *m = linear_model();

	m->categories[2].has_reference = 1;
	m->categories[2].reference = 1;
	m->n_design = mm_model_design_width(m);
	LIN(m)->rank = m->n_design;
	return m;
}

static void
test_roundtrips(void **state)
{
	roundtrip(linear_model());
	roundtrip(reference_model());
	roundtrip(classifier_model(ALGO("logistic_regression"), 2));
	roundtrip(classifier_model(ALGO("logistic_regression"), 3));
	roundtrip(classifier_model(ALGO("linear_svm"), 4));
	roundtrip(kmeans_model());
	roundtrip(pca_model());
}

/* Replaces the first occurrence of from in text by to (a new string). */
static char *
edited(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char	   *out;

	assert_non_null(at);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	memcpy(out, text, at - text);
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

/* Damaged documents: each refused with a message, never a model. */
static void
test_refusals(void **state)
{
	MmModel    *m = classifier_model(ALGO("logistic_regression"), 3);
	char	   *doc;
	MmModel    *read;
	MmError		err;
	size_t		cut;
	const char *edits[][2] = {
		{"\"format_version\": 1", "\"format_version\": 2"},
		{"\"format_version\": 1", "\"format_version\": 1.5"},
		{"\"design_columns\": 5", "\"design_columns\": 5.5"},
		{"\"modelmgr-model\"", "\"other-model\""},
		{"\"logistic_regression\"", "\"random_forest\""},
		{"\"design_columns\": 5", "\"design_columns\": 6"},
		{"\"design_columns\": 5", "\"design_columns\": 5, \"design_columns\": 5"},
		{"\"kind\": \"numeric\"", "\"kind\": \"complex\""},
		{"\"tol\": 0.0001", "\"tol\": -1"},
		{"\"max_iter\": 100", "\"max_iter\": 1e300"},
		{"\"names\": [\"centre\", \"outer\\u0009tab\"]", "\"names\": [\"outer\\u0009tab\", \"centre\"]"},
		/* a category more than design_columns and the model's arrays hold */
		{"\"names\": [\"centre\", \"outer\\u0009tab\"]", "\"names\": [\"centre\", \"outer\\u0009tab\", \"zone\"]"},
		{"\"classes\": [\"c0\", \"c1\", \"c2\"]", "\"classes\": [\"c0\", \"c0\", \"c2\"]"},
		{"\"center\": 118.3", "\"center\": \"118.3\""},
		{"\"scale\": 0.30000000000000004", "\"scale\": 0"},
		{"\"intercept\": [0.7", "\"intercept\": [null"},
		{"\"categories\": [null, null, {", "\"categories\": [null, {"},
		{"\"label_kind\": \"text\"", "\"label_kind\": \"number\""},
		{"\"format_version\": 1", "\"format_version\": 1, \"extra\": 1"},
		{"\"kind\": \"numeric\"", "\"kind\": \"numeric\", \"unit\": \"m2\""},
		{"\"n_iter\":", "\"iterations\": 3, \"n_iter\":"},
		{"\"encoding\":", "\"order\": 1, \"encoding\":"},
		{"\"center\":", "\"shift\": 0, \"center\":"},
	};
	size_t		i;

	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
	{
		char	   *bad = edited(doc, edits[i][0], edits[i][1]);

		if (mm_document_read(bad, strlen(bad), &read, NULL, &err) == MM_OK)
			fail_msg("accepted: %s -> %s", edits[i][0], edits[i][1]);
		assert_null(read);
		assert_true(strlen(err.message) > 0);
		free(bad);
	}
	/* every truncation of the document */
	for (cut = 0; cut < strlen(doc); cut += 7)
	{
		assert_int_not_equal(mm_document_read(doc, cut, &read, NULL, &err), MM_OK);
		assert_null(read);
	}
	assert_int_not_equal(mm_document_read("[]", 2, &read, NULL, &err), MM_OK);
	assert_int_not_equal(mm_document_read("\"x\"", 3, &read, NULL, &err), MM_OK);
	mm_free(doc);
	mm_model_free(m);
}

/*
 * A reference is written only for a reference-coded feature, and read back
 * only as one of the feature's names (not one of the other group's).
 */
static void
test_reference(void **state)
{
	MmModel    *plain = linear_model(),
			   *m = reference_model();
	char	   *doc,
			   *bad;
	MmModel    *read;
	MmError		err;
	const char *edits[] = {"\"reference\": \"rare\"", "\"reference\": \"centre \"",
	"\"reference\": 1", "\"reference\": null"};
	size_t		i;

	assert_int_equal(mm_document_write(plain, NULL, &doc, &err), MM_OK);
	assert_null(strstr(doc, "\"reference\""));
	mm_free(doc);
	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	assert_non_null(strstr(doc, "\"design_columns\": 4"));
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
	{
		bad = edited(doc, "\"reference\": \"outer\\u0009tab\"", edits[i]);
		if (mm_document_read(bad, strlen(bad), &read, NULL, &err) == MM_OK)
			fail_msg("accepted: %s", edits[i]);
		assert_null(read);
		free(bad);
	}
	mm_free(doc);
	mm_model_free(plain);
	mm_model_free(m);
}

/* The limits by place: the models' and profiles' own, written out here as numbers. */
/*
 * A whole number beyond 64 bits in the metrics, as PostgreSQL's jsonb
 * prints the F statistic of a nearly exact fit, is read (as a double), and
 * a whole number where an integer belongs may be written either way.
 */
static void
test_huge_whole_numbers(void **state)
{
	MmModel    *m = linear_model(),
			   *read;
	MmDocumentExtras extras = {"{\"alpha\":0}",
		"{\"train\":{\"f_statistic\":1000000000000000000000000000000000,\"rows\":15000}}",
	NULL, NULL, NULL};
	MmDocumentExtras back;
	char	   *doc,
			   *again;
	MmError		err;

	assert_int_equal(mm_document_write(m, &extras, &doc, &err), MM_OK);
	if (mm_document_read(doc, strlen(doc), &read, &back, &err) != MM_OK)
		fail_msg("%s", err.message);
	if (strstr(back.metrics, "\"f_statistic\":1e+33") == NULL || strstr(back.metrics, "\"rows\":15000}") == NULL)
		fail_msg("metrics read back as %s", back.metrics);
	assert_same_outcomes(m, read);
	mm_model_free(read);
	mm_document_free_extras(&back);
	again = edited(doc, "\"format_version\": 1", "\"format_version\": 1.0");
	if (mm_document_read(again, strlen(again), &read, NULL, &err) != MM_OK)
		fail_msg("%s", err.message);
	mm_model_free(read);
	free(again);
	mm_free(doc);
	mm_model_free(m);
}

static void
test_element_limits(void **state)
{
	assert_int_equal(mm_document_max_elements("features", "features"), 1600);
	assert_int_equal(mm_document_max_elements("feature_types", "feature_types"), 1600);
	assert_int_equal(mm_document_max_elements("preprocess", "preprocess"), 1600);
	assert_int_equal(mm_document_max_elements("preprocess", "clip"), 2);
	assert_int_equal(mm_document_max_elements("categories", "categories"), 1600);
	assert_int_equal(mm_document_max_elements("categories", "names"), 100000);
	assert_int_equal(mm_document_max_elements("categories", "other"), 100000);
	assert_int_equal(mm_document_max_elements("model", "classes"), 1000);
	assert_int_equal(mm_document_max_elements("model", "centers"), 10000);
	assert_int_equal(mm_document_max_elements("model", "coef"), 100001);
	assert_int_equal(mm_document_max_elements("baseline", "features"), 1600);
	assert_int_equal(mm_document_max_elements("baseline", "quantiles"), 101);
	assert_int_equal(mm_document_max_elements("baseline", "shares"), 101);
	assert_int_equal(mm_document_max_elements("baseline", "categories"), 100);
	/* a place of its own nowhere: the longest array a model has */
	assert_int_equal(mm_document_max_elements("params", "grid"), 100001);
	assert_int_equal(mm_document_max_elements("metrics", NULL), 100001);
	assert_int_equal(mm_document_max_elements(NULL, NULL), 100001);
}

/* A JSON array of n zeros (malloc'd). */
static char *
zeros(size_t n)
{
	char	   *out = malloc(2 * n + 3);
	size_t		i,
				at = 0;

	out[at++] = '[';
	for (i = 0; i < n; i++)
	{
		if (i)
			out[at++] = ',';
		out[at++] = '0';
	}
	out[at++] = ']';
	out[at] = '\0';
	return out;
}

/* Whether a document of m with extras reads; the message of a refusal in err. */
static int
reads_with(MmModel *m, MmDocumentExtras *extras, MmError *err)
{
	char	   *doc;
	MmModel    *read;
	MmDocumentExtras back;
	MmErrorCode rc;

	assert_int_equal(mm_document_write(m, extras, &doc, err), MM_OK);
	rc = mm_document_read(doc, strlen(doc), &read, &back, err);
	mm_free(doc);
	if (rc != MM_OK)
	{
		assert_null(read);
		return 0;
	}
	mm_model_free(read);
	mm_document_free_extras(&back);
	return 1;
}

/* Arrays past their place's limit are refused, naming it; at the limit they read. */
static void
test_oversized_arrays(void **state)
{
	MmModel    *m = linear_model();
	MmDocumentExtras extras = {NULL, NULL, NULL, NULL, NULL};
	MmError		err;
	char	   *at_limit = zeros(100001),
			   *past = zeros(100002);
	char		shares[512];
	int			i;

	extras.params = malloc(strlen(past) + 16);
	sprintf(extras.params, "{\"grid\":%s}", at_limit);
	assert_true(reads_with(m, &extras, &err));
	sprintf(extras.params, "{\"grid\":%s}", past);
	assert_false(reads_with(m, &extras, &err));
	assert_non_null(strstr(err.message, "\"grid\""));
	assert_non_null(strstr(err.message, "100002 elements, more than its limit of 100001"));
	free(extras.params);
	extras.params = NULL;

	/* a baseline profile's shares: the sketch's 100 intervals at most */
	strcpy(shares, "{\"features\":{\"a\":{\"shares\":[");
	for (i = 0; i < 102; i++)
		strcat(shares, i ? ",0" : "1");
	strcat(shares, "]}}}");
	extras.baseline = shares;
	assert_false(reads_with(m, &extras, &err));
	assert_non_null(strstr(err.message, "\"shares\" in \"baseline\" holds 102 elements"));
	free(at_limit);
	free(past);
	mm_model_free(m);
}

/* A document of 1601 features, one more than a table can have columns, is refused. */
static void
test_too_many_features(void **state)
{
	MmModel    *m = linear_model();
	char	   *doc,
			   *bad;
	const char *from,
			   *to;
	MmModel    *read;
	MmError		err;
	int			j;

	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	/* the document with 1601 features in place of its 3 */
	from = strstr(doc, "\"features\": [");
	to = strstr(doc, "], \"design_columns\"");
	assert_non_null(from);
	assert_non_null(to);
	bad = malloc(strlen(doc) + 1601 * 48);
	memcpy(bad, doc, from - doc);
	strcpy(bad + (from - doc), "\"features\": [");
	for (j = 0; j < 1601; j++)
		sprintf(bad + strlen(bad), "%s{\"name\": \"f%d\", \"kind\": \"numeric\"}", j ? ", " : "", j);
	strcat(bad, to);
	assert_int_not_equal(mm_document_read(bad, strlen(bad), &read, NULL, &err), MM_OK);
	assert_null(read);
	assert_string_equal(err.message, "document field \"features\" must be an array of 1 to 1600 features");
	free(bad);
	mm_free(doc);
	mm_model_free(m);
}

/* Doubles read back to the same bits, through the default formatter. */
static void
test_exact_doubles(void **state)
{
	MmModel    *m = linear_model();
	char	   *doc;
	MmModel    *read;
	MmError		err;
	int			i;

	LIN(m)->coef[0] = 0.1;
	LIN(m)->coef[2] = 5e-324;
	LIN(m)->coef[3] = 1.7976931348623157e308;
	LIN(m)->coef[4] = -2.2250738585072014e-308;
	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	assert_int_equal(mm_document_read(doc, strlen(doc), &read, NULL, &err), MM_OK);
	for (i = 0; i < 5; i++)
		assert_memory_equal(&LIN(m)->coef[i], &LIN(read)->coef[i], sizeof(double));
	assert_memory_equal(&m->transform[0].scale, &read->transform[0].scale, sizeof(double));
	mm_free(doc);
	mm_model_free(read);
	mm_model_free(m);
}

/* With every budget of allocations, writing succeeds or says it ran out of memory. */
static void
test_out_of_memory(void **state)
{
	MmModel    *m = classifier_model(ALGO("logistic_regression"), 3);
	char	   *doc = NULL;
	MmError		err;
	int			budget;

	(void) state;
	for (budget = 0;; budget++)
	{
		MmErrorCode rc;

		test_alloc_budget = budget;
		mm_set_allocator(test_budget_alloc, NULL);
		rc = mm_document_write(m, NULL, &doc, &err);
		mm_set_allocator(NULL, NULL);
		if (rc == MM_OK)
			break;
		assert_int_equal(rc, MM_ERR_NO_MEMORY);
		assert_null(doc);
	}
	assert_true(budget >= 2);
	mm_free(doc);
	mm_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_huge_whole_numbers),
		cmocka_unit_test(test_element_limits),
		cmocka_unit_test(test_oversized_arrays),
		cmocka_unit_test(test_too_many_features),
		cmocka_unit_test(test_exact_doubles),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
