/*
 * document.c: the portable JSON document of a model (see document.h).
 *
 * Writing is direct (a growing buffer), so that every double goes through
 * one formatter.  Reading parses with jansson (duplicate keys refused),
 * checks each field's type and each array's size while it builds a model,
 * then passes the model through the binary artifact and back: the
 * artifact's reader checks every value (finite numbers, bounds, sorted
 * categories, shapes), so the two formats accept exactly the same models.
 */
#include "document.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithm.h"
#include "artifact.h"
#include "datepart.h"
#include "document_io.h"
#include "profile.h"

static MmDoubleFormatFn double_format = NULL;

void
mm_set_double_format(MmDoubleFormatFn fn)
{
	double_format = fn;
}

size_t
mm_document_max_elements(const char *top, const char *key)
{
	if (top == NULL || key == NULL)
		return MM_DOCUMENT_MAX_ELEMENTS;
	/* a feature each: the document's lists, the baseline's profiles */
	if ((strcmp(top, key) == 0 && (strcmp(top, "features") == 0 || strcmp(top, "feature_types") == 0 ||
								   strcmp(top, "preprocess") == 0 || strcmp(top, "categories") == 0)) ||
		(strcmp(top, "baseline") == 0 && strcmp(key, "features") == 0))
		return MM_MAX_FEATURES;
	if (strcmp(key, "clip") == 0 && strcmp(top, "preprocess") == 0)
		return 2;
	if (strcmp(top, "categories") == 0 && (strcmp(key, "names") == 0 || strcmp(key, "other") == 0))
		return MM_MAX_CATEGORIES;
	if (strcmp(top, "model") == 0 && (strcmp(key, "classes") == 0 || strcmp(key, "class_values") == 0))
		return MM_MAX_CLASSES;
	if (strcmp(top, "model") == 0 && strcmp(key, "centers") == 0)
		return MM_MAX_CLUSTERS;
	if (strcmp(top, "baseline") == 0)
	{
		if (strcmp(key, "quantiles") == 0)
			return MM_PROFILE_SKETCH + 1;
		/* a numeric profile's intervals, or a categorical one's names and the rest */
		if (strcmp(key, "shares") == 0)
			return MM_PROFILE_SKETCH > MM_PROFILE_CATEGORIES ? MM_PROFILE_SKETCH : MM_PROFILE_CATEGORIES + 1;
		if (strcmp(key, "categories") == 0)
			return MM_PROFILE_CATEGORIES;
	}
	return MM_DOCUMENT_MAX_ELEMENTS;
}

/* ---------------------------------------------------------------- writing */

void
mm_out_str(MmBuffer *o, const char *s)
{
	mm_buffer_append(o, s, strlen(s));
}

void
mm_out_int(MmBuffer *o, long v)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	mm_out_str(o, buf);
}

/* A double; NaN and infinities as null (the reader knows what null means where). */
void
mm_out_double(MmBuffer *o, double v)
{
	char		buf[40];

	if (!isfinite(v))
	{
		mm_out_str(o, "null");
		return;
	}
	/* "-0" would read back as the integer 0 */
	if (v == 0.0 && signbit(v))
	{
		mm_out_str(o, "-0.0");
		return;
	}
	if (double_format != NULL)
		mm_buffer_append(o, buf, (size_t) double_format(v, buf));
	else
	{
		int			digits;

		/* the fewest significant digits that read back to the same double (17 always do) */
		for (digits = 1; digits < 17; digits++)
		{
			snprintf(buf, sizeof(buf), "%.*g", digits, v);
			if (strtod(buf, NULL) == v)
				break;
		}
		if (digits == 17)
			snprintf(buf, sizeof(buf), "%.17g", v);
		mm_out_str(o, buf);
	}
}

void
mm_out_string(MmBuffer *o, const char *s)
{
	const unsigned char *p;

	mm_buffer_append(o, "\"", 1);
	for (p = (const unsigned char *) s; *p; p++)
	{
		char		esc[8];

		if (*p == '"' || *p == '\\')
		{
			esc[0] = '\\';
			esc[1] = (char) *p;
			mm_buffer_append(o, esc, 2);
		}
		else if (*p < 0x20)
		{
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			mm_out_str(o, esc);
		}
		else
			mm_buffer_append(o, (const char *) p, 1);
	}
	mm_buffer_append(o, "\"", 1);
}

void
mm_out_doubles(MmBuffer *o, const double *v, int n)
{
	int			i;

	mm_buffer_append(o, "[", 1);
	for (i = 0; i < n; i++)
	{
		if (i)
			mm_out_str(o, ", ");
		mm_out_double(o, v[i]);
	}
	mm_buffer_append(o, "]", 1);
}

/* rows arrays of width doubles each. */
void
mm_out_matrix(MmBuffer *o, const double *v, int rows, int width)
{
	int			r;

	mm_buffer_append(o, "[", 1);
	for (r = 0; r < rows; r++)
	{
		if (r)
			mm_out_str(o, ", ");
		mm_out_doubles(o, v + (size_t) r * width, width);
	}
	mm_buffer_append(o, "]", 1);
}

void
mm_out_names(MmBuffer *o, char **names, int n)
{
	int			i;

	mm_buffer_append(o, "[", 1);
	for (i = 0; i < n; i++)
	{
		if (i)
			mm_out_str(o, ", ");
		mm_out_string(o, names[i]);
	}
	mm_buffer_append(o, "]", 1);
}

void
mm_out_bool(MmBuffer *o, int v)
{
	mm_out_str(o, v ? "true" : "false");
}

static const char *
kind_name(int kind)
{
	return kind == MM_FEATURE_BOOLEAN ? "boolean" : kind == MM_FEATURE_CATEGORICAL ? "categorical" :
		kind == MM_FEATURE_DATE_PART ? "date_part" : "numeric";
}

static void
out_extra(MmBuffer *o, const char *key, const char *json)
{
	mm_out_str(o, ", ");
	mm_out_string(o, key);
	mm_out_str(o, ": ");
	mm_out_str(o, json ? json : "null");
}

MmErrorCode
mm_document_write(const MmModel *m, const MmDocumentExtras *extras, char **out, MmError *err)
{
	MmBuffer	o = {0};
	int			j;

	*out = NULL;
	mm_out_str(&o, "{\"format\": ");
	mm_out_string(&o, MM_DOCUMENT_FORMAT);
	mm_out_str(&o, ", \"format_version\": ");
	mm_out_int(&o, MM_DOCUMENT_VERSION);
	mm_out_str(&o, ", \"algorithm\": ");
	mm_out_string(&o, m->algorithm->name);
	mm_out_str(&o, ", \"task\": ");
	mm_out_string(&o, mm_task_name(m->task));
	mm_out_str(&o, ", \"target\": ");
	if (m->target)
		mm_out_string(&o, m->target);
	else
		mm_out_str(&o, "null");
	mm_out_str(&o, ", \"features\": [");
	for (j = 0; j < m->n_features; j++)
	{
		if (j)
			mm_out_str(&o, ", ");
		mm_out_str(&o, "{\"name\": ");
		mm_out_string(&o, m->feature_names[j]);
		mm_out_str(&o, ", \"kind\": ");
		mm_out_string(&o, kind_name(m->feature_kinds[j]));
		/* the key is new with date parts: documents without them keep their bytes */
		if (m->feature_kinds[j] == MM_FEATURE_DATE_PART)
		{
			mm_out_str(&o, ", \"part\": ");
			mm_out_string(&o, mm_date_part_name(m->date_parts[j]));
		}
		mm_out_str(&o, "}");
	}
	mm_out_str(&o, "], \"design_columns\": ");
	mm_out_int(&o, m->n_design);
	mm_out_str(&o, ", \"preprocess\": ");
	if (m->transform == NULL)
		mm_out_str(&o, "null");
	else
	{
		mm_out_str(&o, "[");
		for (j = 0; j < m->n_features; j++)
		{
			const MmFeatureTransform *t = &m->transform[j];

			mm_out_str(&o, j ? ", {\"impute\": " : "{\"impute\": ");
			mm_out_double(&o, t->impute);
			mm_out_str(&o, ", \"clip\": [");
			mm_out_double(&o, t->clip_lo);
			mm_out_str(&o, ", ");
			mm_out_double(&o, t->clip_hi);
			mm_out_str(&o, "], \"center\": ");
			mm_out_double(&o, t->center);
			mm_out_str(&o, ", \"scale\": ");
			mm_out_double(&o, t->scale);
			mm_out_str(&o, "}");
		}
		mm_out_str(&o, "]");
	}
	mm_out_str(&o, ", \"categories\": ");
	if (m->categories == NULL)
		mm_out_str(&o, "null");
	else
	{
		mm_out_str(&o, "[");
		for (j = 0; j < m->n_features; j++)
		{
			const MmCategories *c = &m->categories[j];

			if (j)
				mm_out_str(&o, ", ");
			if (m->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			{
				mm_out_str(&o, "null");
				continue;
			}
			mm_out_str(&o, "{\"encoding\": ");
			mm_out_string(&o, c->encoding == MM_ENCODE_ORDINAL ? "ordinal" : "onehot");
			mm_out_str(&o, ", \"names\": ");
			mm_out_names(&o, c->names, c->n);
			mm_out_str(&o, ", \"other\": ");
			mm_out_names(&o, c->other, c->n_other);
			/* only reference-coded features have the key: other documents keep their bytes */
			if (c->has_reference)
			{
				mm_out_str(&o, ", \"reference\": ");
				mm_out_string(&o, c->names[c->reference]);
			}
			mm_out_str(&o, "}");
		}
		mm_out_str(&o, "]");
	}
	mm_out_str(&o, ", \"model\": ");
	m->algorithm->to_json(&o, m);
	out_extra(&o, "params", extras ? extras->params : NULL);
	out_extra(&o, "metrics", extras ? extras->metrics : NULL);
	out_extra(&o, "baseline", extras ? extras->baseline : NULL);
	out_extra(&o, "feature_types", extras ? extras->feature_types : NULL);
	out_extra(&o, "provenance", extras ? extras->provenance : NULL);
	mm_out_str(&o, "}");
	if (o.failed)
	{
		mm_free(o.data);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory writing the document");
	}
	*out = o.data;
	return MM_OK;
}

/* ---------------------------------------------------------------- reading */

typedef MmDocumentReader In;

void
mm_doc_bad(In *in, const char *what, const char *key)
{
	if (!in->failed)
		mm_fail(in->err, MM_ERR_INVALID_INPUT, -1, "document field \"%s\" %s", key, what);
	in->failed = 1;
}

static json_t *
member(In *in, const void *obj, const char *key)
{
	json_t	   *v = json_object_get((const json_t *) obj, key);

	if (v == NULL)
		mm_doc_bad(in, "is missing", key);
	return v;
}

/* A number, or null where allowed (as NaN). */
static double
number_of(In *in, json_t *v, const char *key, int null_ok)
{
	if (v != NULL && json_is_null(v) && null_ok)
		return NAN;
	if (v == NULL || !json_is_number(v))
	{
		mm_doc_bad(in, null_ok ? "must be a number or null" : "must be a number", key);
		return NAN;
	}
	return json_number_value(v);
}

double
mm_doc_number(In *in, const void *obj, const char *key, int null_ok)
{
	return number_of(in, member(in, obj, key), key, null_ok);
}

long
mm_doc_int(In *in, const void *obj, const char *key, long lo, long hi)
{
	json_t	   *v = member(in, obj, key);

	/* numbers are read as doubles (mm_document_read); an integer is a whole one */
	if (v == NULL || !json_is_number(v) || json_number_value(v) != floor(json_number_value(v)) ||
		json_number_value(v) < (double) lo || json_number_value(v) > (double) hi)
	{
		mm_doc_bad(in, "must be an integer in its range", key);
		return lo;
	}
	return (long) json_number_value(v);
}

int
mm_doc_bool(In *in, const void *obj, const char *key)
{
	json_t	   *v = member(in, obj, key);

	if (v == NULL || !json_is_boolean(v))
	{
		mm_doc_bad(in, "must be true or false", key);
		return 0;
	}
	return json_is_true(v);
}

const char *
mm_doc_string(In *in, const void *obj, const char *key)
{
	json_t	   *v = member(in, obj, key);

	if (v == NULL || !json_is_string(v))
	{
		mm_doc_bad(in, "must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/* n numbers from an array of exactly n (null: NaN where allowed), into an mm_alloc'd array. */
static double *
numbers_of(In *in, json_t *v, const char *key, int n, int null_ok)
{
	double	   *out;
	int			i;

	if (in->failed)
		return NULL;
	if (v == NULL || !json_is_array(v) || json_array_size(v) != (size_t) n)
	{
		mm_doc_bad(in, "must be an array of the model's size", key);
		return NULL;
	}
	out = mm_alloc(sizeof(double) * (n > 0 ? n : 1));
	if (out == NULL)
	{
		mm_doc_bad(in, "does not fit in memory", key);
		return NULL;
	}
	for (i = 0; i < n; i++)
		out[i] = number_of(in, json_array_get(v, i), key, null_ok);
	return out;
}

/* rows arrays of width numbers, flattened. */
static double *
matrix_of(In *in, json_t *v, const char *key, int rows, int width, int null_ok)
{
	double	   *out;
	int			r,
				i;

	if (in->failed)
		return NULL;
	if (v == NULL || !json_is_array(v) || json_array_size(v) != (size_t) rows)
	{
		mm_doc_bad(in, "must be an array of the model's size", key);
		return NULL;
	}
	out = mm_alloc(sizeof(double) * ((size_t) rows * width > 0 ? (size_t) rows * width : 1));
	if (out == NULL)
	{
		mm_doc_bad(in, "does not fit in memory", key);
		return NULL;
	}
	for (r = 0; r < rows && !in->failed; r++)
	{
		json_t	   *row = json_array_get(v, r);

		if (!json_is_array(row) || json_array_size(row) != (size_t) width)
		{
			mm_doc_bad(in, "must be an array of rows of the model's size", key);
			break;
		}
		for (i = 0; i < width; i++)
			out[(size_t) r * width + i] = number_of(in, json_array_get(row, i), key, null_ok);
	}
	return out;
}

/*
 * An array of names; category names must be in increasing byte order (the
 * order encoding relies on), classes only distinct (their order is the
 * labels' own).
 */
static char **
names_of(In *in, json_t *v, const char *key, int *n, int max, int sorted)
{
	char	  **out;
	size_t		i,
				j;

	if (in->failed)
		return NULL;
	if (v == NULL || !json_is_array(v) || json_array_size(v) > (size_t) max)
	{
		mm_doc_bad(in, "must be an array of names within the limits", key);
		return NULL;
	}
	*n = (int) json_array_size(v);
	out = mm_alloc0(sizeof(char *) * (*n > 0 ? *n : 1));
	if (out == NULL)
	{
		mm_doc_bad(in, "does not fit in memory", key);
		return NULL;
	}
	for (i = 0; i < json_array_size(v); i++)
	{
		json_t	   *e = json_array_get(v, i);

		if (!json_is_string(e) || json_string_length(e) > MM_ARTIFACT_MAX_NAME ||
			(out[i] = mm_strdup(json_string_value(e))) == NULL)
		{
			mm_doc_bad(in, "must hold strings of at most 4096 bytes", key);
			return out;
		}
		if (sorted && i > 0 && strcmp(out[i - 1], out[i]) >= 0)
		{
			mm_doc_bad(in, "must be distinct and in increasing byte order", key);
			return out;
		}
		for (j = 0; !sorted && j < i; j++)
			if (strcmp(out[j], out[i]) == 0)
			{
				mm_doc_bad(in, "must be distinct", key);
				return out;
			}
	}
	return out;
}

/* Refuses a key of obj that keys (NULL-terminated) does not list. */
void
mm_doc_only_keys(In *in, const void *obj, const char *const *keys, const char *where)
{
	const char *key;
	json_t	   *v;

	json_object_foreach((json_t *) obj, key, v)
	{
		const char *const *k;

		for (k = keys; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL && !in->failed)
		{
			mm_fail(in->err, MM_ERR_INVALID_INPUT, -1, "document field \"%.100s\" is not a field of %s",
					key, where);
			in->failed = 1;
		}
	}
}

int
mm_doc_is_null(const void *obj, const char *key)
{
	json_t	   *v = json_object_get((const json_t *) obj, key);

	return v != NULL && json_is_null(v);
}

long
mm_doc_array_size(const void *obj, const char *key)
{
	json_t	   *v = json_object_get((const json_t *) obj, key);

	return v != NULL && json_is_array(v) ? (long) json_array_size(v) : -1;
}

double *
mm_doc_numbers(In *in, const void *obj, const char *key, int n, int null_ok)
{
	return numbers_of(in, json_object_get((const json_t *) obj, key), key, n, null_ok);
}

double *
mm_doc_matrix(In *in, const void *obj, const char *key, int rows, int width, int null_ok)
{
	return matrix_of(in, json_object_get((const json_t *) obj, key), key, rows, width, null_ok);
}

char	  **
mm_doc_names(In *in, const void *obj, const char *key, int *n, int max, int sorted)
{
	return names_of(in, json_object_get((const json_t *) obj, key), key, n, max, sorted);
}

/*
 * Any JSON value of host field top, compact, its doubles through out_double
 * so that a host field keeps its shortest digits on the way through
 * (jansson's own writer prints 17); key is the member it is the value of.
 * An array or object larger than its place allows is refused.  Depth is
 * bounded by the parser's nesting limit.
 */
static void
out_json(In *in, MmBuffer *o, json_t *v, const char *top, const char *key)
{
	const char *k;
	json_t	   *item;
	size_t		i;
	int			first = 1;

	if ((json_is_object(v) || json_is_array(v)) && !in->failed &&
		(json_is_object(v) ? json_object_size(v) : json_array_size(v)) > mm_document_max_elements(top, key))
	{
		mm_fail(in->err, MM_ERR_INVALID_INPUT, -1,
				"document field \"%.100s\" in \"%s\" holds %zu elements, more than its limit of %zu",
				key ? key : top, top, json_is_object(v) ? json_object_size(v) : json_array_size(v),
				mm_document_max_elements(top, key));
		in->failed = 1;
	}
	if (in->failed)
		return;
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			mm_buffer_append(o, "{", 1);
			json_object_foreach(v, k, item)
			{
				if (!first)
					mm_buffer_append(o, ",", 1);
				first = 0;
				mm_out_string(o, k);
				mm_buffer_append(o, ":", 1);
				out_json(in, o, item, top, k);
			}
			mm_buffer_append(o, "}", 1);
			break;
		case JSON_ARRAY:
			mm_buffer_append(o, "[", 1);
			json_array_foreach(v, i, item)
			{
				if (i)
					mm_buffer_append(o, ",", 1);
				out_json(in, o, item, top, NULL);
			}
			mm_buffer_append(o, "]", 1);
			break;
		case JSON_STRING:
			mm_out_string(o, json_string_value(v));
			break;
		case JSON_INTEGER:
		case JSON_REAL:
			{
				/* read as doubles (mm_document_read); whole numbers keep their integer spelling */
				double		x = json_number_value(v);

				if (x == floor(x) && fabs(x) < 1e15)
				{
					char		buf[32];

					snprintf(buf, sizeof(buf), "%.0f", x);
					mm_out_str(o, strcmp(buf, "-0") == 0 ? "-0.0" : buf);
				}
				else
					mm_out_double(o, x);
				break;
			}
		case JSON_TRUE:
			mm_out_str(o, "true");
			break;
		case JSON_FALSE:
			mm_out_str(o, "false");
			break;
		case JSON_NULL:
			mm_out_str(o, "null");
			break;
	}
}

/* The JSON text of a host field (NULL for null). */
static char *
extra_text(In *in, json_t *doc, const char *key)
{
	json_t	   *v = json_object_get(doc, key);
	MmBuffer	o = {0};

	if (v == NULL)
	{
		mm_doc_bad(in, "is missing", key);
		return NULL;
	}
	if (json_is_null(v))
		return NULL;
	out_json(in, &o, v, key, key);
	if (in->failed)
	{
		mm_free(o.data);
		return NULL;
	}
	if (o.failed)
	{
		mm_free(o.data);
		mm_doc_bad(in, "could not be written back", key);
		return NULL;
	}
	return o.data;
}

/*
 * The part of a date part feature (its "part" key, which no other kind
 * has), into m->date_parts allocated at the first; MM_ERR_NO_MEMORY when
 * that fails, else MM_OK with in->failed telling a malformed entry.
 */
static MmErrorCode
read_date_part(In *in, json_t *f, MmModel *m, int j)
{
	json_t	   *p = json_object_get(f, "part");
	int			part = 0;

	if ((p != NULL) != (m->feature_kinds[j] == MM_FEATURE_DATE_PART))
	{
		mm_doc_bad(in, "must be given for a date_part feature and only for one", "part");
		return MM_OK;
	}
	if (p == NULL)
		return MM_OK;
	if (json_is_string(p))
		part = mm_date_part_by_name(json_string_value(p), strlen(json_string_value(p)));
	if (part == 0)
	{
		mm_doc_bad(in, "must be year, quarter, month, day, day_of_week, day_of_year, hour or epoch",
				   "part");
		return MM_OK;
	}
	if (m->date_parts == NULL && (m->date_parts = mm_alloc0((size_t) m->n_features)) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	m->date_parts[j] = (uint8_t) part;
	return MM_OK;
}

/*
 * The optional "reference" of a feature's categories (reference coding,
 * see MmCategories): one of its kept names, on a one-hot feature with a
 * column left beside it.
 */
static void
read_reference(In *in, json_t *c, MmCategories *cats)
{
	const char *name = mm_doc_string(in, c, "reference");
	int			i;

	if (in->failed)
		return;
	for (i = 0; i < cats->n; i++)
		if (strcmp(cats->names[i], name) == 0)
			break;
	if (i == cats->n || cats->encoding != MM_ENCODE_ONEHOT ||
		cats->n + (cats->n_other > 0 ? 1 : 0) < 2)
	{
		mm_doc_bad(in, "must be one of names, of a onehot feature with two levels or more",
				   "reference");
		return;
	}
	cats->has_reference = 1;
	cats->reference = i;
}

static MmErrorCode
read_document(In *in, json_t *doc, MmModel *m, MmDocumentExtras *extras)
{
	json_t	   *features,
			   *prep,
			   *cats;
	const char *s,
			   *algorithm;
	int			j;

	static const char *const document_keys[] = {"format", "format_version", "algorithm", "task", "target",
		"features", "design_columns", "preprocess", "categories", "model", "params", "metrics", "baseline",
	"feature_types", "provenance", NULL};
	static const char *const feature_keys[] = {"name", "kind", "part", NULL};
	static const char *const transform_keys[] = {"impute", "clip", "center", "scale", NULL};
	static const char *const category_keys[] = {"encoding", "names", "other", "reference", NULL};

	if (!json_is_object(doc))
	{
		mm_doc_bad(in, "must be an object", "(document)");
		return MM_ERR_INVALID_INPUT;
	}
	mm_doc_only_keys(in, doc, document_keys, "the document");
	s = mm_doc_string(in, doc, "format");
	if (in->failed || strcmp(s, MM_DOCUMENT_FORMAT) != 0)
	{
		mm_doc_bad(in, "must be \"" MM_DOCUMENT_FORMAT "\"", "format");
		return MM_ERR_INVALID_INPUT;
	}
	{
		json_t	   *v = member(in, doc, "format_version");

		if (v != NULL && json_is_number(v) && json_number_value(v) != MM_DOCUMENT_VERSION &&
			json_number_value(v) == floor(json_number_value(v)) && fabs(json_number_value(v)) < 1e15)
		{
			if (!in->failed)
				mm_fail(in->err, MM_ERR_UNSUPPORTED, -1,
						"format_version %.0f is not one this reader knows (it reads %d)",
						json_number_value(v), MM_DOCUMENT_VERSION);
			in->failed = 1;
			return MM_ERR_INVALID_INPUT;
		}
		if (mm_doc_int(in, doc, "format_version", MM_DOCUMENT_VERSION, MM_DOCUMENT_VERSION) != MM_DOCUMENT_VERSION)
			return MM_ERR_INVALID_INPUT;
	}
	s = mm_doc_string(in, doc, "algorithm");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if (mm_algorithm_by_name(s) == NULL)
	{
		mm_doc_bad(in, "names no algorithm", "algorithm");
		return MM_ERR_INVALID_INPUT;
	}
	algorithm = s;
	s = mm_doc_string(in, doc, "task");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	for (j = MM_TASK_REGRESSION; j <= MM_TASK_DECOMPOSITION && strcmp(mm_task_name((MmTask) j), s) != 0; j++)
		;
	if (j > MM_TASK_DECOMPOSITION)
	{
		mm_doc_bad(in, "names no task", "task");
		return MM_ERR_INVALID_INPUT;
	}
	m->task = (MmTask) j;
	/* a name may have a table per task (svm); a name without one for the task keeps its only table */
	m->algorithm = mm_algorithm_by_name_task(algorithm, m->task);
	if (m->algorithm == NULL)
		m->algorithm = mm_algorithm_by_name(algorithm);
	{
		json_t	   *t = member(in, doc, "target");

		if (t != NULL && !json_is_null(t))
		{
			if (!json_is_string(t))
				mm_doc_bad(in, "must be a string or null", "target");
			else
				m->target = mm_strdup(json_string_value(t));
		}
	}
	features = member(in, doc, "features");
	if (in->failed || !json_is_array(features) || json_array_size(features) < 1 ||
		json_array_size(features) > mm_document_max_elements("features", "features"))
	{
		if (!in->failed)
			mm_fail(in->err, MM_ERR_INVALID_INPUT, -1,
					"document field \"features\" must be an array of 1 to %d features", MM_MAX_FEATURES);
		in->failed = 1;
		return MM_ERR_INVALID_INPUT;
	}
	m->n_features = (int) json_array_size(features);
	m->feature_names = mm_alloc0(sizeof(char *) * m->n_features);
	m->feature_kinds = mm_alloc0(m->n_features);
	if (m->feature_names == NULL || m->feature_kinds == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	for (j = 0; j < m->n_features && !in->failed; j++)
	{
		json_t	   *f = json_array_get(features, j);
		const char *name,
				   *kind;

		if (!json_is_object(f))
		{
			mm_doc_bad(in, "must hold objects", "features");
			break;
		}
		mm_doc_only_keys(in, f, feature_keys, "a feature");
		name = mm_doc_string(in, f, "name");
		kind = mm_doc_string(in, f, "kind");
		if (in->failed)
			break;
		if (name[0] == '\0' || strlen(name) > MM_ARTIFACT_MAX_NAME)
		{
			mm_doc_bad(in, "must be names of 1 to 4096 bytes", "features");
			break;
		}
		m->feature_names[j] = mm_strdup(name);
		m->feature_kinds[j] = strcmp(kind, "numeric") == 0 ? MM_FEATURE_NUMERIC :
			strcmp(kind, "boolean") == 0 ? MM_FEATURE_BOOLEAN :
			strcmp(kind, "categorical") == 0 ? MM_FEATURE_CATEGORICAL :
			strcmp(kind, "date_part") == 0 ? MM_FEATURE_DATE_PART : 0;
		if (m->feature_kinds[j] == 0)
			mm_doc_bad(in, "must be numeric, boolean, categorical or date_part", "kind");
		else if (read_date_part(in, f, m, j) != MM_OK)
			return MM_ERR_NO_MEMORY;
	}
	m->n_design = (int) mm_doc_int(in, doc, "design_columns", 1, MM_MAX_DESIGN);
	if (in->failed)
		return MM_ERR_INVALID_INPUT;

	cats = member(in, doc, "categories");
	if (cats != NULL && !json_is_null(cats))
	{
		if (!json_is_array(cats) || json_array_size(cats) != (size_t) m->n_features)
			mm_doc_bad(in, "must be null or an entry per feature", "categories");
		else if ((m->categories = mm_alloc0(sizeof(MmCategories) * m->n_features)) == NULL)
			return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
		for (j = 0; !in->failed && j < m->n_features; j++)
		{
			json_t	   *c = json_array_get(cats, j);
			const char *enc;

			if (m->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			{
				if (!json_is_null(c))
					mm_doc_bad(in, "must be null for a feature that is not categorical", "categories");
				continue;
			}
			if (!json_is_object(c))
			{
				mm_doc_bad(in, "must be an object for a categorical feature", "categories");
				break;
			}
			mm_doc_only_keys(in, c, category_keys, "a feature's categories");
			enc = mm_doc_string(in, c, "encoding");
			if (in->failed)
				break;
			m->categories[j].encoding = strcmp(enc, "onehot") == 0 ? MM_ENCODE_ONEHOT :
				strcmp(enc, "ordinal") == 0 ? MM_ENCODE_ORDINAL : 0;
			if (m->categories[j].encoding == 0)
				mm_doc_bad(in, "must be onehot or ordinal", "encoding");
			m->categories[j].names = names_of(in, json_object_get(c, "names"), "names",
											  &m->categories[j].n, MM_MAX_CATEGORIES, 1);
			m->categories[j].other = names_of(in, json_object_get(c, "other"), "other",
											  &m->categories[j].n_other, MM_MAX_CATEGORIES, 1);
			if (!in->failed && json_object_get(c, "reference") != NULL)
				read_reference(in, c, &m->categories[j]);
		}
	}
	for (j = 0; !in->failed && j < m->n_features; j++)
		if (m->feature_kinds[j] == MM_FEATURE_CATEGORICAL && m->categories == NULL)
			mm_doc_bad(in, "must give the categories of every categorical feature", "categories");
	prep = member(in, doc, "preprocess");
	if (!in->failed && prep != NULL && !json_is_null(prep))
	{
		if (!json_is_array(prep) || json_array_size(prep) != (size_t) m->n_features)
			mm_doc_bad(in, "must be null or an entry per feature", "preprocess");
		else if ((m->transform = mm_alloc0(sizeof(MmFeatureTransform) * m->n_features)) == NULL)
			return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
		for (j = 0; !in->failed && j < m->n_features; j++)
		{
			json_t	   *t = json_array_get(prep, j);
			json_t	   *clip;
			MmFeatureTransform *ft = &m->transform[j];

			if (!json_is_object(t))
			{
				mm_doc_bad(in, "must hold objects", "preprocess");
				break;
			}
			mm_doc_only_keys(in, t, transform_keys, "a feature's preprocessing");
			ft->impute = mm_doc_number(in, t, "impute", 1);
			clip = member(in, t, "clip");
			if (clip == NULL || !json_is_array(clip) || json_array_size(clip) != 2)
			{
				mm_doc_bad(in, "must be [low, high] (null: unbounded)", "clip");
				break;
			}
			ft->clip_lo = number_of(in, json_array_get(clip, 0), "clip", 1);
			ft->clip_hi = number_of(in, json_array_get(clip, 1), "clip", 1);
			if (isnan(ft->clip_lo))
				ft->clip_lo = -INFINITY;
			if (isnan(ft->clip_hi))
				ft->clip_hi = INFINITY;
			ft->center = mm_doc_number(in, t, "center", 0);
			ft->scale = mm_doc_number(in, t, "scale", 0);
			if (!in->failed && !(ft->scale > 0.0))
				mm_doc_bad(in, "must be a positive number", "scale");
		}
	}
	/* the algorithm's part is read at this width, and the artifact written at the features' own */
	if (!in->failed && m->n_design != mm_model_design_width(m))
		mm_doc_bad(in, "must be the width the features and their categories make", "design_columns");
	if (!in->failed)
	{
		json_t	   *part = member(in, doc, "model");

		if (part != NULL && !json_is_object(part))
			mm_doc_bad(in, "must be an object", "model");
		else if (part != NULL)
			m->algorithm->from_json(in, part, m);
	}
	if (!in->failed && extras != NULL)
	{
		extras->params = extra_text(in, doc, "params");
		extras->metrics = extra_text(in, doc, "metrics");
		extras->baseline = extra_text(in, doc, "baseline");
		extras->feature_types = extra_text(in, doc, "feature_types");
		{
			json_t	   *types = json_object_get(doc, "feature_types");
			size_t		i;

			if (!json_is_null(types) &&
				(!json_is_array(types) || json_array_size(types) != (size_t) m->n_features))
				mm_doc_bad(in, "must be null or a type name per feature", "feature_types");
			for (i = 0; !in->failed && json_is_array(types) && i < json_array_size(types); i++)
				if (!json_is_string(json_array_get(types, i)) || json_string_length(json_array_get(types, i)) == 0)
					mm_doc_bad(in, "must be null or a type name per feature", "feature_types");
		}
		extras->provenance = extra_text(in, doc, "provenance");
	}
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

MmErrorCode
mm_document_read(const char *text, size_t len, MmModel **model, MmDocumentExtras *extras, MmError *err)
{
	json_error_t jerr;
	json_t	   *doc;
	In			in = {err, 0};
	MmModel    *m;
	MmErrorCode rc;
	uint8_t    *bytes;
	size_t		nbytes;

	*model = NULL;
	if (extras)
		memset(extras, 0, sizeof(*extras));
	if (len > MM_DOCUMENT_MAX_BYTES)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the document is larger than %u bytes",
					   MM_DOCUMENT_MAX_BYTES);
	/*
	 * Every number is read as a double: a statistic PostgreSQL's jsonb
	 * prints as a whole number of 34 digits (an F statistic of a nearly
	 * exact fit) is a valid document, which as an integer would overflow.
	 */
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL,
					 &jerr);
	if (doc == NULL)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the document is not JSON: %s at line %d",
					   jerr.text, jerr.line);
	m = mm_alloc0(sizeof(MmModel));
	if (m == NULL)
	{
		json_decref(doc);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	}
	rc = read_document(&in, doc, m, extras);
	json_decref(doc);
	if (rc == MM_OK)
	{
		/* every value checked as the binary artifact's reader checks it */
		rc = mm_artifact_write(m, &bytes, &nbytes, err);
		if (rc == MM_OK)
		{
			rc = mm_artifact_read(bytes, nbytes, model, err);
			mm_free(bytes);
			if (rc != MM_OK)
			{
				char		why[sizeof(err->message)];

				memcpy(why, err->message, sizeof(why));
				rc = mm_fail(err, MM_ERR_INVALID_INPUT, err->item, "the document's model is not valid: %s", why);
			}
		}
	}
	mm_model_free(m);
	if (rc != MM_OK && extras != NULL)
		mm_document_free_extras(extras);
	return rc;
}

void
mm_document_free_extras(MmDocumentExtras *extras)
{
	mm_free(extras->params);
	mm_free(extras->metrics);
	mm_free(extras->baseline);
	mm_free(extras->provenance);
	mm_free(extras->feature_types);
	memset(extras, 0, sizeof(*extras));
}
