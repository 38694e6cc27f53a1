/*
 * algorithm.h: what an algorithm is to the rest of modelmgr.
 *
 * An algorithm is one table of operations, MmAlgorithm, defined in one file
 * under core/algorithms/ and listed once in the registry (registry.c).  The
 * rest of the tree (the core's formats, the scorer, the server glue) reaches
 * an algorithm only through its table: nothing branches on an algorithm's
 * name or artifact id.  The table plays the part an IndexAmRoutine plays for
 * an index access method.
 *
 * The operations fall in four groups:
 *  - identity: name, task, artifact id (written in artifacts, never reused);
 *  - hyperparameters: a declarative spec per parameter (params.h), from
 *    which parsing, validation, the resolved params JSON, error hints, the
 *    tuning search space defaults and doc/algorithms.md's table all follow;
 *  - fitting: fit, against an MmFitContext whose data source gives passes
 *    over the rows (in memory, or as aggregate passes over a relation);
 *  - the fitted model: prediction (score, decide, proba, project), free,
 *    artifact write/read, document to/from JSON, coefficients; and the
 *    optional explain and pass hooks, NULL until an algorithm fills them.
 */
#ifndef MM_ALGORITHM_H
#define MM_ALGORITHM_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"
#include "params.h"
#include "source.h"

/* What a fit reports besides the model, for notices and the version's metrics. */
typedef struct MmFitReport
{
	int			n_iter;			/* iterations (0 for closed-form fits) */
	int			converged;		/* 1 unless an iterative fit stopped at its limit */
	int			separated;		/* a classifier without a finite optimum */
	int			rank;			/* linear models: the rank of the design */
	uint8_t    *aliased;		/* linear models: per column (intercept first), unidentified, or NULL */
	int			unidentified;	/* linear models: some coefficients are not identified (aliased, unpenalized) */
	int64_t    *sizes;			/* clustering: rows per cluster, or NULL */
	double		inertia;		/* clustering: summed squared distances of the rows to their centers */
} MmFitReport;

/*
 * Everything a fit reads, passed explicitly: nothing reaches a fit through
 * module state.  The caller owns every pointer.
 */
typedef struct MmFitContext
{
	MmDataSource *data;			/* the training rows, transformed into the design */
	const MmParams *params;		/* resolved and validated */
	uint64_t	seed;			/* for algorithms that draw (starts, visiting order) */
	int			n_classes;		/* classification: labels are 0 .. n_classes - 1 */
	/* the design's centering and scaling (NULL: none), to report statistics in raw units */
	const double *center;
	const double *scale;
	/*
	 * Where an iterative fit may start (NULL: its own start): a neighbouring
	 * fit's coefficients, as the table's warm_start gives them: warm_rows
	 * rows of warm_width slopes and the intercept.  A fit uses them only when
	 * the shape is its own.  A tuning search hands each candidate its
	 * neighbour's.
	 */
	const double *warm_start;
	int			warm_rows;
	int			warm_width;
	/*
	 * Bytes a fit's own working memory (a library's, beyond the rows) may
	 * take, modelmgr.max_train_memory; 0: no limit.
	 */
	double		memory_limit;
	/* called between iterations (may be NULL); cancellation is mm_check_interrupts */
	void		(*progress) (void *arg, int iteration);
	void	   *progress_arg;
	MmFitReport report;			/* filled by the fit */
} MmFitContext;

/*
 * The artifact's byte codec (artifact.c, primitives in artifact_io.h) and
 * the document's JSON codec (document.c, primitives in document_io.h).
 */
struct MmArtifactReader;
struct MmDocumentReader;

/*
 * How a caller words the algorithm's notices and errors, so that no caller
 * branches on the algorithm to say what only it needs (any may be NULL).
 * The advice names settings as SQL spells them.
 */
typedef struct MmAlgorithmTexts
{
	const char *display_name;	/* in sentences: "logistic regression", "the linear SVM" */
	const char *not_converged;	/* the advice when an iterative fit stops at its limit */
	const char *too_few_rows;	/* the advice when the training rows are too few to fit */
	const char *constant_feature;	/* added to "Leave it out with exclude => ARRAY[...]" */
	const char *params_for_rows;	/* the advice when the params do not suit the training rows */
	const char *no_probabilities;	/* the advice when a model of it was trained without probabilities */
} MmAlgorithmTexts;

/*
 * The statistical model an algorithm's unpenalized fit is, for inference as
 * statsmodels reports it: the fit statistics in its train metrics, and
 * reference coding of text features beside an intercept (where the full
 * set of levels would leave the fit without standard errors).
 */
typedef enum MmInference
{
	MM_INFERENCE_NONE = 0,
	MM_INFERENCE_OLS,			/* least squares: statsmodels' OLS */
	MM_INFERENCE_LOGIT			/* maximum likelihood: Logit, MNLogit */
} MmInference;

typedef struct MmAlgorithm
{
	/* identity */
	const char *name;			/* as SQL spells it */
	MmTask		task;
	uint8_t		artifact_id;	/* in every artifact of the algorithm; never reused */
	int			task_default;	/* 1: what algorithm => 'auto' picks for its task */
	int			auto_search;	/* 1: mm_tune's algorithm => 'auto' searches it with its task's others */
	/*
	 * 1: but not where the search runs in passes, its fit in passes taking
	 * hundreds of them (a pass per level of each boosting round)
	 */
	int			auto_search_memory_only;
	/*
	 * The grid auto searches it over, {"name": [values], ...}, when its own
	 * default grid would cost an automatic search many times the linear
	 * models' fits; NULL: the default grid of its parameters' specs
	 */
	const char *auto_grid;
	MmInference inference;		/* the statistics its unpenalized fit reports */
	/*
	 * 1: a missing number the preprocessing does not impute reaches the fit
	 * and prediction as NaN, which the algorithm handles itself (trees send
	 * it down a learned default branch); 0: it must be imputed
	 */
	int			missing_values;

	/* hyperparameters */
	const MmParamSpec *params;
	int			n_params;
	const char *params_note;	/* appended to the list of valid parameters in hints, or NULL */
	/* constraints the specs cannot say (between parameters, or on the design width p) */
	MmErrorCode (*check_params) (const MmParams *params, int p, MmError *err);
	/*
	 * Constraints on the design the preprocessing built, whose width counts a
	 * column per category of a one-hot text feature, so that a count of
	 * columns is judged once known; run before the fit, or NULL.
	 */
	MmErrorCode (*check_design) (const MmParams *params, int n_design, MmError *err);
	/*
	 * The params as the fit settled them, for the record of a version: a
	 * default the fit resolves against the data (PCA's count of components)
	 * set to what was fitted.  NULL when every param is as given.
	 */
	void		(*fitted_params) (const MmModel *model, MmParams *params);
	MmAlgorithmTexts texts;

	/*
	 * fitting: the caller fills the model's shared fields (algorithm, task,
	 * features, n_design, transform, labels); fit sets model->fit
	 */
	MmErrorCode (*fit) (MmFitContext *ctx, MmModel *model, MmError *err);
	/*
	 * The fitted coefficients a later fit may start from, allocated through
	 * mm_alloc (the caller frees): *rows rows of *width slopes and the
	 * intercept.  NULL for algorithms that start on their own.
	 */
	double	   *(*warm_start) (const MmModel *model, int *rows, int *width);

	/* the fitted model */
	int			(*n_scores) (const MmModel *model);
	void		(*score) (const MmModel *model, const double *z, double *scores);
	/* the prediction from the scores: the value, the class or the cluster index */
	double		(*decide) (const MmModel *model, const double *scores);
	void		(*proba) (const MmModel *model, const double *scores, double *proba);	/* or NULL */
	/* whether a fitted model has probabilities, where a param decides it; NULL: when proba is set */
	int			(*has_proba) (const MmModel *model);
	/* the row in the model's own coordinates (components, distances), or NULL */
	int			(*n_coordinates) (const MmModel *model);
	void		(*project) (const MmModel *model, const double *z, double *out);
	void		(*free) (void *fit);
	/* the algorithm's part of an artifact's body; read sets model->fit, MM_ERR_CORRUPT when invalid */
	void		(*write) (MmBuffer *w, const MmModel *model);
	MmErrorCode (*read) (struct MmArtifactReader *r, MmModel *model);
	/* the document's "model" object; from_json checks shapes and types, the artifact the values */
	void		(*to_json) (MmBuffer *o, const MmModel *model);
	MmErrorCode (*from_json) (struct MmDocumentReader *in, const void *part, MmModel *model);
	/*
	 * The coefficients in the units of the raw inputs (centering and scaling
	 * undone), intercept first per row when fitted, allocated through
	 * mm_alloc; returns how many.  NULL for algorithms without coefficients.
	 */
	int			(*coefficients) (const MmModel *model, MmCoefficient **out);
	/*
	 * For models whose prediction is intercept + coef . z on the design: the
	 * coefficients (n_design), the intercept in *intercept.  Metrics follow
	 * from a part's moments for such models alone, so only they train and
	 * are cross-validated through the moments aggregate.  NULL otherwise.
	 */
	const double *(*linear_form) (const MmModel *model, double *intercept);
	/*
	 * Feature importances, for models that have them instead of
	 * coefficients (trees): the number of methods, their names in *methods
	 * (as mm_importance reports them), and in *values (mm_alloc'd) a row of
	 * n_design values per method.  NULL for algorithms without.
	 */
	int			(*importances) (const MmModel *model, const char *const **methods, double **values);

	/* optional hooks, NULL until the algorithm has them */
	const void *explain;
	/*
	 * the passes fit runs over its source, NULL-terminated, for sources that
	 * run them elsewhere; a fit that needs no more than passes can be made
	 * from what a relation's aggregate computed
	 */
	const MmPass *const *passes;
	/*
	 * Why the fit with params reads its training rows in memory (rows())
	 * though the algorithm lists passes: a sentence naming the param, or
	 * NULL when passes suffice.  NULL hook: they always do.
	 */
	const char *(*needs_rows) (const MmParams *params);
	/*
	 * 1 when, though its fit runs in passes, a distributed relation whose
	 * rows fit is better read into memory (through the coordinator, a
	 * bounded read): its passes send per shard more than the shard's rows
	 * (a forest's histograms).
	 */
	int			rows_when_they_fit;
} MmAlgorithm;

/* The registry (registry.c): every algorithm, in the order tuning's auto tries them. */
extern const MmAlgorithm *const *mm_algorithms(int *count);
extern const MmAlgorithm *mm_algorithm_by_name(const char *name);
extern const MmAlgorithm *mm_algorithm_by_artifact_id(int id);

/*
 * The algorithm of a name for a task, where one SQL name serves several
 * tasks with a table each (svm); NULL when the name has no table for it.
 */
extern const MmAlgorithm *mm_algorithm_by_name_task(const char *name, MmTask task);

/* The algorithm auto chooses for a task (regression, classification), or NULL. */
extern const MmAlgorithm *mm_algorithm_default(MmTask task);

/*
 * Appends to out the names of the registered algorithms keep accepts (every
 * one when keep is NULL), in the registry's order, joined by ", " and before
 * the last by conjunction (" or ", " and "): how messages name algorithms,
 * so that a new one appears in every message that should name it.
 */
extern void mm_algorithm_list(int (*keep) (const MmAlgorithm *algorithm), const char *conjunction,
							  MmBuffer *out);

/* What messages ask of an algorithm: class probabilities, coordinates of its own. */
static inline int
mm_algorithm_gives_probabilities(const MmAlgorithm *algorithm)
{
	return algorithm->task == MM_TASK_CLASSIFICATION && algorithm->proba != NULL;
}

static inline int
mm_algorithm_has_coordinates(const MmAlgorithm *algorithm)
{
	return algorithm->project != NULL;
}

#endif							/* MM_ALGORITHM_H */
