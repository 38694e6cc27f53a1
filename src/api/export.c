/*
 * export.c: mm_export and mm_import, a version as a portable JSON document
 * (doc/export-format.md) and back.
 *
 * The document is written and read by the core (document.h), so the
 * standalone scorer reads exactly what mm_export writes; doubles are written
 * by PostgreSQL's shortest round-trip printer, and jsonb keeps their digits.
 * Import checks the whole document before anything is created, then
 * records it as a new version as training would.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "audit.h"
#include "cache.h"
#include "catalog.h"
#include "check.h"
#include "columns.h"
#include "dateparts.h"
#include "document.h"
#include "export.h"
#include "fit.h"
#include "mmcore.h"
#include "model.h"
#include "privileges.h"
#include "util.h"
#include "version.h"

PG_FUNCTION_INFO_V1(mm_export);
PG_FUNCTION_INFO_V1(mm_import);

static int
shortest_double(double value, char *buf)
{
	return double_to_shortest_decimal_buf(value, buf);
}

void
MmExportInit(void)
{
	mm_set_double_format(shortest_double);
}

/* mm_export(model): the document of the referenced version. */
Datum
mm_export(PG_FUNCTION_ARGS)
{
	char	   *reference = MmArgCString(fcinfo, 0, "model");
	MemoryContext outer = CurrentMemoryContext;
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmDocumentExtras extras;
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];
	bool		isnull;
	char	   *doc_text;
	MmError		err;
	Jsonb	   *doc,
			   *copy;
	Datum		d;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(reference, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	values[0] = Int64GetDatum(v.version_id);
	/* the caller's name comes in: the statement runs as the catalog's owner */
	values[1] = CStringGetTextDatum(MmRoleName(GetUserId()));
	/* read-only, under the statement's snapshot: an export may run inside a parallel plan */
	MmCatalogQuery("SELECT v.params::pg_catalog.text, v.metrics::pg_catalog.text, "
				   "v.baseline::pg_catalog.text, pg_catalog.to_jsonb(v.feature_types)::pg_catalog.text, "
				   "pg_catalog.jsonb_build_object('model', m.name, 'version', v.version, "
				   "'relation', v.relation, 'target_type', v.target_type, 'test_size', v.test_size, "
				   "'seed', v.seed, 'rows_read', v.rows_read, 'rows_train', v.rows_train, "
				   "'rows_test', v.rows_test, 'rows_skipped', v.rows_skipped, "
				   "'fingerprint', v.fingerprint, 'preprocess', v.preprocess, "
				   "'fitted_preprocess', v.fitted_preprocess, 'trained_at', v.trained_at, "
				   "'trained_by', v.trained_by, 'train_time', "
				   "pg_catalog.date_part('epoch', v.train_time), 'exported_at', pg_catalog.now(), "
				   "'exported_by', $2)::pg_catalog.text "
				   "FROM mm._versions v JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) v.model_id "
				   "WHERE v.id OPERATOR(pg_catalog.=) $1",
				   2, types, values);
	extras.params = TextDatumGetCString(MmCatalogGet(0, 1, &isnull));
	extras.metrics = TextDatumGetCString(MmCatalogGet(0, 2, &isnull));
	d = MmCatalogGet(0, 3, &isnull);
	extras.baseline = isnull ? NULL : TextDatumGetCString(d);
	extras.feature_types = TextDatumGetCString(MmCatalogGet(0, 4, &isnull));
	extras.provenance = TextDatumGetCString(MmCatalogGet(0, 5, &isnull));
	if (mm_document_write(model, &extras, &doc_text, &err) != MM_OK)
		MmReportCoreError(&err, "could not write the document");
	doc = MmJsonbFromString(doc_text);
	copy = MemoryContextAlloc(outer, VARSIZE(doc));
	memcpy(copy, doc, VARSIZE(doc));
	SPI_finish();
	PG_RETURN_JSONB_P(copy);
}

/* A field of an object (NULL when absent). */
static JsonbValue *
field(Jsonb *obj, const char *key)
{
	if (obj == NULL || !MmJsonbIsObject(obj))
		return NULL;
	return getKeyJsonValueFromContainer(&obj->root, key, strlen(key), NULL);
}

static void
bad_field(const char *key, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("document field \"%s\" %s", key, what)));
}

/* A provenance string, or dflt when absent or null. */
static char *
provenance_text(Jsonb *prov, const char *key, const char *dflt)
{
	JsonbValue *v = field(prov, key);

	if (v == NULL || v->type == jbvNull)
		return dflt ? pstrdup(dflt) : NULL;
	if (v->type != jbvString)
		bad_field(psprintf("provenance.%s", key), "must be a string");
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* A provenance number within [lo, hi], or dflt when absent or null. */
static double
provenance_number(Jsonb *prov, const char *key, double lo, double hi, double dflt)
{
	JsonbValue *v = field(prov, key);
	double		x;

	if (v == NULL || v->type == jbvNull)
		return dflt;
	x = MmJsonbNumber(v);
	if (v->type != jbvNumeric || !isfinite(x) || x < lo || x > hi)
		bad_field(psprintf("provenance.%s", key), "must be a number in its range");
	return x;
}

/* A provenance object as JSON text, or dflt when absent or null. */
static char *
provenance_object(Jsonb *prov, const char *key, const char *dflt)
{
	JsonbValue *v = field(prov, key);

	if (v == NULL || v->type == jbvNull)
		return pstrdup(dflt);
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_field(psprintf("provenance.%s", key), "must be an object");
	return MmJsonbText(JsonbValueToJsonb(v));
}

/*
 * The type a document names for a column, or dflt when this database has no
 * such type (an enum or a domain of the source database, say): the type
 * only describes the column the version was trained on.  A name that is not
 * a type name at all is an error.
 */
static Oid
document_type(const char *name, const char *field, Oid dflt)
{
	Oid			type;
	int32		typmod;

	if (strlen(name) == 0 || strlen(name) > NAMEDATALEN * 2 ||
		strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .\"(),[]") != strlen(name))
		bad_field(field, "must hold type names");
	parseTypeString(name, &type, &typmod, true);
	return OidIsValid(type) ? type : dflt;
}

/* The metrics part a version's score comes from: the test part, or the training part without one. */
static JsonbValue *
scored_part(Jsonb *metrics)
{
	JsonbValue *part = field(metrics, "test");

	if (part == NULL || part->type != jbvBinary)
		part = field(metrics, "train");
	return part != NULL && part->type == jbvBinary ? part : NULL;
}

/* The version's score as training would record it, from its metrics. */
static double
score_of(const MmModel *m, Jsonb *metrics)
{
	const char *key = m->task == MM_TASK_REGRESSION ? "r2" :
		m->task == MM_TASK_CLASSIFICATION ? "f1" : "silhouette";
	JsonbValue *part = scored_part(metrics);

	if (part == NULL)
		return NAN;
	if (m->task == MM_TASK_DECOMPOSITION)
	{
		JsonbValue *ratios = getKeyJsonValueFromContainer(part->val.binary.data, "explained_variance_ratio",
														  24, NULL);
		double		sum = 0.0;
		int			i,
					n;

		if (ratios == NULL || ratios->type != jbvBinary || !JsonContainerIsArray(ratios->val.binary.data))
			return NAN;
		n = JsonContainerSize(ratios->val.binary.data);
		for (i = 0; i < n; i++)
			sum += MmJsonbNumber(getIthJsonbValueFromContainer(ratios->val.binary.data, i));
		return sum;
	}
	{
		JsonbValue *s = getKeyJsonValueFromContainer(part->val.binary.data, key, strlen(key), NULL);

		return s ? MmJsonbNumber(s) : NAN;
	}
}

/*
 * The trivial model's score on the part score_of reads, as the document's
 * metrics record it; NaN when they do not (documents from before the
 * baseline was measured), and then no baseline holds the import back.
 */
static double
trivial_score_of(const MmModel *m, Jsonb *metrics)
{
	const char *key = m->task == MM_TASK_REGRESSION ? "r2" : "f1";
	JsonbValue *part = scored_part(metrics);
	JsonbValue *baseline,
			   *s;

	if (m->task != MM_TASK_REGRESSION && m->task != MM_TASK_CLASSIFICATION)
		return NAN;
	if (part == NULL)
		return NAN;
	baseline = getKeyJsonValueFromContainer(part->val.binary.data, "baseline", 8, NULL);
	if (baseline == NULL || baseline->type != jbvBinary)
		return NAN;
	s = getKeyJsonValueFromContainer(baseline->val.binary.data, key, strlen(key), NULL);
	return s ? MmJsonbNumber(s) : NAN;
}

/* One open array or object of the walk in check_sizes. */
typedef struct Level
{
	bool		object;
	const char *key;			/* the member being read, in an object */
	int			keylen;
	uint32		index;			/* the element being read, in an array */
} Level;

/* The path of the container at depth in levels, as a field name: categories[2].names. */
static char *
level_path(const Level *levels, int depth)
{
	StringInfoData buf;
	int			d;

	initStringInfo(&buf);
	for (d = 0; d < depth; d++)
	{
		if (levels[d].object)
			appendStringInfo(&buf, "%s%.*s", d ? "." : "", Min(levels[d].keylen, 100), levels[d].key);
		else
			appendStringInfo(&buf, "[%u]", levels[d].index);
	}
	return buf.data;
}

/*
 * Refuses an array or object larger than its place in the document allows
 * (mm_document_max_elements), before anything reads the document further:
 * what follows takes time in proportion to every element, and an oversized
 * array would otherwise be bounded by the document's bytes only.  The walk
 * meets each container's size first, so one of millions of elements is
 * refused before its first element is read.
 */
static void
check_sizes(Jsonb *document)
{
	JsonbIterator *it = JsonbIteratorInit(&document->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			cap = 16,
				depth = 0;
	Level	   *levels = palloc(sizeof(Level) * cap);
	uint64		steps = 0;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if ((++steps & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				{
					uint32		n = tok == WJB_BEGIN_ARRAY ? v.val.array.nElems : v.val.object.nPairs;
					char	   *top = depth >= 1 && levels[0].object ?
						pnstrdup(levels[0].key, levels[0].keylen) : NULL;
					char	   *key = depth >= 1 && levels[depth - 1].object ?
						pnstrdup(levels[depth - 1].key, levels[depth - 1].keylen) : NULL;
					size_t		limit = mm_document_max_elements(top, key);

					if (n > limit)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("document is not a model modelmgr can import"),
								 errdetail("document field \"%s\" holds %u %s, more than its limit of %zu",
										   depth ? level_path(levels, depth) : "(document)", n,
										   tok == WJB_BEGIN_ARRAY ? "elements" : "members", limit),
								 errhint("Import a document that mm_export wrote (doc/export-format.md).")));
					if (depth == cap)
					{
						cap *= 2;
						levels = repalloc(levels, sizeof(Level) * cap);
					}
					levels[depth].object = tok == WJB_BEGIN_OBJECT;
					levels[depth].key = NULL;
					levels[depth].keylen = 0;
					levels[depth].index = 0;
					depth++;
					break;
				}
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				depth--;
				if (depth > 0 && !levels[depth - 1].object)
					levels[depth - 1].index++;
				break;
			case WJB_KEY:
				levels[depth - 1].key = v.val.string.val;
				levels[depth - 1].keylen = v.val.string.len;
				break;
			case WJB_ELEM:
				levels[depth - 1].index++;
				break;
			default:
				break;
		}
	}
}

/*
 * Refuses a baseline profile the monitor would refuse (check.c holds the one
 * definition), naming the field: a damaged one would fail every check, or,
 * with counts that say nothing was profiled, switch drift detection off.
 */
static void
check_baseline(const char *baseline, const MmModel *model)
{
	char	   *field;
	const char *what;

	if (!MmBaselineValid(MmJsonbFromString(baseline), model, &field, &what))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("document is not a model modelmgr can import"),
				 errdetail("document field \"baseline%s%s\" %s", field[0] ? "." : "", field, what),
				 errhint("Import a document that mm_export wrote (doc/export-format.md).")));
}

/* Body of mm_import. */
static Datum
import_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	char	   *name = MmArgCString(fcinfo, 0, "model");
	Jsonb	   *document;
	char	   *doc_text;
	MmModel    *model;
	MmDocumentExtras extras;
	MmError		err;
	MmTrainSpec spec;
	MmSource	src;
	MmTrained  *t = palloc0(sizeof(MmTrained));
	MmTrainedVersion result;
	Jsonb	   *prov,
			   *metrics,
			   *types_doc = NULL;
	int			j;

	MmAuditSetModel(call, name);
	MmCheckName(name, "model");
	MmRequireArg(fcinfo, 1, "document");
	document = PG_GETARG_JSONB_P(1);
	check_sizes(document);
	doc_text = MmJsonbText(document);
	if (mm_document_read(doc_text, strlen(doc_text), &model, &extras, &err) != MM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("document is not a model modelmgr can import"),
				 errdetail("%s", err.message),
				 errhint("Import a document that mm_export wrote (doc/export-format.md).")));

	/* the host's fields, each checked */
	if (extras.params != NULL && !MmJsonbIsObject(MmJsonbFromString(extras.params)))
		bad_field("params", "must be an object or null");
	metrics = MmJsonbFromString(extras.metrics ? extras.metrics : "{}");
	if (!MmJsonbIsObject(metrics))
		bad_field("metrics", "must be an object or null");
	if (extras.baseline != NULL)
		check_baseline(extras.baseline, model);
	prov = extras.provenance ? MmJsonbFromString(extras.provenance) : NULL;
	if (prov != NULL && !MmJsonbIsObject(prov))
		bad_field("provenance", "must be an object or null");
	/* the reader has checked it holds a type name per feature */
	if (extras.feature_types != NULL)
		types_doc = MmJsonbFromString(extras.feature_types);

	memset(&src, 0, sizeof(src));
	src.nfeatures = model->n_features;
	src.features = model->feature_names;
	src.feature_kinds = model->feature_kinds;
	MmSourceDatesFromModel(&src, model);
	src.feature_types = palloc(sizeof(Oid) * model->n_features);
	for (j = 0; j < model->n_features; j++)
	{
		Oid			type = model->feature_kinds[j] == MM_FEATURE_BOOLEAN ? BOOLOID :
			model->feature_kinds[j] == MM_FEATURE_CATEGORICAL ? TEXTOID :
			model->feature_kinds[j] == MM_FEATURE_DATE_PART ? DATEOID : FLOAT8OID;

		if (types_doc != NULL)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(&types_doc->root, j);

			type = document_type(pnstrdup(e->val.string.val, e->val.string.len), "feature_types", type);
		}
		/* a part of a date reads a date column whatever the document says */
		if (model->feature_kinds[j] == MM_FEATURE_DATE_PART && !MmIsDateType(type))
			type = DATEOID;
		src.feature_types[j] = type;
	}
	src.target = model->target;
	if (model->target != NULL)
	{
		/* the type a label of its kind reads back as, when the document does not say */
		const MmLabels *c = &model->labels;
		Oid			dflt = model->task != MM_TASK_CLASSIFICATION ? FLOAT8OID :
			c->label_kind == MM_LABEL_TEXT ? TEXTOID : c->label_kind == MM_LABEL_BOOLEAN ? BOOLOID : INT8OID;
		char	   *tt = provenance_text(prov, "target_type", NULL);

		src.target_type = tt ? document_type(tt, "provenance.target_type", dflt) : dflt;
	}
	src.qualified = provenance_text(prov, "relation", "(imported)");

	memset(&spec, 0, sizeof(spec));
	spec.model = name;
	spec.preprocess = MmJsonbFromString(provenance_object(prov, "preprocess", "{}"));
	spec.test_size = provenance_number(prov, "test_size", 0.0, 0.999999, 0.0);
	spec.seed = (int32) provenance_number(prov, "seed", PG_INT32_MIN, PG_INT32_MAX, 0.0);
	spec.deploy = "if_better";

	t->model = *model;
	t->algorithm = model->algorithm->name;
	t->task = mm_task_name(model->task);
	t->params = extras.params ? extras.params : "{}";
	t->metrics = MmJsonbText(metrics);
	t->fitted = provenance_object(prov, "fitted_preprocess", "{}");
	t->score = score_of(model, metrics);
	t->trivial_score = trivial_score_of(model, metrics);
	t->rows_read = (int64) provenance_number(prov, "rows_read", 0, 9e15, 0);
	t->rows_train = (int64) provenance_number(prov, "rows_train", 0, 9e15, 0);
	t->rows_test = (int64) provenance_number(prov, "rows_test", 0, 9e15, 0);
	t->rows_skipped = provenance_object(prov, "rows_skipped", "{}");
	{
		char	   *fp = provenance_text(prov, "fingerprint", "0");

		if (strlen(fp) > 16 || strspn(fp, "0123456789abcdef") != strlen(fp))
			bad_field("provenance.fingerprint", "must be up to 16 hexadecimal digits");
		t->fingerprint = strtoull(fp, NULL, 16);
	}
	t->snapshot = NULL;
	t->baseline = extras.baseline;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmRequireCurrentSchema();
	MmCheckTrainPrivileges(name, spec.deploy);
	MmRecordVersion(&spec, &src, t, 0.0, call, &result);
	SPI_finish();
	PG_RETURN_INT32(result.version);
}

Datum
mm_import(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_import", import_body);
}
