/*
 * modelmgr.h: what the server glue modules share, grouped by file.
 */
#ifndef MODELMGR_H
#define MODELMGR_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "mmcore.h"
#include "model.h"
#include "regmetrics.h"

/* guc.c */
extern int	mm_model_cache_kb;
extern int	mm_metric_sample_rows;
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
extern char *MmRoleName(Oid roleid);
extern char *MmFormatList(char **items, int count);

/* aggregates.c */
extern void *MmLsStateFromDatum(Datum datum);
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

/* Where a catalog access switched user and search_path, to switch back. */
typedef struct MmCatalogScope
{
	Oid			saved_user;
	int			saved_context;
	int			guc_level;
} MmCatalogScope;

extern Oid	MmCatalogOwner(bool missing_ok);
extern void MmCatalogEnter(MmCatalogScope *scope);
extern void MmCatalogLeave(MmCatalogScope *scope);
extern const char *MmCatalogSchema(void);
extern void MmParseRef(const char *reference, MmRef *ref);
extern void MmResolveRef(const char *reference, bool read_only, MmVersionRef *out);
extern int	MmCatalogExec(const char *sql, int nargs, Oid *types, Datum *values,
						  const char *nulls, int expected);
extern int	MmCatalogQuery(const char *sql, int nargs, Oid *types, Datum *values);
extern Datum MmCatalogGet(int row, int col, bool *isnull);
extern void MmCheckOwner(const char *model, Oid owner);
extern bool MmLockModel(const char *model, int64 *id, Oid *owner, char **task, bool missing_ok);
extern const char *MmExtensionSchema(Oid funcoid);

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

/* evaluate.c */
extern Jsonb *MmEvaluate(const MmVersionRef *ref, const MmModel *model, const char *relation);

#endif							/* MODELMGR_H */
