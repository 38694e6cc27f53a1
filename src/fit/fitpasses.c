/*
 * fitpasses.c: training in passes over the relation (see fit.c for when).
 *
 * The rows are never held.  Everything the fit in memory learns from them
 * comes from aggregates that run where the rows are, in parallel workers or
 * on a distributed database's shards:
 *
 *  1. the labels of a classifier and the values of each text feature, with
 *     their rows per part of the split, counted in the read of step 2
 *     (discoverpass.c; by queries of their own, discover.c, only where that
 *     read could not count them in full);
 *  2. the column profile (designpasses.h) over the rows as read: rows per
 *     part, NULLs and non-finite values per feature, and per numeric feature
 *     its training rows' count, range and sum; the checks the fit in memory
 *     makes of the rows it read, made of these counts;
 *  3. the column statistics (column_stats.h) of the training rows as read,
 *     NULLs as missing values: moments and range per feature, and a
 *     quantile sketch of each feature preprocessing takes quantiles of,
 *     and a second such pass over the imputed, clipped columns
 *     where a clipped feature is scaled to unit variance or a variance
 *     threshold is set (prepstats.h); the first such pass and the profile
 *     are one read of the relation (designpasses.h);
 *  4. the preprocessing fitted from those: what needs no more than a range
 *     (impute zero or a constant, scale none or to the range) from the
 *     profile, exactly as the fit in memory fits it; the rest (mean and
 *     median imputation, clipping, standard and robust scaling, the
 *     variance threshold) from the statistics, equal to the fit in memory's
 *     to rounding, and its quantiles within the sketch's rank error;
 *  5. the algorithm's own passes, over the rows put through that design
 *     (passdesign.h) inside the aggregate;
 *  6. the metrics of both parts, by one pass of the fitted model that keeps
 *     a state per part.
 *
 * The baseline's feature profiles come from the statistics of step 3 (and
 * the text features' counts of step 1); the predictions' profile from a
 * bounded sample of the relation, which the model predicts.  The most
 * frequent number comes from a grouping query before step 3 (prepmode.h),
 * feature selection from one more pass after step 4 (selectpasses.h).
 * Dropping duplicate rows reads the relation's distinct rows in every step
 * (dedupepasses.h), after a first read of the rows as the relation holds
 * them, which the fit in memory checks and records, and the baseline
 * profiles.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "baseline.h"
#include "column_stats.h"
#include "catalog.h"
#include "citusmeta.h"
#include "classify.h"
#include "columns.h"
#include "dataset.h"
#include "dedupepasses.h"
#include "designpasses.h"
#include "evalarg.h"
#include "evalpasses.h"
#include "fitpasses.h"
#include "guc.h"
#include "kmeans.h"
#include "linear_moments.h"
#include "mmcore.h"
#include "model.h"
#include "passagg.h"
#include "passdesign.h"
#include "passstate.h"
#include "prepmode.h"
#include "prepstats.h"
#include "reference.h"
#include "relsource.h"
#include "selectpasses.h"
#include "security.h"
#include "unsupervised.h"
#include "util.h"
#include "viewsample.h"

/*
 * Whether the model's fit and metrics can run as passes: a fit the
 * algorithm's table says runs on passes (the metrics of every task have a
 * pass: a linear form's from its coefficients, the others' from the model
 * itself, evalpasses.h).
 */
static bool
algorithm_runs_in_passes(const MmAlgorithm *algorithm)
{
	return algorithm->passes != NULL && algorithm->passes[0] != NULL;
}

/*
 * Whether a numeric feature's preprocessing needs the column statistics:
 * anything beyond imputing a fixed value and scaling to the range, which
 * the profile's range gives.
 */
static bool
needs_statistics(const MmPreprocess *pp, const MmColumnPrep *c)
{
	return pp->variance_threshold_set || c->impute == MM_IMPUTE_MEAN ||
		c->impute == MM_IMPUTE_MEDIAN || c->clip != MM_CLIP_NONE ||
		c->scale == MM_SCALE_STANDARD || c->scale == MM_SCALE_ROBUST;
}

const char *
MmPassesObstacle(const MmTrainSpec *spec, const MmSource *src, const MmAlgorithm *algorithm,
				 const MmParams *params)
{
	MmPreprocess pp;
	const char *why;

	if (!algorithm_runs_in_passes(algorithm))
		return psprintf("The fit of %s reads its training rows in memory.",
						algorithm->texts.display_name ? algorithm->texts.display_name : algorithm->name);
	if (algorithm->needs_rows != NULL && (why = algorithm->needs_rows(params)) != NULL)
		return why;
	MmParsePreprocess(spec->preprocess, src, &pp);

	/*
	 * Equal rows have to meet to be found: the passes read the relation
	 * grouped (dedupepasses.c), which on a distributed table would gather
	 * its rows on the coordinator (doc/scaling.md)
	 */
	if (pp.dedupe && MmReadsCitusTable(src->relid))
		return "Dropping duplicate rows of a distributed table would gather them on the coordinator.";
	return NULL;
}

/* Whether the rows of src would not fit modelmgr.max_train_memory (see MmPassesPreferred). */
static bool
rows_exceed_memory(const MmTrainSpec *spec, const MmSource *src)
{
	/* as a fit in memory holds a row: the features, a label index and the target */
	double		row_bytes = sizeof(double) * (src->nfeatures + 1) + sizeof(int32);
	double		limit = (double) mm_max_train_memory_kb * 1024.0;

	if (spec != NULL && spec->preprocess != NULL)
	{
		MmPreprocess pp;

		/* and beside the rows, the table that finds their duplicates: 2 to 4 slots of 8 bytes a row */
		MmParsePreprocess(spec->preprocess, src, &pp);
		if (pp.dedupe)
			row_bytes += 4.0 * sizeof(int64);
	}

	return MmEstimatedRows(src->relid) * row_bytes > limit;
}

bool
MmPassesPreferred(const MmTrainSpec *spec, const MmSource *src)
{
	return rows_exceed_memory(spec, src) || MmReadsCitusTable(src->relid);
}

bool
MmPassesPreferredFor(const MmAlgorithm *algorithm, const MmTrainSpec *spec, const MmSource *src)
{
	if (algorithm->rows_when_they_fit)
		return rows_exceed_memory(spec, src);
	return MmPassesPreferred(spec, src);
}

/* A copy of src whose arrays fitting the preprocessing leaves as they are. */
static void
copy_source(const MmSource *src, MmSource *out)
{
	int			p = src->nfeatures;

	*out = *src;
	out->features = palloc(sizeof(char *) * p);
	memcpy(out->features, src->features, sizeof(char *) * p);
	out->feature_types = palloc(sizeof(Oid) * p);
	memcpy(out->feature_types, src->feature_types, sizeof(Oid) * p);
	out->feature_kinds = palloc(p);
	memcpy(out->feature_kinds, src->feature_kinds, p);
	if (src->columns != NULL)
	{
		out->columns = palloc(sizeof(char *) * p);
		memcpy(out->columns, src->columns, sizeof(char *) * p);
		out->date_parts = palloc(p);
		memcpy(out->date_parts, src->date_parts, p);
	}
}

/* The design bytes of d, in the current memory context. */
static void
write_design(const MmPassDesign *d, const void **bytes, size_t *len)
{
	void	   *out;
	MmError		err;

	if (mm_pass_design_write(d, &out, len, &err) != MM_OK)
		MmReportCoreError(&err, "could not write the design of a pass");
	*bytes = out;
}

/* A design over raw's features as read, with labels when given. */
static void
raw_design(const MmPassesData *pd, const MmDiscoveredLabels *labels, const void **bytes,
		   size_t *len)
{
	MmPassDesign d;
	int			p = pd->raw.nfeatures,
				j;
	int32	   *kinds = palloc(sizeof(int32) * p),
			   *kept = palloc(sizeof(int32) * p);

	memset(&d, 0, sizeof(d));
	for (j = 0; j < p; j++)
	{
		kinds[j] = pd->raw.feature_kinds[j];
		kept[j] = j;
	}
	d.raw_p = p;
	d.raw = 1;
	d.kinds = kinds;
	d.kept = kept;
	d.label_kind = pd->label_kind;
	if (labels != NULL)
	{
		d.n_labels = labels->n;
		d.labels = labels->labels;
		d.label_values = labels->values;
	}
	write_design(&d, bytes, len);
}

/* The snapshot the passes read under, as text (the statement's: they run read-only). */
static char *
current_snapshot(void)
{
	if (MmSpiRun("SELECT pg_catalog.pg_current_snapshot()::pg_catalog.text", 0, NULL, NULL, NULL, true, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "could not read the current snapshot");
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Mean and population variance of n copies of v, summed as preprocess.c's mean_var sums. */
static double
variance_of_copies(double v, int64 n)
{
	double		m = 0.0,
				s = 0.0;
	int64		i;

	for (i = 0; i < n; i++)
	{
		m += v;
		if ((i & 0xfffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	m /= (double) n;
	for (i = 0; i < n; i++)
		s += (v - m) * (v - m);
	return s / (double) n;
}

/* The numeric features' transforms fitted from the column statistics, per source feature. */
typedef struct StatsFit
{
	MmFeatureTransform *transform;
	uint8	   *keep;
	uint8	   *constant;
} StatsFit;

/*
 * Fits numeric feature name from its training rows' profile (present of n
 * not NULL, in [lo, hi]), as preprocess.c fits it from the rows, for the
 * options that need no more: impute zero or a constant, scale none or to
 * the range.  False when the feature is left out as constant.
 */
static bool
fit_from_range(const MmColumnPrep *prep, const char *name, int64 present, int64 n, double lo,
			   double hi, MmFeatureTransform *t, bool *constant)
{
	double		var;

	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->impute = prep->impute == MM_IMPUTE_ZERO ? 0.0 :
		prep->impute == MM_IMPUTE_CONSTANT ? prep->impute_value : NAN;
	if (present == n && n > 0)
	{
		/* preprocess.c's fit from moments: a constant column is one whose range is a point */
		var = lo == hi ? 0.0 : NAN;
	}
	else
	{
		if (present == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature \"%s\" is null in every training row", name),
					 errhint("Leave it out with exclude => ARRAY['%s'].", name)));
		/* the imputed column: its NULLs take the imputed value */
		if (!isnan(t->impute))
		{
			lo = Min(lo, t->impute);
			hi = Max(hi, t->impute);
		}
		var = lo == hi ? variance_of_copies(lo, isnan(t->impute) ? present : n) : 1.0;
	}
	*constant = var == 0.0;
	/* a constant feature is left out, whatever its transform */
	t->center = prep->scale == MM_SCALE_MINMAX ? lo : 0.0;
	t->scale = prep->scale == MM_SCALE_MINMAX ? hi - lo : 1.0;
	return !*constant;
}

/*
 * Fits numeric feature j: from the range when its options need no more,
 * else as the column statistics fitted it (by_stats, MmFitNumericFromStats).
 */
static bool
fit_numeric(const MmPreprocess *pp, const MmSource *src, int j, const double *profile,
			int64 rows_train, const StatsFit *by_stats, MmFeatureTransform *t, bool *constant)
{
	int			p = src->nfeatures;

	if (!needs_statistics(pp, &pp->column[j]))
		return fit_from_range(&pp->column[j], src->features[j],
							  (int64) profile[MM_PROFILE_PRESENT(p, j)], rows_train,
							  profile[MM_PROFILE_MIN(p, j)], profile[MM_PROFILE_MAX(p, j)], t,
							  constant);
	*t = by_stats->transform[j];
	*constant = by_stats->constant[j];
	return by_stats->keep[j];
}

/* Runs pass over source into a new state of its size (source's p columns). */
static void *
run_pass(MmDataSource *source, const MmPass *pass, const void *arg)
{
	void	   *state = palloc(pass->state_size(source->p, arg));
	MmError		err;

	if (source->run(source, pass, arg, state, &err) != MM_OK)
		MmReportCoreError(&err, psprintf("could not run pass \"%s\"", pass->name));
	return state;
}

/*
 * The grouping that carries raw's first pass (pass, with arg) holds the
 * pass's state in its hash table besides the groups of the labels and text
 * values: PostgreSQL would spill the groups' rows to disk once that takes
 * more than the memory a hash may (work_mem times hash_mem_multiplier), and
 * the statistics take 128 KiB a sketch.  So work_mem is raised for
 * that query by twice the state, which the pass takes in memory alone all
 * the same; returns the GUC nest level to restore.
 */
static int
make_room_for_state(MmDataSource *raw, const MmPass *pass, const void *arg)
{
	int			level = NewGUCNestLevel();
	double		state_kb = (double) pass->state_size(raw->p, arg) / 1024.0;
	double		kb = (double) work_mem + ceil(2.0 * state_kb / Max(hash_mem_multiplier, 1.0));

	(void) set_config_option("work_mem", psprintf("%.0f", Min(kb, (double) MAX_KILOBYTES)),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * What raw's first read (profile_and_statistics) runs: its pass and arg,
 * and the counting it asks of raw's passes, set on raw; true when a
 * grouping query must carry it.
 */
static bool
first_read_plan(MmDataSource *raw, const MmPreprocess *pp, const MmSource *src, bool needed,
				const MmDiscovery *disc, const MmPass **pass, MmColumnStatsArg **arg)
{
	int			p = raw->p,
				j;
	double		limit = (double) mm_max_train_memory_kb * 1024.0;

	/* only the columns whose preprocessing takes quantiles are sketched */
	*arg = palloc(sizeof(MmColumnStatsArg) * p);
	mm_column_stats_identity(*arg, p);
	for (j = 0; j < p; j++)
		(*arg)[j].quantiles = src->feature_kinds[j] != MM_FEATURE_CATEGORICAL &&
			MmFeatureTakesQuantiles(pp, j) ? 1.0 : 0.0;
	*pass = &mm_pass_profile_stats;
	if (!needed && (double) mm_pass_column_stats.state_size(p, *arg) > limit / 4.0)
	{
		*pass = &mm_pass_column_profile;
		*arg = NULL;
	}
	MmRelationSourceCountLabels(raw, disc->labels_counted);
	MmRelationSourceCountTexts(raw, true);
	return MmDiscoveryWanted(disc);
}

/*
 * The column profile of raw's rows as read, and the column statistics of
 * its training rows (into *stats) from the same read of the relation; the
 * statistics are NULL when no preprocessing needs them (needed false) and
 * their state (56 bytes a feature and 128 KiB a sketch)
 * would take more than a quarter of the memory a training may: the
 * baseline's feature profiles then come from its sample too.  Only the
 * features pp takes quantiles of (src's) have a sketch: a sketch is 128
 * KiB to zero, merge and send, and compacting it was most of the read's
 * cost; the baseline profiles the others from its sample.  The labels
 * (into *labels, for a classifier) and the text features' values are
 * counted in that read too, by the pass's state (discoverpass.c,
 * labelcount.h, textcount.h; a numeric label by a grouping query that
 * carries the pass), so that the fit reads the relation once before its
 * own passes; a label or feature that read could not count in full comes
 * from its own queries (header the discovery's).  A result prefetched with
 * other folds' first reads is offered to raw, which takes it when it is
 * this read's.
 */
static double *
profile_and_statistics(MmDataSource *raw, const MmPreprocess *pp, const MmSource *src, bool needed,
					   void **stats, MmDiscovery *disc, bytea *header, MmDiscoveredLabels *labels,
					   const MmRelationPrefetch *prefetched)
{
	int			p = raw->p;
	const MmPass *pass;
	MmColumnStatsArg *arg;
	char	   *state;

	if (first_read_plan(raw, pp, src, needed, disc, &pass, &arg))
	{
		int			level = make_room_for_state(raw, pass, arg);

		MmRelationSourceGroupWith(raw, MmDiscoveryQuery(disc, MmRelationSourceCall(raw)),
								  MmDiscoveryRead, disc);
		state = run_pass(raw, pass, arg);
		AtEOXact_GUC(true, level);
	}
	else
	{
		/* read already with other folds' (MmPassesPrefetchFirstReads) */
		if (prefetched != NULL)
			MmRelationSourceOffer(raw, prefetched);
		state = run_pass(raw, pass, arg);
	}
	MmRelationSourceCountLabels(raw, false);
	MmRelationSourceCountTexts(raw, false);
	if (disc->labels_counted)
	{
		MmDiscoveryCountedLabels(disc, MmRelationSourceCounts(raw)->labels);
		MmDiscoveryCountedTextLabels(disc, MmRelationSourceCounts(raw)->text_labels);
	}
	MmDiscoveryCountedTexts(disc, MmRelationSourceCounts(raw)->texts);
	if (disc->want_labels || disc->labels_counted)
		MmDiscoveryLabels(disc, header, labels);
	if (pass == &mm_pass_column_profile)
	{
		*stats = NULL;
		return (double *) state;
	}
	*stats = state + mm_profile_stats_offset(p);
	return (double *) state;
}

/*
 * The first read of the rows as the relation holds them, duplicates and
 * all: its counts (into *as_read), which the fit in memory checks and
 * records of the rows it read, and the profile the baseline takes of them
 * (pd->profiled); then every later read is of pd->raw's distinct rows
 * (dedupepasses.h).  header and raw_bytes are the raw design's.
 */
static void
read_rows_as_held(MmPassesData *pd, const MmTrainSpec *spec, const MmPreprocess *pp,
				  const MmSource *src, bool need_stats, bytea *header, const void *raw_bytes,
				  size_t raw_len, int folds, int fold, MmPassCounts *as_read)
{
	MmDataSource rows;
	MmDiscovery disc;
	MmProfiledRows *profiled = &pd->profiled;
	int			p = pd->raw.nfeatures,
				j;

	MmDiscoveryInit(&disc, &pd->raw, pd->target, pd->label_kind, false);
	MmRelationSourceDesign(&rows, &pd->raw, MM_PASS_DESIGN_ID, spec->test_size, spec->seed,
						   raw_bytes, raw_len, p, pd->target, pd->label_kind);
	if (folds > 0)
		MmRelationSourceSetFold(&rows, folds, fold);
	(void) profile_and_statistics(&rows, pp, src, need_stats, &profiled->stats, &disc, header, NULL,
								  NULL);
	MmCopyPassCounts(MmRelationSourceCounts(&rows), p, as_read);
	profiled->qualified = pd->raw.qualified;
	profiled->rows_read = as_read->head.rows_seen;
	profiled->rows_train = as_read->head.rows_train;
	for (j = 0; j < p; j++)
		if (pd->raw.feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			profiled->dicts[j] = MmDiscoveryCategories(&disc, j, header, &profiled->text_nulls[j]);
	pd->raw.qualified = MmDistinctRowsRelation(&pd->raw, pd->target, pd->label_kind);
}

/*
 * The start of a preparation (MmPassesPrepareFold), up to its first read:
 * pd cleared and set to the source and task (but its snapshot, which the
 * caller reads once it keeps the preparation), the preprocessing parsed
 * into pp, the raw design the first read puts rows through and its header,
 * and whether any preprocessing needs the column statistics.
 */
static void
start_preparation(const MmTrainSpec *spec, const MmSource *src, const MmAlgorithm *algorithm,
				  const MmParams *params, int folds, int fold, MmPassesData *pd, MmPreprocess *pp,
				  const void **raw_bytes, size_t *raw_len, bytea **header, bool *need_stats)
{
	MmTask		task = algorithm->task;
	int			p = src->nfeatures,
				j;

	memset(pd, 0, sizeof(*pd));
	MmParsePreprocess(spec->preprocess, src, pp);
	pp->reference_coding = MmReferenceCoding(algorithm, params);
	pp->algorithm = algorithm;
	copy_source(src, &pd->raw);
	pd->label_kind = task == MM_TASK_CLASSIFICATION ? MmLabelKindOf(src->target_type) : 0;
	pd->target = task == MM_TASK_CLASSIFICATION ? MM_PASS_TARGET_CLASS :
		task == MM_TASK_REGRESSION ? MM_PASS_TARGET_NUMERIC : MM_PASS_TARGET_NONE;
	raw_design(pd, NULL, raw_bytes, raw_len);
	*header = MmPassHeaderDesign(MM_PASS_DESIGN_ID, MM_DESIGN_PASS_PROFILE, p, pd->target,
								 spec->test_size, spec->seed, NULL, 0, p, 0, *raw_bytes, *raw_len);
	if (folds > 0)
		mm_pass_spec_set_folds(VARDATA(*header), folds, fold);
	*need_stats = false;
	for (j = 0; j < p; j++)
		if (src->feature_kinds[j] != MM_FEATURE_CATEGORICAL && needs_statistics(pp, &pp->column[j]))
			*need_stats = true;
}

/* The source of the first read over pd's relation through the raw design, and its discovery. */
static void
first_read_source(const MmTrainSpec *spec, const MmAlgorithm *algorithm, MmPassesData *pd,
				  const void *raw_bytes, size_t raw_len, int folds, int fold, MmDiscovery *disc,
				  MmDataSource *raw)
{
	MmDiscoveryInit(disc, &pd->raw, pd->target, pd->label_kind,
					algorithm->task == MM_TASK_CLASSIFICATION);
	MmRelationSourceDesign(raw, &pd->raw, MM_PASS_DESIGN_ID, spec->test_size, spec->seed,
						   raw_bytes, raw_len, pd->raw.nfeatures, pd->target, pd->label_kind);
	if (folds > 0)
		MmRelationSourceSetFold(raw, folds, fold);
}

/*
 * The first read of each of n folds' preparations, in one read of the
 * relation: each fold's source set as its preparation will set it, its
 * pass and arg as it will choose them.  No fold's read differs from
 * another's but in its fold, so they share the scan (as the folds' fits
 * share theirs, foldpasses.c).  None is read (first[f].header NULL) when
 * a fold's first read carries a grouping query or reads the rows as the
 * relation holds them before dropping duplicates.
 */
void
MmPassesPrefetchFirstReads(const MmTrainSpec *spec, MmSource *srcs, const MmAlgorithm *algorithm,
						   const MmParams *params, int n, MmRelationPrefetch *first)
{
	MmDataSource *raws = palloc(sizeof(MmDataSource) * n);
	MmDataSource **sources = palloc(sizeof(MmDataSource *) * n);
	const MmPass **passes = palloc(sizeof(MmPass *) * n);
	const void **args = palloc(sizeof(void *) * n);
	int			f;

	memset(first, 0, sizeof(MmRelationPrefetch) * n);
	for (f = 0; f < n; f++)
	{
		MmPassesData *pd = palloc(sizeof(MmPassesData));
		MmPreprocess pp;
		const void *raw_bytes;
		size_t		raw_len;
		bytea	   *header;
		bool		need_stats;
		MmDiscovery disc;
		MmColumnStatsArg *arg;

		start_preparation(spec, &srcs[f], algorithm, &params[f], n, f, pd, &pp, &raw_bytes,
						  &raw_len, &header, &need_stats);
		if (pp.dedupe)
			return;
		first_read_source(spec, algorithm, pd, raw_bytes, raw_len, n, f, &disc, &raws[f]);
		if (first_read_plan(&raws[f], &pp, &srcs[f], need_stats, &disc, &passes[f], &arg))
			return;
		sources[f] = &raws[f];
		args[f] = arg;
	}
	MmRelationSourcePrefetch(sources, passes, args, n, first);
}

void
MmPassesPrepare(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
				const MmParams *params, MmPassesData *pd)
{
	MmPassesPrepareFold(spec, src, algorithm, params, 0, 0, pd, NULL);
}

void
MmPassesPrepareFold(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
					const MmParams *params, int folds, int fold, MmPassesData *pd,
					const MmRelationPrefetch *first_read)
{
	MmTask		task = algorithm->task;
	MmPreprocess pp;
	int			p = src->nfeatures,
				j;
	const void *raw_bytes;
	size_t		raw_len;
	bytea	   *header;
	MmDataSource raw;
	double	   *profile;
	const MmPassCounts *counts;
	MmFeatureTransform *all = palloc0(sizeof(MmFeatureTransform) * p);
	MmCategories *cats = palloc0(sizeof(MmCategories) * p);
	double	  **code_of = palloc0(sizeof(double *) * p);
	MmStringDict **dicts = palloc0(sizeof(MmStringDict *) * p);
	bool	   *keep = palloc(sizeof(bool) * p);
	bool		any_text = false,
				identity = true;
	MmPreprocessFit *fit = &pd->prep;
	MmModel		shell;
	MmPassDesign design;
	int32	   *kinds,
			   *kept;
	bool		need_stats;
	StatsFit	by_stats = {0};
	MmDiscovery disc;
	MmPassCounts as_read;

	/*
	 * 1, 2, 3: the labels, the text features' values, the profile and the
	 * statistics of the rows as read, in one read of the relation
	 */
	start_preparation(spec, src, algorithm, params, folds, fold, pd, &pp, &raw_bytes, &raw_len,
					  &header, &need_stats);
	pd->snapshot = current_snapshot();
	pd->profiled.dicts = palloc0(sizeof(MmStringDict *) * p);
	pd->profiled.text_nulls = palloc0(sizeof(int64) * p);
	if (pp.dedupe)
		read_rows_as_held(pd, spec, &pp, src, need_stats, header, raw_bytes, raw_len, folds, fold,
						  &as_read);
	first_read_source(spec, algorithm, pd, raw_bytes, raw_len, folds, fold, &disc, &raw);
	profile = profile_and_statistics(&raw, &pp, src, need_stats, &pd->stats, &disc, header,
									 &pd->labels, first_read);
	if (pd->stats != NULL)
		pd->stats_passes = 1;
	counts = MmRelationSourceCounts(&raw);
	pd->rows_train = counts->head.rows_train;
	pd->rows_test = counts->head.rows_test;
	/* the fit in memory checks, records and profiles the rows as read, and drops duplicates after */
	if (pp.dedupe)
	{
		fit->duplicates = MmUsableRows(&as_read) - MmUsableRows(counts);
		counts = &as_read;
	}
	else
	{
		pd->profiled.qualified = pd->raw.qualified;
		pd->profiled.rows_read = counts->head.rows_seen;
		pd->profiled.rows_train = counts->head.rows_train;
		pd->profiled.stats = pd->stats;
	}
	pd->rows_read = counts->head.rows_seen;
	pd->null_target = counts->head.rows_null_target;
	pd->fingerprint = counts->head.fingerprint;
	pd->train_mean = pd->rows_train > 0 ? profile[MM_PROFILE_TARGET_SUM(p)] / (double) pd->rows_train : NAN;
	MmCheckTrainingRows(task, counts->nonfinite_count[p], counts->head.rows_train,
						counts->head.rows_test, pd->rows_read, src);
	if (task == MM_TASK_CLASSIFICATION)
		MmCheckClassCounts(pd->labels.count[0], pd->labels.n, pd->labels.labels, src);
	MmCheckFeatureCounts(&pp, src, counts->null_count, counts->nonfinite_count);

	/* the most frequent numbers, which the fit goes on from as imputed constants */
	MmFitNumberModes(&pp, &pd->raw, header, pd->target, pd->label_kind);

	/* 3: what the preprocessing fits from the column statistics */
	if (need_stats)
	{
		by_stats.transform = palloc(sizeof(MmFeatureTransform) * p);
		by_stats.keep = palloc(sizeof(uint8) * p);
		by_stats.constant = palloc(sizeof(uint8) * p);
		pd->stats_passes = MmFitNumericFromStats(&pp, src, &raw, pd->stats, by_stats.transform,
												 by_stats.keep, by_stats.constant, NULL);
	}

	/* 4: the preprocessing, feature by feature as preprocess.c fits it */
	fit->dropped = palloc(sizeof(char *) * p);
	fit->constant = palloc(sizeof(char *) * p);
	for (j = 0; j < p; j++)
	{
		bool		constant;

		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		{
			int64		nulls_train;

			dicts[j] = MmDiscoveryCategories(&disc, j, header, &nulls_train);
			keep[j] = MmFitTextFeature(&pp, src, j, dicts[j], nulls_train, &cats[j], &all[j],
									   &code_of[j], &constant);
			if (!pp.dedupe)
			{
				pd->profiled.dicts[j] = dicts[j];
				pd->profiled.text_nulls[j] = nulls_train;
			}
			any_text = true;
		}
		else
			keep[j] = fit_numeric(&pp, src, j, profile, pd->rows_train, &by_stats, &all[j],
								  &constant);
		if (constant)
			fit->constant[fit->nconstant++] = src->features[j];
		else if (!keep[j])
			fit->dropped[fit->ndropped++] = src->features[j];
		CHECK_FOR_INTERRUPTS();
	}
	MmRequireVaryingFeature(fit, p);
	if (pp.select_k_best > 0 && fit->ndropped + fit->nconstant < p)
		MmSelectFeaturesByPasses(pp.select_k_best, spec, pd, src, keep, all, cats, fit);
	MmPreprocessDescribe(src, keep, all, cats, code_of, dicts, any_text, fit);
	if (fit->ndropped + fit->nconstant > 0)
		MmSourceKeepFeatures(src, keep);

	/* the kept features as preprocess.c leaves the model's transform */
	any_text = false;
	for (j = 0; j < src->nfeatures; j++)
	{
		any_text |= src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
		if (!isnan(all[j].impute) || !isinf(all[j].clip_lo) || !isinf(all[j].clip_hi) ||
			all[j].center != 0.0 || all[j].scale != 1.0)
			identity = false;
	}
	memset(&shell, 0, sizeof(shell));
	shell.n_features = src->nfeatures;
	shell.feature_kinds = src->feature_kinds;
	shell.transform = all;
	shell.categories = any_text ? cats : NULL;
	shell.n_design = mm_model_design_width(&shell);
	fit->n_design = shell.n_design;
	fit->categories = shell.categories;
	if (!(identity && !any_text))
		fit->transform = all;
	pd->n_design = shell.n_design;
	/* what fit.c checks once the preprocessing is fitted (it drops no rows in passes) */
	if (task != MM_TASK_CLASSIFICATION && pd->rows_train == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("no rows of relation %s are left for training", src->display),
				 errhint("Lower test_size.")));

	/* 5: the source the fit runs over, its rows through the fitted design */
	memset(&design, 0, sizeof(design));
	kinds = palloc(sizeof(int32) * p);
	kept = palloc(sizeof(int32) * p);
	{
		int			k = 0;

		for (j = 0; j < p; j++)
		{
			kinds[j] = pd->raw.feature_kinds[j];
			kept[j] = keep[j] ? k++ : -1;
		}
	}
	design.raw_p = p;
	design.kinds = kinds;
	design.kept = kept;
	design.shell = shell;
	design.shell.transform = fit->transform;
	/* a fit that takes missing values gets them as the model's transform passes them on */
	design.shell.algorithm = algorithm;
	design.label_kind = pd->label_kind;
	design.n_labels = pd->labels.n;
	design.labels = pd->labels.labels;
	design.label_values = pd->labels.values;
	write_design(&design, &pd->design, &pd->design_len);
	MmRelationSourceDesign(&pd->data, &pd->raw, algorithm->artifact_id, spec->test_size, spec->seed,
						   pd->design, pd->design_len, pd->n_design, pd->target, pd->label_kind);
	if (folds > 0)
		MmRelationSourceSetFold(&pd->data, folds, fold);
	pd->data.n_rows = (size_t) pd->rows_train;
	/* the labels' discovery counted the training rows of each class: no fit counts them again */
	if (task == MM_TASK_CLASSIFICATION)
	{
		pd->data.class_rows = pd->labels.count[0];
		pd->data.n_classes = pd->labels.n;
	}
}

/*
 * Runs pass over the parts of the split into new states: both in one read
 * of the relation (MmRelationSourceRunParts), or the training part alone
 * when nothing is held out (state[1] NULL).
 */
static void
run_parts(MmPassesData *pd, const MmPass *pass, const void *arg, void *state[2])
{
	size_t		size = pass->state_size(pd->data.p, arg);

	MmRelationSourceSetPart(&pd->data, 0);
	if (pd->rows_test == 0)
	{
		state[0] = run_pass(&pd->data, pass, arg);
		state[1] = NULL;
		return;
	}
	state[0] = palloc(size);
	state[1] = palloc(size);
	MmRelationSourceRunParts(&pd->data, pass, arg, state[0], state[1]);
}

/*
 * A classifier's metrics on both parts, the rows per class of each (the
 * trivial model's metrics follow from them) and the training part's
 * log-likelihood, from one pass that carries the model.
 */
static void
classifier_metrics(MmPassesData *pd, const MmModel *model, MmPassMetrics *out)
{
	void	   *arg = MmEvalPassArg(model, 0);
	int			k = model->labels.n_classes,
				part;
	int64	   *confusion = palloc(sizeof(int64) * k * k);
	void	   *states[2];

	run_parts(pd, &mm_pass_classifier_eval, arg, states);
	for (part = 0; part < 2; part++)
	{
		MmClassifierCounts c;
		MmError		err;
		void	   *state = states[part];
		int			i;

		out->class_rows[part] = pd->labels.count[part];
		if (state == NULL)
			break;
		mm_classifier_eval_read(state, &c);
		MmCheckEvalPassRead(c.unread);
		MmNoteRocFull(c.roc_full);
		for (i = 0; i < k * k; i++)
			confusion[i] = (int64) c.confusion[i];
		if (mm_class_metrics_from_counts(confusion, k,
										 mm_model_has_proba(model) ? c.log_loss_sum : NAN,
										 c.roc_auc, &out->classes[part], &err) != MM_OK)
			MmReportCoreError(&err, "could not compute the metrics");
		if (part == 0)
			out->log_likelihood = c.log_likelihood;
		pfree(state);
	}
	mm_free(arg);
}

/*
 * A clustering's inertia, cluster sizes and silhouette on both parts, from
 * one pass that carries the model; the silhouette from the pass's sample of
 * each part's rows (every row up to MM_SILHOUETTE_ROWS).
 */
static void
clustering_metrics(MmPassesData *pd, const MmModel *model, MmPassMetrics *out)
{
	void	   *arg = MmEvalPassArg(model, MM_SILHOUETTE_ROWS);
	int			part;
	void	   *states[2];

	run_parts(pd, &mm_pass_cluster_eval, arg, states);
	for (part = 0; part < 2; part++)
	{
		MmClusterCounts c;
		void	   *state = states[part];

		if (state == NULL)
			break;
		mm_cluster_eval_read(state, pd->n_design, &c);
		MmCheckEvalPassRead(c.unread);
		out->cluster_sizes[part] = c.sizes;
		out->inertia[part] = c.inertia;
		out->silhouette[part] = mm_silhouette(model, c.sample, (size_t) c.sample_rows,
											  MM_SILHOUETTE_ROWS);
		out->silhouette_rows[part] = c.sample_rows;
	}
	mm_free(arg);
}

void
MmPassesMetrics(MmPassesData *pd, const MmModel *model, MmPassMetrics *out)
{
	int			p = pd->n_design,
				part;

	memset(out, 0, sizeof(*out));
	out->rows[0] = (double) pd->rows_train;
	out->rows[1] = (double) pd->rows_test;
	out->train_mean = pd->train_mean;
	if (model->task == MM_TASK_REGRESSION)
	{
		const MmPass *pass;
		void	   *arg;
		void	   *states[2];

		MmRegressionMetricsPass(model, pd->train_mean, &pass, &arg);
		run_parts(pd, pass, arg, states);
		for (part = 0; part < 2 && states[part] != NULL; part++)
			MmRegressionMetricsRead(pass, states[part], &out->model[part], &out->mean[part]);
		mm_free(arg);
	}
	else if (model->task == MM_TASK_DECOMPOSITION && pd->rows_test > 1)
	{
		MmRelationSourceSetPart(&pd->data, 1);
		out->test_moments = run_pass(&pd->data, &mm_linear_moments_pass, NULL);
		out->moments_d = p + 1;
	}
	else if (model->task == MM_TASK_CLASSIFICATION)
		classifier_metrics(pd, model, out);
	else if (model->task == MM_TASK_CLUSTERING)
		clustering_metrics(pd, model, out);
	MmRelationSourceSetPart(&pd->data, 0);
}

bool
MmPassesMetricsPass(const MmPassesData *pd, const MmModel *model, const MmPass **pass,
					const void **arg)
{
	if (pd->rows_test == 0)
		return false;
	if (model->task == MM_TASK_REGRESSION)
	{
		void	   *a;

		MmRegressionMetricsPass(model, pd->train_mean, pass, &a);
		*arg = a;
		return true;
	}
	if (model->task == MM_TASK_CLASSIFICATION)
	{
		*pass = &mm_pass_classifier_eval;
		*arg = MmEvalPassArg(model, 0);
		return true;
	}
	if (model->task == MM_TASK_CLUSTERING)
	{
		*pass = &mm_pass_cluster_eval;
		*arg = MmEvalPassArg(model, MM_SILHOUETTE_ROWS);
		return true;
	}
	return false;
}

/* The finite values of feature j in ds's training rows (*count of them). */
static double *
present_values(const MmDataset *ds, int j, size_t *count)
{
	size_t		n = ds->n[0],
				i;
	double	   *values = palloc(sizeof(double) * Max(n, 1));

	*count = 0;
	for (i = 0; i < n; i++)
		if (isfinite(ds->x[0][i * ds->p + j]))
			values[(*count)++] = ds->x[0][i * ds->p + j];
	return values;
}

/*
 * Loads the training rows of a bounded query over raw (qualified, a
 * subquery) with the training split, and takes each listed feature's
 * present values from them into values and nvalues.
 */
static void
read_present(const MmPassesData *pd, const MmTrainSpec *spec, char *qualified, bool regression,
			 const int *features, int n, double **values, size_t *nvalues)
{
	MmSource	own = pd->raw;
	MmDataset	ods;
	int			k;

	own.qualified = qualified;
	own.relid = InvalidOid;
	(void) MmDatasetLoad(&ods, &own, pd->label_kind, regression, spec->test_size, spec->seed);
	for (k = 0; k < n; k++)
		values[features[k]] = present_values(&ods, features[k], &nvalues[features[k]]);
	MmDatasetFree(&ods);
}

/*
 * Reads the features listed (every row where one of them is not NULL, at
 * most twice the rows their training values promise: within limit) in one
 * query, and empties the list.
 */
static void
read_batch(const MmPassesData *pd, const MmTrainSpec *spec, double limit, bool regression,
		   int *batch, int *n, double **values, size_t *nvalues)
{
	StringInfoData where;
	int			k;

	if (*n == 0)
		return;
	initStringInfo(&where);
	for (k = 0; k < *n; k++)
		appendStringInfo(&where, "%s%s IS NOT NULL", k > 0 ? " OR " : "",
						 quote_identifier(MmFeatureColumn(&pd->raw, batch[k])));
	read_present(pd, spec, psprintf("(SELECT * FROM %s WHERE %s LIMIT %.0f)", pd->profiled.qualified,
									where.data, ceil(limit)),
				 regression, batch, *n, values, nvalues);
	*n = 0;
}

/* " WHERE where", or nothing for NULL. */
static const char *
where_clause(const char *where)
{
	return where != NULL ? psprintf(" WHERE %s", where) : "";
}

/*
 * A repeatable uniform sample, at rate, of the rows of the relation the
 * baseline profiles where where holds (NULL: every row), for a relation
 * without TABLESAMPLE (a view): the rows whose draw, salted apart from the
 * training's split, falls below the rate, at most a few deviations above
 * want of them (viewsample.h).
 */
static char *
view_sample(const MmPassesData *pd, const MmTrainSpec *spec, double rate, const char *where,
			double want)
{
	int			p = pd->raw.nfeatures;
	const void *bytes;
	size_t		len;
	bytea	   *header;

	if (rate >= 1.0)
		return psprintf("(SELECT * FROM %s r%s LIMIT %.0f)", pd->profiled.qualified, where_clause(where),
						MmSampleBound(want));
	raw_design(pd, NULL, &bytes, &len);
	/* another salt than the split's: the sample is drawn apart from the parts */
	header = MmPassHeaderDesign(MM_PASS_DESIGN_ID, MM_DESIGN_PASS_PROFILE, p, pd->target, rate,
								(int32) ((uint32) spec->seed ^ 0x5bd1e995u), NULL, 0, p, 0, bytes, len);
	return MmSampledRows(&pd->raw, pd->profiled.qualified, header, pd->target, pd->label_kind, where,
						 MmSampleBound(want));
}

/*
 * A repeatable uniform sample, at rate, of the rows of the relation the
 * baseline profiles where where holds (NULL: every row), about want of
 * them: a table's TABLESAMPLE bernoulli, the same rows for the same seed
 * while the table is unchanged; a view's through its table's TABLESAMPLE
 * when it reads one table row by row (viewsample.h), else by its rows'
 * draws (view_sample).
 */
static char *
relation_sample(const MmPassesData *pd, const MmTrainSpec *spec, double rate, const char *where,
				double want)
{
	char		kind = get_rel_relkind(pd->raw.relid);

	if (kind == RELKIND_VIEW && rate < 1.0)
	{
		char	   *sampled = MmViewTableSample(pd->raw.relid, 100.0 * rate, spec->seed);

		if (sampled != NULL)
			return psprintf("(SELECT * FROM (%s) r%s)", sampled, where_clause(where));
	}
	if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW && kind != RELKIND_PARTITIONED_TABLE)
		return view_sample(pd, spec, rate, where, want);
	return psprintf("(SELECT * FROM %s TABLESAMPLE pg_catalog.bernoulli (%.17g) REPEATABLE (%d)%s)",
					pd->profiled.qualified, 100.0 * rate, spec->seed, where_clause(where));
}

/*
 * The present training values (values[j], nvalues[j]) that the profiles of
 * the numeric features the statistics did not sketch take their quantiles
 * from: those of the baseline's sample ds (want rows at most), when they
 * are all the feature has or at least a tenth of what a profile takes, or
 * when the sample read every row.  A feature NULL in most rows gets a
 * sample of its own rows where it is not NULL: every one of them when they
 * are few, read together with other such features in one query while
 * their rows fit half of want (LIMIT want); else, a sample at the rate
 * that reads about want rows (relation_sample), a query of its own.
 */
static void
unsketched_values(const MmPassesData *pd, const MmTrainSpec *spec, const MmDataset *ds, double want,
				  bool every_row, bool regression, double **values, size_t *nvalues)
{
	int			p = pd->raw.nfeatures,
				j,
				n = 0;
	int		   *batch = palloc(sizeof(int) * Max(p, 1));
	double		batch_rows = 0.0;

	for (j = 0; j < p; j++)
	{
		const MmColumnStats *c = mm_column_stats_of(pd->profiled.stats, j);
		/* the rows where it is not NULL, of every part */
		double		rows = (double) c->n / Max(1.0 - spec->test_size, 0.01);

		if (pd->raw.feature_kinds[j] == MM_FEATURE_CATEGORICAL ||
			mm_column_stats_sketch(pd->profiled.stats, p, j) != NULL)
			continue;
		values[j] = present_values(ds, j, &nvalues[j]);
		if (every_row || (int64) nvalues[j] >= Min(c->n, MM_BASELINE_SAMPLE / 10))
			continue;
		pfree(values[j]);
		if (rows <= want / 2.0)
		{
			if (batch_rows + rows > want / 2.0)
			{
				read_batch(pd, spec, want, regression, batch, &n, values, nvalues);
				batch_rows = 0.0;
			}
			batch[n++] = j;
			batch_rows += rows;
		}
		else
			read_present(pd, spec,
						 relation_sample(pd, spec, Min(1.0, want / rows),
										 psprintf("%s IS NOT NULL",
												  quote_identifier(MmFeatureColumn(&pd->raw, j))), want),
						 regression, &j, 1, values, nvalues);
	}
	read_batch(pd, spec, want, regression, batch, &n, values, nvalues);
	pfree(batch);
}

/*
 * The baseline profile.  The features' profiles come from the column
 * statistics (exact counts, range and moments, quantiles from the sketch
 * where they have one, else from the sample below: unsketched_values) and the
 * text features' discovered counts; the predictions' profile needs
 * the model's outcome on rows, so it comes from a bounded sample of the
 * relation: every row when the relation has no more than the sample wants
 * (through a LIMIT of that many),
 * else a repeatable uniform sample (relation_sample), read
 * with the training split and thinned to at most MM_BASELINE_SAMPLE
 * training rows as the fit in memory thins its rows.  Without statistics
 * (too many features for their state) the sample gives everything.
 */
char *
MmPassesBaseline(const MmPassesData *pd, const MmTrainSpec *spec, const MmModel *model)
{
	MmSource	sample = pd->raw;
	MmDataset	ds;
	MmBaselineSample *s;
	double		row_bytes = sizeof(double) * (pd->raw.nfeatures + 1) + sizeof(int32);
	double		limit = (double) mm_max_train_memory_kb * 1024.0;
	/* rows read, at most: within a quarter of the memory a training may take */
	double		want = Min((double) MM_BASELINE_SAMPLE / Max(1.0 - spec->test_size, 0.01),
						   limit / row_bytes / 4.0);
	char	   *json;

	if (pd->profiled.rows_read <= 0 || (want < 1.0 && pd->profiled.stats == NULL))
		return NULL;
	if ((double) pd->profiled.rows_read <= want)
		/* every row, under a LIMIT all the same: the query states its bound, wherever it runs */
		sample.qualified = psprintf("(SELECT * FROM %s LIMIT %.0f)", pd->profiled.qualified,
									ceil(want));
	else if (want < 1.0)
		sample.qualified = psprintf("(SELECT * FROM %s LIMIT 0)", pd->profiled.qualified);
	else
		sample.qualified = relation_sample(pd, spec, want / (double) pd->profiled.rows_read, NULL, want);
	/* no estimate: the sample is sized by the rows it reads, not the relation's */
	sample.relid = InvalidOid;
	(void) MmDatasetLoad(&ds, &sample, pd->label_kind, model->task == MM_TASK_REGRESSION,
						 spec->test_size, spec->seed);
	if (ds.n[0] == 0 && pd->profiled.stats == NULL)
	{
		MmDatasetFree(&ds);
		return NULL;
	}
	if (pd->label_kind != 0)
		MmDatasetOrderLabels(&ds);
	if (pd->profiled.stats != NULL)
	{
		int			p = ds.p;
		size_t		n = ds.n[0],
					m = Min(n, (size_t) MM_BASELINE_SAMPLE),
					i;
		double	   *rows = palloc(sizeof(double) * Max(m * p, 1));
		double	  **values = palloc0(sizeof(double *) * p);
		size_t	   *nvalues = palloc0(sizeof(size_t) * p);

		/* MmBaselineTake's systematic sample: every row up to its bound, evenly spread past it */
		for (i = 0; i < m; i++)
			memcpy(rows + i * p, ds.x[0] + (i * n / m) * p, sizeof(double) * p);
		unsketched_values(pd, spec, &ds, want, (double) pd->profiled.rows_read <= want,
						  model->task == MM_TASK_REGRESSION, values, nvalues);
		s = MmBaselineFromColumnStats(pd->profiled.stats, &pd->raw, pd->profiled.rows_train, rows, m,
									  ds.dicts, pd->profiled.dicts, pd->profiled.text_nulls, values,
									  nvalues);
	}
	else
	{
		s = MmBaselineTake(&ds, &sample);
		MmBaselineSetRows(s, pd->profiled.rows_train);
	}
	json = MmBaselineFinish(s, model);
	MmDatasetFree(&ds);
	return json;
}
