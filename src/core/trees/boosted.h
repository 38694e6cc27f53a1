/*
 * boosted.h: the payload of a boosted model and the operations its
 * algorithm tables share: prediction from the trees' flat arrays, the
 * artifact's and the document's codecs.  Both keep the booster's own JSON
 * model, from which the arrays are read back, so that an export embeds it
 * for xgboost.Booster().load_model.
 */
#ifndef MM_BOOSTED_H
#define MM_BOOSTED_H

#include "algorithm.h"
#include "tree_ensemble.h"
#include "xgb_train.h"

typedef struct MmBoosted
{
	MmTreeEnsemble *trees;
	char	   *json;			/* XGBoost's JSON model, json_len bytes, NUL-terminated */
	size_t		json_len;
	int			n_rounds;		/* rounds boosted (more than kept, after early stopping) */
	int			best_iteration; /* early stopping's best round, kept last; -1 without it */
	double		best_score;		/* its validation metric; NaN without it */
} MmBoosted;

/*
 * Trains the booster o describes on the context's rows (in memory) and
 * sets it as the model's payload; fills the objective, seed, threads,
 * memory limit and progress of o from the context and the model's task.
 */
extern MmErrorCode mm_boosted_fit(MmFitContext *ctx, MmModel *model, MmXgbOptions *o, MmError *err);

extern int	mm_boosted_n_scores(const MmModel *model);
extern void mm_boosted_score(const MmModel *model, const double *z, double *scores);
extern double mm_boosted_decide_value(const MmModel *model, const double *scores);
extern double mm_boosted_decide_class(const MmModel *model, const double *scores);
extern void mm_boosted_proba(const MmModel *model, const double *scores, double *proba);
extern void mm_boosted_free(void *fit);
extern int	mm_boosted_importances(const MmModel *model, const char *const **methods, double **values);
extern void mm_boosted_write(MmBuffer *w, const MmModel *model);
extern MmErrorCode mm_boosted_read(struct MmArtifactReader *r, MmModel *model);
extern void mm_boosted_to_json(MmBuffer *o, const MmModel *model);
extern MmErrorCode mm_boosted_from_json(struct MmDocumentReader *in, const void *part, MmModel *model);

/*
 * The operations every tree ensemble's table shares, whatever trained it:
 * the trees are evaluated, stored and explained the same way.  A table adds
 * decide (and proba for classifiers).
 */
#define MM_BOOSTED_MODEL_OPS \
	.n_scores = mm_boosted_n_scores, \
	.score = mm_boosted_score, \
	.free = mm_boosted_free, \
	.write = mm_boosted_write, \
	.read = mm_boosted_read, \
	.to_json = mm_boosted_to_json, \
	.from_json = mm_boosted_from_json, \
	.importances = mm_boosted_importances

#endif							/* MM_BOOSTED_H */
