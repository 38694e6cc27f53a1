/*
 * check.c: one monitoring check.  The window of the live relation is read
 * once, as the current user, through a receiver of its own that counts each
 * value against the version's baseline profile, scores the row with the
 * model and, where a label has arrived, scores the prediction.
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "baseline.h"
#include "cache.h"
#include "catalog.h"
#include "check.h"
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

/* A small string set: each name's position, by open addressing. */
typedef struct NameIndex
{
	int			n;
	char	  **names;
	int		   *lens;
	int32	   *slots;			/* position + 1, 0 empty */
	uint32		mask;
} NameIndex;

static void
name_index_init(NameIndex *ix, char **names, int n)
{
	uint32		size = 16;
	int			i;

	while (size < (uint32) n * 2)
		size <<= 1;
	ix->n = n;
	ix->names = names;
	ix->lens = palloc(sizeof(int) * Max(n, 1));
	ix->slots = palloc0(sizeof(int32) * size);
	ix->mask = size - 1;
	for (i = 0; i < n; i++)
	{
		uint32		h;

		ix->lens[i] = strlen(names[i]);
		h = hash_bytes((const unsigned char *) names[i], ix->lens[i]) & ix->mask;
		while (ix->slots[h] != 0)
			h = (h + 1) & ix->mask;
		ix->slots[h] = i + 1;
	}
}

/* The position of a string among the names, or -1. */
static int
name_index_find(const NameIndex *ix, const char *s, int len)
{
	uint32		h = hash_bytes((const unsigned char *) s, len) & ix->mask;

	while (ix->slots[h] != 0)
	{
		int			i = ix->slots[h] - 1;

		if (ix->lens[i] == len && memcmp(ix->names[i], s, len) == 0)
			return i;
		h = (h + 1) & ix->mask;
	}
	return -1;
}

/* One feature (or the predictions): its profile and what the window counted. */
typedef struct Watch
{
	bool		categorical;
	MmNumericProfile num;
	MmNumericWindow nw;
	MmCategoricalProfile cat;
	MmCategoricalWindow cw;
	NameIndex	index;
} Watch;

typedef struct CheckReceiver
{
	DestReceiver pub;
	const MmModel *model;
	int			p;
	Watch	   *watch;			/* p features */
	Watch		prediction;
	int		   *outcome_pos;	/* categorical outcomes: the prediction profile's bin */
	double	   *raw;
	double	   *z;
	double	   *scratch;
	MemoryContext row_cxt;		/* what a row allocates (detoasted text), reset every few rows */
	int64		rows;
	int64		unpredictable;	/* a NULL the model does not impute */
	/* quality, over rows with a label */
	bool		labelled;
	int64		label_rows;
	double		y_mean,
				y_m2,
				sse,
				sae;
	NameIndex	classes;
	int64	   *confusion;		/* (classes + 1) x classes: label (last: unknown) by prediction */
} CheckReceiver;

static void
check_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
check_shutdown(DestReceiver *self)
{
}

static void
check_destroy(DestReceiver *self)
{
}

/* Counts a numeric outcome, or a categorical one in its bin. */
static void
count_outcome(CheckReceiver *cr, double outcome)
{
	Watch	   *w = &cr->prediction;

	if (!w->categorical)
		mm_window_add(&w->nw, &w->num, outcome);
	else
	{
		w->cw.rows++;
		w->cw.count[cr->outcome_pos[(int) outcome]]++;
	}
}

/* Counts one row of the window: its values, its outcome, its label. */
static void
count_row(CheckReceiver *cr, TupleTableSlot *slot)
{
	const MmModel *model = cr->model;
	int			j;
	MmError		err;
	double		outcome;

	slot_getallattrs(slot);
	for (j = 0; j < cr->p; j++)
	{
		Watch	   *w = &cr->watch[j];

		if (!w->categorical)
		{
			double		v = slot->tts_isnull[j] ? NAN : DatumGetFloat8(slot->tts_values[j]);

			mm_window_add(&w->nw, &w->num, v);
			cr->raw[j] = v;
		}
		else if (slot->tts_isnull[j])
		{
			w->cw.missing++;
			cr->raw[j] = NAN;
		}
		else
		{
			text	   *t = DatumGetTextPP(slot->tts_values[j]);
			int			len = VARSIZE_ANY_EXHDR(t);
			int			pos = name_index_find(&w->index, VARDATA_ANY(t), len);

			w->cw.rows++;
			w->cw.count[pos >= 0 ? pos : w->cat.n]++;
			cr->raw[j] = model->categories != NULL ?
				mm_category_code(&model->categories[j], VARDATA_ANY(t), len) : MM_CATEGORY_UNSEEN;
			if (cr->raw[j] == MM_CATEGORY_UNSEEN)
				w->cw.unseen++;
		}
	}
	if (mm_model_transform(model, cr->raw, cr->z, &err) != MM_OK)
	{
		cr->unpredictable++;
		return;
	}
	outcome = MmModelOutcome(model, cr->z, cr->scratch);
	count_outcome(cr, outcome);

	if (cr->labelled && !slot->tts_isnull[cr->p])
	{
		if (model->task == MM_TASK_REGRESSION)
		{
			double		y = DatumGetFloat8(slot->tts_values[cr->p]),
						delta;

			if (!isfinite(y))
				return;
			cr->label_rows++;
			delta = y - cr->y_mean;
			cr->y_mean += delta / (double) cr->label_rows;
			cr->y_m2 += delta * (y - cr->y_mean);
			cr->sse += (y - outcome) * (y - outcome);
			cr->sae += fabs(y - outcome);
		}
		else
		{
			text	   *t = DatumGetTextPP(slot->tts_values[cr->p]);
			int			k = name_index_find(&cr->classes, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			int			n = cr->classes.n;

			cr->label_rows++;
			cr->confusion[(k >= 0 ? k : n) * n + (int) outcome]++;
		}
	}
}

static bool
check_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CheckReceiver *cr = (CheckReceiver *) self;
	MemoryContext old;

	/* detoasted text lives in the row context, emptied every few thousand rows */
	if ((++cr->rows & 0xfff) == 0)
	{
		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(cr->row_cxt);
	}
	old = MemoryContextSwitchTo(cr->row_cxt);
	count_row(cr, slot);
	MemoryContextSwitchTo(old);
	return true;
}

/* ---------------------------------------------------------------- baseline */

/*
 * A baseline profile is read whole and checked whole, by the monitor before
 * it counts a window against it and by mm_import before it records one
 * (MmBaselineValid): one definition of what a valid profile is.  What is
 * wrong is reported as the field, named from the baseline down, and what it
 * must be.  Besides each field's type, the checks hold what the writer
 * (baseline.c) guarantees and the drift metrics rely on: the fixed sketch
 * sizes, counts that add up to the rows profiled, finite ascending quantiles
 * whose ends are the range, shares of at least 0 that sum to 1.
 */
typedef struct Problem
{
	char	   *field;
	const char *what;
} Problem;

/* Records the first problem; false, so that callers can return it. */
static bool
refuse(Problem *pr, const char *path, const char *key, const char *what)
{
	pr->field = key ? psprintf("%s%s%s", path, path[0] ? "." : "", key) : pstrdup(path);
	pr->what = what;
	return false;
}

static JsonbValue *
field(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* False unless every key of object c is among keys (NULL-terminated). */
static bool
only_keys(JsonbContainer *c, const char *const *keys, const char *path, Problem *pr)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY)
		{
			const char *const *k;

			for (k = keys; *k != NULL; k++)
				if (strlen(*k) == (size_t) v.val.string.len &&
					memcmp(*k, v.val.string.val, v.val.string.len) == 0)
					break;
			if (*k == NULL)
				return refuse(pr, path, pnstrdup(v.val.string.val, v.val.string.len),
							   "is not a field of a baseline profile");
		}
	return true;
}

/* A count: a whole number from 0 to 2^53, as JSON writes an int64 exactly. */
static bool
count_field(JsonbContainer *c, const char *path, const char *key, int64 *out, Problem *pr)
{
	JsonbValue *f = field(c, key);
	double		x = f != NULL ? MmJsonbNumber(f) : NAN;

	if (!(x >= 0.0 && x <= 9007199254740992.0 && x == floor(x)))
		return refuse(pr, path, key, "must be a whole number at least 0");
	*out = (int64) x;
	return true;
}

/* A finite number, or null (NaN) where null_ok. */
static bool
number_field(JsonbContainer *c, const char *path, const char *key, bool null_ok, double *out,
			 Problem *pr)
{
	JsonbValue *f = field(c, key);

	*out = f != NULL ? MmJsonbNumber(f) : NAN;
	if (f == NULL || (f->type != jbvNumeric && !(null_ok && f->type == jbvNull)) ||
		(f->type == jbvNumeric && !isfinite(*out)))
		return refuse(pr, path, key, null_ok ? "must be a number or null" : "must be a number");
	return true;
}

/* An array of exactly n finite numbers. */
static bool
numbers_field(JsonbContainer *c, const char *path, const char *key, double *out, int n, Problem *pr)
{
	JsonbValue *f = field(c, key);
	int			i;

	if (f == NULL || f->type != jbvBinary || !JsonContainerIsArray(f->val.binary.data) ||
		JsonContainerSize(f->val.binary.data) != (uint32) n)
		return refuse(pr, path, key, psprintf("must be an array of %d numbers", n));
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(f->val.binary.data, i);

		out[i] = MmJsonbNumber(e);
		if (!isfinite(out[i]))
			return refuse(pr, path, key, psprintf("must be an array of %d numbers", n));
	}
	return true;
}

/*
 * n shares of what was counted: each at least 0, summing to 1 (all 0 when
 * nothing was counted), as the drift bins take them.
 */
static bool
shares_field(JsonbContainer *c, const char *path, double *out, int n, bool counted, Problem *pr)
{
	double		sum = 0.0;
	int			i;

	if (!numbers_field(c, path, "shares", out, n, pr))
		return false;
	for (i = 0; i < n; i++)
	{
		if (out[i] < 0.0)
			return refuse(pr, path, "shares", "must be at least 0");
		sum += out[i];
	}
	if (counted ? fabs(sum - 1.0) > 1e-9 : sum != 0.0)
		return refuse(pr, path, "shares", counted ? "must sum to 1" : "must be 0 without rows");
	return true;
}

/*
 * Reads the profile at path (an object) of the kind categorical says into w;
 * its rows and missing values add up to total, the rows it was made from.
 * whose says whose kind it must share.
 */
static bool
read_profile(JsonbValue *obj, const char *path, bool categorical, const char *whose, int64 total,
			 Watch *w, Problem *pr)
{
	static const char *const numeric_keys[] = {"kind", "rows", "missing", "min", "max", "mean", "sd",
	"discrete", "quantiles", "shares", NULL};
	static const char *const categorical_keys[] = {"kind", "rows", "missing", "categories", "shares", NULL};
	JsonbContainer *c;
	JsonbValue *kind;
	int64		rows,
				missing;

	if (obj == NULL)
		return refuse(pr, path, NULL, "is missing");
	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		return refuse(pr, path, NULL, "must be a profile object");
	c = obj->val.binary.data;
	kind = field(c, "kind");
	memset(w, 0, sizeof(*w));
	w->categorical = categorical;
	if (kind == NULL || kind->type != jbvString ||
		strlen(categorical ? "categorical" : "numeric") != (size_t) kind->val.string.len ||
		memcmp(kind->val.string.val, categorical ? "categorical" : "numeric", kind->val.string.len) != 0)
		return refuse(pr, path, "kind", psprintf("must be %s, as %s", categorical ? "categorical" : "numeric",
												 whose));
	if (!only_keys(c, w->categorical ? categorical_keys : numeric_keys, path, pr) ||
		!count_field(c, path, "rows", &rows, pr) || !count_field(c, path, "missing", &missing, pr))
		return false;
	if (rows > total)
		return refuse(pr, path, "rows", psprintf("must be at most the " INT64_FORMAT " rows profiled", total));
	if (missing != total - rows)
		return refuse(pr, path, "missing", psprintf("must be " INT64_FORMAT ": the " INT64_FORMAT
													" rows profiled less the profile's rows",
													total - rows, total));
	if (!w->categorical)
	{
		MmNumericProfile *p = &w->num;
		JsonbValue *discrete = field(c, "discrete");
		int			i;

		p->rows = rows;
		p->missing = missing;
		if (!number_field(c, path, "min", true, &p->min, pr) ||
			!number_field(c, path, "max", true, &p->max, pr) ||
			!number_field(c, path, "mean", true, &p->mean, pr) ||
			!number_field(c, path, "sd", true, &p->sd, pr))
			return false;
		if (p->sd < 0.0)
			return refuse(pr, path, "sd", "must be at least 0 or null");
		if (discrete == NULL || discrete->type != jbvBool)
			return refuse(pr, path, "discrete", "must be true or false");
		p->discrete = discrete->val.boolean;
		if (rows == 0)
		{
			/* nothing to compare with: nothing else may say otherwise */
			if (!isnan(p->min) || !isnan(p->max) || !isnan(p->mean) || !isnan(p->sd) ||
				field(c, "quantiles") != NULL || field(c, "shares") != NULL)
				return refuse(pr, path, "rows",
							  "is 0, so min, max, mean and sd must be null, quantiles and shares absent");
			return true;
		}
		if (!numbers_field(c, path, "quantiles", p->quantile, MM_PROFILE_SKETCH + 1, pr) ||
			!shares_field(c, path, p->share, MM_PROFILE_SKETCH, true, pr))
			return false;
		for (i = 1; i <= MM_PROFILE_SKETCH; i++)
			if (p->quantile[i] < p->quantile[i - 1])
				return refuse(pr, path, "quantiles", "must be ascending");
		if (p->quantile[0] != p->min || p->quantile[MM_PROFILE_SKETCH] != p->max)
			return refuse(pr, path, "quantiles", "must begin with min and end with max");
		mm_profile_prepare(p);
	}
	else
	{
		MmCategoricalProfile *p = &w->cat;
		JsonbValue *cats = field(c, "categories");
		int			i;

		p->rows = rows;
		p->missing = missing;
		if (cats == NULL || cats->type != jbvBinary || !JsonContainerIsArray(cats->val.binary.data) ||
			JsonContainerSize(cats->val.binary.data) > MM_PROFILE_CATEGORIES)
			return refuse(pr, path, "categories",
						   psprintf("must be an array of at most %d names", MM_PROFILE_CATEGORIES));
		p->n = JsonContainerSize(cats->val.binary.data);
		p->names = palloc(sizeof(char *) * Max(p->n, 1));
		for (i = 0; i < p->n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(cats->val.binary.data, i);

			if (e->type != jbvString)
				return refuse(pr, path, "categories", "must hold strings");
			p->names[i] = pnstrdup(e->val.string.val, e->val.string.len);
		}
		name_index_init(&w->index, p->names, p->n);
		for (i = 0; i < p->n; i++)
			if (name_index_find(&w->index, p->names[i], strlen(p->names[i])) != i)
				return refuse(pr, path, "categories", "must be distinct");
		p->share = palloc(sizeof(double) * (p->n + 1));
		if (!shares_field(c, path, p->share, p->n + 1, rows > 0, pr))
			return false;
		w->cw.count = palloc0(sizeof(int64) * (p->n + 1));
	}
	return true;
}

/*
 * Reads a baseline for model: a profile of each feature into watch (one per
 * feature), of its predictions into prediction.
 */
static bool
read_baseline(Jsonb *baseline, const MmModel *model, Watch *watch, Watch *prediction, Problem *pr)
{
	static const char *const baseline_keys[] = {"sketch", "bins", "rows", "sample_rows", "features",
	"prediction", NULL};
	JsonbContainer *c = &baseline->root;
	JsonbValue *features;
	int64		sketch,
				bins,
				rows,
				sample_rows;
	int			j;

	if (!JsonContainerIsObject(c))
		return refuse(pr, "", NULL, "must be an object");
	if (!only_keys(c, baseline_keys, "", pr) ||
		!count_field(c, "", "sketch", &sketch, pr) || !count_field(c, "", "bins", &bins, pr) ||
		!count_field(c, "", "rows", &rows, pr) || !count_field(c, "", "sample_rows", &sample_rows, pr))
		return false;
	if (sketch != MM_PROFILE_SKETCH)
		return refuse(pr, "", "sketch", psprintf("must be %d", MM_PROFILE_SKETCH));
	if (bins != MM_PROFILE_BINS)
		return refuse(pr, "", "bins", psprintf("must be %d", MM_PROFILE_BINS));
	if (sample_rows > rows)
		return refuse(pr, "", "sample_rows", "must be at most rows");
	features = field(c, "features");
	if (features == NULL || features->type != jbvBinary || !JsonContainerIsObject(features->val.binary.data))
		return refuse(pr, "", "features", "must be an object of profiles");
	/* a profile of no feature the model lacks, then one of each it has */
	{
		NameIndex	names;
		JsonbIterator *it = JsonbIteratorInit(features->val.binary.data);
		JsonbValue	key;
		JsonbIteratorToken tok;

		name_index_init(&names, model->feature_names, model->n_features);
		while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
			if (tok == WJB_KEY && name_index_find(&names, key.val.string.val, key.val.string.len) < 0)
				return refuse(pr, "features", pnstrdup(key.val.string.val, key.val.string.len),
							  "is the profile of no feature of the model");
	}
	for (j = 0; j < model->n_features; j++)
	{
		const char *name = model->feature_names[j];

		if (!read_profile(field(features->val.binary.data, name), psprintf("features.%s", name),
						  model->feature_kinds[j] == MM_FEATURE_CATEGORICAL, "the feature is", rows,
						  &watch[j], pr))
			return false;
	}
	return read_profile(field(c, "prediction"), "prediction", MmOutcomeIsCategorical(model),
						"the model's outcomes are", sample_rows, prediction, pr);
}

/*
 * Whether the monitor can use baseline for model; if not, *field (named from
 * the baseline down, "" for the whole) and *what say what is wrong.
 */
bool
MmBaselineValid(Jsonb *baseline, const MmModel *model, char **field, const char **what)
{
	Watch	   *watch = palloc0(sizeof(Watch) * Max(model->n_features, 1));
	Watch		prediction;
	Problem		pr;

	if (read_baseline(baseline, model, watch, &prediction, &pr))
		return true;
	*field = pr.field;
	*what = pr.what;
	return false;
}

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

/* Resolves and checks the columns a check reads; returns the window's query. */
static char *
window_query(const MmCheckSpec *spec, const MmModel *model, MmSource *src)
{
	MmModel		inputs = *model;
	StringInfoData q;
	Oid			label_type = InvalidOid;
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

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (j = 0; j < src->nfeatures; j++)
		appendStringInfo(&q, "%s%s", j ? ", " : "",
						 MmFeatureExpression(src, j, "r"));
	/*
	 * Labels are matched with the classes by their text; a numeric 1.00 is the
	 * class "1" (number labels render as integers, numberlabel.c).
	 */
	if (spec->label_column != NULL && model->task == MM_TASK_CLASSIFICATION &&
		model->labels.label_kind == MM_LABEL_NUMBER && label_type == NUMERICOID)
		appendStringInfo(&q, ", pg_catalog.trim_scale(r.%s)::pg_catalog.text",
						 quote_identifier(spec->label_column));
	else if (spec->label_column != NULL)
		appendStringInfo(&q, ", (r.%s)::%s", quote_identifier(spec->label_column),
						 model->task == MM_TASK_REGRESSION ? "pg_catalog.float8" : "pg_catalog.text");
	appendStringInfo(&q, " FROM %s r", src->qualified);
	if (spec->time_column != NULL)
		appendStringInfo(&q, " WHERE r.%s OPERATOR(pg_catalog.>=) $1", quote_identifier(spec->time_column));
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
	query = window_query(spec, model, &src);
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
drift_of(Watch *w, const double *thr, StringInfo buf, AlertList *alerts, const char *scope,
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
append_quality(StringInfo buf, CheckReceiver *cr, const MmModel *model, Jsonb *version_metrics,
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
		int			k = cr->classes.n,
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
	Problem		pr;
	CheckReceiver cr;
	ParamListInfo params = NULL;
	char	   *query;
	int			j,
				rc;
	StringInfoData buf;
	AlertList	alerts = {0};
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;

	MmResolveRef(spec->reference, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	query = window_query(spec, model, &src);
	MmParseThresholds(spec->thresholds, model, &thr);
	baseline = load_baseline(&v, model);
	values[0] = Int64GetDatum(v.version_id);
	MmCatalogExec("SELECT metrics FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	version_metrics = DatumGetJsonbPCopy(MmCatalogGet(0, 1, &isnull));

	memset(&cr, 0, sizeof(cr));
	cr.pub.receiveSlot = check_receive;
	cr.pub.rStartup = check_startup;
	cr.pub.rShutdown = check_shutdown;
	cr.pub.rDestroy = check_destroy;
	cr.pub.mydest = DestNone;
	cr.model = model;
	cr.p = model->n_features;
	cr.watch = palloc0(sizeof(Watch) * Max(cr.p, 1));
	cr.raw = palloc(sizeof(double) * Max(cr.p, 1));
	cr.z = palloc(sizeof(double) * Max(model->n_design, 1));
	cr.scratch = palloc(sizeof(double) * Max(model->n_features + model->n_design, 1));
	cr.row_cxt = AllocSetContextCreate(CurrentMemoryContext, "modelmgr check rows", ALLOCSET_SMALL_SIZES);

	if (!read_baseline(baseline, model, cr.watch, &cr.prediction, &pr))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the baseline profile of model \"%s\" version %d is damaged", v.model, v.version),
				 errdetail("Field \"%s\" %s.", pr.field, pr.what)));
	if (cr.prediction.categorical)
	{
		int			n = MmOutcomeCount(model),
					k;

		cr.outcome_pos = palloc(sizeof(int) * n);
		for (k = 0; k < n; k++)
		{
			const char *name = MmOutcomeName(model, k);
			int			pos = name_index_find(&cr.prediction.index, name, strlen(name));

			cr.outcome_pos[k] = pos >= 0 ? pos : cr.prediction.cat.n;
		}
	}
	if (spec->label_column != NULL)
	{
		cr.labelled = true;
		if (model->task == MM_TASK_CLASSIFICATION)
		{
			int			k = model->labels.n_classes;

			name_index_init(&cr.classes, model->labels.classes, k);
			cr.confusion = palloc0(sizeof(int64) * (k + 1) * k);
		}
	}

	/* the one read of the window, from now() - time_window on (computed once, not per row) */
	if (spec->time_column != NULL)
	{
		params = makeParamList(1);
		params->numParams = 1;
		params->params[0].ptype = TIMESTAMPTZOID;
		params->params[0].value =
			DirectFunctionCall2(timestamptz_mi_interval,
								TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
								spec->time_window);
		params->params[0].isnull = false;
		params->params[0].pflags = PARAM_FLAG_CONST;
	}
	rc = MmSpiRunTo(query, params, (DestReceiver *) &cr);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "could not read the rows of %s: %s", src.display, SPI_result_code_string(rc));

	/* what the window says */
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"rows\": " INT64_FORMAT ", \"features\": {", cr.rows);
	for (j = 0; j < cr.p; j++)
	{
		Watch	   *w = &cr.watch[j];
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
