/*
 * boosted_fit.c: what the fits of XGBoost's tree models share (see
 * boosted.h): the objective of the task, the threads, the memory limit
 * and the progress from the fit's context, and the trained booster kept
 * as the model's payload.
 */
#include <string.h>

#include "boosted.h"

MmErrorCode
mm_boosted_fit(MmFitContext *ctx, MmModel *model, MmXgbOptions *o, MmError *err)
{
	const MmRows *rows = ctx->data->rows ? ctx->data->rows(ctx->data) : NULL;
	MmXgbResult res;
	MmBoosted  *b;
	MmErrorCode rc;

	if (rows == NULL)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "trees read their training rows in memory, which this source does not hold");
	o->objective = model->task == MM_TASK_REGRESSION ? MM_OBJ_SQUARED_ERROR :
		ctx->n_classes == 2 ? MM_OBJ_BINARY_LOGISTIC : MM_OBJ_MULTI_SOFTPROB;
	o->n_classes = ctx->n_classes;
	o->seed = ctx->seed;

	/*
	 * a thread per MM_CHUNK_ROWS rows, as mm_parallel shares them out, up to
	 * modelmgr.training_threads: on fewer rows XGBoost's threads wait on
	 * each other more than they work (forty times slower on a busy machine)
	 */
	o->threads = mm_chunks(rows->n) < mm_threads() ? mm_chunks(rows->n) : mm_threads();
	o->memory_limit = ctx->memory_limit;
	o->progress = ctx->progress;
	o->progress_arg = ctx->progress_arg;
	if ((rc = mm_xgb_train(rows, o, &res, err)) != MM_OK)
		return rc;
	if ((b = mm_alloc0(sizeof(MmBoosted))) == NULL)
	{
		mm_trees_free(res.trees);
		mm_free(res.json);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the trees");
	}
	b->trees = res.trees;
	b->json = res.json;
	b->json_len = res.json_len;
	b->n_rounds = res.n_rounds;
	b->best_iteration = res.best_iteration;
	b->best_score = res.best_score;
	model->fit = b;
	if (b->trees->n_features != model->n_design)
		return mm_fail(err, MM_ERR_NUMERIC, -1, "XGBoost's model has %d features for %d columns",
					   b->trees->n_features, model->n_design);
	ctx->report.n_iter = res.n_rounds;
	ctx->report.converged = 1;
	return MM_OK;
}
