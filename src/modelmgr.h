/*
 * modelmgr.h: what the server glue modules share, grouped by file.
 */
#ifndef MODELMGR_H
#define MODELMGR_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "mmcore.h"
#include "algorithm.h"
#include "model.h"
#include "regmetrics.h"

/*
 * The version of the extension's SQL objects this library writes to,
 * MM_EXTENSION_VERSION, comes from modelmgr.control through the Makefile.
 */

/* guc.c */
extern int	mm_model_cache_kb;
extern int	mm_metric_sample_rows;
extern int	mm_max_train_memory_kb;
extern int	mm_training_threads;
extern int	mm_monitor_naptime;
extern int	mm_max_monitor_workers;
extern bool mm_monitor_enabled;
extern bool mm_tune_progress_notices;
extern void MmGucInit(void);

/* util.c */
extern void MmCoreInit(void);
extern void MmRequireArg(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *MmArgCString(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *MmArgCStringOrNull(FunctionCallInfo fcinfo, int argno);
extern char **MmTextArrayElements(ArrayType *array, const char *argname, int *count);
extern void MmCheckName(const char *name, const char *kind);
extern void MmReportCoreError(const MmError *err, const char *what) pg_attribute_noreturn();
extern void MmJsonNumber(StringInfo buf, double value);
extern void MmJsonString(StringInfo buf, const char *value);
extern Jsonb *MmJsonbFromString(const char *json);
extern char *MmJsonbText(Jsonb *j);
extern char *MmRoleName(Oid roleid);
extern char *MmFormatList(char **items, int count);
extern bool MmJsonbNextPair(JsonbIterator **it, char **key, JsonbValue *value);
extern double MmJsonbNumber(const JsonbValue *v);
extern bool MmJsonbIsObject(Jsonb *j);
extern void MmJsonbRequireObject(Jsonb *j, const char *argname);
extern bool MmErrorEndsCall(int sqlerrcode);
extern bool MmTrySubtransaction(void (*fn) (void *), void *arg, ErrorData **error);

/* security.c */

/* What a switch of user, security context and settings saved, to undo it. */
typedef struct MmScope
{
	Oid			saved_user;
	int			saved_context;
	int			guc_level;
} MmScope;

extern void MmScopeBegin(MmScope *scope, Oid role, bool restricted);
extern void MmScopeEnd(MmScope *scope);
extern int	MmSpiRun(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
					 bool read_only, long count);
extern int	MmSpiRunTo(const char *sql, ParamListInfo params, DestReceiver *dest);

/* aggstate.c: aggregate states are bytea holding the core's state at MM_STATE_OFFSET */
#define MM_STATE_OFFSET (VARHDRSZ + 4)
extern void *MmStatePayload(bytea *state, Size *len);
extern void *MmStateWritable(bytea **state, Size *len);
extern bytea *MmStateAlloc(MemoryContext cxt, Size len);
extern void MmRequireAggregate(FunctionCallInfo fcinfo, const char *name, MemoryContext *aggcxt);
extern int	MmFloat8ArrayLength(ArrayType *x, const char *argname);
extern bool MmFloat8ArrayValues(ArrayType *x, double *values, uint8 *isnull);

/* passagg.c: passes of the core's data sources as the aggregate mm_pass */
struct MmPass;
struct MmPassStateView;
extern bytea *MmPassHeader(int artifact_id, int index, int p, int target, double test_size,
						   int32 seed, const void *arg, size_t arg_len);
extern bytea *MmPassStateFromDatum(Datum datum, struct MmPassStateView *view,
								   const struct MmPass **pass);

/* aggregates.c */
extern void *MmLsStateFromDatum(Datum datum);
extern void *MmLsMerge(void *a, const void *b);
extern int	MmCvStates(Datum datum, void ***states);
extern void MmEvalMetricsFromDatum(Datum datum, MmRegressionMetrics *out);

/* catalog.c */

/* A parsed model reference: name, name@N or name@stage. */
typedef struct MmRef
{
	char	   *name;
	int32		version;		/* > 0 when the reference names a version */
	char	   *stage;			/* the stage otherwise (production by default) */
} MmRef;

/* A version a reference resolved to, under the current snapshot. */
typedef struct MmVersionRef
{
	int64		model_id;
	char	   *model;
	Oid			owner;
	int32		version;
	int64		version_id;		/* database-wide, never reused */
	uint32		crc;			/* artifact checksum, part of the cache key */
} MmVersionRef;

extern Oid	MmCatalogOwner(bool missing_ok);
extern bool MmCatalogHas(const char *table);
extern const char *MmCatalogSchema(void);
extern bool MmFindModel(const char *name, bool read_only, bool missing_ok, int64 *id, Oid *owner);
extern void MmParseRef(const char *reference, MmRef *ref);
extern void MmResolveRef(const char *reference, bool read_only, int needed, MmVersionRef *out);
extern int	MmCatalogExec(const char *sql, int nargs, Oid *types, Datum *values,
						  const char *nulls, int expected);
extern int	MmCatalogQuery(const char *sql, int nargs, Oid *types, Datum *values);
extern Datum MmCatalogGet(int row, int col, bool *isnull);
/* A model locked for a change. */
typedef struct MmLockedModel
{
	int64		id;
	Oid			owner;
	char	   *task;
	int			held;			/* the privileges the current user holds on it */
} MmLockedModel;

extern bool MmLockModel(const char *model, int needed, MmLockedModel *out, bool missing_ok);
extern const char *MmExtensionSchema(void);

/* privileges.c: what a role may do with a model (MM_PRIV_* bits) */
#define MM_PRIV_USE 1
#define MM_PRIV_TRAIN 2
#define MM_PRIV_DEPLOY 4
#define MM_PRIV_ALL (MM_PRIV_USE | MM_PRIV_TRAIN | MM_PRIV_DEPLOY)
#define MM_PRIV_OWNER 8			/* archive, restore, purge, annotate, drop, grant, revoke, owner */

extern const char *MmPrivilegeName(int privilege);
extern int	MmParsePrivileges(const char *text);
extern int	MmPrivilegesOf(int64 model_id, Oid owner, Oid role, bool read_only);
extern int	MmRequirePrivileges(const char *model, int64 model_id, Oid owner, int needed, bool read_only);
extern void MmRequireGrants(void);

/* audit.c */

/* One management call, as the audit log records it. */
typedef struct MmAuditCall
{
	const char *function;
	MemoryContext cxt;			/* outlives the call's subtransaction */
	char	   *model;
	int32		version;		/* 0 when no version is involved */
	StringInfoData args;		/* a JSON object */
} MmAuditCall;

typedef Datum (*MmAuditedBody) (FunctionCallInfo fcinfo, MmAuditCall *call);

extern Datum MmRunAudited(FunctionCallInfo fcinfo, const char *function, MmAuditedBody body);
extern void MmAuditSetModel(MmAuditCall *call, const char *model);
extern void MmAuditArgText(MmAuditCall *call, const char *key, const char *value);
extern void MmAuditArgJson(MmAuditCall *call, const char *key, const char *json);
extern void MmAuditArgNumber(MmAuditCall *call, const char *key, double value);
extern void MmAuditRecord(const char *function, const char *model, const char *args);
extern PGDLLEXPORT void mm_audit_writer_main(Datum arg);

/* cache.c */
typedef struct MmCachedModel MmCachedModel;

extern MmModel *MmModelCacheGet(const MmVersionRef *ref, MmCachedModel **entry);
extern bool MmModelCacheValid(MmCachedModel *entry, uint64 generation);
extern uint64 MmModelCacheGeneration(void);
extern MmModel *MmModelLoad(const MmVersionRef *ref);

/* registry.c */
extern void MmStagePush(int64 model_id, const char *model, const char *stage,
						int64 version_id, int32 version, const char *via);
extern int32 MmStageTop(int64 model_id, const char *stage, int64 *version_id);
extern void MmDropModel(int64 model_id, const char *model, const char *via, bool drop_monitors);

/* algorithms.c */
extern char *MmAlgorithmList(bool (*keep) (const MmAlgorithm *algorithm), const char *conjunction);
extern const char *MmAlgorithmForTask(MmTask task);

/* train.c */

/* What one training needs; mm_train and mm_retrain both fill it. */
typedef struct MmTrainSpec
{
	char	   *model;
	char	   *relation;
	char	   *target;
	char	   *algorithm;
	char	  **features;		/* NULL: every usable column */
	int			nfeatures;
	char	  **exclude;
	int			nexclude;
	Jsonb	   *params;
	Jsonb	   *preprocess;
	double		test_size;
	int32		seed;
	char	   *deploy;
	int32		parent_version;	/* the version retrained, or 0 */
} MmTrainSpec;

extern void MmTrainRun(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call);
extern void MmReadTrainTarget(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call);
extern void MmReadTrainRecipe(FunctionCallInfo fcinfo, int first, MmTrainSpec *spec, MmAuditCall *call);
extern void MmRequireCurrentSchema(void);
extern char *MmJsonStringArray(char **items, int n);

extern void MmNoticeNoTestRows(double train_rows, double test_size);
extern void MmAppendRegressionFields(StringInfo buf, const MmRegressionMetrics *m);
extern void MmAppendRegressionMetrics(StringInfo buf, const MmRegressionMetrics *m);

/* features.c */

/* The relation and columns a training or evaluation reads. */
typedef struct MmSource
{
	Oid			relid;
	char	   *qualified;		/* schema.relation, quoted */
	char	   *display;		/* as the user would write it */
	int			nfeatures;
	char	  **features;
	Oid		   *feature_types;
	uint8	   *feature_kinds;	/* MmFeatureKind */
	char	   *target;
	Oid			target_type;
} MmSource;

extern Oid	MmResolveRelation(const char *relation, char **qualified, char **display);
extern void MmResolveSource(const MmTrainSpec *spec, MmSource *src);
extern void MmResolveColumns(MmSource *src, const MmModel *model);
extern char *MmFeatureExpression(const char *column, uint8 kind, const char *alias);
extern bool MmIsNumericType(Oid type);
extern double MmEstimatedRows(Oid relid);

/* relsource.c: a data source whose passes run over a relation */
struct MmDataSource;
extern void MmRelationSource(struct MmDataSource *out, const MmSource *src, int artifact_id,
							 double test_size, int32 seed);

/* dataset.c */

/* The distinct values of a text column, in the order first seen, with their counts per part. */
typedef struct MmStringDict
{
	int			n;
	int			cap;
	char	  **names;
	int		   *lens;
	int64	   *count[2];
	int32	   *slots;			/* open addressing: index + 1, 0 empty */
	uint32		nslots;			/* a power of two */
} MmStringDict;

/* Rows read into memory, split into a training (0) and a held-out (1) part. */
typedef struct MmDataset
{
	MemoryContext cxt;
	int			p;
	MmLabelKind label_kind;		/* 0 when the rows carry no label */
	bool		numeric_target; /* the rows carry a number to predict, in t */
	double		test_size;
	uint64		salt;
	size_t		n[2];
	size_t		cap[2];
	size_t		first_cap[2];	/* the rows expected, allocated at the first row */
	double	   *x[2];			/* n x p, row-major; NaN where NULL; text as its dict index */
	uint64	   *hash[2];		/* each row's content hash, when kept (tuning), or NULL */
	bool		fold_copy;		/* a cross-validation fold copied from rows in memory */
	int32	   *y[2];			/* label indexes */
	double	   *t[2];			/* numeric targets */
	int			nlabels;
	char	  **labels;			/* as label::text renders them */
	double	   *label_values;	/* numeric and boolean labels as numbers */
	int32	   *label_slots;
	int64		rows_read;
	int64		null_target;
	int64		nonfinite_target;
	int64	   *null_count;		/* per feature */
	int64	   *nonfinite_count;	/* per feature */
	MmStringDict **dicts;		/* per feature: the text ones' values (NULL for the rest) */
	bool		any_text;
	uint64		fingerprint;
	Size		limit;			/* bytes the rows may take */
} MmDataset;

/*
 * Rows already in memory that a training copies instead of reading its
 * relation: the training rows of all outside fold (part 0) and those in it
 * (part 1), or with fold -1 all's two parts as they are.  Tuning reads the
 * relation once and fits every fold from these copies, through the fit
 * driver mm_train uses.
 */
typedef struct MmDatasetFold
{
	const MmDataset *all;
	const int32 *fold_of;		/* per training row of all */
	int			fold;
	const char *snapshot;		/* the one all was read under */
} MmDatasetFold;

/*
 * What a training reads besides its spec: where its rows come from, what
 * of them to keep, and where an iterative fit starts.  It travels down the
 * calls, from MmTrainVersion through MmFitAlgorithm (fit.c) to the
 * algorithm's fit and MmDatasetLoadTraining, so that tuning steers the fits it runs in the open
 * and nothing reaches a fit through module state; what else a fit is handed
 * (progress, its seed, cancellation) belongs here too.  All zero is a plain
 * training, the relation read and nothing carried over; MmTrainVersion,
 * MmFitAlgorithm and MmDatasetLoadTraining take NULL for it.
 */
typedef struct MmTrainContext
{
	/* the rows, in memory already; NULL reads the relation */
	const MmDatasetFold *rows;
	/* a linear regression's training pass, made already, and the snapshot it read; or NULL */
	const struct MmLsView *moments;
	const char *moments_snapshot;
	/* keep each row's content hash (MmDataset.hash), which tuning deals its folds by */
	bool		keep_hashes;

	/*
	 * Where an iterative fit starts (NULL: its own start): a
	 * neighbouring fit's coefficients, warm_rows rows of warm_width
	 * coefficients and the intercept; used only when the shape matches.
	 */
	const double *warm_start;
	int			warm_rows;
	int			warm_width;
} MmTrainContext;

extern char *MmDatasetLoad(MmDataset *ds, const MmSource *src, MmLabelKind label_kind,
						   bool numeric_target, double test_size, int32 seed);
extern char *MmDatasetLoadTraining(MmDataset *ds, const MmSource *src, MmLabelKind label_kind,
								   bool numeric_target, double test_size, int32 seed,
								   const MmTrainContext *ctx);
extern Size MmDatasetBytes(const MmDataset *ds);
extern bool MmDatasetHasRoom(const MmDataset *ds, size_t rows, Size per_row);
extern void MmDatasetRequireRoom(const MmDataset *ds, const char *relation, size_t rows,
								 Size per_row, const char *detail);
extern void MmDatasetRequireFoldRoom(const MmDataset *all, const char *relation);
extern void MmDatasetOrderLabels(MmDataset *ds);
extern void MmDatasetFree(MmDataset *ds);

/* preprocess.c */

/* What the preprocess argument asks of one feature. */
typedef enum MmImpute
{
	MM_IMPUTE_ERROR,
	MM_IMPUTE_MEAN,
	MM_IMPUTE_MEDIAN,
	MM_IMPUTE_MOST_FREQUENT,
	MM_IMPUTE_ZERO,
	MM_IMPUTE_CONSTANT
} MmImpute;

typedef enum MmScale
{
	MM_SCALE_NONE,
	MM_SCALE_STANDARD,
	MM_SCALE_MINMAX,
	MM_SCALE_ROBUST
} MmScale;

typedef enum MmClip
{
	MM_CLIP_NONE,
	MM_CLIP_QUANTILES,
	MM_CLIP_ZSCORE
} MmClip;

typedef struct MmColumnPrep
{
	MmImpute	impute;
	double		impute_value;	/* for MM_IMPUTE_CONSTANT on a number */
	char	   *impute_text;	/* for MM_IMPUTE_CONSTANT on text */
	MmScale		scale;
	MmClip		clip;
	double		clip_lo;		/* quantiles, or the z bound in clip_hi */
	double		clip_hi;
	MmEncoding	encoding;		/* text columns */
	int			max_categories; /* 0: every category */
} MmColumnPrep;

typedef struct MmPreprocess
{
	bool		dedupe;
	bool		variance_threshold_set;
	double		variance_threshold;
	int			select_k_best;	/* 0: no feature selection */
	MmColumnPrep *column;		/* per feature of the source */
} MmPreprocess;

/* What fitting the preprocessing did, for the version row and the notices. */
typedef struct MmPreprocessFit
{
	MmFeatureTransform *transform;	/* per kept feature */
	MmCategories *categories;	/* per kept feature, or NULL without text features */
	int			n_design;		/* the columns the kept features encode into */
	int64		unseen[2];		/* per part: text values of categories not in training */
	int64		duplicates;
	int			ndropped;
	char	  **dropped;		/* by the variance threshold, then by feature selection */
	int			nselected_out;	/* the last of dropped, by feature selection */
	char	   *select_json;	/* the selection's scores, or NULL */
	char	   *json;			/* the fitted statistics, a JSON object */
} MmPreprocessFit;

extern void MmParsePreprocess(Jsonb *preprocess, const MmSource *src, MmPreprocess *out);
extern bool MmPreprocessIsEmpty(Jsonb *preprocess);
extern void MmFitPreprocess(const MmPreprocess *pp, MmSource *src, MmDataset *ds,
							MmPreprocessFit *fit);
extern void MmAppendUnseen(StringInfo metrics, const MmPreprocessFit *fit);
extern void MmReportPreprocessFit(const MmPreprocessFit *fit);
extern void MmDatasetEncode(const MmModel *model, const MmSource *src, MmDataset *ds,
							int64 *unseen);

/* select.c */
extern void MmSelectFeatures(int k_best, const MmSource *src, const MmDataset *ds, bool *keep,
							 const MmFeatureTransform *all, double *const *code_of,
							 const MmCategories *cats, MmPreprocessFit *fit);

/* fit.c */

/* What an algorithm's training hands back for the version row. */
typedef struct MmTrained
{
	const char *algorithm;
	const char *task;
	char	   *params;			/* resolved, as JSON */
	char	   *metrics;		/* {"train": ..., "test": ...} */
	char	   *fitted;			/* the fitted preprocessing, as JSON */
	double		score;
	int64		rows_read;
	int64		rows_train;
	int64		rows_test;
	char	   *rows_skipped;	/* JSON */
	uint64		fingerprint;
	char	   *snapshot;
	char	   *baseline;		/* the profile of the training rows, as JSON */
	MmModel		model;
} MmTrained;

/*
 * What a task's metrics read once a model is fitted: the rows in memory
 * and their preprocessing, or the training aggregate (then ds and prep are
 * NULL).
 */
typedef struct MmFitOutcome
{
	const MmTrainSpec *spec;
	const MmModel *model;
	const MmFitReport *report;
	const MmDataset *ds;
	const MmPreprocessFit *prep;
	const struct MmLsView *view;
} MmFitOutcome;

extern void MmFitAlgorithm(FunctionCallInfo fcinfo, const MmTrainSpec *spec, MmSource *src,
						   const MmAlgorithm *algorithm, const MmTrainContext *ctx,
						   MmTrained *trained);

extern void MmFitFromMoments(const MmTrainSpec *spec, const MmSource *src,
							 const MmAlgorithm *algorithm, const double *moments, MmParams *params,
							 MmModel *model);

/* aggsource.c */
extern void MmMomentsSource(MmDataSource *source, const double *moments, int p);
extern bool MmAggregateServes(const MmAlgorithm *algorithm);

/* params.c */
extern void MmParseParams(const MmAlgorithm *algorithm, Jsonb *params, int p, MmParams *out);
extern void MmCheckParamsWidth(const MmParams *params, int p);
extern char *MmParamsJson(const MmParams *params);

/* classify.c */
extern MmLabelKind MmLabelKindOf(Oid type);
extern void MmCheckClasses(const MmDataset *ds, const MmSource *src);
extern void MmClassificationResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateClassifier(const MmModel *model, MmSource *src);

/* train.c, continued: training one version, in parts tuning reuses */

/* A version just trained and recorded. */
typedef struct MmTrainedVersion
{
	int32		version;
	int64		version_id;
	bool		deployed;
	MmTrained  *trained;
} MmTrainedVersion;

extern const MmAlgorithm *MmChooseAlgorithm(const MmTrainSpec *spec, const MmSource *src);
extern void MmCheckTrainSpec(const MmTrainSpec *spec);
extern void MmCheckTrainPrivileges(const char *model, const char *deploy);
extern void MmTrainVersion(FunctionCallInfo fcinfo, MmTrainSpec *spec, const MmTrainContext *ctx,
						   MmAuditCall *call, MmTrainedVersion *result);
extern void MmRecordVersion(const MmTrainSpec *spec, const MmSource *src, MmTrained *trained,
							double seconds, MmAuditCall *call, MmTrainedVersion *result);

/* train.c, continued: the one-pass moments aggregate */
struct MmLsView;
extern char *MmMomentsPass(FunctionCallInfo fcinfo, const MmTrainSpec *spec, const MmSource *src,
						   struct MmLsView *view);
extern char *MmFoldQuery(const MmSource *src, const char *schema);
extern void MmCheckCounts(const struct MmLsView *v, const MmSource *src);
extern void MmCheckRowCounts(int p, const int64 *null_count, const int64 *nonfinite_count,
							 double usable_rows, const MmSource *src);

/* regress.c */
extern void MmRegressionResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateRegressionInMemory(const MmModel *model, MmSource *src);

/* unsupervised.c */
extern void MmClusteringResults(const MmFitOutcome *in, MmTrained *out);
extern void MmDecompositionResults(const MmFitOutcome *in, MmTrained *out);
extern Jsonb *MmEvaluateUnsupervised(const MmModel *model, MmSource *src);

/* baseline.c */
typedef struct MmBaselineSample MmBaselineSample;

extern MmBaselineSample *MmBaselineTake(const MmDataset *ds, const MmSource *src);
extern MmBaselineSample *MmBaselineFromMoments(const struct MmLsView *view, const MmSource *src);
extern char *MmBaselineFinish(MmBaselineSample *sample, const MmModel *model);
extern double MmModelOutcome(const MmModel *model, const double *z, double *scratch);
extern bool MmOutcomeIsCategorical(const MmModel *model);
extern char *MmOutcomeName(const MmModel *model, int outcome);
extern int	MmOutcomeCount(const MmModel *model);

/* worker.c */
extern void MmWorkerInit(void);

/* roles.c */
extern void MmRolesInit(void);

/* export.c */
extern void MmExportInit(void);

/* progress.c */
extern void MmProgressInit(void);
extern void MmProgressStart(const char *model, int candidates, int folds);
extern void MmProgressUpdate(int candidate, const char *algorithm, int fold);
extern void MmProgressEnd(void);

/* evaluate.c */
extern Jsonb *MmEvaluate(const MmVersionRef *ref, const MmModel *model, const char *relation);
extern char *MmDesignName(const MmModel *model, int k);

#endif							/* MODELMGR_H */
