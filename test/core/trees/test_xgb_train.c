/*
 * test_xgb_train.c: boosted trees trained through XGBoost's C API, and the
 * core's walk of them against XGBoost's own predictor: the same margins
 * and probabilities to the bit, missing values included, for each
 * objective; early stopping's rounds; the memory estimate's refusal.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "tree_ensemble.h"
#include "xgb_train.h"

#define N_ROWS 600
#define WIDTH 4

/* A deterministic nonlinear problem, a value missing every eleventh row. */
static void
make_rows(double *x, double *t, int32_t *y, int n_classes)
{
	int			i,
				j;

	for (i = 0; i < N_ROWS; i++)
	{
		double		s;

		for (j = 0; j < WIDTH; j++)
			x[i * WIDTH + j] = (double) ((i * (37 + 14 * j) + 11 * j) % 101) / 101.0;
		if (i % 11 == 0)
			x[i * WIDTH + 1] = NAN;
		s = sin(6.0 * x[i * WIDTH]) + x[i * WIDTH + 2] * x[i * WIDTH + 3];
		t[i] = s;
		y[i] = n_classes == 2 ? s > 0.3 : (s < 0.0 ? 0 : s < 0.6 ? 1 : 2);
	}
}

/* XGBoost's predictions of a JSON model on the rows: margins or transformed. */
static float *
library_predictions(const char *json, size_t len, const double *x, int margin, bst_ulong *count)
{
	float	   *xf = malloc(sizeof(float) * N_ROWS * WIDTH);
	float	   *out;
	DMatrixHandle m;
	BoosterHandle b;
	const bst_ulong *shape;
	bst_ulong	dim,
				total = 1,
				k;
	const float *result;
	char		config[200];
	int			i;

	for (i = 0; i < N_ROWS * WIDTH; i++)
		xf[i] = (float) x[i];
	assert_int_equal(XGDMatrixCreateFromMat(xf, N_ROWS, WIDTH, NAN, &m), 0);
	assert_int_equal(XGBoosterCreate(NULL, 0, &b), 0);
	assert_int_equal(XGBoosterLoadModelFromBuffer(b, json, len), 0);
	snprintf(config, sizeof(config), "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, "
			 "\"iteration_end\": 0, \"strict_shape\": true}", margin ? 1 : 0);
	assert_int_equal(XGBoosterPredictFromDMatrix(b, m, config, &shape, &dim, &result), 0);
	for (k = 0; k < dim; k++)
		total *= shape[k];
	out = malloc(sizeof(float) * total);
	memcpy(out, result, sizeof(float) * total);
	*count = total;
	XGBoosterFree(b);
	XGDMatrixFree(m);
	free(xf);
	return out;
}

/* Trains with the objective and compares every row's margins and probabilities, bit for bit. */
static void
check_objective(MmTreeObjective objective, int n_classes)
{
	double	   *x = malloc(sizeof(double) * N_ROWS * WIDTH);
	double	   *t = malloc(sizeof(double) * N_ROWS);
	int32_t    *y = malloc(sizeof(int32_t) * N_ROWS);
	MmRows		rows = {N_ROWS, WIDTH, NULL, NULL, NULL};
	MmXgbOptions o;
	MmXgbResult res;
	MmError		err;
	float	   *margins,
			   *proba;
	bst_ulong	count;
	int			groups = objective == MM_OBJ_MULTI_SOFTPROB ? n_classes : 1,
				i,
				g;

	make_rows(x, t, y, n_classes);
	rows.x = x;
	if (objective == MM_OBJ_SQUARED_ERROR)
		rows.t = t;
	else
		rows.y = y;
	memset(&o, 0, sizeof(o));
	o.objective = objective;
	o.n_classes = n_classes;
	o.n_estimators = 20;
	o.max_depth = 4;
	o.max_bin = 256;
	o.learning_rate = 0.3;
	o.subsample = 1.0;
	o.colsample_bytree = 1.0;
	o.min_child_weight = 1.0;
	o.reg_lambda = 1.0;
	o.scale_pos_weight = 1.0;
	o.threads = 1;
	assert_int_equal(mm_xgb_train(&rows, &o, &res, &err), MM_OK);
	assert_int_equal(res.n_rounds, 20);
	assert_int_equal(res.best_iteration, -1);
	assert_int_equal(res.trees->n_trees, 20 * groups);

	margins = library_predictions(res.json, res.json_len, x, 1, &count);
	assert_int_equal(count, (bst_ulong) N_ROWS * groups);
	proba = library_predictions(res.json, res.json_len, x, 0, &count);
	for (i = 0; i < N_ROWS; i++)
	{
		float		ours[3],
					p[3];

		mm_trees_margins(res.trees, x + i * WIDTH, ours);
		for (g = 0; g < groups; g++)
			assert_memory_equal(&ours[g], &margins[i * groups + g], sizeof(float));
		if (objective == MM_OBJ_BINARY_LOGISTIC)
		{
			mm_trees_proba(res.trees, ours, p, 2);
			assert_memory_equal(&p[1], &proba[i], sizeof(float));
		}
		else if (objective == MM_OBJ_MULTI_SOFTPROB)
		{
			mm_trees_proba(res.trees, ours, p, n_classes);
			for (g = 0; g < n_classes; g++)
				assert_memory_equal(&p[g], &proba[i * n_classes + g], sizeof(float));
		}
	}
	free(margins);
	free(proba);
	mm_trees_free(res.trees);
	mm_free(res.json);
	free(x);
	free(t);
	free(y);
}

static void
test_squared_error(void **state)
{
	check_objective(MM_OBJ_SQUARED_ERROR, 0);
}

static void
test_binary_logistic(void **state)
{
	check_objective(MM_OBJ_BINARY_LOGISTIC, 2);
}

static void
test_multi_softprob(void **state)
{
	check_objective(MM_OBJ_MULTI_SOFTPROB, 3);
}

/* Early stopping keeps the rounds up to the best, which came early_stopping_rounds before the last. */
static void
test_early_stopping(void **state)
{
	double	   *x = malloc(sizeof(double) * N_ROWS * WIDTH);
	double	   *t = malloc(sizeof(double) * N_ROWS);
	int32_t    *y = malloc(sizeof(int32_t) * N_ROWS);
	MmRows		rows = {N_ROWS, WIDTH, NULL, NULL, NULL};
	MmXgbOptions o;
	MmXgbResult res;
	MmError		err;

	make_rows(x, t, y, 2);
	rows.x = x;
	rows.t = t;
	memset(&o, 0, sizeof(o));
	o.objective = MM_OBJ_SQUARED_ERROR;
	o.n_estimators = 2000;
	o.max_depth = 6;
	o.max_bin = 256;
	o.learning_rate = 0.5;
	o.subsample = 1.0;
	o.colsample_bytree = 1.0;
	o.reg_lambda = 1.0;
	o.scale_pos_weight = 1.0;
	o.early_stopping_rounds = 4;
	o.threads = 1;
	assert_int_equal(mm_xgb_train(&rows, &o, &res, &err), MM_OK);
	assert_true(res.n_rounds < 2000);
	assert_int_equal(res.n_rounds - 1 - res.best_iteration, 4);
	assert_int_equal(res.trees->n_trees, res.best_iteration + 1);
	assert_true(isfinite(res.best_score));
	mm_trees_free(res.trees);
	mm_free(res.json);

	/* the memory estimate refuses before XGBoost allocates */
	o.memory_limit = 1024.0;
	assert_int_equal(mm_xgb_train(&rows, &o, &res, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "modelmgr.max_train_memory"));
	free(x);
	free(t);
	free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_squared_error),
		cmocka_unit_test(test_binary_logistic),
		cmocka_unit_test(test_multi_softprob),
		cmocka_unit_test(test_early_stopping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
