/*
 * tune.c: mm_tune, hyperparameter search by cross-validation.
 *
 * The relation is read once into memory.  The training part is cut into
 * folds by each row's content hash (stratified by class for classifiers),
 * so the folds depend on the rows and the seed, not on the scan.  Each
 * candidate is then fitted once per fold by the same fit driver mm_train
 * uses (fit.c), handed a context (MmTrainContext) whose rows are the fold's, copied
 * from memory, instead of the relation's; the preprocessing is fitted
 * inside each fold, so a candidate's score never sees its validation rows.
 * The best candidate is refitted on the whole training part, from memory
 * too, and recorded as a version; every candidate is a row of mm.trials.
 *
 * Where a training would run in passes (the rows would not fit
 * modelmgr.max_train_memory, the relation is distributed, or
 * modelmgr.train_in_passes is on), nothing is read into memory: each fold's
 * fit is a training in passes (fitpasses.c) whose passes select the fold's
 * training rows inside the aggregate and whose held-out part is the fold,
 * so its test metrics are the fold's score.  A candidate's folds fit side
 * by side, each round of their passes one read of the relation for all of
 * them (foldpasses.c), and candidates of one preprocessing start from the
 * folds' preparation the first made (FoldsPrepared).  Every row takes the fold its
 * draw gives (mm_fold_of_draw), a classifier's too, since dealing the rows
 * of each class in hash order needs them all at once; a search therefore
 * scores the same folds locally, in parallel workers and on a distributed
 * table's shards.  The winner is refitted in passes too.
 *
 * A linear regression without preprocessing needs no more than each fold's
 * moments: one grouped aggregate (fold_pass) serves the whole search.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "aggregates.h"
#include "aggsource.h"
#include "algorithm.h"
#include "algorithm_names.h"
#include "audit.h"
#include "catalog.h"
#include "classify.h"
#include "columns.h"
#include "dataset.h"
#include "deadline.h"
#include "fit.h"
#include "fitpasses.h"
#include "foldpasses.h"
#include "guc.h"
#include "lsq.h"
#include "model.h"
#include "moments.h"
#include "momentspass.h"
#include "params.h"
#include "params_json.h"
#include "preprocess.h"
#include "progress.h"
#include "reference.h"
#include "regmetrics.h"
#include "rowhash.h"
#include "searchspace.h"
#include "security.h"
#include "train.h"
#include "util.h"
#include "version.h"

PG_FUNCTION_INFO_V1(mm_tune);

/*
 * The smallest time budget: a search reads its rows and scores at least one
 * candidate, whatever the budget, so one smaller than this would be broken
 * at once.
 */
#define MIN_BUDGET_SECONDS 1


/* A metric a search may optimize. */
typedef struct MetricInfo
{
	const char *name;
	MmTask		task;
	bool		lower_is_better;
} MetricInfo;

static const MetricInfo metric_table[] = {
	{"r2", MM_TASK_REGRESSION, false},
	{"rmse", MM_TASK_REGRESSION, true},
	{"mae", MM_TASK_REGRESSION, true},
	{"explained_variance", MM_TASK_REGRESSION, false},
	{"accuracy", MM_TASK_CLASSIFICATION, false},
	{"precision", MM_TASK_CLASSIFICATION, false},
	{"recall", MM_TASK_CLASSIFICATION, false},
	{"f1", MM_TASK_CLASSIFICATION, false},
	{"precision_weighted", MM_TASK_CLASSIFICATION, false},
	{"recall_weighted", MM_TASK_CLASSIFICATION, false},
	{"f1_weighted", MM_TASK_CLASSIFICATION, false},
	{"log_loss", MM_TASK_CLASSIFICATION, true},
	{"roc_auc", MM_TASK_CLASSIFICATION, false},
	{"silhouette", MM_TASK_CLUSTERING, false},
	{"inertia", MM_TASK_CLUSTERING, true},
	{NULL, 0, false}
};

/* What one search needs, from the arguments. */
typedef struct Tune
{
	MmTrainSpec spec;
	Jsonb	   *search;
	const char *method;
	int			trials;
	int			folds;
	const char *metric_name;	/* as given, or NULL for the task's default */
	const MetricInfo *metric;
	double		budget;			/* seconds, or 0 for none */
	MmTask		task;
	int			nalgorithms;
	const MmAlgorithm **algorithms;
	MmSource	src;
	MmCandidateList candidates;
	MmDataset	all;
	int32	   *fold_of;
	double	  **fold_moments;	/* linear regression without preprocessing: per fold */
	double	  **fold_rows;		/* and its sample of rows, for the mae */
	size_t	   *fold_n;
	MmLsView	merged;			/* all the groups of that pass together */
	/* per fold: the last warm-startable fit, and the preprocessing it had */
	double	  **warm;
	int		   *warm_rows;
	int		   *warm_width;
	char	  **warm_key;
	char	   *snapshot;
	bool		in_passes;		/* each fold's fit in passes over the relation, not from memory */
	struct FoldsPrepared *prepared;	/* in passes: the folds' passes before the fit, latest first */
	int			evaluated;
	int			current;		/* the candidate being scored, from 1 */
	TimestampTz deadline;		/* when the budget runs out, or 0 for none */
	bool		stopped;		/* by the time budget */
} Tune;

/* Whether a search has something of the algorithm's to vary by default. */
static bool
searchable(const MmAlgorithm *algorithm)
{
	int			i;

	for (i = 0; i < algorithm->n_params; i++)
		if (algorithm->params[i].grid != NULL || algorithm->params[i].random != NULL)
			return true;
	return false;
}

/* The metrics of a task, listed for a hint. */
static char *
metrics_of(MmTask task)
{
	StringInfoData buf;
	const MetricInfo *m;

	initStringInfo(&buf);
	for (m = metric_table; m->name != NULL; m++)
		if (m->task == task)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", m->name);
	return buf.data;
}

/* The algorithms a search covers and the task they share. */
static void
choose_algorithms(Tune *t)
{
	MmTrainSpec probe = t->spec;
	const MmAlgorithm *chosen;
	const MmAlgorithm *const *all;
	int			count,
				i;

	if (strcmp(t->spec.algorithm, "auto") == 0 && t->src.target == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null for algorithm auto"),
				 errhint("Pass algorithm => '%s' to tune a clustering.",
						 MmAlgorithmForTask(MM_TASK_CLUSTERING))));
	chosen = MmChooseAlgorithm(&probe, &t->src);
	t->task = chosen->task;
	all = mm_algorithms(&count);
	t->algorithms = palloc(sizeof(MmAlgorithm *) * count);
	t->nalgorithms = 0;
	/*
	 * auto searches the algorithms of the task its tables name, in the
	 * registry's order.  Where the search would run in passes (rows beyond
	 * modelmgr.max_train_memory, a distributed relation), those that fit
	 * only from rows in memory stay out, so that the others keep their
	 * passes instead of refusing the relation, and so do those whose fit
	 * in passes takes hundreds of them.
	 */
	if (strcmp(t->spec.algorithm, "auto") == 0)
	{
		bool		in_passes = mm_train_in_passes == MM_PASSES_ON ||
			(mm_train_in_passes == MM_PASSES_AUTO && MmPassesPreferred(NULL, &t->src));

		for (i = 0; i < count; i++)
			if (all[i]->task == t->task && all[i]->auto_search && searchable(all[i]) &&
				!(in_passes && (all[i]->passes == NULL || all[i]->auto_search_memory_only)))
				t->algorithms[t->nalgorithms++] = all[i];
	}
	if (t->nalgorithms == 0)
		t->algorithms[t->nalgorithms++] = chosen;
}

static void
choose_metric(Tune *t)
{
	const MetricInfo *m;
	const char *name = t->metric_name;
	int			i;

	if (name == NULL)
		name = t->task == MM_TASK_REGRESSION ? "r2" :
			t->task == MM_TASK_CLASSIFICATION ? "f1" : "silhouette";
	for (m = metric_table; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			break;
	if (m->name == NULL || m->task != t->task)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("metric \"%s\" does not fit a %s task", name, mm_task_name(t->task)),
				 errhint("Metrics of %s: %s.", mm_task_name(t->task), metrics_of(t->task))));
	for (i = 0; i < t->nalgorithms; i++)
		if (strcmp(m->name, "log_loss") == 0 && t->algorithms[i]->proba == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("metric log_loss needs probabilities, which %s does not give",
							t->algorithms[i]->name),
					 errhint("Tune %s for log_loss, or choose another metric.",
							 MmAlgorithmList(mm_algorithm_gives_probabilities, " or "))));
	t->metric = m;
}

/* Whether some algorithm of the search takes the hyperparameter. */
static bool
taken_by_search(const Tune *t, const char *key)
{
	int			a;

	for (a = 0; a < t->nalgorithms; a++)
		if (mm_param_index(t->algorithms[a], key) >= 0)
			return true;
	return false;
}

/*
 * base with each (key, JSON value) of the candidate set, as jsonb.  Under a
 * search of several algorithms, a key another algorithm takes is dropped
 * from the candidates of those that do not; a key none takes stays, so that
 * the candidate's check reports it as mm_train would.
 */
static Jsonb *
params_with(Jsonb *base, const Tune *t, const MmCandidate *c)
{
	StringInfoData buf;
	JsonbIterator *it = JsonbIteratorInit(&base->root);
	char	   *key;
	JsonbValue	v;
	int			i;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	while (MmJsonbNextPair(&it, &key, &v))
	{
		bool		overridden = false;
		Jsonb	   *one;

		for (i = 0; i < c->space->n; i++)
			overridden |= !c->space->dims[i].preprocess && strcmp(c->space->dims[i].key, key) == 0;
		if (overridden ||
			(t->nalgorithms > 1 && mm_param_index(c->algorithm, key) < 0 && taken_by_search(t, key)))
			continue;
		one = JsonbValueToJsonb(&v);
		appendStringInfoString(&buf, first ? "" : ", ");
		MmJsonString(&buf, key);
		appendStringInfo(&buf, ": %s", MmJsonbText(one));
		first = false;
	}
	for (i = 0; i < c->space->n; i++)
		if (!c->space->dims[i].preprocess)
		{
			appendStringInfoString(&buf, first ? "" : ", ");
			MmJsonString(&buf, c->space->dims[i].key);
			appendStringInfo(&buf, ": %s", c->values[i]);
			first = false;
		}
	appendStringInfoChar(&buf, '}');
	return MmJsonbFromString(buf.data);
}

/* base with each preprocess.<path> of the candidate set, as jsonb; SPI is connected. */
static Jsonb *
preprocess_with(Jsonb *base, const MmCandidate *c)
{
	Jsonb	   *doc = base;
	int			i;

	for (i = 0; i < c->space->n; i++)
	{
		const MmDimension *d = &c->space->dims[i];
		Oid			types[3] = {JSONBOID, TEXTOID, JSONBOID};
		Datum		values[3];
		bool		isnull;

		if (!d->preprocess)
			continue;
		values[0] = JsonbPGetDatum(doc);
		values[1] = CStringGetTextDatum(d->key + strlen("preprocess."));
		values[2] = JsonbPGetDatum(MmJsonbFromString(c->values[i]));
		if (MmSpiRun("SELECT mm._jsonb_put($1, pg_catalog.string_to_array($2, '.'), $3)",
					 3, types, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not set preprocess option %s", d->key);
		doc = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	return doc;
}

/* Errors unless a candidate's settings are valid: before any data is read. */
static void
check_candidate(Tune *t, MmCandidate *c)
{
	MmPreprocess pp;
	MmParams	params;
	MmSource	src = t->src;

	MmParseParams(c->algorithm, c->params, src.nfeatures, &params);
	MmParsePreprocess(c->preprocess, &src, &pp);
}

/* Every candidate of the search, checked. */
static void
make_candidates(Tune *t)
{
	MmSpace    *user = NULL;
	int			a,
				i;

	if (t->search != NULL)
	{
		user = palloc(sizeof(MmSpace));
		MmParseSpace(t->search, user);
		for (i = 0; i < user->n; i++)
		{
			if (user->dims[i].preprocess || taken_by_search(t, user->dims[i].key))
				continue;
			if (t->nalgorithms > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("search names hyperparameter \"%s\", which no algorithm of the search takes",
								user->dims[i].key),
						 errhint("Preprocessing options are searched as \"preprocess.<option>\".")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("search names hyperparameter \"%s\", which %s does not take",
							user->dims[i].key, t->algorithms[0]->name),
					 errhint("Preprocessing options are searched as \"preprocess.<option>\".")));
		}
	}
	for (a = 0; a < t->nalgorithms; a++)
	{
		const MmAlgorithm *alg = t->algorithms[a];
		bool		random = strcmp(t->method, "random") == 0;
		bool		searched_by_auto = strcmp(t->spec.algorithm, "auto") == 0;
		MmSpace    *space = palloc0(sizeof(MmSpace));
		bool		own = false;
		int			trials = t->trials / t->nalgorithms + (a < t->trials % t->nalgorithms);

		/* the user's entries this algorithm takes, or its default space for its own */
		space->dims = palloc(sizeof(MmDimension) * (user ? user->n : 0) + sizeof(MmDimension) * 4);
		for (i = 0; user != NULL && i < user->n; i++)
			if (user->dims[i].preprocess || mm_param_index(alg, user->dims[i].key) >= 0)
			{
				own |= !user->dims[i].preprocess;
				space->dims[space->n++] = user->dims[i];
			}
		if (!own)
		{
			MmSpace		defaults;

			MmParseSpace(MmJsonbFromString(searched_by_auto && !random && alg->auto_grid != NULL ?
											alg->auto_grid : MmDefaultSpace(alg, random)),
						 &defaults);
			for (i = 0; i < defaults.n; i++)
				space->dims[space->n++] = defaults.dims[i];
		}
		MmSpaceCandidates(space, alg, t->method, Max(trials, 1), t->spec.seed, &t->candidates);
	}
	for (i = 0; i < t->candidates.n; i++)
	{
		MmCandidate *c = &t->candidates.items[i];

		c->params = params_with(t->spec.params, t, c);
		c->preprocess = preprocess_with(t->spec.preprocess, c);
		c->fold_score = palloc(sizeof(double) * t->folds);
		c->status = "not run";
		check_candidate(t, c);
	}
}

/* Orders training rows of the dataset arg by (class, content hash, position). */
static int
fold_order(const void *a, const void *b, void *arg)
{
	const MmDataset *ds = arg;
	size_t		i = *(const size_t *) a,
				j = *(const size_t *) b;

	if (ds->y[0][i] != ds->y[0][j])
		return ds->y[0][i] < ds->y[0][j] ? -1 : 1;
	if (ds->hash[0][i] != ds->hash[0][j])
		return ds->hash[0][i] < ds->hash[0][j] ? -1 : 1;
	return (i > j) - (i < j);
}

/*
 * The fold of each training row.  A classifier's rows are dealt into the
 * folds in the order of their content hash within each class, so each fold
 * keeps the classes' shares and the folds differ in size by one row at
 * most, copies of a row apart: they follow the first into its fold, since
 * a copy on each side of a fold would be scored by a fit that trained on
 * it.  Other rows take the fold their draw gives (mm_fold_of_draw), the
 * rule of the grouped aggregate pass, so a search scores the same folds
 * whichever way it reads the rows; copies share a draw, and a fold.
 */
static void
assign_folds(Tune *t)
{
	size_t		n = t->all.n[0],
				r;
	int			deal = 0,
				f;
	int		   *count = palloc0(sizeof(int) * t->folds);

	t->fold_of = palloc(sizeof(int32) * Max(n, 1));
	if (t->all.label_kind == 0)
	{
		for (r = 0; r < n; r++)
		{
			t->fold_of[r] = mm_fold_of_draw(mm_row_draw(t->all.hash[0][r], t->all.salt), t->folds);
			if ((r & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	else
	{
		/* smaller than a copy of the rows, which MmDatasetRequireFoldRoom made room for */
		size_t	   *order = palloc(sizeof(size_t) * Max(n, 1));

		for (r = 0; r < n; r++)
			order[r] = r;
		qsort_arg(order, n, sizeof(size_t), fold_order, &t->all);
		for (r = 0; r < n; r++)
		{
			size_t		i = order[r],
						before = r > 0 ? order[r - 1] : 0;

			if (r > 0 && t->all.y[0][i] == t->all.y[0][before] &&
				t->all.hash[0][i] == t->all.hash[0][before])
			{
				t->fold_of[i] = t->fold_of[before];
				continue;
			}
			/* each class starts where the last left off, so fold sizes stay even */
			t->fold_of[i] = deal;
			deal = (deal + 1) % t->folds;
		}
		pfree(order);
	}
	for (r = 0; r < n; r++)
		count[t->fold_of[r]]++;
	for (f = 0; f < t->folds; f++)
		if (count[f] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fold %d of %d has no training rows", f + 1, t->folds),
					 errhint("Lower folds, or lower test_size.")));
	pfree(count);
}

/* Reads the rows once and checks they can be cut into the folds. */
static void
load_rows(Tune *t)
{
	MmLabelKind kind = t->task == MM_TASK_CLASSIFICATION ? MmLabelKindOf(t->src.target_type) : 0;
	MmTrainContext ctx;
	int			j;

	/* each row's hash deals it into its fold */
	memset(&ctx, 0, sizeof(ctx));
	ctx.keep_hashes = true;
	t->snapshot = MmDatasetLoadTraining(&t->all, &t->src, kind, t->task == MM_TASK_REGRESSION,
										t->spec.test_size, t->spec.seed, &ctx);
	if (kind != 0)
		MmDatasetOrderLabels(&t->all);
	MmDatasetRequireFoldRoom(&t->all, t->src.display);
	for (j = 0; j < t->all.p; j++)
		if (t->all.nonfinite_count[j] > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature \"%s\" is NaN or infinite in " INT64_FORMAT " rows of relation %s",
							t->src.features[j], t->all.nonfinite_count[j], t->src.display),
					 errhint("Filter those rows out, for example through a view.")));
	if (t->all.nonfinite_target > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("target \"%s\" is NaN or infinite in " INT64_FORMAT " rows of relation %s",
						t->src.target, t->all.nonfinite_target, t->src.display)));
	if (t->all.n[0] < (size_t) t->folds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds = %d needs at least as many training rows, and there are %zu",
						t->folds, t->all.n[0]),
				 errhint("Lower folds, or lower test_size.")));
	if (kind != 0)
	{
		int64	   *count = palloc0(sizeof(int64) * Max(t->all.nlabels, 1));
		size_t		r;
		int			k;

		for (r = 0; r < t->all.n[0]; r++)
			count[t->all.y[0][r]]++;
		for (k = 0; k < t->all.nlabels; k++)
			if (count[k] < t->folds)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("class \"%s\" has " INT64_FORMAT " training rows, fewer than folds = %d",
								t->all.labels[k], count[k], t->folds),
						 errdetail("Every fold's training rows must hold every class."),
						 errhint("Lower folds, or leave the rare class out through a view.")));
		if (strcmp(t->metric->name, "roc_auc") == 0 && t->all.nlabels != 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("metric roc_auc needs two classes, and target \"%s\" has %d",
							t->src.target, t->all.nlabels)));
	}
}

static double
seconds_since(TimestampTz start)
{
	return (double) (GetCurrentTimestamp() - start) / USECS_PER_SEC;
}

/*
 * An algorithm whose table gives a warm start (logistic regression's)
 * starts from the fit of its candidate before on the same fold, when it had
 * the same preprocessing (so the same columns): a neighbouring penalty's
 * optimum is a few steps from this one's.  key names the algorithm and the
 * preprocessing.  Sets ctx's warm start when there is one.
 */
static void
warm_start_from(const Tune *t, const MmCandidate *c, int f, const char *key, MmTrainContext *ctx)
{
	if (c->algorithm->warm_start == NULL || t->warm == NULL || t->warm[f] == NULL ||
		strcmp(t->warm_key[f], key) != 0)
		return;
	ctx->warm_start = t->warm[f];
	ctx->warm_rows = t->warm_rows[f];
	ctx->warm_width = t->warm_width[f];
}

static void
keep_warm_start(Tune *t, const MmCandidate *c, int f, const char *key, const MmModel *m)
{
	if (m->algorithm->warm_start == NULL)
		return;
	if (t->warm == NULL)
	{
		t->warm = palloc0(sizeof(double *) * t->folds);
		t->warm_rows = palloc0(sizeof(int) * t->folds);
		t->warm_width = palloc0(sizeof(int) * t->folds);
		t->warm_key = palloc0(sizeof(char *) * t->folds);
	}
	/* the algorithm's coefficients, as a later fit of its may start from them */
	t->warm[f] = m->algorithm->warm_start(m, &t->warm_rows[f], &t->warm_width[f]);
	t->warm_key[f] = pstrdup(key);
}

/* A copy of src whose arrays a fold's fit may narrow, in the current memory context. */
static void
copy_source(const MmSource *from, MmSource *src)
{
	*src = *from;
	src->features = palloc(sizeof(char *) * src->nfeatures);
	memcpy(src->features, from->features, sizeof(char *) * src->nfeatures);
	src->feature_types = palloc(sizeof(Oid) * src->nfeatures);
	memcpy(src->feature_types, from->feature_types, sizeof(Oid) * src->nfeatures);
	src->feature_kinds = palloc(src->nfeatures);
	memcpy(src->feature_kinds, from->feature_kinds, src->nfeatures);
	if (from->columns != NULL)
	{
		src->columns = palloc(sizeof(char *) * src->nfeatures);
		memcpy(src->columns, from->columns, sizeof(char *) * src->nfeatures);
		src->date_parts = palloc(src->nfeatures);
		memcpy(src->date_parts, from->date_parts, src->nfeatures);
	}
}

/* The fold's score of a fit, from its test metrics; errors when the metric is undefined. */
static double
fold_score(const Tune *t, const MmTrained *trained, int f)
{
	Jsonb	   *metrics = MmJsonbFromString(trained->metrics);
	JsonbValue *test,
			   *score;
	double		value;

	test = getKeyJsonValueFromContainer(&metrics->root, "test", 4, NULL);
	score = test != NULL && test->type == jbvBinary ?
		getKeyJsonValueFromContainer(test->val.binary.data, t->metric->name,
									 strlen(t->metric->name), NULL) : NULL;
	value = score != NULL ? MmJsonbNumber(score) : NAN;
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("metric %s is undefined on fold %d", t->metric->name, f + 1)));
	return value;
}

/*
 * The passes before the fit of every fold (discovery, profile, statistics
 * and the preprocessing fitted from them) for candidates whose
 * preprocessing is the same: of one algorithm (its design's passes are
 * its own), one preprocess document and one coding of text features
 * (MmReferenceCoding).  Those passes see the fold's rows and nothing of the
 * candidate else, so a candidate of the same key starts from them, as
 * they were, instead of reading the relation for them again.
 */
typedef struct FoldsPrepared
{
	char	   *key;
	MemoryContext cxt;			/* holds all of it */
	MmSource   *srcs;			/* per fold: the source as the preprocessing narrowed it */
	MmPassesData *data;			/* per fold */
	struct FoldsPrepared *next;
} FoldsPrepared;

/*
 * The preparations kept: a search varies a penalty far more often than
 * the preprocessing, and each keeps the column statistics of every fold.
 */
#define FOLDS_PREPARED_KEPT 2

/* The key of c's preparation (see FoldsPrepared). */
static char *
prepared_key(const MmCandidate *c, int nfeatures)
{
	MmParams	params;

	MmParseParams(c->algorithm, c->params, nfeatures, &params);
	return psprintf("%s %d %s", c->algorithm->name, (int) MmReferenceCoding(c->algorithm, &params),
					MmJsonbText(c->preprocess));
}

/* The preparation of key, moved to the front of the kept ones; NULL when none is kept. */
static FoldsPrepared *
find_prepared(Tune *t, const char *key)
{
	FoldsPrepared **link;

	for (link = &t->prepared; *link != NULL; link = &(*link)->next)
		if (strcmp((*link)->key, key) == 0)
		{
			FoldsPrepared *found = *link;

			*link = found->next;
			found->next = t->prepared;
			t->prepared = found;
			return found;
		}
	return NULL;
}

/* Keeps fp as the latest preparation, letting the oldest past FOLDS_PREPARED_KEPT go. */
static void
keep_prepared(Tune *t, FoldsPrepared *fp)
{
	FoldsPrepared *p;
	int			kept = 1;

	fp->next = t->prepared;
	t->prepared = fp;
	for (p = fp; p->next != NULL; p = p->next)
		if (++kept > FOLDS_PREPARED_KEPT)
		{
			MemoryContextDelete(p->next->cxt);
			p->next = NULL;
			break;
		}
}

/*
 * Fits c on every fold in passes, the folds side by side (foldpasses.h),
 * into c's fold scores.  What the fits allocate (their passes' states and
 * designs) is freed once they are scored.
 */
static void
cross_validate_in_passes(Tune *t, MmCandidate *c, const char *key)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext folds_cxt = AllocSetContextCreate(outer, "mm_tune folds", ALLOCSET_DEFAULT_SIZES);
	MmTrainSpec spec = t->spec;
	MmTrainContext *ctxs;
	MmTrained  *trained;
	char	   *prep_key = prepared_key(c, t->src.nfeatures);
	FoldsPrepared *fp = find_prepared(t, prep_key);
	MemoryContext prep_cxt = NULL;
	int			f;

	/* a new preparation's memory lives on with it: an error leaves it to the search's */
	if (fp == NULL)
	{
		fp = MemoryContextAllocZero(outer, sizeof(FoldsPrepared));
		fp->key = MemoryContextStrdup(outer, prep_key);
		prep_cxt = fp->cxt = AllocSetContextCreate(outer, "mm_tune folds prepared",
												   ALLOCSET_DEFAULT_SIZES);
		fp->srcs = MemoryContextAlloc(prep_cxt, sizeof(MmSource) * t->folds);
		fp->data = MemoryContextAllocZero(prep_cxt, sizeof(MmPassesData) * t->folds);
		MemoryContextSwitchTo(prep_cxt);
		for (f = 0; f < t->folds; f++)
			copy_source(&t->src, &fp->srcs[f]);
	}
	MemoryContextSwitchTo(folds_cxt);
	ctxs = palloc0(sizeof(MmTrainContext) * t->folds);
	trained = palloc0(sizeof(MmTrained) * t->folds);
	spec.algorithm = (char *) c->algorithm->name;
	spec.params = c->params;
	spec.preprocess = c->preprocess;
	for (f = 0; f < t->folds; f++)
	{
		ctxs[f].pass_folds = t->folds;
		ctxs[f].pass_fold = f;
		warm_start_from(t, c, f, key, &ctxs[f]);
	}
	MmProgressUpdate(t->current, c->algorithm->name, 1);
	MmFitFoldsInPasses(&spec, c->algorithm, fp->srcs, ctxs, fp->data, prep_cxt, t->folds, trained);
	if (prep_cxt != NULL)
		keep_prepared(t, fp);
	MemoryContextSwitchTo(outer);
	/* fits without iterations check the budget once their folds are done */
	MmCheckFitDeadline();
	for (f = 0; f < t->folds; f++)
	{
		keep_warm_start(t, c, f, key, &trained[f].model);
		c->fold_score[f] = fold_score(t, &trained[f], f);
	}
	MemoryContextDelete(folds_cxt);
	MmProgressUpdate(t->current, c->algorithm->name, t->folds);
}

/* Fits c on each fold of the rows in memory and scores it on the fold. */
static void
cross_validate_in_memory(FunctionCallInfo fcinfo, Tune *t, MmCandidate *c, const char *key)
{
	int			f;

	for (f = 0; f < t->folds; f++)
	{
		MmDatasetFold fold = {&t->all, t->fold_of, f, t->snapshot};
		MmTrainContext ctx;
		MmTrainSpec spec = t->spec;
		MmSource	src;
		MmTrained	trained;

		/*
		 * What a fold's fit allocates (a copy of its rows) is freed with it:
		 * a search fits candidates times folds models in one call.
		 */
		MemoryContext outer = CurrentMemoryContext;
		MemoryContext fold_cxt = AllocSetContextCreate(outer, "mm_tune fold", ALLOCSET_DEFAULT_SIZES);

		MemoryContextSwitchTo(fold_cxt);
		copy_source(&t->src, &src);
		spec.algorithm = (char *) c->algorithm->name;
		spec.params = c->params;
		spec.preprocess = c->preprocess;
		MmProgressUpdate(t->current, c->algorithm->name, f + 1);
		memset(&ctx, 0, sizeof(ctx));
		ctx.rows = &fold;
		warm_start_from(t, c, f, key, &ctx);
		MmFitAlgorithm(fcinfo, &spec, &src, c->algorithm, &ctx, &trained);
		MemoryContextSwitchTo(outer);
		keep_warm_start(t, c, f, key, &trained.model);
		c->fold_score[f] = fold_score(t, &trained, f);
		MemoryContextDelete(fold_cxt);
		CHECK_FOR_INTERRUPTS();
		/* fits without iterations check the budget between folds */
		MmCheckFitDeadline();
	}
}

/* Fits c on each fold and scores it on the fold; errors propagate. */
static void
cross_validate(FunctionCallInfo fcinfo, Tune *t, MmCandidate *c)
{
	int			f;
	double		sum = 0.0,
				sq = 0.0;
	const char *key = psprintf("%s %s", c->algorithm->name, MmJsonbText(c->preprocess));

	if (t->in_passes)
		cross_validate_in_passes(t, c, key);
	else
		cross_validate_in_memory(fcinfo, t, c, key);
	for (f = 0; f < t->folds; f++)
	{
		sum += c->fold_score[f];
		sq += c->fold_score[f] * c->fold_score[f];
	}
	c->mean = sum / t->folds;
	/* the folds' spread, as scikit-learn's cv_results_ reports it (n in the denominator) */
	c->sd = sqrt(Max(sq / t->folds - c->mean * c->mean, 0.0));
}

/*
 * Whether the folds' fits run in passes over the relation (fitpasses.c)
 * instead of from its rows read into memory: the rule of a training
 * (fit.c), over every candidate.  Under auto, when the rows (with what a
 * candidate's preprocessing keeps beside them) would not fit
 * modelmgr.max_train_memory or are distributed (for a candidate that
 * passes as it would train, MmPassesPreferredFor) and every candidate can
 * train in passes; under on, always, and a candidate that cannot is an
 * error before any row is read.
 */
static bool
tune_in_passes(const Tune *t)
{
	int			i;
	bool		preferred = false;

	if (mm_train_in_passes == MM_PASSES_OFF)
		return false;
	for (i = 0; i < t->candidates.n; i++)
	{
		const MmCandidate *c = &t->candidates.items[i];
		MmTrainSpec spec = t->spec;
		MmParams	params;
		const char *obstacle;

		spec.params = c->params;
		spec.preprocess = c->preprocess;
		MmParseParams(c->algorithm, c->params, t->src.nfeatures, &params);
		obstacle = MmPassesObstacle(&spec, &t->src, c->algorithm, &params);
		if (obstacle == NULL)
		{
			/* the rows, with what the candidate's preprocessing keeps beside them */
			preferred |= MmPassesPreferredFor(c->algorithm, &spec, &t->src);
			continue;
		}
		if (mm_train_in_passes == MM_PASSES_ON)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot tune %s in passes", c->algorithm->name),
					 errdetail("Candidate %d: %s", i + 1, obstacle),
					 errhint("Set modelmgr.train_in_passes to auto or off to tune in memory.")));
		return false;
	}
	return mm_train_in_passes == MM_PASSES_ON || preferred;
}

/*
 * A regression that fits from the moments pass (its table says so,
 * aggsource.c), without preprocessing, needs only the moments of each fold:
 * a candidate's fit on the other folds comes from their merged moments, and
 * its score on the fold from the fold's own.
 */
static bool
moments_suffice(const Tune *t)
{
	int			i,
				j;

	for (i = 0; i < t->candidates.n; i++)
		if (t->candidates.items[i].algorithm->task != MM_TASK_REGRESSION ||
			!MmAggregateServes(t->candidates.items[i].algorithm) ||
			!MmPreprocessIsEmpty(t->candidates.items[i].preprocess))
			return false;
	for (j = 0; j < t->src.nfeatures; j++)
		if (t->src.feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			return false;
	return MmFoldQuery(&t->src, "mm") != NULL;
}

/*
 * The one pass of a linear regression's search (MmFoldQuery), in parallel
 * where the planner chooses.  Each fold keeps its moments and its sample of
 * rows (for the mae); all the states merged are the state a plain training
 * pass makes, which the winner is refitted from.
 */
static void
fold_pass(FunctionCallInfo fcinfo, Tune *t)
{
	char	   *query = MmFoldQuery(&t->src, MmExtensionSchema());
	Oid			types[5] = {FLOAT8OID, INT4OID, INT4OID, FLOAT8OID, INT4OID};
	Datum		values[5];
	void	  **states;
	void	   *merged = NULL;
	bool		isnull;
	Datum		d;
	int			n,
				i;

	values[0] = Float8GetDatum(t->spec.test_size);
	values[1] = Int32GetDatum(t->spec.seed);
	values[2] = Int32GetDatum(mm_metric_sample_rows);
	values[3] = Float8GetDatum(MmEstimatedRows(t->src.relid));
	values[4] = Int32GetDatum(t->folds);
	ereport(DEBUG1, (errmsg_internal("modelmgr tuning query: %s", query)));
	if (MmSpiRun(query, 5, types, values, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "tuning query failed");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows", t->src.display)));
	t->snapshot = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	n = MmCvStates(d, &states);
	if (n != t->folds + 1)
		elog(ERROR, "the tuning pass made %d states for %d folds", n, t->folds);
	t->fold_moments = palloc0(sizeof(double *) * t->folds);
	t->fold_rows = palloc0(sizeof(double *) * t->folds);
	t->fold_n = palloc0(sizeof(size_t) * t->folds);
	for (i = 0; i < n; i++)
	{
		MmLsView	view;

		mm_ls_view(states[i], &view);
		mm_ls_finish(&view);
		if (i < t->folds)
		{
			t->fold_moments[i] = view.part[0];
			t->fold_rows[i] = view.sample_row[0];
			t->fold_n[i] = view.head->sample_count[0];
		}
		if (merged == NULL)
		{
			size_t		len = mm_ls_size(view.p, view.head->sample_alloc);

			merged = palloc(len);
			memcpy(merged, states[i], len);
		}
		else
			merged = MmLsMerge(merged, states[i]);
	}
	mm_ls_view(merged, &t->merged);
	mm_ls_finish(&t->merged);
	MmCheckCounts(&t->merged, &t->src);
	if (t->merged.part[0][0] < t->folds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds = %d needs at least as many training rows, and there are %.0f",
						t->folds, t->merged.part[0][0]),
				 errhint("Lower folds, or lower test_size.")));
	for (i = 0; i < t->folds; i++)
		if (t->fold_moments[i][0] < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("fold %d of %d has no training rows", i + 1, t->folds),
					 errhint("Lower folds, or lower test_size.")));
	/* the mae comes from each fold's sample, as a plain training's does */
	if (strcmp(t->metric->name, "mae") != 0)
		memset(t->fold_rows, 0, sizeof(double *) * t->folds);
}

/* Cross-validation of a regression from the folds' moments. */
static void
cross_validate_moments(Tune *t, MmCandidate *c)
{
	int			p = t->src.nfeatures,
				d = p + 1,
				len = mm_moments_len(d),
				f,
				g;
	double	   *train = palloc(sizeof(double) * len);
	double	   *scratch = palloc(sizeof(double) * d);
	double		sum = 0.0,
				sq = 0.0;
	MmTrainSpec spec = t->spec;

	spec.params = c->params;
	for (f = 0; f < t->folds; f++)
	{
		MmParams	params;
		MmModel		model;
		MmRegressionMetrics m;
		double		score,
					intercept;
		const double *coef;

		memset(train, 0, sizeof(double) * len);
		for (g = 0; g < t->folds; g++)
			if (g != f)
				mm_moments_merge(train, t->fold_moments[g], d, scratch);
		MmParseParams(c->algorithm, c->params, p, &params);
		MmFitFromMoments(&spec, &t->src, c->algorithm, train, &params, &model);
		/* fitted from the moments pass, the model is linear */
		coef = model.algorithm->linear_form(&model, &intercept);
		mm_regression_metrics_linear(t->fold_moments[f], p, intercept, coef, t->fold_rows[f],
									 t->fold_rows[f] ? (int) t->fold_n[f] : 0, &m);
		score = strcmp(t->metric->name, "r2") == 0 ? m.r2 :
			strcmp(t->metric->name, "rmse") == 0 ? m.rmse :
			strcmp(t->metric->name, "mae") == 0 ? m.mae : m.explained_variance;
		if (!isfinite(score))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("metric %s is undefined on fold %d", t->metric->name, f + 1)));
		c->fold_score[f] = score;
		sum += score;
		sq += score * score;
	}
	c->mean = sum / t->folds;
	c->sd = sqrt(Max(sq / t->folds - c->mean * c->mean, 0.0));
}

typedef struct ScoreCall
{
	FunctionCallInfo fcinfo;
	Tune	   *tune;
	MmCandidate *candidate;
} ScoreCall;

static void
run_score(void *arg)
{
	ScoreCall  *call = arg;
	int			level = NewGUCNestLevel();

	/* the fits' notices, once per fold, would drown the search's own */
	(void) set_config_option("client_min_messages", "warning", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (call->tune->fold_moments != NULL)
		cross_validate_moments(call->tune, call->candidate);
	else
		cross_validate(call->fcinfo, call->tune, call->candidate);
	AtEOXact_GUC(true, level);
}

/*
 * Scores a candidate in a subtransaction: a candidate whose settings fail on
 * these rows (k-means with more clusters than a fold's rows, say) is
 * recorded as failed and the search goes on; a cancel ends it.  Under a
 * time budget (limited: once a candidate has a score) the fits stop
 * between iterations once it runs out (deadline.c), and the candidate is
 * recorded as failed with the time budget as its error; the search then
 * ends.
 */
static void
score_candidate(FunctionCallInfo fcinfo, Tune *t, MmCandidate *c, bool limited)
{
	TimestampTz start = GetCurrentTimestamp();
	ScoreCall	call = {fcinfo, t, c};
	ErrorData  *edata;
	bool		ok;

	limited = limited && t->deadline != 0;
	if (limited)
		MmSetFitDeadline(t->deadline);
	/* an error that ends the call clears the deadline in tune_body */
	ok = MmTrySubtransaction(run_score, &call, &edata);
	MmClearFitDeadline();
	c->seconds = seconds_since(start);
	if (ok)
		c->status = "ok";
	else
	{
		bool		timed_out = limited && MmFitDeadlinePassed();

		c->status = "failed";
		c->error = timed_out ?
			psprintf("stopped by the time budget after %.1f s", c->seconds) : pstrdup(edata->message);
		FreeErrorData(edata);
		t->stopped |= timed_out;
	}
}

static bool
better(const Tune *t, const MmCandidate *a, const MmCandidate *b)
{
	return t->metric->lower_is_better ? a->mean < b->mean : a->mean > b->mean;
}

/* Writes every candidate to mm._trials under the version the winner became. */
static void
record_trials(Tune *t, const MmTrainedVersion *v)
{
	int			i,
				f;

	for (i = 0; i < t->candidates.n; i++)
	{
		MmCandidate *c = &t->candidates.items[i];
		Oid			types[13] = {TEXTOID, INT4OID, INT4OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		FLOAT8OID, FLOAT8OID, TEXTOID, FLOAT8OID, TEXTOID, TEXTOID};
		Datum		values[13];
		char		nulls[14] = "             ";
		StringInfoData scores;
		bool		ok = strcmp(c->status, "ok") == 0;

		initStringInfo(&scores);
		appendStringInfoChar(&scores, '{');
		for (f = 0; ok && f < t->folds; f++)
		{
			if (f)
				appendStringInfoChar(&scores, ',');
			MmJsonNumber(&scores, c->fold_score[f]);
		}
		appendStringInfoChar(&scores, '}');
		values[0] = CStringGetTextDatum(t->spec.model);
		values[1] = Int32GetDatum(v->version);
		values[2] = Int32GetDatum(i + 1);
		values[3] = CStringGetTextDatum(c->algorithm->name);
		values[4] = CStringGetTextDatum(MmJsonbText(c->params));
		values[5] = CStringGetTextDatum(MmJsonbText(c->preprocess));
		values[6] = CStringGetTextDatum(t->metric->name);
		values[7] = Float8GetDatum(c->mean);
		values[8] = Float8GetDatum(c->sd);
		values[9] = CStringGetTextDatum(scores.data);
		values[10] = Float8GetDatum(c->seconds);
		values[11] = CStringGetTextDatum(c->status);
		values[12] = c->error ? CStringGetTextDatum(c->error) : (Datum) 0;
		if (!ok)
			nulls[7] = nulls[8] = nulls[9] = 'n';
		if (strcmp(c->status, "not run") == 0)
			nulls[10] = 'n';
		if (c->error == NULL)
			nulls[12] = 'n';
		MmCatalogExec("INSERT INTO mm._trials (model, version, trial, algorithm, params, preprocess, metric, "
					  "cv_mean, cv_std, fold_scores, fit_time, status, error) "
					  "VALUES ($1, $2, $3, $4, $5::pg_catalog.jsonb, $6::pg_catalog.jsonb, $7, $8, $9, "
					  "$10::pg_catalog.float8[], $11 OPERATOR(pg_catalog.*) pg_catalog.interval '1 second', $12, $13)",
					  13, types, values, nulls, SPI_OK_INSERT);
	}
}

/* The search's summary, merged into the version's metrics. */
static char *
cv_summary(const Tune *t, const MmCandidate *best)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"cv\": {\"metric\": \"%s\", \"folds\": %d, \"mean\": ", t->metric->name, t->folds);
	MmJsonNumber(&buf, best->mean);
	appendStringInfoString(&buf, ", \"std\": ");
	MmJsonNumber(&buf, best->sd);
	appendStringInfo(&buf, ", \"candidates\": %d, \"evaluated\": %d, \"stopped_by_time_budget\": %s}}",
					 t->candidates.n, t->evaluated, t->stopped ? "true" : "false");
	return buf.data;
}

/* Searches, refits the best and records everything; SPI is connected. */
static void
tune_connected(FunctionCallInfo fcinfo, Tune *t, MmAuditCall *call)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz start = GetCurrentTimestamp();
	MmCandidate *best = NULL;
	MmTrainedVersion v;
	MmTrainSpec spec;
	MmTrainContext ctx;
	MmDatasetFold whole;
	int			i;
	Datum		out[6];
	bool		out_nulls[6] = {false, false, false, false, false, false};
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	bool		isnull;
	Datum		metrics;

	MmRequireCurrentSchema();
	MmCheckTrainPrivileges(t->spec.model, t->spec.deploy);
	MmResolveSource(&t->spec, &t->src);
	choose_algorithms(t);
	choose_metric(t);
	make_candidates(t);

	/* the one read */
	if (moments_suffice(t))
		fold_pass(fcinfo, t);
	/* a constant feature is left out by the fit from rows in memory (preprocess.c) */
	if (t->fold_moments == NULL || MmAggregateHasConstantFeature(&t->merged))
	{
		t->fold_moments = NULL;
		t->in_passes = tune_in_passes(t);
		if (!t->in_passes)
		{
			load_rows(t);
			assign_folds(t);
		}
	}

	MmProgressStart(t->spec.model, t->candidates.n, t->folds);
	if (t->budget > 0)
		t->deadline = start + (TimestampTz) (t->budget * USECS_PER_SEC);
	for (i = 0; i < t->candidates.n && !t->stopped; i++)
	{
		MmCandidate *c = &t->candidates.items[i];

		t->current = i + 1;
		MmProgressUpdate(t->current, c->algorithm->name, 0);
		/*
		 * Once a candidate has a score, the budget stops the search: between
		 * candidates, or inside a candidate's fit (score_candidate).  The
		 * first one runs to its end, so that a search always has a winner.
		 */
		if (t->budget > 0 && best != NULL && GetCurrentTimestamp() >= t->deadline)
		{
			t->stopped = true;
			break;
		}
		score_candidate(fcinfo, t, c, best != NULL);
		t->evaluated++;
		if (strcmp(c->status, "ok") == 0 && (best == NULL || better(t, c, best)))
			best = c;
		if (mm_tune_progress_notices)
			ereport(NOTICE,
					(errmsg("candidate %d of %d, %s %s: %s", i + 1, t->candidates.n, c->algorithm->name,
							MmJsonbText(c->params),
							strcmp(c->status, "ok") == 0 ?
							psprintf("%s %.6g ± %.2g in %.2f s", t->metric->name, c->mean, c->sd, c->seconds) :
							psprintf("failed: %s", c->error))));
	}
	if (t->stopped)
		ereport(NOTICE,
				(errmsg("the time budget ran out after %d of %d candidates", t->evaluated, t->candidates.n)));
	if (best == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("no candidate of the search could be scored"),
				 errdetail("The first failed with: %s", t->candidates.items[0].error)));

	/*
	 * The winner, refitted on the whole training part from what was read:
	 * the folds' merged moments, or the rows in memory as they were split;
	 * a search in passes refits in passes, as a training of it would.
	 */
	spec = t->spec;
	spec.algorithm = (char *) best->algorithm->name;
	spec.params = best->params;
	spec.preprocess = best->preprocess;
	memset(&ctx, 0, sizeof(ctx));
	if (t->fold_moments != NULL)
	{
		ctx.moments = &t->merged;
		ctx.moments_snapshot = t->snapshot;
	}
	else if (!t->in_passes)
	{
		whole.all = &t->all;
		whole.fold_of = t->fold_of;
		whole.fold = -1;
		whole.snapshot = t->snapshot;
		ctx.rows = &whole;
	}
	MmTrainVersion(fcinfo, &spec, &ctx, call, &v);
	record_trials(t, &v);
	values[0] = Int64GetDatum(v.version_id);
	values[1] = CStringGetTextDatum(cv_summary(t, best));
	MmCatalogExec("UPDATE mm._versions SET metrics = metrics OPERATOR(pg_catalog.||) $2::pg_catalog.jsonb "
				  "WHERE id OPERATOR(pg_catalog.=) $1 RETURNING metrics", 2, types, values, NULL, SPI_OK_UPDATE_RETURNING);
	metrics = MmCatalogGet(0, 1, &isnull);

	InitMaterializedSRF(fcinfo, 0);
	out[0] = CStringGetTextDatum(t->spec.model);
	out[1] = Int32GetDatum(v.version);
	out[2] = CStringGetTextDatum(best->algorithm->name);
	out[3] = JsonbPGetDatum(MmJsonbFromString(v.trained->params));
	out[4] = metrics;
	out[5] = BoolGetDatum(v.deployed);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, out_nulls);
}

/* Body of mm_tune. */
static Datum
tune_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	Tune	   *t = palloc0(sizeof(Tune));
	MmTrainSpec *spec = &t->spec;
	char	   *metric;

	MmReadTrainTarget(fcinfo, spec, call);
	if (!PG_ARGISNULL(4))
	{
		t->search = PG_GETARG_JSONB_P(4);
		MmAuditArgJson(call, "search", MmJsonbText(t->search));
	}
	t->method = MmArgCString(fcinfo, 5, "method");
	MmAuditArgText(call, "method", t->method);
	MmRequireArg(fcinfo, 6, "trials");
	t->trials = PG_GETARG_INT32(6);
	MmAuditArgNumber(call, "trials", t->trials);
	MmRequireArg(fcinfo, 7, "folds");
	t->folds = PG_GETARG_INT32(7);
	MmAuditArgNumber(call, "folds", t->folds);
	metric = MmArgCStringOrNull(fcinfo, 8);
	MmAuditArgText(call, "metric", metric);
	MmReadTrainRecipe(fcinfo, 9, spec, call);
	if (!PG_ARGISNULL(16))
	{
		Interval   *budget = PG_GETARG_INTERVAL_P(16);

		t->budget = budget->time / 1e6 + budget->day * 86400.0 + budget->month * 30.0 * 86400.0;
		MmAuditArgNumber(call, "time_budget_seconds", t->budget);
		if (!(t->budget >= MIN_BUDGET_SECONDS))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_budget is too small for one candidate"),
					 errdetail("A search reads the rows and scores at least one candidate; it needs at least %d second.",
							   MIN_BUDGET_SECONDS),
					 errhint("Give at least '%d second', or leave time_budget null.", MIN_BUDGET_SECONDS)));
	}

	if (mm_algorithm_by_name(spec->algorithm) != NULL &&
		mm_algorithm_by_name(spec->algorithm)->task == MM_TASK_DECOMPOSITION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot be tuned by cross-validation", spec->algorithm),
				 errdetail("More components always keep more variance, so no score chooses among them."),
				 errhint("Train it with params => '{\"n_components\": 0.95}' to keep a share of the variance.")));
	if (strcmp(t->method, "grid") != 0 && strcmp(t->method, "random") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method \"%s\" is not valid", t->method),
				 errhint("Valid methods: grid, random.")));
	if (t->trials < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trials must be at least 1, not %d", t->trials)));
	if (t->folds < 2 || t->folds > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds must be between 2 and 100, not %d", t->folds)));
	MmCheckTrainSpec(spec);
	t->metric_name = metric;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PG_TRY();
	{
		tune_connected(fcinfo, t, call);
	}
	PG_FINALLY();
	{
		MmClearFitDeadline();
		MmProgressEnd();
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}

Datum
mm_tune(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_tune", tune_body);
}
