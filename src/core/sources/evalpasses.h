/*
 * evalpasses.h: the passes that measure a fitted classifier, regressor or
 * clustering on the rows of a part, for a fit in passes over a relation.
 *
 * The model travels in the pass's arg as its artifact (artifact.h): a
 * process that runs the pass (a parallel worker, a distributed database's
 * node) reads it once and keeps it, through the model loader (below), so
 * a block of rows costs its predictions and nothing more.  The rows are
 * the model's design rows (passdesign.h), the class indexes in the model's
 * order.
 *
 * The classifier pass counts per part what the metrics of the rows in
 * memory (classmetrics.h) are made of: the confusion matrix, the summed
 * log-loss terms when the model has probabilities, the summed
 * log-likelihood of the rows (fitstats' statistics) and, for two classes,
 * a histogram of the positive class's score in MM_ROC_BINS bins (the ROC
 * AUC with its error bound, mm_roc_auc_binned), each class's rows counted
 * in 32 bits: a bin of a part that would pass UINT32_MAX rows of a class
 * leaves that part's AUC unreported (roc_full) rather than wrong.
 *
 * The regressor pass sums per part what the metrics of a regression are
 * made of (regmetrics.h's evaluation state: the moments of the target and
 * of the residual, the summed absolute residual), for the model's
 * predictions and for the training mean's, whatever the model: every row
 * predicted, where the linear models' pass (designpasses.h) needs only
 * their coefficients.
 *
 * The clustering pass counts the rows per cluster, sums their squared
 * distances to their centers (the inertia) and keeps a sample for the
 * silhouette: the rows of the smallest content hashes (silhouette_sample.h),
 * at most slots of them, the same rows in any order of arrival or merging,
 * which are the rows the silhouette of rows in memory is measured on.
 *
 * mm_pass_find lists them under MM_PASS_EVAL_ID, which no algorithm has.
 */
#ifndef MM_EVALPASSES_H
#define MM_EVALPASSES_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "regmetrics.h"
#include "source.h"

#define MM_PASS_EVAL_ID 254

/* The most rows the clustering pass keeps for the silhouette. */
#define MM_EVAL_MAX_SLOTS 20000

extern const MmPass mm_pass_classifier_eval;
extern const MmPass mm_pass_cluster_eval;
extern const MmPass mm_pass_regressor_eval;

/* The evaluation passes, NULL-terminated. */
extern const MmPass *const mm_eval_passes[];

/*
 * The arg of either pass for model (its artifact's bytes after a head):
 * slots rows kept for the silhouette (clustering; 0 otherwise).  Allocated
 * with mm_alloc, its length in *len; NULL with err set on failure.
 */
extern void *mm_eval_arg_new(const MmModel *model, int slots, size_t *len, MmError *err);

/* The arg of the regressor pass: the model and the training mean the trivial model predicts. */
extern void *mm_eval_regressor_arg_new(const MmModel *model, double train_mean, size_t *len,
									   MmError *err);

/*
 * Where a process turns an artifact into the model it keeps: returns the
 * model read from bytes (len of them, hash their mm_eval_bytes_hash, which
 * the arg carries), kept until the next call with another length or hash,
 * or NULL when they do not read or do not hash to hash.  A pass asks for
 * its model on every row it checks, so a model kept is found by its length
 * and hash alone, without reading the bytes again.  The default keeps one
 * model in memory from mm_alloc; a server, whose mm_alloc memory does not
 * outlive a query, sets one that keeps it in memory of its own.  Called
 * from a pass's init, check and add on the calling thread; add on worker
 * threads only finds what init read.
 */
typedef const MmModel *(*MmEvalModelLoader) (const uint8_t *bytes, size_t len, uint64_t hash);
extern void mm_eval_set_model_loader(MmEvalModelLoader loader);

/* The default loader. */
extern const MmModel *mm_eval_load_model(const uint8_t *bytes, size_t len, uint64_t hash);

/* The hash of an artifact's bytes an arg carries. */
extern uint64_t mm_eval_bytes_hash(const uint8_t *bytes, size_t len);

/* What a finished classifier pass counted. */
typedef struct MmClassifierCounts
{
	int			k;
	double		rows;
	double		log_loss_sum;	/* NaN without probabilities */
	double		log_likelihood; /* of the rows under the model's scores (fitstats.h) */
	const double *confusion;	/* k x k, as doubles */
	double		roc_auc;		/* binary: from the histogram; NaN otherwise */
	double		roc_auc_bound;	/* its error bound */
	int			roc_full;		/* 1 when a bin of the histogram could count no more rows:
								 * the AUC is NaN */
	int			unread;			/* 1 when a process could not read the model, or its rows were not its classes' */
} MmClassifierCounts;

extern void mm_classifier_eval_read(const void *state, MmClassifierCounts *out);

/* What a finished clustering pass counted; sample rows sorted by their hash. */
typedef struct MmClusterCounts
{
	int			k;
	double		rows;
	double		inertia;
	const double *sizes;		/* k */
	int			sample_rows;
	double	   *sample;			/* sample_rows x p, in the state (sorted in place) */
	int			unread;
} MmClusterCounts;

extern void mm_cluster_eval_read(void *state, int p, MmClusterCounts *out);

/*
 * What a finished regressor pass measured: the model's metrics and the
 * training mean's, as evaluation in memory computes them from the same
 * sums; 1 when a process could not read the model.
 */
extern int	mm_regressor_eval_read(const void *state, MmRegressionMetrics *model,
								   MmRegressionMetrics *mean);

#endif							/* MM_EVALPASSES_H */
