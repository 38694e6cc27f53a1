/*
 * check.c: one monitoring check.  The window of the live relation is read
 * once, as the current user, by one aggregate query (checkagg.c): each
 * value is counted against the version's baseline profile, the row scored
 * with the model and, where a label has arrived, the prediction scored.
 * The query runs where the rows are: PostgreSQL's parallel workers share
 * the window, and on a distributed table each shard counts its own rows
 * and sends back the counts, which are merged here.  A Citus table's query
 * hands the features in arrays, the form Citus pushes down; any other
 * relation's hands each value as an argument of its own, which builds no
 * array per row.  The window's filter
 * (the time column from now() - time_window on) is the query's WHERE.
 * What the counts say (drift, quality, alerts) is worked out here, once.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "baseline.h"
#include "cache.h"
#include "catalog.h"
#include "check.h"
#include "checkagg.h"
#include "checkbaseline.h"
#include "citusmeta.h"
#include "classify.h"
#include "columns.h"
#include "dataset.h"
#include "mmcore.h"
#include "model.h"
#include "privileges.h"
#include "profile.h"
#include "security.h"
#include "thresholds.h"
#include "util.h"

/* What the window counted, against the baseline's profiles. */
typedef struct CheckCounts
{
	int			p;
	MmWatch    *watch;			/* p features */
	MmWatch		prediction;
	int64		rows;
	int64		unpredictable;	/* a NULL the model does not impute */
	/* quality, over rows with a label */
	bool		labelled;
	int64		label_rows;
	double		y_m2,
				sse,
				sae;
	int			n_classes;
	int64	   *confusion;		/* (classes + 1) x classes: label (last: unknown) by prediction */
} CheckCounts;

/*
 * A version trained before baselines were kept gets one now, from its
 * recorded training relation read again with its split: the rows the
 * version trained on, if they have not changed since.
 */
static Jsonb *
make_baseline(const MmVersionRef *v, const MmModel *model)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(v->version_id)};
	bool		isnull;
	char	   *relation;
	double		test_size;
	int32		seed;
	MmSource	src;
	MmDataset	ds;
	MmLabelKind label_kind = 0;
	char	   *json;
	Oid			utypes[2] = {TEXTOID, INT8OID};
	Datum		uvalues[2];

	MmCatalogExec("SELECT relation, test_size, seed FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, SPI_OK_SELECT);
	relation = TextDatumGetCString(MmCatalogGet(0, 1, &isnull));
	test_size = DatumGetFloat8(MmCatalogGet(0, 2, &isnull));
	seed = DatumGetInt32(MmCatalogGet(0, 3, &isnull));
	ereport(NOTICE,
			(errmsg("model \"%s\" version %d has no baseline profile yet: making it from relation %s",
					v->model, v->version, relation)));
	memset(&src, 0, sizeof(src));
	src.relid = MmResolveRelation(relation, &src.qualified, &src.display);
	MmResolveColumns(&src, model);
	if (model->task == MM_TASK_CLASSIFICATION)
		label_kind = MmLabelKindOf(src.target_type);
	(void) MmDatasetLoad(&ds, &src, label_kind, model->task == MM_TASK_REGRESSION, test_size, seed);
	if (ds.n[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot make the baseline profile of model \"%s\" version %d: relation %s has no training rows",
						v->model, v->version, src.display)));
	json = MmBaselineFinish(MmBaselineTake(&ds, &src), model);
	MmDatasetFree(&ds);
	uvalues[0] = CStringGetTextDatum(json);
	uvalues[1] = Int64GetDatum(v->version_id);
	MmCatalogExec("UPDATE mm._versions SET baseline = $1::pg_catalog.jsonb WHERE id OPERATOR(pg_catalog.=) $2",
				  2, utypes, uvalues, NULL, SPI_OK_UPDATE);
	return MmJsonbFromString(json);
}

/* The version's baseline, made first if it has none. */
static Jsonb *
load_baseline(const MmVersionRef *v, const MmModel *model)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(v->version_id)};
	bool		isnull;
	Datum		d;

	MmCatalogExec("SELECT baseline FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_SELECT);
	d = MmCatalogGet(0, 1, &isnull);
	if (isnull)
		return make_baseline(v, model);
	return DatumGetJsonbPCopy(d);
}

/* ---------------------------------------------------------------- the check */

/* The arguments of the variadic mm_check_accum before a row's values: state, check, y, label. */
#define CHECK_ARGS 4

/*
 * Resolves and checks the columns a check reads; returns the window's
 * query: with counts, the aggregate that counts it (mm_check_stats, the
 * check header $1, the window's start $2), else its rows (the start $1).
 */
static char *
window_query(const MmCheckSpec *spec, const MmModel *model, MmSource *src, bool counts)
{
	MmModel		inputs = *model;
	StringInfoData q;
	Oid			label_type = InvalidOid;
	char	   *label = NULL;
	const char *regression_label,
			   *class_label;
	bool		first;
	int			j;

	memset(src, 0, sizeof(*src));
	src->relid = MmResolveRelation(spec->relation, &src->qualified, &src->display);
	inputs.target = NULL;		/* the live rows need no target; labels come from label_column */
	MmResolveColumns(src, &inputs);

	if (spec->time_column != NULL)
	{
		AttrNumber	att = get_attnum(src->relid, spec->time_column);
		Oid			type;

		if (att == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("time column \"%s\" does not exist in relation %s",
							spec->time_column, src->display)));
		type = get_atttype(src->relid, att);
		if (type != TIMESTAMPTZOID && type != TIMESTAMPOID && type != DATEOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("time column \"%s\" of relation %s has type %s, not a date or timestamp",
							spec->time_column, src->display, format_type_be(type))));
	}
	if (spec->label_column != NULL)
	{
		AttrNumber	att = get_attnum(src->relid, spec->label_column);

		if (model->task != MM_TASK_REGRESSION && model->task != MM_TASK_CLASSIFICATION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("label_column needs a regression or classification model, and model \"%s\" is %s",
							spec->reference,
							mm_task_name(model->task))));
		if (att == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("label column \"%s\" does not exist in relation %s",
							spec->label_column, src->display)));
		label_type = getBaseType(get_atttype(src->relid, att));
		if (model->task == MM_TASK_REGRESSION && !MmIsNumericType(label_type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("label column \"%s\" of relation %s is not a number",
							spec->label_column, src->display)));
	}

	/*
	 * Labels are matched with the classes by their text; a numeric 1.00 is the
	 * class "1" (number labels render as integers, numberlabel.c).
	 */
	if (spec->label_column != NULL && model->task == MM_TASK_CLASSIFICATION &&
		model->labels.label_kind == MM_LABEL_NUMBER && label_type == NUMERICOID)
		label = psprintf("pg_catalog.trim_scale(r.%s)::pg_catalog.text", quote_identifier(spec->label_column));
	else if (spec->label_column != NULL)
		label = psprintf("(r.%s)::%s", quote_identifier(spec->label_column),
						 model->task == MM_TASK_REGRESSION ? "pg_catalog.float8" : "pg_catalog.text");

	initStringInfo(&q);
	if (!counts)
	{
		/* the rows themselves, to plan and start the read as the caller */
		appendStringInfoString(&q, "SELECT ");
		for (j = 0; j < src->nfeatures; j++)
			appendStringInfo(&q, "%s%s", j ? ", " : "", MmFeatureExpression(src, j, "r"));
		if (label != NULL)
			appendStringInfo(&q, ", %s", label);
		appendStringInfo(&q, " FROM %s r", src->qualified);
		if (spec->time_column != NULL)
			appendStringInfo(&q, " WHERE r.%s OPERATOR(pg_catalog.>=) $1", quote_identifier(spec->time_column));
		return q.data;
	}

	regression_label = label != NULL && model->task == MM_TASK_REGRESSION ? label : "NULL::pg_catalog.float8";
	class_label = label != NULL && model->task == MM_TASK_CLASSIFICATION ? label : "NULL::pg_catalog.text";
	appendStringInfo(&q, "SELECT %s.mm_check_stats($1, ", MmExtensionSchema());
	if (MmReadsCitusTable(src->relid) || src->nfeatures > FUNC_MAX_ARGS - CHECK_ARGS)
	{
		/*
		 * Citus pushes down only aggregates whose argument types are exact:
		 * numbers and categories in two arrays of fixed types, in the
		 * model's order.  So do models of more features than a function
		 * takes arguments.
		 */
		appendStringInfoString(&q, "ARRAY[");
		for (j = 0, first = true; j < src->nfeatures; j++)
			if (model->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			{
				appendStringInfo(&q, "%s%s", first ? "" : ", ", MmFeatureExpression(src, j, "r"));
				first = false;
			}
		appendStringInfoString(&q, "]::pg_catalog.float8[], ARRAY[");
		for (j = 0, first = true; j < src->nfeatures; j++)
			if (model->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			{
				appendStringInfo(&q, "%s%s", first ? "" : ", ", MmFeatureExpression(src, j, "r"));
				first = false;
			}
		appendStringInfo(&q, "]::pg_catalog.text[], %s, %s) FROM %s r", regression_label, class_label,
						 src->qualified);
	}
	else
	{
		/* any other relation's rows hand each value as an argument of its own: no array per row */
		appendStringInfo(&q, "%s, %s", regression_label, class_label);
		for (j = 0; j < src->nfeatures; j++)
			appendStringInfo(&q, ", %s", MmFeatureExpression(src, j, "r"));
		appendStringInfo(&q, ") FROM %s r", src->qualified);
	}
	if (spec->time_column != NULL)
		appendStringInfo(&q, " WHERE r.%s OPERATOR(pg_catalog.>=) $2", quote_identifier(spec->time_column));
	return q.data;
}

void
MmCheckValidate(const MmCheckSpec *spec)
{
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmSource	src;
	MmThresholds thr;
	char	   *query;
	Oid			types[1] = {TIMESTAMPTZOID};
	Datum		values[1] = {TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())};

	MmResolveRef(spec->reference, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	query = window_query(spec, model, &src, false);
	MmParseThresholds(spec->thresholds, model, &thr);

	/* planned and started without a row: the caller's privileges on what a check reads */
	if (MmSpiRun(psprintf("%s LIMIT 0", query), spec->time_column ? 1 : 0, types, values,
				 NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read relation %s", src.display);
}

/* Appends "key": number. */
static void
append_metric(StringInfo buf, const char *key, double value, bool *first)
{
	appendStringInfo(buf, "%s\"%s\": ", *first ? "" : ", ", key);
	MmJsonNumber(buf, value);
	*first = false;
}

typedef struct AlertList
{
	int			n;
	int			cap;
	MmCheckAlert *items;
} AlertList;

/* Records an alert when value crosses threshold (neither NaN). */
static void
cross(AlertList *list, const char *scope, const char *feature, const char *metric, double value,
	  double threshold)
{
	if (isnan(value) || isnan(threshold) || !(value > threshold))
		return;
	if (list->n == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 8;
		list->items = list->items ? repalloc(list->items, sizeof(MmCheckAlert) * list->cap) :
			palloc(sizeof(MmCheckAlert) * list->cap);
	}
	list->items[list->n].scope = scope;
	list->items[list->n].feature = feature;
	list->items[list->n].metric = metric;
	list->items[list->n].value = value;
	list->items[list->n].threshold = threshold;
	list->n++;
}

/* The drift metrics of a watch, appended as JSON fields and checked against thr. */
static void
drift_of(MmWatch *w, const double *thr, StringInfo buf, AlertList *alerts, const char *scope,
		 const char *feature, MmDrift *d)
{
	double		values[MM_DRIFT_METRICS];
	bool		first = true;
	int			m;

	if (w->categorical)
		mm_drift_categorical(&w->cat, &w->cw, d);
	else
		mm_drift_numeric(&w->num, &w->nw, d);
	values[MM_DRIFT_PSI] = d->psi;
	values[MM_DRIFT_JS] = d->js;
	values[MM_DRIFT_LINF] = d->linf;
	values[MM_DRIFT_KS] = d->ks;
	values[MM_DRIFT_WASSERSTEIN] = d->wasserstein;
	for (m = 0; m < MM_DRIFT_METRICS; m++)
	{
		if (w->categorical && (m == MM_DRIFT_KS || m == MM_DRIFT_WASSERSTEIN))
			continue;
		append_metric(buf, mm_drift_metric_names[m], values[m], &first);
		cross(alerts, scope, feature, mm_drift_metric_names[m], values[m], thr[m]);
	}
}

/* The quality part of the result, and its alert. */
static void
append_quality(StringInfo buf, CheckCounts *cr, const MmModel *model, Jsonb *version_metrics,
			   double drop_threshold, AlertList *alerts)
{
	const char *metric = model->task == MM_TASK_REGRESSION ? "r2" : "f1";
	double		value,
				baseline = NAN;
	bool		first = true;
	JsonbValue *part;

	appendStringInfo(buf, "{\"rows\": " INT64_FORMAT ", \"metric\": \"%s\"", cr->label_rows, metric);
	first = false;
	if (model->task == MM_TASK_REGRESSION)
	{
		double		n = (double) cr->label_rows;

		value = n > 0 && cr->y_m2 > 0 ? 1.0 - cr->sse / cr->y_m2 : NAN;
		append_metric(buf, "r2", value, &first);
		append_metric(buf, "rmse", n > 0 ? sqrt(cr->sse / n) : NAN, &first);
		append_metric(buf, "mae", n > 0 ? cr->sae / n : NAN, &first);
	}
	else
	{
		int			k = cr->n_classes,
					a,
					b,
					present = 0;
		int64		correct = 0;
		double		f1 = 0.0;

		for (a = 0; a < k; a++)
		{
			int64		tp = cr->confusion[a * k + a],
						fp = 0,
						fn = 0;

			correct += tp;
			for (b = 0; b <= k; b++)
			{
				if (b < k && b != a)
					fn += cr->confusion[a * k + b];
				if (b != a)
					fp += cr->confusion[b * k + a];
			}
			/* macro F1 over the classes that occur, as labels or as predictions */
			if (tp + fp + fn > 0)
			{
				present++;
				f1 += 2.0 * tp / (double) (2 * tp + fp + fn);
			}
		}
		value = present > 0 ? f1 / present : NAN;
		append_metric(buf, "accuracy", cr->label_rows > 0 ? (double) correct / cr->label_rows : NAN,
					  &first);
		append_metric(buf, "f1", value, &first);
	}
	part = getKeyJsonValueFromContainer(&version_metrics->root, "test", 4, NULL);
	if (part == NULL || part->type != jbvBinary)
		part = getKeyJsonValueFromContainer(&version_metrics->root, "train", 5, NULL);
	if (part != NULL && part->type == jbvBinary)
	{
		JsonbValue *m = getKeyJsonValueFromContainer(part->val.binary.data, metric, strlen(metric), NULL);

		if (m != NULL)
			baseline = MmJsonbNumber(m);
	}
	append_metric(buf, "baseline", baseline, &first);
	append_metric(buf, "drop", baseline - value, &first);
	appendStringInfoChar(buf, '}');
	cross(alerts, "quality", NULL, "quality_drop", baseline - value, drop_threshold);
}

/* Takes what the window's state counted into the watches and the quality counts. */
static void
take_counts(CheckCounts *cr, const MmCheckStateView *counts)
{
	int			j;

	/* the counts are of these profiles and this quality, or reading them would stray */
	for (j = 0; j <= cr->p; j++)
	{
		MmWatch    *w = j < cr->p ? &cr->watch[j] : &cr->prediction;

		if (counts->shape[j] != (w->categorical ? w->cat.n : -1))
			break;
	}
	if (j <= cr->p || counts->head->classes != cr->n_classes ||
		(counts->head->quality == MM_CHECK_QUALITY_NONE) == cr->labelled)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid check state"),
				 errdetail("Its counts are not those of the check's baseline and labels.")));

	cr->rows = counts->head->rows;
	cr->unpredictable = counts->head->unpredictable;
	cr->label_rows = counts->head->label_rows;
	cr->y_m2 = counts->head->y_m2;
	cr->sse = counts->head->sse;
	cr->sae = counts->head->sae;
	cr->confusion = counts->confusion;
	for (j = 0; j <= cr->p; j++)
	{
		MmWatch    *w = j < cr->p ? &cr->watch[j] : &cr->prediction;

		if (!w->categorical)
			memcpy(&w->nw, counts->watch[j], sizeof(MmNumericWindow));
		else
		{
			const MmCheckCategorical *c = counts->watch[j];

			w->cw.rows = c->rows;
			w->cw.missing = c->missing;
			w->cw.unseen = c->unseen;
			memcpy(w->cw.count, c->count, sizeof(int64) * (w->cat.n + 1));
		}
	}
}

void
MmCheckRun(const MmCheckSpec *spec, MmCheckResult *out)
{
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmSource	src;
	MmThresholds thr;
	Jsonb	   *baseline,
			   *version_metrics;
	char	   *field;
	const char *what;
	CheckCounts cr;
	MmCheckQuality quality = MM_CHECK_QUALITY_NONE;
	MmCheckStateView counts;
	void	  **watch_counts;
	Oid			qtypes[2] = {BYTEAOID, TIMESTAMPTZOID};
	Datum		qvalues[2];
	Datum		state;
	char	   *query;
	int			j;
	StringInfoData buf;
	AlertList	alerts = {0};
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;

	MmResolveRef(spec->reference, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	query = window_query(spec, model, &src, true);
	MmParseThresholds(spec->thresholds, model, &thr);
	baseline = load_baseline(&v, model);
	values[0] = Int64GetDatum(v.version_id);
	MmCatalogExec("SELECT metrics FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	version_metrics = DatumGetJsonbPCopy(MmCatalogGet(0, 1, &isnull));

	memset(&cr, 0, sizeof(cr));
	cr.p = model->n_features;
	cr.watch = palloc0(sizeof(MmWatch) * Max(cr.p, 1));
	if (!MmReadBaseline(baseline, model, cr.watch, &cr.prediction, &field, &what))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the baseline profile of model \"%s\" version %d is damaged", v.model, v.version),
				 errdetail("Field \"%s\" %s.", field, what)));
	if (spec->label_column != NULL)
	{
		cr.labelled = true;
		quality = model->task == MM_TASK_REGRESSION ? MM_CHECK_QUALITY_REGRESSION : MM_CHECK_QUALITY_CLASSES;
		cr.n_classes = quality == MM_CHECK_QUALITY_CLASSES ? model->labels.n_classes : 0;
	}

	/*
	 * The one read of the window, from now() - time_window on (computed once,
	 * not per row).  The model and the baseline travel with the query, so
	 * that wherever it runs it needs no catalog.
	 */
	MmCatalogExec("SELECT artifact FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL,
				  SPI_OK_SELECT);
	qvalues[0] = PointerGetDatum(MmCheckHeader(DatumGetByteaPCopy(MmCatalogGet(0, 1, &isnull)),
											   MmJsonbText(baseline), quality));
	if (spec->time_column != NULL)
		qvalues[1] = DirectFunctionCall2(timestamptz_mi_interval,
										 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
										 spec->time_window);
	if (MmSpiRun(query, spec->time_column != NULL ? 2 : 1, qtypes, qvalues, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not read the rows of %s", src.display);
	state = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	watch_counts = palloc(sizeof(void *) * (cr.p + 1));
	MmCheckStateRead(state, isnull, cr.p + 1, &counts, watch_counts);
	if (counts.head != NULL)
		take_counts(&cr, &counts);
	else if (quality == MM_CHECK_QUALITY_CLASSES)
		cr.confusion = palloc0(sizeof(int64) * (cr.n_classes + 1) * cr.n_classes);

	/* what the window says */
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"rows\": " INT64_FORMAT ", \"features\": {", cr.rows);
	for (j = 0; j < cr.p; j++)
	{
		MmWatch    *w = &cr.watch[j];
		const char *name = model->feature_names[j];
		MmDrift		d;
		bool		first = false;

		if (j)
			appendStringInfoString(&buf, ", ");
		MmJsonString(&buf, name);
		appendStringInfoString(&buf, ": {");
		drift_of(w, thr.feature + j * MM_DRIFT_METRICS, &buf, &alerts, "feature", name, &d);
		append_metric(&buf, "missing_rate", d.missing_rate, &first);
		append_metric(&buf, "missing_rate_baseline", d.missing_rate_baseline, &first);
		cross(&alerts, "feature", name, "missing_rate", d.missing_rate - d.missing_rate_baseline,
			  thr.missing_rate);
		if (w->categorical)
		{
			append_metric(&buf, "unseen", d.unseen, &first);
			cross(&alerts, "feature", name, "unseen", d.unseen, thr.unseen);
		}
		else
		{
			append_metric(&buf, "out_of_range", d.out_of_range, &first);
			cross(&alerts, "feature", name, "out_of_range", d.out_of_range, thr.out_of_range);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "}, \"prediction\": {");
	{
		MmDrift		d;
		bool		first = false;

		drift_of(&cr.prediction, thr.prediction, &buf, &alerts, "prediction", NULL, &d);
		append_metric(&buf, "rows", (double) (cr.rows - cr.unpredictable), &first);
		append_metric(&buf, "unpredictable", (double) cr.unpredictable, &first);
	}
	appendStringInfoString(&buf, "}, \"quality\": ");
	if (cr.labelled)
		append_quality(&buf, &cr, model, version_metrics, thr.quality_drop, &alerts);
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoChar(&buf, '}');

	out->model = v.model;
	out->version = v.version;
	out->version_id = v.version_id;
	out->rows = cr.rows;
	if (cr.rows == 0)
		alerts.n = 0;			/* nothing was seen: no metric is defined, none crossed */
	out->verdict = cr.rows == 0 ? "no_data" : alerts.n > 0 ? "alert" : "ok";
	out->nalerts = alerts.n;
	out->alerts = alerts.items;
	out->json = buf.data;
}
