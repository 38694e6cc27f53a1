/*
 * test_evalpasses.c: the passes that measure a fitted model (evalpasses.h).
 * Over rows in memory, in chunks on threads, they count what the metrics of
 * the rows one by one are made of: the same confusion matrix and rates, the
 * log-loss and log-likelihood to rounding, the ROC AUC within the bound the
 * histogram measures; for k-means the same sizes and inertia, every row
 * kept for the silhouette up to the slots, and past them the same rows in
 * any order, those the silhouette of the rows in memory is measured on; for
 * a regressor the same metrics, and the training mean's, to rounding.
 * A bin of the histogram that can count no more leaves the AUC unreported.
 * Their arg is found again under MM_PASS_EVAL_ID and refused when it is
 * not the pass's.
 */
#include "algorithms/algotest.h"

#include "classmetrics.h"
#include "evalpasses.h"
#include "inference.h"
#include "kmeans.h"

/* A classifier fitted by algorithm on d's k classes, whole (labels and names). */
static MmModel *
fit_classifier(const char *algorithm, Data *d, int k)
{
	const MmAlgorithm *a = ALGO(algorithm);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, d->p);
	MmError		err;

	context(&ctx, &src, &params, a, d, k);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	return whole_model(&m, k);
}

/* Runs pass with arg over d's rows in memory, on threads, into a new state. */
static void *
run(const MmPass *pass, const void *arg, const MmRows *rows)
{
	MmDataSource src;
	void	   *state = malloc(pass->state_size(rows->p, arg));
	MmError		err;

	mm_memory_source(&src, rows);
	assert_int_equal(src.run(&src, pass, arg, state, &err), MM_OK);
	return state;
}

/* The classifier pass against the metrics of the rows one by one. */
static void
check_classifier(const char *algorithm, int k)
{
	Data		d = make_data(150000, 3, k, 17);
	MmModel    *model = fit_classifier(algorithm, &d, k);
	size_t		len,
				i;
	MmError		err;
	void	   *arg = mm_eval_arg_new(model, 0, &len, &err);
	void	   *state;
	MmClassifierCounts c;
	MmClassMetrics want,
				got;
	int32_t    *pred = malloc(sizeof(int32_t) * d.n);
	double	   *proba = malloc(sizeof(double) * d.n * k),
			   *score = malloc(sizeof(double) * d.n),
				scores[8],
				llf = 0.0;
	int64_t    *confusion = malloc(sizeof(int64_t) * k * k);
	int			has_proba = mm_model_has_proba(model);

	assert_non_null(arg);
	assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len), len);
	state = run(&mm_pass_classifier_eval, arg, &d.rows);
	mm_classifier_eval_read(state, &c);
	assert_false(c.unread);
	for (i = 0; i < d.n; i++)
	{
		mm_model_scores(model, d.x + i * 3, scores);
		pred[i] = (int32_t) mm_model_decide(model, scores);
		if (has_proba)
			mm_model_proba(model, scores, proba + i * k);
		score[i] = has_proba ? proba[i * k + k - 1] : scores[0];
		if (model->algorithm->inference == MM_INFERENCE_LOGIT)
			llf += mm_logit_row_log_likelihood(scores, mm_model_n_scores(model), d.y[i]);
	}
	assert_int_equal(mm_class_metrics(d.y, pred, has_proba ? proba : NULL, k == 2 ? score : NULL,
									  d.n, k, &want, &err), MM_OK);
	for (i = 0; i < (size_t) (k * k); i++)
		confusion[i] = (int64_t) c.confusion[i];
	assert_int_equal(mm_class_metrics_from_counts(confusion, k, has_proba ? c.log_loss_sum : NAN,
												  c.roc_auc, &got, &err), MM_OK);
	assert_memory_equal(got.confusion, want.confusion, sizeof(int64_t) * k * k);
	assert_true(same(&got.accuracy, &want.accuracy, 1));
	assert_true(same(&got.f1, &want.f1, 1));
	assert_true(same(&got.precision_weighted, &want.precision_weighted, 1));
	if (has_proba)
		assert_close(got.log_loss, want.log_loss, 1e-12);
	else
		assert_true(isnan(got.log_loss));
	if (model->algorithm->inference == MM_INFERENCE_LOGIT)
		assert_close(c.log_likelihood, llf, 1e-9 * fabs(llf));
	if (k == 2)
	{
		/* within the bound the histogram measures, and that bound is small */
		assert_true(fabs(got.roc_auc - want.roc_auc) <= c.roc_auc_bound + 1e-12);
		assert_true(c.roc_auc_bound < 1e-3);
	}
	else
		assert_true(isnan(got.roc_auc));
	mm_free(got.confusion);
	mm_free(want.confusion);
	free(state);
	mm_free(arg);
	free(pred);
	free(proba);
	free(score);
	free(confusion);
	mm_model_free(model);
	free_data(&d);
}

static void
test_logistic_binary(void **state)
{
	check_classifier("logistic_regression", 2);
}

static void
test_logistic_multinomial(void **state)
{
	check_classifier("logistic_regression", 4);
}

static void
test_svm_binary(void **state)
{
	check_classifier("linear_svm", 2);
}

/*
 * A bin of the ROC histogram that can count no more rows, in a merge or in
 * a row's count, leaves the AUC unreported (NaN, roc_full) and the other
 * counts whole; the histogram is the state's last 2 MM_ROC_BINS counts.
 */
static void
test_roc_full(void **unused)
{
	Data		d = make_data(2000, 3, 2, 5);
	MmModel    *model = fit_classifier("logistic_regression", &d, 2);
	size_t		len,
				size;
	MmError		err;
	void	   *arg = mm_eval_arg_new(model, 0, &len, &err),
			   *a,
			   *b;
	uint32_t   *ha,
			   *hb;
	MmClassifierCounts c;
	int			bin;

	assert_non_null(arg);
	size = mm_pass_classifier_eval.state_size(3, arg);
	a = run(&mm_pass_classifier_eval, arg, &d.rows);
	mm_classifier_eval_read(a, &c);
	assert_false(c.roc_full);
	assert_false(isnan(c.roc_auc));
	b = malloc(size);
	memcpy(b, a, size);
	ha = (uint32_t *) ((char *) a + size) - 2 * MM_ROC_BINS;
	hb = (uint32_t *) ((char *) b + size) - 2 * MM_ROC_BINS;
	/* a bin of positive rows that holds two at least */
	for (bin = 0; bin < MM_ROC_BINS && ha[bin] < 2; bin++)
		;
	assert_true(bin < MM_ROC_BINS);

	ha[bin] = UINT32_MAX - 1;
	mm_pass_classifier_eval.merge(a, b, 3, arg);
	assert_true(mm_pass_classifier_eval.check(a, 3, arg));
	mm_classifier_eval_read(a, &c);
	assert_true(c.roc_full);
	assert_true(isnan(c.roc_auc));
	assert_true(c.rows == 2.0 * (double) d.n);
	assert_false(c.unread);
	assert_true(ha[bin] == UINT32_MAX);

	/* b's bin full, the same rows counted again */
	hb[bin] = UINT32_MAX;
	mm_pass_classifier_eval.add(b, &d.rows, arg);
	mm_classifier_eval_read(b, &c);
	assert_true(c.roc_full);
	assert_true(isnan(c.roc_auc));
	assert_true(c.rows == 2.0 * (double) d.n);
	free(a);
	free(b);
	mm_free(arg);
	mm_model_free(model);
	free_data(&d);
}

/* k-means: the sizes and inertia, and the sample of the smallest hashes. */
static void
test_cluster(void **state)
{
	const MmAlgorithm *a = ALGO("kmeans");
	Data		d = make_data(1500, 2, 2, 5);
	Data		r = make_data(1500, 2, 2, 5);
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmModel    *model;
	MmError		err;
	MmClusterCounts c,
				c2;
	size_t		len,
				i;
	void	   *arg,
			   *s,
			   *s2;
	double		sizes[3] = {0},
				inertia = 0.0,
				scores[3];

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(mm_param_set_number(&params, mm_param_index(a, "k"), 3, &err), MM_OK);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	mm_free(ctx.report.sizes);
	model = whole_model(&m, 0);
	for (i = 0; i < d.n; i++)
	{
		int			cluster;

		mm_model_scores(model, d.x + i * 2, scores);
		cluster = (int) mm_model_decide(model, scores);
		inertia += scores[cluster];
		sizes[cluster] += 1.0;
	}

	/* within the slots: every row */
	arg = mm_eval_arg_new(model, 2000, &len, &err);
	s = run(&mm_pass_cluster_eval, arg, &d.rows);
	mm_cluster_eval_read(s, 2, &c);
	assert_int_equal(c.sample_rows, 1500);
	assert_memory_equal(c.sizes, sizes, sizeof(sizes));
	assert_close(c.inertia, inertia, 1e-9 * inertia);
	free(s);
	mm_free(arg);

	/* past them: the same 100 rows, in the same order, whatever the rows' order */
	for (i = 0; i < r.n; i++)
		memcpy(r.x + i * 2, d.x + (r.n - 1 - i) * 2, sizeof(double) * 2);
	arg = mm_eval_arg_new(model, 100, &len, &err);
	s = run(&mm_pass_cluster_eval, arg, &d.rows);
	s2 = run(&mm_pass_cluster_eval, arg, &r.rows);
	mm_cluster_eval_read(s, 2, &c);
	mm_cluster_eval_read(s2, 2, &c2);
	assert_int_equal(c.sample_rows, 100);
	assert_int_equal(c2.sample_rows, 100);
	assert_memory_equal(c.sample, c2.sample, sizeof(double) * 200);
	assert_memory_equal(c.sizes, c2.sizes, sizeof(sizes));
	/* the rows the silhouette of the rows in memory is measured on: the very same score */
	{
		double		from_pass = mm_silhouette(model, c.sample, 100, 100),
					in_memory = mm_silhouette(model, d.x, d.n, 100);

		assert_false(isnan(in_memory));
		assert_true(same(&from_pass, &in_memory, 1));
	}
	free(s);
	free(s2);
	mm_free(arg);
	mm_model_free(model);
	free_data(&d);
	free_data(&r);
}

/*
 * The regressor pass, over a model it knows only by its predictions, against
 * the metrics of the rows one by one: the model's and the training mean's.
 * An arg of another task or a mean that is not finite is refused.
 */
static void
test_regressor(void **state)
{
	Data		d = make_data(120000, 3, 0, 23);
	const MmAlgorithm *a = ALGO("linear_regression");
	MmFitContext ctx;
	MmDataSource src;
	MmParams	params;
	MmModel		m = shell(a, d.p),
			   *model;
	MmError		err;
	MmRegressionMetrics got,
				got_mean,
				want,
				want_mean;
	double		one[MM_EVAL_STATE_LEN],
				one_mean[MM_EVAL_STATE_LEN],
				scratch[4],
				mean = 0.25;
	size_t		len,
				i;
	uint8_t    *arg;
	void	   *s;

	context(&ctx, &src, &params, a, &d, 0);
	assert_int_equal(a->fit(&ctx, &m, &err), MM_OK);
	model = whole_model(&m, 0);
	arg = mm_eval_regressor_arg_new(model, mean, &len, &err);
	assert_non_null(arg);
	assert_int_equal(mm_pass_regressor_eval.arg_size(3, arg, len), len);
	assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len), 0);
	s = run(&mm_pass_regressor_eval, arg, &d.rows);
	assert_int_equal(mm_regressor_eval_read(s, &got, &got_mean), 0);
	mm_eval_init(one);
	mm_eval_init(one_mean);
	for (i = 0; i < d.n; i++)
	{
		double		scores[1];

		mm_model_scores(model, d.x + i * 3, scores);
		mm_eval_add(one, d.t[i], mm_model_decide(model, scores), scratch);
		mm_eval_add(one_mean, d.t[i], mean, scratch);
	}
	mm_eval_metrics(one, &want);
	mm_eval_metrics(one_mean, &want_mean);
	assert_true(got.rows == want.rows && got.mae_rows == want.mae_rows);
	assert_true(fabs(got.r2 - want.r2) <= 1e-12 && fabs(got.rmse - want.rmse) <= 1e-12 * want.rmse);
	assert_true(fabs(got.mae - want.mae) <= 1e-12 * want.mae);
	assert_true(fabs(got.explained_variance - want.explained_variance) <= 1e-12);
	assert_true(fabs(got_mean.rmse - want_mean.rmse) <= 1e-12 * want_mean.rmse);
	assert_true(fabs(got_mean.mae - want_mean.mae) <= 1e-12 * want_mean.mae);
	free(s);
	mm_free(arg);
	arg = mm_eval_regressor_arg_new(model, NAN, &len, &err);
	assert_int_equal(mm_pass_regressor_eval.arg_size(3, arg, len), 0);
	mm_free(arg);
	mm_model_free(model);
	free_data(&d);
}

/* Listed under MM_PASS_EVAL_ID; an arg for another width or a damaged one is refused. */
static void
test_listed_and_checked(void **state)
{
	Data		d = make_data(500, 3, 2, 3);
	MmModel    *model = fit_classifier("logistic_regression", &d, 2);
	size_t		len;
	MmError		err;
	uint8_t    *arg = mm_eval_arg_new(model, 0, &len, &err);
	int			found = -1;

	assert_ptr_equal(mm_pass_find(MM_PASS_EVAL_ID, 0), &mm_pass_classifier_eval);
	assert_ptr_equal(mm_pass_find(MM_PASS_EVAL_ID, 1), &mm_pass_cluster_eval);
	assert_ptr_equal(mm_pass_find(MM_PASS_EVAL_ID, 2), &mm_pass_regressor_eval);
	assert_null(mm_pass_find(MM_PASS_EVAL_ID, 3));
	assert_int_equal(mm_pass_index(ARTIFACT_ID("logistic_regression"), &mm_pass_cluster_eval, &found), 1);
	assert_int_equal(found, MM_PASS_EVAL_ID);

	assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len), len);
	assert_int_equal(mm_pass_classifier_eval.arg_size(4, arg, len), 0);
	assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len - 1), 0);
	assert_int_equal(mm_pass_cluster_eval.arg_size(3, arg, len), 0);
	assert_int_equal(mm_pass_regressor_eval.arg_size(3, arg, len), 0);
	/*
	 * bytes that do not read: damaged, with the hash of the damaged bytes
	 * (the head's last field), and damaged under the hash of the whole
	 * ones, once another model is kept
	 */
	{
		uint8_t    *bytes;
		size_t		n,
					head;
		uint64_t	h;
		Data		d2 = make_data(500, 3, 2, 4);
		MmModel    *other = fit_classifier("logistic_regression", &d2, 2);
		size_t		other_len;
		void	   *other_arg = mm_eval_arg_new(other, 0, &other_len, &err);

		assert_int_equal(mm_artifact_write(model, &bytes, &n, &err), MM_OK);
		head = len - n;
		mm_free(bytes);
		assert_int_equal(mm_pass_classifier_eval.arg_size(3, other_arg, other_len), other_len);
		arg[len - 1] ^= 0x5a;
		assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len), 0);
		h = mm_eval_bytes_hash(arg + head, n);
		memcpy(arg + head - sizeof(h), &h, sizeof(h));
		assert_int_equal(mm_pass_classifier_eval.arg_size(3, arg, len), 0);
		mm_free(other_arg);
		mm_model_free(other);
		free_data(&d2);
	}
	mm_free(arg);
	mm_model_free(model);
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logistic_binary),
		cmocka_unit_test(test_logistic_multinomial),
		cmocka_unit_test(test_svm_binary),
		cmocka_unit_test(test_roc_full),
		cmocka_unit_test(test_cluster),
		cmocka_unit_test(test_regressor),
		cmocka_unit_test(test_listed_and_checked),
	};

	mm_set_threads(3);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
