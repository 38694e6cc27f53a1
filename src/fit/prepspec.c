/*
 * prepspec.c: the preprocess argument, read and checked against the
 * features before any row is read.
 *
 * preprocess is {"*": {...}, "column": {...}, "dedupe": true,
 * "variance_threshold": t, "select": {...}}.  "*" applies each key where the
 * column's type fits, a column's own entry overrides "*" key by key, and
 * every key and value is checked here, so that a mistake is reported before
 * the relation is read (preprocess.c fits what this asks for).
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "columns.h"
#include "datepart.h"
#include "dateparts.h"
#include "mmcore.h"
#include "model.h"
#include "preprocess.h"
#include "reference.h"
#include "select.h"
#include "util.h"

/* Which keys an entry set, so that a column's entry overrides "*" key by key. */
typedef struct PrepEntry
{
	bool		has_impute,
				has_scale,
				has_clip,
				has_encode,
				has_max_categories,
				has_date_parts; /* read by MmExpandDateParts, checked here */
	MmColumnPrep prep;
} PrepEntry;

static const char *const column_keys = "impute, scale, clip, encode, max_categories, date_parts";

/* A JSON string value as a C string, or NULL. */
static char *
json_string(const JsonbValue *v)
{
	if (v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Parses "impute": a method name or {"constant": v}. */
static void
parse_impute(const char *where, JsonbValue *v, MmColumnPrep *prep)
{
	char	   *name = json_string(v);

	if (name != NULL)
	{
		if (strcmp(name, "error") == 0)
			prep->impute = MM_IMPUTE_ERROR;
		else if (strcmp(name, "mean") == 0)
			prep->impute = MM_IMPUTE_MEAN;
		else if (strcmp(name, "median") == 0)
			prep->impute = MM_IMPUTE_MEDIAN;
		else if (strcmp(name, "most_frequent") == 0)
			prep->impute = MM_IMPUTE_MOST_FREQUENT;
		else if (strcmp(name, "zero") == 0)
			prep->impute = MM_IMPUTE_ZERO;
		else
			name = NULL;
		if (name != NULL)
			return;
	}
	else if (v->type == jbvBinary)
	{
		Jsonb	   *obj = JsonbValueToJsonb(v);
		JsonbIterator *it;
		JsonbValue	inner;
		char	   *key;
		int			keys = 0;
		double		value = NAN;
		char	   *text = NULL;

		if (MmJsonbIsObject(obj))
		{
			it = JsonbIteratorInit(&obj->root);
			while (MmJsonbNextPair(&it, &key, &inner))
			{
				keys++;
				if (strcmp(key, "constant") == 0)
				{
					value = MmJsonbNumber(&inner);
					text = json_string(&inner);
				}
			}
			if (keys == 1 && (isfinite(value) || text != NULL))
			{
				prep->impute = MM_IMPUTE_CONSTANT;
				prep->impute_value = value;
				prep->impute_text = text;
				return;
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("preprocess option \"impute\" of %s is not valid", where),
			 errhint("Use \"error\", \"mean\", \"median\", \"most_frequent\", \"zero\" or "
					 "{\"constant\": a finite number, or a text for text columns}.")));
}

/* Parses "scale": none, standard, minmax or robust. */
static void
parse_scale(const char *where, JsonbValue *v, MmColumnPrep *prep)
{
	char	   *name = json_string(v);

	if (name != NULL && strcmp(name, "none") == 0)
		prep->scale = MM_SCALE_NONE;
	else if (name != NULL && strcmp(name, "standard") == 0)
		prep->scale = MM_SCALE_STANDARD;
	else if (name != NULL && strcmp(name, "minmax") == 0)
		prep->scale = MM_SCALE_MINMAX;
	else if (name != NULL && strcmp(name, "robust") == 0)
		prep->scale = MM_SCALE_ROBUST;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess option \"scale\" of %s is not valid", where),
				 errhint("Use \"none\", \"standard\", \"minmax\" or \"robust\".")));
}

/* Parses "clip": {"quantiles": [lo, hi]} or {"z": bound}, or "none". */
static void
parse_clip(const char *where, JsonbValue *v, MmColumnPrep *prep)
{
	char	   *name = json_string(v);

	if (name != NULL && strcmp(name, "none") == 0)
	{
		prep->clip = MM_CLIP_NONE;
		return;
	}
	if (v->type == jbvBinary)
	{
		Jsonb	   *obj = JsonbValueToJsonb(v);
		JsonbIterator *it;
		JsonbValue	inner;
		char	   *key;

		if (MmJsonbIsObject(obj) && JB_ROOT_COUNT(obj) == 1)
		{
			it = JsonbIteratorInit(&obj->root);
			(void) MmJsonbNextPair(&it, &key, &inner);
			if (strcmp(key, "z") == 0)
			{
				double		z = MmJsonbNumber(&inner);

				if (z > 0.0 && isfinite(z))
				{
					prep->clip = MM_CLIP_ZSCORE;
					prep->clip_hi = z;
					return;
				}
			}
			else if (strcmp(key, "quantiles") == 0 && inner.type == jbvBinary)
			{
				Jsonb	   *arr = JsonbValueToJsonb(&inner);

				if (JB_ROOT_IS_ARRAY(arr) && !JB_ROOT_IS_SCALAR(arr) && JB_ROOT_COUNT(arr) == 2)
				{
					JsonbValue *lo = getIthJsonbValueFromContainer(&arr->root, 0);
					JsonbValue *hi = getIthJsonbValueFromContainer(&arr->root, 1);
					double		a = MmJsonbNumber(lo),
								b = MmJsonbNumber(hi);

					if (a >= 0.0 && b <= 1.0 && a < b)
					{
						prep->clip = MM_CLIP_QUANTILES;
						prep->clip_lo = a;
						prep->clip_hi = b;
						return;
					}
				}
			}
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("preprocess option \"clip\" of %s is not valid", where),
			 errhint("Use {\"quantiles\": [low, high]} with 0 <= low < high <= 1, {\"z\": a positive "
					 "bound}, or \"none\".")));
}

/* Parses one entry ("*" or a column's) into e. */
static void
parse_entry(const char *where, JsonbValue *v, PrepEntry *e)
{
	Jsonb	   *obj;
	JsonbIterator *it;
	JsonbValue	inner;
	char	   *key;

	if (v->type != jbvBinary || !MmJsonbIsObject(obj = JsonbValueToJsonb(v)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess entry for %s must be a JSON object", where),
				 errhint("For example {\"scale\": \"standard\", \"impute\": \"mean\"}.")));
	it = JsonbIteratorInit(&obj->root);
	while (MmJsonbNextPair(&it, &key, &inner))
	{
		if (strcmp(key, "impute") == 0)
		{
			parse_impute(where, &inner, &e->prep);
			e->has_impute = true;
		}
		else if (strcmp(key, "scale") == 0)
		{
			parse_scale(where, &inner, &e->prep);
			e->has_scale = true;
		}
		else if (strcmp(key, "clip") == 0)
		{
			parse_clip(where, &inner, &e->prep);
			e->has_clip = true;
		}
		else if (strcmp(key, "encode") == 0)
		{
			char	   *name = json_string(&inner);

			if (name != NULL && strcmp(name, "onehot") == 0)
				e->prep.encoding = MM_ENCODE_ONEHOT;
			else if (name != NULL && strcmp(name, "ordinal") == 0)
				e->prep.encoding = MM_ENCODE_ORDINAL;
			else if (name == NULL && (e->prep.reference = MmParseReference(&inner)) != NULL)
				e->prep.encoding = MM_ENCODE_ONEHOT;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"encode\" of %s is not valid", where),
						 errhint("Use \"onehot\", \"ordinal\", or {\"reference\": a level of the column}.")));
			e->has_encode = true;
		}
		else if (strcmp(key, "max_categories") == 0)
		{
			double		m = MmJsonbNumber(&inner);

			if (!(m >= 2 && m <= MM_MAX_CATEGORIES) || m != floor(m))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"max_categories\" of %s must be an integer "
								"between 2 and %d", where, MM_MAX_CATEGORIES)));
			e->prep.max_categories = (int) m;
			e->has_max_categories = true;
		}
		else if (strcmp(key, "date_parts") == 0)
		{
			uint8		parts[MM_PART_LAST];

			(void) MmParseDateParts(where, &inner, parts);
			e->has_date_parts = true;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("preprocess option \"%s\" of %s is not valid", key, where),
					 errhint("Valid options: %s.", column_keys)));
	}
}

/* Whether an imputation method fits text columns. */
static bool
impute_fits_text(const MmColumnPrep *p)
{
	return p->impute == MM_IMPUTE_ERROR || p->impute == MM_IMPUTE_MOST_FREQUENT ||
		(p->impute == MM_IMPUTE_CONSTANT && p->impute_text != NULL);
}

/* Whether an imputation method fits number columns. */
static bool
impute_fits_number(const MmColumnPrep *p)
{
	return p->impute != MM_IMPUTE_CONSTANT || isfinite(p->impute_value);
}

/*
 * Applies the keys an entry set onto a column's preparation.  For "*"
 * (strict false) a key that does not fit the column's type is passed over;
 * for the column's own entry it is an error.
 */
static void
overlay(MmColumnPrep *prep, const PrepEntry *e, bool text, bool strict, const char *column,
		Oid type)
{
	const char *misfit = NULL;

	if (e->has_date_parts && !MmIsDateType(type))
		misfit = "date_parts";

	if (e->has_impute)
	{
		if (text ? impute_fits_text(&e->prep) : impute_fits_number(&e->prep))
		{
			prep->impute = e->prep.impute;
			prep->impute_value = e->prep.impute_value;
			prep->impute_text = e->prep.impute_text;
		}
		else
			misfit = "impute";
	}
	if (e->has_scale)
	{
		if (!text)
			prep->scale = e->prep.scale;
		else if (e->prep.scale != MM_SCALE_NONE)
			misfit = "scale";
	}
	if (e->has_clip)
	{
		if (!text)
		{
			prep->clip = e->prep.clip;
			prep->clip_lo = e->prep.clip_lo;
			prep->clip_hi = e->prep.clip_hi;
		}
		else if (e->prep.clip != MM_CLIP_NONE)
			misfit = "clip";
	}
	if (e->has_encode)
	{
		if (text)
		{
			prep->encoding = e->prep.encoding;
			prep->reference = e->prep.reference;
		}
		else
			misfit = "encode";
	}
	if (e->has_max_categories)
	{
		if (text)
			prep->max_categories = e->prep.max_categories;
		else
			misfit = "max_categories";
	}
	if (misfit != NULL && strict)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess option \"%s\" of column \"%s\" does not apply to type %s",
						misfit, column, format_type_be(type)),
				 text ?
				 errhint("Text columns take impute (\"most_frequent\", or a text constant), encode "
						 "and max_categories.") :
				 strcmp(misfit, "impute") == 0 ?
				 errhint("Number columns take impute \"mean\", \"median\", \"most_frequent\", "
						 "\"zero\" or a numeric constant.") :
				 strcmp(misfit, "date_parts") == 0 ?
				 errhint("date_parts applies to date and timestamp columns.") :
				 errhint("encode and max_categories apply to text columns.")));
}

/* True when preprocess asks for nothing. */
bool
MmPreprocessIsEmpty(Jsonb *preprocess)
{
	return JB_ROOT_COUNT(preprocess) == 0;
}

/* Parses preprocess against the source's features (see the file comment). */
void
MmParsePreprocess(Jsonb *preprocess, const MmSource *src, MmPreprocess *out)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;
	PrepEntry	star;
	PrepEntry  *own = palloc0(sizeof(PrepEntry) * src->nfeatures);
	int			j;

	memset(out, 0, sizeof(*out));
	memset(&star, 0, sizeof(star));
	MmJsonbRequireObject(preprocess, "preprocess");
	out->column = palloc0(sizeof(MmColumnPrep) * src->nfeatures);
	it = JsonbIteratorInit(&preprocess->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		if (strcmp(key, "*") == 0)
		{
			parse_entry("\"*\"", &v, &star);
			if (star.prep.reference != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"encode\" of \"*\" cannot name a reference level"),
						 errhint("A level belongs to one column: name it in that column's entry, as "
								 "{\"district\": {\"encode\": {\"reference\": \"north\"}}}.")));
		}
		else if (strcmp(key, "dedupe") == 0)
		{
			if (v.type != jbvBool)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"dedupe\" must be true or false")));
			out->dedupe = v.val.boolean;
		}
		else if (strcmp(key, "select") == 0)
		{
			JsonbValue *k = v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data) &&
			JsonContainerSize(v.val.binary.data) == 1 ?
			getKeyJsonValueFromContainer(v.val.binary.data, "k_best", 6, NULL) : NULL;
			double		kb = k ? MmJsonbNumber(k) : NAN;

			if (!(kb >= 1.0) || kb != floor(kb) || kb > INT_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"select\" must be {\"k_best\": k} with k a positive integer")));
			out->select_k_best = (int) kb;
		}
		else if (strcmp(key, "variance_threshold") == 0)
		{
			double		t = MmJsonbNumber(&v);

			if (!(t >= 0.0) || isinf(t))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"variance_threshold\" must be a finite "
								"non-negative number")));
			out->variance_threshold_set = true;
			out->variance_threshold = t;
		}
		else
		{
			bool		found = false;

			/*
			 * A date column's entry applies to each of its parts, and a part
			 * may have its own entry (column.part), read after the column's:
			 * jsonb orders shorter keys first.
			 */
			for (j = 0; j < src->nfeatures; j++)
				if (strcmp(MmFeatureColumn(src, j), key) == 0 ||
					(src->date_parts != NULL && src->date_parts[j] != 0 &&
					 strcmp(src->features[j], key) == 0))
				{
					parse_entry(psprintf("column \"%s\"", key), &v, &own[j]);
					found = true;
				}
			if (!found)
			{
				/* the parts of a date sit together: its column is named once */
				char	  **columns = palloc(sizeof(char *) * Max(src->nfeatures, 1));
				int			ncolumns = 0;

				for (j = 0; j < src->nfeatures; j++)
					if (ncolumns == 0 || strcmp(columns[ncolumns - 1], MmFeatureColumn(src, j)) != 0)
						columns[ncolumns++] = (char *) MmFeatureColumn(src, j);
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 src->target && strcmp(src->target, key) == 0 ?
						 errmsg("preprocess names the target \"%s\", which is never preprocessed", key) :
						 errmsg("preprocess key \"%s\" names no feature column", key),
						 errhint("Keys are \"*\", \"dedupe\", \"variance_threshold\", \"select\" and "
								 "feature column names: %s.",
								 MmFormatList(columns, ncolumns))));
			}
		}
	}
	/* "*" applies where the type fits; a column's own entry must fit it */
	for (j = 0; j < src->nfeatures; j++)
	{
		bool		text = src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;

		out->column[j].impute = MM_IMPUTE_ERROR;
		out->column[j].encoding = MM_ENCODE_ONEHOT;
		overlay(&out->column[j], &star, text, false, MmFeatureColumn(src, j), src->feature_types[j]);
		overlay(&out->column[j], &own[j], text, true, MmFeatureColumn(src, j), src->feature_types[j]);
	}
}
