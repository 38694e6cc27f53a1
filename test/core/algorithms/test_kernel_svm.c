/*
 * test_kernel_svm.c: the kernel SVM's two tables under the name svm.  A
 * fit through either table gives mm_ksvm_fit's model with gamma resolved
 * and recorded; the artifact and the document carry it so that it
 * predicts the same bits; probabilities exist only when asked for; the
 * working memory is refused beyond the limit; the reader refuses a payload
 * whose groups no fit makes.  Prediction against libsvm's own is
 * test_ksvm_predict.c's.
 */
#include "algotest.h"

#include "artifact_io.h"
#include "ksvm.h"
#include "ksvm_fit.h"

#define KSVM(m) ((MmKernelSvm *) (m)->fit)

static const MmAlgorithm *
svc(void)
{
	return mm_algorithm_by_name_task("svm", MM_TASK_CLASSIFICATION);
}

static const MmAlgorithm *
svr(void)
{
	return mm_algorithm_by_name_task("svm", MM_TASK_REGRESSION);
}

/* Fits through the table with one param set by name (a word, true, or a number); k 0 for regression. */
static MmModel
fit_table(const MmAlgorithm *a, Data *d, int k, const char *key, const char *word, double number)
{
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, d->p);
	MmError		err;

	context(&ctx, &src, &params, a, d, k);
	if (key != NULL && word != NULL && strcmp(word, "true") == 0)
		assert_int_equal(mm_param_set_boolean(&params, mm_param_index(a, key), 1, &err), MM_OK);
	else if (key != NULL && word != NULL)
		assert_int_equal(mm_param_set_string(&params, mm_param_index(a, key), word, strlen(word), &err), MM_OK);
	else if (key != NULL)
		assert_int_equal(mm_param_set_number(&params, mm_param_index(a, key), number, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	assert_int_equal(ctx.report.converged, 1);
	a->fitted_params(&m, &params);
	assert_true(params.value[mm_param_index(a, "gamma")] == KSVM(&m)->gamma);
	return m;
}

static void
test_gamma_modes(void **state)
{
	Data		d = make_data(120, 3, 3, 11);
	MmModel		scale = fit_table(svc(), &d, 3, NULL, NULL, 0),
				automatic = fit_table(svc(), &d, 3, "gamma", "auto", 0),
				given = fit_table(svc(), &d, 3, "gamma", NULL, 0.25);

	assert_true(KSVM(&scale)->gamma == mm_ksvm_gamma_scale(d.x, d.n, d.p));
	assert_true(KSVM(&automatic)->gamma == 1.0 / 3);
	assert_true(KSVM(&given)->gamma == 0.25);
	svc()->free(scale.fit);
	svc()->free(automatic.fit);
	svc()->free(given.fit);
	free_data(&d);
}

/* The params' words and numbers: the resolved JSON prints a word as itself. */
static void
test_gamma_param(void **state)
{
	MmParams	params;
	MmBuffer	b = {0};
	MmError		err;
	int			g = mm_param_index(svc(), "gamma");

	mm_params_defaults(svc(), &params);
	mm_params_json(&params, &b);
	assert_non_null(strstr(b.data, "\"gamma\": \"scale\""));
	mm_free(b.data);
	assert_int_equal(mm_param_set_string(&params, g, "often", 5, &err), MM_ERR_INVALID_INPUT);
	assert_string_equal(err.message, "parameter \"gamma\" must be a finite positive number, \"scale\" or \"auto\"");
	assert_int_equal(mm_param_set_number(&params, g, 0.0, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_param_set_number(&params, g, 0.5, &err), MM_OK);
}

static void
test_codecs_carry(void **state)
{
	int			k;

	for (k = 2; k <= 3; k++)
	{
		Data		d = make_data(150, 2, k, 12);
		MmModel		plain = fit_table(svc(), &d, k, NULL, NULL, 0),
					proba = fit_table(svc(), &d, k, "probability", "true", 0);
		MmModel    *a = whole_model(&plain, k),
				   *b = whole_model(&proba, k);

		assert_false(mm_model_has_proba(a));
		assert_true(mm_model_has_proba(b));
		assert_int_equal(mm_model_n_scores(a), k == 2 ? 1 : 3);
		assert_codecs_carry(a, &d);
		assert_codecs_carry(b, &d);
		mm_model_free(a);
		mm_model_free(b);
		free_data(&d);
	}
	{
		Data		d = make_data(150, 2, 2, 12);
		MmModel		reg = fit_table(svr(), &d, 0, "kernel", "poly", 0);
		MmModel    *m = whole_model(&reg, 0);

		assert_int_equal(mm_model_n_scores(m), 1);
		assert_codecs_carry(m, &d);
		mm_model_free(m);
		free_data(&d);
	}
}

/* A binary model's one score is positive for the last class, as the linear classifiers'. */
static void
test_binary_sign(void **state)
{
	Data		d = make_data(150, 2, 2, 13);
	MmModel		m = fit_table(svc(), &d, 2, NULL, NULL, 0);
	size_t		i;

	for (i = 0; i < d.n; i++)
	{
		double		s;

		mm_model_scores(&m, d.x + i * 2, &s);
		assert_int_equal((int) mm_model_decide(&m, &s), s > 0 ? 1 : 0);
	}
	svc()->free(m.fit);
	free_data(&d);
}

static void
test_memory_limit(void **state)
{
	Data		d = make_data(400, 2, 2, 14);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(svc(), 2);
	MmError		err;
	MmKsvmOptions o = {0};

	context(&ctx, &src, &params, svc(), &d, 2);
	o.cache_size = 200;
	/* the cache goes as far as the kernel matrix: n^2 floats at most */
	assert_true(mm_ksvm_fit_memory(400, 2, &o) < 400.0 * 400 * 4 + 400.0 * 400);
	ctx.memory_limit = 100000;
	assert_int_equal(svc()->fit(&ctx, &m, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "modelmgr.max_train_memory"));
	assert_null(m.fit);
	free_data(&d);
}

/* Groups out of order, or support vectors that do not add up, are no fit's: corrupt. */
static void
test_reader_refuses(void **state)
{
	Data		d = make_data(150, 2, 3, 15);
	MmModel		fitted = fit_table(svc(), &d, 3, NULL, NULL, 0);
	MmModel    *m = whole_model(&fitted, 3);
	MmModel    *back = NULL;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;
	int			keep = KSVM(m)->group_class[1];

	KSVM(m)->group_class[1] = KSVM(m)->group_class[0];
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	KSVM(m)->group_class[1] = keep;
	KSVM(m)->group_sv[0]++;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	KSVM(m)->group_sv[0]--;
	mm_model_free(m);
	free_data(&d);
}

static void
test_needs_rows(void **state)
{
	assert_fit_needs_rows("svm");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gamma_modes),
		cmocka_unit_test(test_gamma_param),
		cmocka_unit_test(test_codecs_carry),
		cmocka_unit_test(test_binary_sign),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_reader_refuses),
		cmocka_unit_test(test_needs_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
