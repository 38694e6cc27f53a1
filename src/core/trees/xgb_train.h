/*
 * xgb_train.h: boosted trees trained by XGBoost through its C API.
 *
 * The rows go to XGBoost as a dense float matrix with NaN as missing, so
 * a missing value is XGBoost's missing value, and the booster grows with
 * the hist tree method, one round per XGBoosterUpdateOneIter, the interrupt
 * check between rounds.  XGBoost's threads (OpenMP's) start inside its
 * calls, which run with every signal blocked, so the threads inherit a mask
 * that keeps the server's signals on the calling thread, as mm_parallel's
 * do.  Its handles are freed on every path, through a registered cleanup
 * when the interrupt check does not return.
 *
 * Early stopping holds out the rows whose design row's hash, salted with
 * the seed, draws into a tenth (MM_XGB_VALIDATION_FRACTION): the same rows
 * for the same design and seed wherever the fit runs.  It stops once the
 * objective's default metric on them (rmse, logloss, mlogloss, as
 * XGBoost's evaluation prints it) has not improved for
 * early_stopping_rounds rounds, and keeps the rounds up to the best, as
 * the scikit-learn wrapper predicts with them.
 */
#ifndef MM_XGB_TRAIN_H
#define MM_XGB_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "rowhash.h"
#include "source.h"
#include "tree_ensemble.h"

#define MM_XGB_VALIDATION_FRACTION 0.1

/* The salt of the held-out draw for a seed, apart from the train/test split's. */
static inline uint64_t
mm_xgb_validation_salt(uint64_t seed)
{
	return mm_seed_salt((int64_t) seed) ^ UINT64_C(0x7a3d1c5b9e2f4861);
}

typedef struct MmXgbOptions
{
	MmTreeObjective objective;
	int			n_classes;		/* multi:softprob */
	int			n_estimators;
	int			max_depth;
	int			max_bin;
	double		learning_rate;
	double		subsample;
	double		colsample_bytree;
	double		colsample_bynode;	/* 1 but for forests */
	int			num_parallel_tree;	/* trees per round and output: 1 but for forests */
	double		min_child_weight;
	double		reg_lambda;
	double		reg_alpha;
	double		gamma;
	double		scale_pos_weight;
	int			early_stopping_rounds;	/* 0: none */
	uint64_t	seed;
	int			threads;
	double		memory_limit;	/* bytes XGBoost's working memory may take; 0: no limit */
	void		(*progress) (void *arg, int round);
	void	   *progress_arg;
} MmXgbOptions;

/* A trained booster: its JSON model (mm_alloc'd) and its trees. */
typedef struct MmXgbResult
{
	char	   *json;
	size_t		json_len;
	MmTreeEnsemble *trees;
	int			n_rounds;		/* rounds boosted */
	int			best_iteration; /* with early stopping: the round kept last; else -1 */
	double		best_score;		/* its validation metric; else NaN */
} MmXgbResult;

/* Bytes XGBoost's hist method takes, about, to train on n rows of width p. */
extern double mm_xgb_memory(size_t n, int p, const MmXgbOptions *o);

/*
 * Trains on rows (y the classes, or t the targets); MM_ERR_INVALID_INPUT
 * when the working memory exceeds the limit, MM_ERR_TOO_FEW_ROWS when early
 * stopping leaves no rows on one side, MM_ERR_NUMERIC when XGBoost fails.
 */
extern MmErrorCode mm_xgb_train(const MmRows *rows, const MmXgbOptions *o, MmXgbResult *out,
								MmError *err);

#endif							/* MM_XGB_TRAIN_H */
