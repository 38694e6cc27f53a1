/*
 * boosted_fit.c: what the fits of XGBoost's tree models share (see
 * boosted.h): the objective of the task, the threads, the memory limit
 * and the progress from the fit's context, and the trained booster kept
 * as the model's payload.  Over a source that holds no rows the trees grow
 * on histograms in passes instead (hist_trees.h), written as XGBoost's JSON
 * model.
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

/* A boosting round done in passes, as the iterations of the fit's progress. */
static void
round_done(void *arg, int rounds)
{
	MmFitContext *ctx = arg;

	if (ctx->progress != NULL)
		ctx->progress(ctx->progress_arg, rounds);
}

/*
 * Trees grown on histograms in passes over a source that holds no rows
 * (hist_trees.h), as XGBoost's options o describe them: a forest (one
 * round of num_parallel_tree trees, each tree's leaves divided by the
 * trees of the round as XGBoost divides them) or boosting rounds, with the
 * same depth, bins, penalties, least hessian of a child, row share, and
 * columns a tree and a split draw (colsample_bytree's and
 * colsample_bynode's shares of the design, truncated as XGBoost truncates
 * them).
 */
static MmErrorCode
trees_in_passes(MmFitContext *ctx, MmModel *model, const MmXgbOptions *o, MmError *err)
{
	MmHistTreeOptions h;
	MmHistTreeRounds rounds;
	MmTreeEnsemble *trees = NULL;
	MmErrorCode rc;
	char	   *json;
	size_t		json_len = 0;
	/* colsample_bynode 0 (gradient boosting leaves it so) is every column, as xgb_train.c sets it */
	double		bynode = o->colsample_bynode > 0.0 ? o->colsample_bynode : 1.0;
	int			forest = o->num_parallel_tree > 0,	/* gradient boosting leaves it 0 */
				per_tree = (int) (o->colsample_bytree * model->n_design),
				per_node = (int) (bynode * model->n_design);

	memset(&h, 0, sizeof(h));
	h.objective = o->objective;
	h.boosted = !forest;
	h.n_groups = o->objective == MM_OBJ_MULTI_SOFTPROB ? o->n_classes : 1;
	h.n_trees = forest ? o->num_parallel_tree : o->n_estimators;
	h.max_depth = o->max_depth;
	h.max_bins = o->max_bin;
	h.learning_rate = forest ? o->learning_rate / o->num_parallel_tree : o->learning_rate;
	h.min_child_weight = o->min_child_weight;
	h.reg_lambda = o->reg_lambda;
	h.reg_alpha = o->reg_alpha;
	h.gamma = o->gamma;
	h.pos_weight = o->scale_pos_weight;
	h.row_share = o->subsample;
	h.features_per_tree = per_tree < 1 ? 1 : per_tree;
	h.features_per_node = per_node < 1 ? 1 : per_node;
	h.early_stopping_rounds = o->early_stopping_rounds;
	h.seed = o->seed;
	h.base_score = 0.5f;		/* XGBoost 1.7's, as xgb_train.c sets it */
	h.memory_limit = ctx->memory_limit > 0.0 && ctx->memory_limit * HISTOGRAM_SHARE < HISTOGRAM_MOST ?
		(size_t) (ctx->memory_limit * HISTOGRAM_SHARE) : HISTOGRAM_MOST;
	h.round_done = round_done;
	h.progress_arg = ctx;
	if ((rc = mm_hist_trees_grow(ctx->data, &h, &trees, &rounds, err)) != MM_OK)
		return rc;
	if ((json = mm_xgb_write(trees, forest ? o->num_parallel_tree : 1, &json_len, err)) == NULL)
	{
		mm_trees_free(trees);
		return err->code;
	}
	if ((rc = keep_trees(model, trees, json, json_len, rounds.rounds, rounds.best_iteration,
						 rounds.best_score, err)) != MM_OK)
		return rc;
	ctx->report.n_iter = rounds.rounds;
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
	if (rows == NULL)
		return trees_in_passes(ctx, model, o, err);

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
