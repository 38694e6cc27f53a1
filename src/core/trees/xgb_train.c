/*
 * xgb_train.c: boosted trees through XGBoost's C API (see xgb_train.h).
 */
#include "xgb_train.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "rowhash.h"
#include "roworder.h"
#include "xgb_json.h"

/* The library's handles of one fit, released once, by the fit or by its cleanup. */
typedef struct Handles
{
	DMatrixHandle train;
	DMatrixHandle valid;
	BoosterHandle booster;
	BoosterHandle sliced;
	MmCleanup	cleanup;
} Handles;

static void
release(void *arg)
{
	Handles    *h = arg;

	if (h->sliced)
		XGBoosterFree(h->sliced);
	if (h->booster)
		XGBoosterFree(h->booster);
	if (h->valid)
		XGDMatrixFree(h->valid);
	if (h->train)
		XGDMatrixFree(h->train);
	h->sliced = h->booster = h->valid = h->train = NULL;
}

/*
 * Signals stay blocked through every call into XGBoost: a worker thread it
 * starts inherits the mask, so the server's signals reach only this one.
 */
static sigset_t saved_mask;

static void
enter_library(void)
{
	sigset_t	all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
}

static void
leave_library(void)
{
	pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}

/* A failed call's error, with XGBoost's message. */
static MmErrorCode
library_failed(MmError *err, const char *what)
{
	return mm_fail(err, MM_ERR_NUMERIC, -1, "XGBoost could not %s: %s", what, XGBGetLastError());
}

double
mm_xgb_memory(size_t n, int p, const MmXgbOptions *o)
{
	double		rows = (double) n,
				width = (double) p,
				outputs = o->objective == MM_OBJ_MULTI_SOFTPROB ? o->n_classes : 1,
				nodes = ldexp(1.0, o->max_depth + 1),
				bins = o->max_bin < rows ? o->max_bin : rows;	/* no more bins than values */

	if (nodes > 2.0 * rows + 1.0)
		nodes = 2.0 * rows + 1.0;
	/*
	 * our float copy (4) and XGBoost's sparse page (8 per entry), the
	 * quantized matrix (a byte per entry up to 256 bins, else two), per row
	 * the offsets, partitions, gradients and predictions, and the
	 * histograms the hist method keeps per node (a double pair per bin of
	 * every feature) and per thread
	 */
	return rows * width * (12.0 + (o->max_bin > 256 ? 2.0 : 1.0)) +
		rows * (32.0 + 12.0 * outputs) +
		16.0 * width * (bins + 1.0) * (nodes + (o->threads > 1 ? o->threads : 1)) * outputs;
}

/* Sets one parameter, a number or a string. */
static int
set_number(BoosterHandle b, const char *name, double v)
{
	char		buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	return XGBoosterSetParam(b, name, buf);
}

static int
set_params(BoosterHandle b, const MmXgbOptions *o)
{
	static const char *const objectives[] = {NULL, "reg:squarederror", "binary:logistic",
	"multi:softprob"};
	static const char *const metrics[] = {NULL, "rmse", "logloss", "mlogloss"};
	int			rc = 0;

	rc |= XGBoosterSetParam(b, "verbosity", "0");
	rc |= XGBoosterSetParam(b, "tree_method", "hist");
	rc |= XGBoosterSetParam(b, "objective", objectives[o->objective]);
	rc |= XGBoosterSetParam(b, "eval_metric", metrics[o->objective]);
	/* XGBoost 1.7's default, set so that another version's estimate does not replace it */
	rc |= XGBoosterSetParam(b, "base_score", "0.5");
	if (o->objective == MM_OBJ_MULTI_SOFTPROB)
		rc |= set_number(b, "num_class", o->n_classes);
	rc |= set_number(b, "max_depth", o->max_depth);
	rc |= set_number(b, "max_bin", o->max_bin);
	rc |= set_number(b, "eta", o->learning_rate);
	rc |= set_number(b, "subsample", o->subsample);
	rc |= set_number(b, "colsample_bytree", o->colsample_bytree);
	rc |= set_number(b, "colsample_bynode", o->colsample_bynode > 0.0 ? o->colsample_bynode : 1.0);
	rc |= set_number(b, "num_parallel_tree", o->num_parallel_tree > 1 ? o->num_parallel_tree : 1);
	rc |= set_number(b, "min_child_weight", o->min_child_weight);
	rc |= set_number(b, "lambda", o->reg_lambda);
	rc |= set_number(b, "alpha", o->reg_alpha);
	rc |= set_number(b, "gamma", o->gamma);
	rc |= set_number(b, "scale_pos_weight", o->scale_pos_weight);
	rc |= set_number(b, "seed", (double) (o->seed & 0x7fffffff));
	rc |= set_number(b, "nthread", o->threads > 0 ? o->threads : 1);
	return rc;
}

/*
 * The rows as float matrices with their labels: all of them into part 0,
 * or with early stopping the held-out tenth into part 1.
 */
typedef struct Parts
{
	float	   *x[2];
	float	   *label[2];
	size_t		n[2];
} Parts;

static int
split_rows(const MmRows *rows, const MmXgbOptions *o, Parts *parts)
{
	size_t		i,
				k,
				p = (size_t) rows->p;
	uint64_t	salt = mm_xgb_validation_salt(o->seed);
	int			part,
				j;
	uint8_t    *side = mm_alloc0(rows->n + 1);
	/* XGBoost draws a tree's rows by their positions and sums in their order (roworder.h) */
	size_t	   *order = mm_row_order(rows->x, rows->y, rows->y ? NULL : rows->t, rows->n, rows->p);

	memset(parts, 0, sizeof(*parts));
	if (side == NULL || order == NULL)
	{
		mm_free(side);
		mm_free(order);
		return 0;
	}
	for (i = 0; i < rows->n; i++)
	{
		if (o->early_stopping_rounds > 0)
			side[i] = (uint8_t) mm_draw_is_test(mm_row_draw(mm_row_hash_rounded(rows->x + i * p, rows->p),
															salt), MM_XGB_VALIDATION_FRACTION);
		parts->n[side[i]]++;
	}
	for (part = 0; part < 2; part++)
	{
		parts->x[part] = mm_alloc(sizeof(float) * (parts->n[part] * p + 1));
		parts->label[part] = mm_alloc(sizeof(float) * (parts->n[part] + 1));
		if (parts->x[part] == NULL || parts->label[part] == NULL)
		{
			mm_free(side);
			mm_free(order);
			return 0;
		}
		parts->n[part] = 0;
	}
	for (k = 0; k < rows->n; k++)
	{
		size_t		i = order[k],
					at = parts->n[side[i]]++;
		float	   *dst = parts->x[side[i]] + at * p;

		for (j = 0; j < rows->p; j++)
			dst[j] = (float) rows->x[i * p + (size_t) j];
		parts->label[side[i]][at] = rows->y ? (float) rows->y[i] : (float) rows->t[i];
	}
	mm_free(side);
	mm_free(order);
	return 1;
}

static void
free_parts(Parts *parts)
{
	int			part;

	for (part = 0; part < 2; part++)
	{
		mm_free(parts->x[part]);
		mm_free(parts->label[part]);
	}
}

/* A float matrix with its labels as a DMatrix, NaN missing. */
static int
make_matrix(const float *x, const float *label, size_t n, int p, int threads, DMatrixHandle *out)
{
	if (XGDMatrixCreateFromMat_omp(x, (bst_ulong) n, (bst_ulong) p, NAN, out, threads) != 0)
		return -1;
	return XGDMatrixSetFloatInfo(*out, "label", label, (bst_ulong) n);
}

/* The metric in an evaluation line, "[3]\tvalidation-rmse:0.25": what the last ':' leads. */
static double
eval_score(const char *line)
{
	const char *colon = strrchr(line, ':');

	return colon ? strtod(colon + 1, NULL) : NAN;
}

/* The rounds: boosting, the progress and interrupt checks, early stopping's bookkeeping. */
static MmErrorCode
boost(Handles *h, const MmXgbOptions *o, MmXgbResult *out, MmError *err)
{
	const char *names[1] = {"validation"};
	int			round,
				rc;

	out->best_iteration = -1;
	out->best_score = NAN;
	for (round = 0; round < o->n_estimators; round++)
	{
		enter_library();
		rc = XGBoosterUpdateOneIter(h->booster, round, h->train);
		leave_library();
		if (rc != 0)
			return library_failed(err, "boost a round");
		out->n_rounds = round + 1;
		if (o->progress)
			o->progress(o->progress_arg, round + 1);
		mm_check_interrupts();
		if (o->early_stopping_rounds > 0)
		{
			const char *line;
			double		score;

			enter_library();
			rc = XGBoosterEvalOneIter(h->booster, round, &h->valid, names, 1, &line);
			leave_library();
			if (rc != 0)
				return library_failed(err, "evaluate a round");
			score = eval_score(line);
			/* strictly better, as the scikit-learn wrapper's EarlyStopping judges */
			if (out->best_iteration < 0 || score < out->best_score)
			{
				out->best_iteration = round;
				out->best_score = score;
			}
			else if (round - out->best_iteration >= o->early_stopping_rounds)
				break;
		}
	}
	return MM_OK;
}

/* The booster's JSON model (of the rounds up to the best, with early stopping), copied. */
static MmErrorCode
save_json(Handles *h, MmXgbResult *out, MmError *err)
{
	BoosterHandle model = h->booster;
	bst_ulong	len;
	const char *text;
	int			rc = 0;

	enter_library();
	if (out->best_iteration >= 0 && out->best_iteration + 1 < out->n_rounds)
	{
		rc = XGBoosterSlice(h->booster, 0, out->best_iteration + 1, 1, &h->sliced);
		model = h->sliced;
	}
	if (rc == 0)
		rc = XGBoosterSaveModelToBuffer(model, "{\"format\": \"json\"}", &len, &text);
	leave_library();
	if (rc != 0)
		return library_failed(err, "save the model");
	if ((out->json = mm_alloc((size_t) len + 1)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the booster's model");
	memcpy(out->json, text, (size_t) len);
	out->json[len] = '\0';
	out->json_len = (size_t) len;
	return MM_OK;
}

MmErrorCode
mm_xgb_train(const MmRows *rows, const MmXgbOptions *o, MmXgbResult *out, MmError *err)
{
	double		need = mm_xgb_memory(rows->n, rows->p, o);
	Handles    *h;
	Parts		parts;
	MmErrorCode rc = MM_OK;
	int			failed;

	memset(out, 0, sizeof(*out));
	if (o->memory_limit > 0.0 && need > o->memory_limit)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "boosting %zu rows of %d columns takes about %.0f kB, more than modelmgr.max_train_memory (%.0f kB)",
					   rows->n, rows->p, ceil(need / 1024.0), floor(o->memory_limit / 1024.0));
	if ((h = mm_alloc0(sizeof(Handles))) == NULL || !split_rows(rows, o, &parts))
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory copying the rows for XGBoost");
	if (parts.n[0] == 0 || (o->early_stopping_rounds > 0 && parts.n[1] == 0))
	{
		free_parts(&parts);
		return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
					   "early stopping holds out a tenth of %zu training rows, which leaves no rows on one side",
					   rows->n);
	}
	h->cleanup.fn = release;
	h->cleanup.arg = h;
	mm_register_cleanup(&h->cleanup);

	enter_library();
	failed = make_matrix(parts.x[0], parts.label[0], parts.n[0], rows->p, o->threads, &h->train) != 0 ||
		(parts.n[1] > 0 &&
		 make_matrix(parts.x[1], parts.label[1], parts.n[1], rows->p, o->threads, &h->valid) != 0) ||
		XGBoosterCreate(&h->train, 1, &h->booster) != 0 ||
		set_params(h->booster, o) != 0;
	leave_library();
	free_parts(&parts);
	if (failed)
		rc = library_failed(err, "set up the training");
	if (rc == MM_OK)
		rc = boost(h, o, out, err);
	if (rc == MM_OK)
		rc = save_json(h, out, err);
	release(h);
	h->cleanup.fn = NULL;
	if (rc == MM_OK && (out->trees = mm_xgb_parse(out->json, out->json_len, err)) == NULL)
		rc = err->code;
	if (rc != MM_OK)
	{
		mm_free(out->json);
		out->json = NULL;
	}
	return rc;
}
