/*
 * checkbaseline.c: a version's baseline profile, read and checked for a
 * monitoring check (checkbaseline.h).
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "utils/jsonb.h"

#include "baseline.h"
#include "check.h"
#include "checkbaseline.h"
#include "profile.h"
#include "util.h"

void
MmNameIndexInit(MmNameIndex *ix, char **names, int n)
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
int
MmNameIndexFind(const MmNameIndex *ix, const char *s, int len)
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
			 MmWatch *w, Problem *pr)
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
		MmNameIndexInit(&w->index, p->names, p->n);
		for (i = 0; i < p->n; i++)
			if (MmNameIndexFind(&w->index, p->names[i], strlen(p->names[i])) != i)
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
read_baseline(Jsonb *baseline, const MmModel *model, MmWatch *watch, MmWatch *prediction, Problem *pr)
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
		MmNameIndex	names;
		JsonbIterator *it = JsonbIteratorInit(features->val.binary.data);
		JsonbValue	key;
		JsonbIteratorToken tok;

		MmNameIndexInit(&names, model->feature_names, model->n_features);
		while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
			if (tok == WJB_KEY && MmNameIndexFind(&names, key.val.string.val, key.val.string.len) < 0)
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

bool
MmReadBaseline(Jsonb *baseline, const MmModel *model, MmWatch *watch, MmWatch *prediction, char **field,
			   const char **what)
{
	Problem		pr;

	if (read_baseline(baseline, model, watch, prediction, &pr))
		return true;
	*field = pr.field;
	*what = pr.what;
	return false;
}

/*
 * Whether the monitor can use baseline for model; if not, *field (named from
 * the baseline down, "" for the whole) and *what say what is wrong.
 */
bool
MmBaselineValid(Jsonb *baseline, const MmModel *model, char **field, const char **what)
{
	MmWatch    *watch = palloc0(sizeof(MmWatch) * Max(model->n_features, 1));
	MmWatch		prediction;

	return MmReadBaseline(baseline, model, watch, &prediction, field, what);
}
