/*
 * boosted_fit.c: what the fits of XGBoost's tree models share (see
 * boosted.h): the objective of the task, the threads, the memory limit
 * and the progress from the fit's context, and the trained booster kept
 * as the model's payload.  A forest over a source that holds no rows grows
 * on histograms in passes instead (hist_trees.h), its trees written as
 * XGBoost's JSON model.
 */
#include <math.h>
#include <string.h>

#include "boosted.h"
#include "hist_trees.h"
#include "xgb_json.h"

/*
 * The share of the fit's memory limit one level pass's histograms may take,
 * and the most they take whatever the limit: each process that runs the
 * pass holds a state of that size, the backend that merges them several
 * (its own, each worker's as it arrives, the result, the grower's copy),
 * and a distributed table's shards each send one.
 */
#define HISTOGRAM_SHARE (1.0 / 16)
#define HISTOGRAM_MOST ((size_t) 64 << 20)

/* The trees kept as the model's payload, their JSON model beside them. */
static MmErrorCode
keep_trees(MmModel *model, MmTreeEnsemble *trees, char *json, size_t json_len, int n_rounds,
		   int best_iteration, double best_score, MmError *err)
{
	MmBoosted  *b;

	if ((b = mm_alloc0(sizeof(MmBoosted))) == NULL)
	{
		mm_trees_free(trees);
		mm_free(json);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the trees");
	}
	b->trees = trees;
	b->json = json;
	b->json_len = json_len;
	b->n_rounds = n_rounds;
	b->best_iteration = best_iteration;
	b->best_score = best_score;
	model->fit = b;
	if (b->trees->n_features != model->n_design)
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the trees have %d features for %d columns",
					   b->trees->n_features, model->n_design);
	return MM_OK;
}

/*
 * A forest (one round of num_parallel_tree trees) grown on histograms in
 * passes over a source that holds no rows (hist_trees.h), as XGBoost's
 * options o describe it: the same depth, bins, least hessian of a child,
 * row share, and columns a split draws (colsample_bynode's share of the
 * design, truncated as XGBoost truncates it), each tree's leaves divided by
 * the trees of the round as XGBoost divides them.
 */
static MmErrorCode
forest_in_passes(MmFitContext *ctx, MmModel *model, const MmXgbOptions *o, MmError *err)
{
	MmHistTreeOptions h;
	MmTreeEnsemble *trees = NULL;
	MmErrorCode rc;
	char	   *json;
	size_t		json_len = 0;
	int			drawn = (int) (o->colsample_bynode * model->n_design);

	memset(&h, 0, sizeof(h));
	h.objective = o->objective;
	h.n_groups = o->objective == MM_OBJ_MULTI_SOFTPROB ? o->n_classes : 1;
	h.n_trees = o->num_parallel_tree;
	h.max_depth = o->max_depth;
	h.max_bins = o->max_bin;
	h.learning_rate = o->learning_rate / o->num_parallel_tree;
	h.min_child_weight = o->min_child_weight;
	h.reg_lambda = o->reg_lambda;
	h.gamma = o->gamma;
	h.row_share = o->subsample;
	h.features_per_node = drawn < 1 ? 1 : drawn;
	h.seed = o->seed;
	h.base_score = 0.5f;		/* XGBoost 1.7's, as xgb_train.c sets it */
	h.memory_limit = ctx->memory_limit > 0.0 && ctx->memory_limit * HISTOGRAM_SHARE < HISTOGRAM_MOST ?
		(size_t) (ctx->memory_limit * HISTOGRAM_SHARE) : HISTOGRAM_MOST;
	if ((rc = mm_hist_trees_grow(ctx->data, &h, &trees, err)) != MM_OK)
		return rc;
	if ((json = mm_xgb_write(trees, o->num_parallel_tree, &json_len, err)) == NULL)
	{
		mm_trees_free(trees);
		return err->code;
	}
	if ((rc = keep_trees(model, trees, json, json_len, 1, -1, NAN, err)) != MM_OK)
		return rc;
	ctx->report.n_iter = 1;
	ctx->report.converged = 1;
	return MM_OK;
}

MmErrorCode
mm_boosted_fit(MmFitContext *ctx, MmModel *model, MmXgbOptions *o, MmError *err)
{
	const MmRows *rows = ctx->data->rows ? ctx->data->rows(ctx->data) : NULL;
	MmXgbResult res;
	MmErrorCode rc;

	o->objective = model->task == MM_TASK_REGRESSION ? MM_OBJ_SQUARED_ERROR :
		ctx->n_classes == 2 ? MM_OBJ_BINARY_LOGISTIC : MM_OBJ_MULTI_SOFTPROB;
	o->n_classes = ctx->n_classes;
	o->seed = ctx->seed;
	if (rows == NULL && o->n_estimators == 1 && o->early_stopping_rounds == 0)
		return forest_in_passes(ctx, model, o, err);
	if (rows == NULL)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "boosted trees read their training rows in memory, which this source does not hold");

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
	if ((rc = keep_trees(model, res.trees, res.json, res.json_len, res.n_rounds, res.best_iteration,
						 res.best_score, err)) != MM_OK)
		return rc;
	ctx->report.n_iter = res.n_rounds;
	ctx->report.converged = 1;
	return MM_OK;
}
