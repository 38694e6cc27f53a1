/*
 * preprocess.c: the preprocess argument (as prepspec.c read it), fitted on
 * the training part.
 *
 * Per feature, missing values are imputed, values clipped, then centered
 * and scaled; the statistics come from the training rows only (after
 * imputation, and scaling after clipping, as a pipeline of scikit-learn's
 * would fit them), and are stored in the model, whose prediction applies
 * them again (mm_model_transform).  The rows in memory are transformed by
 * that same function, so training sees exactly what prediction will.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "colmoments.h"
#include "columns.h"
#include "dataset.h"
#include "guc.h"
#include "mmcore.h"
#include "model.h"
#include "preprocess.h"
#include "reference.h"
#include "select.h"
#include "sortdoubles.h"
#include "util.h"

/* The q-quantile of n sorted values, interpolated linearly (numpy's default). */
static double
quantile(const double *sorted, size_t n, double q)
{
	double		pos = q * (double) (n - 1);
	size_t		lo = (size_t) floor(pos);
	double		frac = pos - (double) lo;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* The most frequent of n sorted values, the smallest among ties. */
static double
most_frequent(const double *sorted, size_t n)
{
	double		best = sorted[0];
	size_t		best_run = 0,
				i,
				j;

	for (i = 0; i < n; i = j)
	{
		for (j = i; j < n && sorted[j] == sorted[i]; j++)
			;
		if (j - i > best_run)
		{
			best_run = j - i;
			best = sorted[i];
		}
	}
	return best;
}

/*
 * Whether two values read are the same: equal numbers (-0 and 0 alike, as
 * SQL compares them, the row's hash takes them and the passes group them,
 * dedupepasses.c), or both missing.
 */
static inline bool
same_value(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Whether rows a and b of p values are the same, value by value. */
static bool
same_row(const double *a, const double *b, int p)
{
	int			j;

	for (j = 0; j < p; j++)
		if (!same_value(a[j], b[j]))
			return false;
	return true;
}

/* A hash of a row's p values, label and target that same rows (same_row) share. */
static uint64
row_key_hash(const double *row, int p, int32 label, double target, double *scratch)
{
	int			j;

	/* adding 0 turns -0 into 0 and leaves every other number as it is */
	for (j = 0; j < p; j++)
		scratch[j] = isnan(row[j]) ? NAN : row[j] + 0.0;
	scratch[p] = isnan(target) ? NAN : target + 0.0;
	return hash_bytes_extended((const unsigned char *) scratch, sizeof(double) * (p + 1), (uint64) label);
}

/* Removes repeated rows (features and label alike) from one part, keeping the first. */
static int64
dedupe_part(MmDataset *ds, int part, const char *relation)
{
	size_t		n = ds->n[part],
				nslots = 16,
				kept = 0,
				i;
	int			p = ds->p;
	int64	   *slots;
	double	   *scratch;

	if (n < 2)
		return 0;
	while (nslots < 2 * n)
		nslots *= 2;
	MmDatasetRequireRoom(ds, relation, nslots, sizeof(int64),
						 psprintf("%zu rows of %d features were read; the table that finds their "
								  "duplicates does not fit beside them.", ds->n[0] + ds->n[1], p));
	slots = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * nslots);
	memset(slots, 0, sizeof(int64) * nslots);
	scratch = palloc(sizeof(double) * (p + 1));
	for (i = 0; i < n; i++)
	{
		const double *row = ds->x[part] + i * p;
		double		target = ds->numeric_target ? ds->t[part][i] : 0.0;
		size_t		s = row_key_hash(row, p, ds->y[part][i], target, scratch) & (nslots - 1);
		bool		dup = false;

		for (;; s = (s + 1) & (nslots - 1))
		{
			int64		k = slots[s] - 1;

			if (k < 0)
				break;
			if (ds->y[part][k] == ds->y[part][i] &&
				(!ds->numeric_target || same_value(ds->t[part][k], target)) &&
				same_row(ds->x[part] + k * p, row, p))
			{
				dup = true;
				break;
			}
		}
		if (!dup)
		{
			/* rows move down only, so kept rows compare at their new place */
			if (kept != i)
			{
				memmove(ds->x[part] + kept * p, row, sizeof(double) * p);
				ds->y[part][kept] = ds->y[part][i];
				if (ds->numeric_target)
					ds->t[part][kept] = target;
			}
			slots[s] = (int64) kept + 1;
			kept++;
		}
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(scratch);
	pfree(slots);
	ds->n[part] = kept;
	return (int64) (n - kept);
}

/*
 * Counts the text features' values again over the rows dedupe_part kept:
 * the dictionaries counted the rows as read, and the categories kept and
 * the most frequent one are those of the rows the fit sees (in passes, the
 * distinct rows', dedupepasses.c).
 */
static void
recount_categories(MmDataset *ds)
{
	int			p = ds->p,
				part,
				j;
	size_t		i;

	for (j = 0; j < p; j++)
	{
		MmStringDict *d = ds->dicts[j];

		if (d == NULL)
			continue;
		for (part = 0; part < 2; part++)
		{
			memset(d->count[part], 0, sizeof(int64) * d->n);
			for (i = 0; i < ds->n[part]; i++)
			{
				double		code = ds->x[part][i * p + j];

				if (!isnan(code))
					d->count[part][(int) code]++;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
}

/* Errors when every one of the p features is constant in the training rows. */
void
MmRequireVaryingFeature(const MmPreprocessFit *fit, int p)
{
	if (fit->nconstant == p)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 p == 1 ?
				 errmsg("feature \"%s\" is constant in the training rows", fit->constant[0]) :
				 errmsg("every feature is constant in the training rows"),
				 errdetail("A model needs a feature whose value varies between the training rows.")));
}

/* Errors when the variance threshold dropped every one of the p features the constant ones left. */
void
MmRequireKeptFeature(const MmPreprocessFit *fit, int p)
{
	if (fit->ndropped + fit->nconstant == p)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the variance threshold drops every feature"),
				 errdetail("Dropped: %s.", MmFormatList(fit->dropped, fit->ndropped))));
}

/* Keeps the features flagged in keep (p of them before) in the source. */
void
MmSourceKeepFeatures(MmSource *src, const bool *keep)
{
	int			p = src->nfeatures,
				q = 0,
				j;

	for (j = 0; j < p; j++)
		if (keep[j])
		{
			src->features[q] = src->features[j];
			src->feature_types[q] = src->feature_types[j];
			src->feature_kinds[q] = src->feature_kinds[j];
			if (src->columns != NULL)
			{
				src->columns[q] = src->columns[j];
				src->date_parts[q] = src->date_parts[j];
			}
			q++;
		}
	src->nfeatures = q;
}

/* Keeps the features flagged in keep, in both parts and in the source. */
static void
drop_features(MmSource *src, MmDataset *ds, const bool *keep)
{
	int			p = ds->p,
				q = 0,
				j,
				part;
	size_t		i;

	for (j = 0; j < p; j++)
		if (keep[j])
		{
			ds->null_count[q] = ds->null_count[j];
			ds->dicts[q] = ds->dicts[j];
			q++;
		}
	for (part = 0; part < 2; part++)
		for (i = 0; i < ds->n[part]; i++)
		{
			double	   *from = ds->x[part] + i * p,
					   *to = ds->x[part] + i * q;
			int			k = 0;

			for (j = 0; j < p; j++)
				if (keep[j])
					to[k++] = from[j];
		}
	MmSourceKeepFeatures(src, keep);
	ds->p = q;
}

/*
 * Whether a feature with this training variance stays: the variance
 * threshold drops it (the caller says so), and without one a constant
 * feature is left out too, with *constant set: it cannot tell the rows
 * apart, and scikit-learn's fits give it a coefficient of 0 rather than
 * refuse it.
 */
static bool
kept_by_variance(const MmPreprocess *pp, double var, bool *constant)
{
	*constant = false;
	if (pp->variance_threshold_set && var <= pp->variance_threshold)
		return false;
	*constant = var == 0.0;
	return !*constant;
}

/* Moments of every column over the training rows. */
typedef struct ColumnMoments
{
	size_t		present;		/* rows where the column is not NULL */
	double		mean;
	double		var;			/* population variance */
	double		min;
	double		max;
} ColumnMoments;

/* Rows the moments' sweeps take between checks for interrupts. */
#define MOMENT_BLOCK 65536

/*
 * The moments of every column in two sweeps over the rows as they lie
 * (row-major), the mean first so that the variance is a sum of squared
 * deviations, not a difference of large sums.  Both sums are compensated
 * (colmoments.h): the rows of a distributed table come in the order its
 * shards answer, and the same rows in any order give the same transform to
 * the bit.  Without need_var the second sweep is skipped and var is 0 for
 * a constant column, NaN otherwise.
 */
static void
column_moments(const MmDataset *ds, ColumnMoments *m, bool need_var)
{
	int			p = ds->p,
				j;
	size_t		n = ds->n[0],
				i;
	const double *x = ds->x[0];
	MmColumnSums sums;
	double	   *center = palloc(sizeof(double) * p);

	sums.count = palloc(sizeof(int64) * p);
	sums.sum = palloc(sizeof(double) * p);
	sums.carry = palloc(sizeof(double) * p);
	sums.min = palloc(sizeof(double) * p);
	sums.max = palloc(sizeof(double) * p);
	mm_column_sums_start(&sums, p);
	for (i = 0; i < n; i += MOMENT_BLOCK)
	{
		mm_column_sums_add(&sums, x + i * p, Min(n - i, MOMENT_BLOCK));
		CHECK_FOR_INTERRUPTS();
	}
	for (j = 0; j < p; j++)
	{
		m[j].present = (size_t) sums.count[j];
		m[j].mean = m[j].present > 0 ? mm_column_sum(&sums, j) / (double) m[j].present : 0.0;
		m[j].min = sums.min[j];
		m[j].max = sums.max[j];
		m[j].var = 0.0;
		center[j] = m[j].mean;
	}
	if (!need_var)
	{
		/* only whether a column is constant matters, and its range says that */
		for (j = 0; j < p; j++)
			m[j].var = m[j].min == m[j].max ? 0.0 : NAN;
	}
	else
	{
		mm_column_sums_start(&sums, p);
		for (i = 0; i < n; i += MOMENT_BLOCK)
		{
			mm_column_sums_add_squares(&sums, x + i * p, Min(n - i, MOMENT_BLOCK), center);
			CHECK_FOR_INTERRUPTS();
		}
		for (j = 0; j < p; j++)
			if (m[j].present > 0)
				m[j].var = mm_column_sum(&sums, j) / (double) m[j].present;
	}
	pfree(center);
	pfree(sums.count);
	pfree(sums.sum);
	pfree(sums.carry);
	pfree(sums.min);
	pfree(sums.max);
}

/*
 * Fits a feature whose transform follows from its moments alone: no NULL in
 * the training rows (imputation changes nothing there), no clipping and no
 * order statistic.  False when it needs the full treatment.
 */
static bool
fit_from_moments(const MmColumnPrep *prep, const MmPreprocess *pp, const ColumnMoments *m,
				 size_t n, MmFeatureTransform *t, bool *keep, bool *constant)
{
	if (m->present != n || n == 0 || prep->clip != MM_CLIP_NONE ||
		prep->impute == MM_IMPUTE_MEDIAN || prep->impute == MM_IMPUTE_MOST_FREQUENT ||
		prep->scale == MM_SCALE_ROBUST)
		return false;
	t->impute = prep->impute == MM_IMPUTE_MEAN ? m->mean :
		prep->impute == MM_IMPUTE_ZERO ? 0.0 :
		prep->impute == MM_IMPUTE_CONSTANT ? prep->impute_value : NAN;
	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->center = prep->scale == MM_SCALE_STANDARD ? m->mean :
		prep->scale == MM_SCALE_MINMAX ? m->min : 0.0;
	t->scale = prep->scale == MM_SCALE_STANDARD ? sqrt(m->var) :
		prep->scale == MM_SCALE_MINMAX ? m->max - m->min : 1.0;
	*keep = kept_by_variance(pp, m->var, constant);
	return true;
}

/*
 * Fits one feature's transform from its training values (NaN where
 * missing); false when the feature is dropped (see kept_by_variance).
 */
static bool
fit_column(const MmColumnPrep *prep, const MmPreprocess *pp, const char *name,
		   double *values, size_t n, MmFeatureTransform *t, bool *constant)
{
	size_t		present = 0,
				i;
	double		mean,
				var,
				lo,
				hi;

	/* order statistics need the column sorted; the rest do not */
	bool		sorted = prep->impute == MM_IMPUTE_MEDIAN || prep->impute == MM_IMPUTE_MOST_FREQUENT ||
		prep->clip == MM_CLIP_QUANTILES || prep->scale == MM_SCALE_ROBUST;

	for (i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[present++] = values[i];
	t->impute = NAN;
	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->center = 0.0;
	t->scale = 1.0;
	if (present == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is null in every training row", name),
				 errhint("Leave it out with exclude => ARRAY['%s'].", name)));
	if (sorted)
		MmSortDoubles(values, present);
	switch (prep->impute)
	{
		case MM_IMPUTE_ERROR:
			break;
		case MM_IMPUTE_MEAN:
			mm_values_mean_var(values, present, &t->impute, &var);
			break;
		case MM_IMPUTE_MEDIAN:
			t->impute = quantile(values, present, 0.5);
			break;
		case MM_IMPUTE_MOST_FREQUENT:
			t->impute = most_frequent(values, present);
			break;
		case MM_IMPUTE_ZERO:
			t->impute = 0.0;
			break;
		case MM_IMPUTE_CONSTANT:
			t->impute = prep->impute_value;
			break;
	}
	/* the statistics that follow see the imputed column, as a pipeline would */
	if (!isnan(t->impute) && present < n)
	{
		for (i = present; i < n; i++)
			values[i] = t->impute;
		present = n;
		if (sorted)
			MmSortDoubles(values, present);
	}
	if (prep->clip == MM_CLIP_QUANTILES)
	{
		t->clip_lo = quantile(values, present, prep->clip_lo);
		t->clip_hi = quantile(values, present, prep->clip_hi);
	}
	else if (prep->clip == MM_CLIP_ZSCORE)
	{
		mm_values_mean_var(values, present, &mean, &var);
		t->clip_lo = mean - prep->clip_hi * sqrt(var);
		t->clip_hi = mean + prep->clip_hi * sqrt(var);
	}
	lo = INFINITY;
	hi = -INFINITY;
	for (i = 0; i < present; i++)
	{
		double		v = values[i] < t->clip_lo ? t->clip_lo : values[i] > t->clip_hi ? t->clip_hi : values[i];

		values[i] = v;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	mm_values_mean_var(values, present, &mean, &var);

	/*
	 * A column imputed with its mean keeps that mean.  Centring on it as it
	 * is, as the statistics in passes do (prepfit.c), puts the imputed rows
	 * at exactly 0 both ways, not at 0 give or take a rounding: k-means
	 * draws its starting rows by their values' hashes.
	 */
	if (prep->impute == MM_IMPUTE_MEAN && prep->clip == MM_CLIP_NONE)
		mean = t->impute;
	if (!kept_by_variance(pp, var, constant))
		return false;
	switch (prep->scale)
	{
		case MM_SCALE_NONE:
			break;
		case MM_SCALE_STANDARD:
			t->center = mean;
			t->scale = sqrt(var);
			break;
		case MM_SCALE_MINMAX:
			t->center = lo;
			t->scale = hi - lo;
			break;
		case MM_SCALE_ROBUST:
			/* clipping keeps the order: the sorted column is still sorted */
			t->center = quantile(values, present, 0.5);
			t->scale = quantile(values, present, 0.75) - quantile(values, present, 0.25);
			/* a column mostly of one value has no spread between its quartiles */
			if (t->scale == 0.0)
				t->scale = 1.0;
			break;
	}
	return true;
}

/* Appends a number feature's fitted statistics to the JSON object. */
void
MmAppendFitted(StringInfo buf, const char *name, const MmFeatureTransform *t)
{
	MmJsonString(buf, name);
	appendStringInfoString(buf, ": {\"impute\": ");
	MmJsonNumber(buf, t->impute);
	appendStringInfoString(buf, ", \"clip\": ");
	if (isinf(t->clip_lo) && isinf(t->clip_hi))
		appendStringInfoString(buf, "null");
	else
	{
		appendStringInfoChar(buf, '[');
		MmJsonNumber(buf, t->clip_lo);
		appendStringInfoString(buf, ", ");
		MmJsonNumber(buf, t->clip_hi);
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoString(buf, ", \"center\": ");
	MmJsonNumber(buf, t->center);
	appendStringInfoString(buf, ", \"scale\": ");
	MmJsonNumber(buf, t->scale);
	appendStringInfoChar(buf, '}');
}

/* Orders category names as the core looks them up: by bytes, the shorter first on a tie. */
static int
cmp_name(const void *a, const void *b)
{
	const char *x = *(char *const *) a;
	const char *y = *(char *const *) b;

	return strcmp(x, y);
}

/* Orders indexes into the dictionary arg by training count (descending), then name. */
static int
cmp_frequency(const void *a, const void *b, void *arg)
{
	const MmStringDict *d = arg;
	int			i = *(const int *) a,
				j = *(const int *) b;
	int64		ci = d->count[0][i],
				cj = d->count[0][j];

	if (ci != cj)
		return ci > cj ? -1 : 1;
	return strcmp(d->names[i], d->names[j]);
}

/*
 * Fits a text feature: its categories from the training rows (the
 * max_categories - 1 most frequent kept, the rest grouped as other), the
 * imputed category, and the map from the dictionary's indexes to the
 * model's codes.  False when it has a single category: the variance
 * threshold drops it, or without one it is left out as constant (*single
 * set).
 */
static bool
fit_categorical(const MmColumnPrep *prep, const MmPreprocess *pp, const char *name,
				const MmStringDict *d, int64 nulls_train, MmCategories *cats,
				MmFeatureTransform *t, double **code_of, bool *single)
{
	int		   *present = palloc(sizeof(int) * Max(d->n, 1));
	int			npresent = 0,
				keep,
				i;
	char	   *constant = NULL;
	char	  **kept,
			  **other;

	for (i = 0; i < d->n; i++)
		if (d->count[0][i] > 0)
			present[npresent++] = i;
	if (npresent == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is null in every training row", name),
				 errhint("Leave it out with exclude => ARRAY['%s'].", name)));
	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->center = 0.0;
	t->scale = 1.0;
	t->impute = NAN;

	/* a constant that fills NULLs of the training rows is one of their categories */
	if (prep->impute == MM_IMPUTE_CONSTANT && nulls_train > 0)
	{
		constant = prep->impute_text;
		for (i = 0; i < npresent; i++)
			if (strcmp(d->names[present[i]], constant) == 0)
				constant = NULL;
	}
	qsort_arg(present, npresent, sizeof(int), cmp_frequency, (void *) d);
	keep = npresent + (constant ? 1 : 0);
	if (prep->max_categories > 0 && keep > prep->max_categories)
		keep = prep->max_categories - 1;

	/*
	 * The most frequent first: the kept ones, then the other group.  Copies:
	 * the dictionary goes with the rows, before the model is written.
	 */
	kept = palloc(sizeof(char *) * (keep + 1));
	other = palloc(sizeof(char *) * (npresent + 1));
	cats->n = 0;
	cats->n_other = 0;
	if (constant)
		kept[cats->n++] = pstrdup(constant);
	for (i = 0; i < npresent; i++)
	{
		if (cats->n < keep)
			kept[cats->n++] = pstrdup(d->names[present[i]]);
		else
			other[cats->n_other++] = pstrdup(d->names[present[i]]);
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	qsort(kept, cats->n, sizeof(char *), cmp_name);
	qsort(other, cats->n_other, sizeof(char *), cmp_name);
	cats->names = kept;
	cats->other = other;
	cats->encoding = prep->encoding;

	*single = false;
	if (cats->n + (cats->n_other > 0 ? 1 : 0) < 2)
	{
		*single = !pp->variance_threshold_set;
		return false;
	}

	/* the dictionary's values as the model codes them, unseen ones in the held-out rows too */
	*code_of = palloc(sizeof(double) * Max(d->n, 1));
	for (i = 0; i < d->n; i++)
		(*code_of)[i] = mm_category_code(cats, d->names[i], d->lens[i]);
	if (prep->impute == MM_IMPUTE_MOST_FREQUENT)
		t->impute = mm_category_code(cats, d->names[present[0]], strlen(d->names[present[0]]));
	else if (prep->impute == MM_IMPUTE_CONSTANT)
	{
		t->impute = mm_category_code(cats, prep->impute_text, strlen(prep->impute_text));
		/* a constant no training row has: imputed rows encode as unseen, all zeros */
		if (t->impute == MM_CATEGORY_UNSEEN)
			t->impute = NAN;
	}
	return true;
}

/*
 * Fits text feature j of src from its dictionary (values with their counts
 * per part) and its NULLs in the training rows, as MmFitPreprocess does: the
 * categories (with the reference, for reference coding), the transform and
 * the codes of the dictionary's values.  False when the feature is left out:
 * *constant says whether as constant.
 */
bool
MmFitTextFeature(const MmPreprocess *pp, const MmSource *src, int j, const MmStringDict *d,
				 int64 nulls_train, MmCategories *cats, MmFeatureTransform *t, double **code_of,
				 bool *constant)
{
	bool		keep = fit_categorical(&pp->column[j], pp, src->features[j], d, nulls_train, cats, t,
									   code_of, constant);

	if (keep)
		MmChooseReference(&pp->column[j], pp->reference_coding, src, j, cats);
	return keep;
}

/* Appends a text feature's fitted categories to the JSON object. */
static void
append_fitted_categories(StringInfo buf, const char *name, const MmCategories *c,
						 const MmFeatureTransform *t)
{
	int			i;

	MmJsonString(buf, name);
	appendStringInfo(buf, ": {\"encode\": \"%s\", \"categories\": [",
					 c->encoding == MM_ENCODE_ORDINAL ? "ordinal" : "onehot");
	for (i = 0; i < c->n; i++)
	{
		if (i)
			appendStringInfoString(buf, ", ");
		MmJsonString(buf, c->names[i]);
	}
	appendStringInfoString(buf, "], \"other\": [");
	for (i = 0; i < c->n_other; i++)
	{
		if (i)
			appendStringInfoString(buf, ", ");
		MmJsonString(buf, c->other[i]);
	}
	appendStringInfoString(buf, "], \"impute\": ");
	if (isnan(t->impute))
		appendStringInfoString(buf, "null");
	else if ((int) t->impute < c->n)
		MmJsonString(buf, c->names[(int) t->impute]);
	else
		appendStringInfoString(buf, "\"(other)\"");
	if (c->has_reference)
	{
		appendStringInfoString(buf, ", \"reference\": ");
		MmJsonString(buf, c->names[c->reference]);
	}
	appendStringInfoChar(buf, '}');
}

/*
 * Appends to a fitted-statistics object, after its "features", what the
 * fit left out: the dropped and constant features, the duplicates, the
 * selection's scores and (with text features) the unseen categories; then
 * closes the object.
 */
void
MmAppendPreprocessOutcome(StringInfo json, const MmPreprocessFit *fit, bool any_text)
{
	int			j;

	appendStringInfoString(json, ", \"dropped\": [");
	for (j = 0; j < fit->ndropped; j++)
	{
		if (j)
			appendStringInfoString(json, ", ");
		MmJsonString(json, fit->dropped[j]);
	}
	appendStringInfoChar(json, ']');
	/* only when there are some, so that other versions' record keeps its shape */
	if (fit->nconstant > 0)
	{
		appendStringInfoString(json, ", \"constant\": [");
		for (j = 0; j < fit->nconstant; j++)
		{
			if (j)
				appendStringInfoString(json, ", ");
			MmJsonString(json, fit->constant[j]);
		}
		appendStringInfoChar(json, ']');
	}
	appendStringInfo(json, ", \"duplicates_dropped\": " INT64_FORMAT, fit->duplicates);
	if (fit->select_json)
		appendStringInfo(json, ", \"select\": %s", fit->select_json);
	if (any_text)
		appendStringInfo(json, ", \"unseen_categories_held_out\": " INT64_FORMAT, fit->unseen[1]);
	appendStringInfoChar(json, '}');
}

/* Errors for a value the transform made infinite. */
static void
not_finite(const MmSource *src, int j)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("feature \"%s\" is not finite after preprocessing", src->features[j]),
			 errdetail("A value of %s, scaled by the training part's statistics, overflows.",
					   src->features[j]),
			 errhint("Clip the feature with preprocess => '{\"%s\": {\"clip\": {\"z\": 10}}}'.",
					 src->features[j])));
}

/*
 * Fills what fit records of the fitted preprocessing: the held-out text
 * values of categories training never saw (from the dictionaries' counts
 * and the codes of their values), and the JSON of the fitted statistics;
 * moves the kept features' transforms, categories and codes to the front.
 * src still has every feature, keep says which stay.
 */
void
MmPreprocessDescribe(const MmSource *src, const bool *keep, MmFeatureTransform *all,
					 MmCategories *cats, double **code_of, MmStringDict **dicts, bool any_text,
					 MmPreprocessFit *fit)
{
	int			p = src->nfeatures,
				j,
				q;
	size_t		i;
	StringInfoData json;

	/* the text values of the held-out rows whose category training never saw */
	for (j = 0; j < p; j++)
		if (keep[j] && code_of[j] != NULL)
			for (i = 0; i < (size_t) dicts[j]->n; i++)
				if (code_of[j][i] == MM_CATEGORY_UNSEEN)
				{
					fit->unseen[0] += dicts[j]->count[0][i];
					fit->unseen[1] += dicts[j]->count[1][i];
				}

	initStringInfo(&json);
	appendStringInfoString(&json, "{\"features\": {");
	for (j = 0, q = 0; j < p; j++)
		if (keep[j])
		{
			if (q)
				appendStringInfoString(&json, ", ");
			if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
				append_fitted_categories(&json, src->features[j], &cats[j], &all[j]);
			else
				MmAppendFitted(&json, src->features[j], &all[j]);
			all[q] = all[j];
			cats[q] = cats[j];
			code_of[q] = code_of[j];
			q++;
		}
	appendStringInfoChar(&json, '}');
	MmAppendPreprocessOutcome(&json, fit, any_text);
	fit->json = json.data;
}

/*
 * Errors for the rows a training read that its preprocessing cannot take:
 * a feature NaN or infinite (nonfinite_count per feature), or NULL where pp
 * does not impute it (null_count per feature).
 */
void
MmCheckFeatureCounts(const MmPreprocess *pp, const MmSource *src, const int64 *null_count,
					 const int64 *nonfinite_count)
{
	int			j;

	for (j = 0; j < src->nfeatures; j++)
	{
		bool		text = src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;

		if (nonfinite_count[j] > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg_plural("feature \"%s\" is NaN or infinite in " INT64_FORMAT " row",
								   "feature \"%s\" is NaN or infinite in " INT64_FORMAT " rows",
								   (unsigned long) nonfinite_count[j],
								   src->features[j], nonfinite_count[j]),
					 errhint("Filter those rows out, for example through a view.")));
		if (null_count[j] > 0 && pp->column[j].impute == MM_IMPUTE_ERROR &&
			(text || pp->algorithm == NULL || !pp->algorithm->missing_values))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg_plural("feature \"%s\" is null in " INT64_FORMAT " row",
								   "feature \"%s\" is null in " INT64_FORMAT " rows",
								   (unsigned long) null_count[j],
								   src->features[j], null_count[j]),
					 errhint("Impute them with preprocess => '{\"%s\": {\"impute\": \"%s\"}}', "
							 "or filter those rows out.", src->features[j],
							 text ? "most_frequent" : "mean")));
	}
}

/*
 * Fits the preprocessing on the training part and applies it to both parts
 * in place; drops the features the variance threshold removes from src and
 * ds.  Errors name the feature: NULLs that are not imputed, values that are
 * not finite, constant features.
 */
void
MmFitPreprocess(const MmPreprocess *pp, MmSource *src, MmDataset *ds, MmPreprocessFit *fit)
{
	int			p = ds->p,
				j,
				part;
	size_t		n = ds->n[0],
				i;
	double	   *column = NULL;
	ColumnMoments *moments = palloc(sizeof(ColumnMoments) * p);
	MmFeatureTransform *all = palloc(sizeof(MmFeatureTransform) * p);
	MmCategories *cats = palloc0(sizeof(MmCategories) * p);
	double	  **code_of = palloc0(sizeof(double *) * p);
	bool	   *keep = palloc(sizeof(bool) * p);
	bool		constant;
	bool		identity = true,
				any_text = false;
	MmModel		shell;
	MmError		err;

	memset(fit, 0, sizeof(*fit));
	MmCheckFeatureCounts(pp, src, ds->null_count, ds->nonfinite_count);
	for (j = 0; j < p; j++)
	{
		bool		text = src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;

		any_text |= text;
	}
	if (pp->dedupe)
	{
		for (part = 0; part < 2; part++)
			fit->duplicates += dedupe_part(ds, part, src->display);
		if (fit->duplicates > 0 && any_text)
			recount_categories(ds);
	}
	n = ds->n[0];

	fit->dropped = palloc(sizeof(char *) * p);
	fit->constant = palloc(sizeof(char *) * p);
	{
		bool		need_var = pp->variance_threshold_set;

		for (j = 0; j < p; j++)
			need_var |= pp->column[j].scale == MM_SCALE_STANDARD;
		column_moments(ds, moments, need_var);
	}
	for (j = 0; j < p; j++)
	{
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		{
			int64		nulls_train = 0;

			for (i = 0; i < n; i++)
				nulls_train += isnan(ds->x[0][i * p + j]);
			keep[j] = fit_categorical(&pp->column[j], pp, src->features[j], ds->dicts[j],
									  nulls_train, &cats[j], &all[j], &code_of[j], &constant);
			if (keep[j])
				MmChooseReference(&pp->column[j], pp->reference_coding, src, j, &cats[j]);
		}
		else if (!fit_from_moments(&pp->column[j], pp, &moments[j], n, &all[j], &keep[j],
								   &constant))
		{
			if (column == NULL)
			{
				MmDatasetRequireRoom(ds, src->display, Max(n, 1), sizeof(double),
									 psprintf("%zu rows of %d features were read; a copy of a column "
											  "to fit its preprocessing does not fit beside them.",
											  ds->n[0] + ds->n[1], p));
				column = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1));
			}
			for (i = 0; i < n; i++)
				column[i] = ds->x[0][i * p + j];
			keep[j] = fit_column(&pp->column[j], pp, src->features[j], column, n, &all[j],
								 &constant);
		}
		if (constant)
			fit->constant[fit->nconstant++] = src->features[j];
		else if (!keep[j])
			fit->dropped[fit->ndropped++] = src->features[j];
		CHECK_FOR_INTERRUPTS();
	}
	if (column)
		pfree(column);
	MmRequireVaryingFeature(fit, p);
	if (pp->select_k_best > 0 && fit->ndropped + fit->nconstant < p)
		MmSelectFeatures(pp->select_k_best, src, ds, keep, all, code_of, cats, fit);
	MmRequireKeptFeature(fit, p);

	MmPreprocessDescribe(src, keep, all, cats, code_of, ds->dicts, any_text, fit);
	if (fit->ndropped + fit->nconstant > 0)
		drop_features(src, ds, keep);

	p = ds->p;
	any_text = false;
	for (j = 0; j < p; j++)
	{
		any_text |= src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
		if (!isnan(all[j].impute) || !isinf(all[j].clip_lo) || !isinf(all[j].clip_hi) ||
			all[j].center != 0.0 || all[j].scale != 1.0)
			identity = false;
	}
	memset(&shell, 0, sizeof(shell));
	/* an algorithm that takes missing values keeps the NULL numbers it was not asked to impute */
	shell.algorithm = pp->algorithm;
	shell.n_features = p;
	shell.feature_kinds = src->feature_kinds;
	shell.transform = all;
	shell.categories = any_text ? cats : NULL;
	shell.n_design = mm_model_design_width(&shell);
	fit->n_design = shell.n_design;
	fit->categories = shell.categories;
	if (identity && !any_text)
		return;
	fit->transform = all;

	if (!any_text)
	{
		/* numbers only: transformed in place, each value where it was */
		for (part = 0; part < 2; part++)
			for (i = 0; i < ds->n[part]; i++)
			{
				double	   *row = ds->x[part] + i * p;

				/* the very function prediction calls, so both see the same numbers */
				if (mm_model_transform(&shell, row, row, &err) != MM_OK)
					not_finite(src, err.item);
				if ((i & 0xffff) == 0)
					CHECK_FOR_INTERRUPTS();
			}
		return;
	}

	/* with text: a new matrix of the encoded columns, within the memory limit */
	{
		double	   *raw = palloc(sizeof(double) * p);

		/* the rows as read stay until each part is encoded: both count */
		if (!MmDatasetHasRoom(ds, ds->n[0] + ds->n[1], sizeof(double) * shell.n_design))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the %d encoded columns of %zu rows exceed modelmgr.max_train_memory (%d kB)",
							shell.n_design, ds->n[0] + ds->n[1], mm_max_train_memory_kb),
					 errhint("Cap the categories with preprocess => '{\"*\": {\"max_categories\": 50}}', "
							 "or raise modelmgr.max_train_memory.")));
		for (part = 0; part < 2; part++)
		{
			double	   *design = MemoryContextAllocHuge(ds->cxt, sizeof(double) * shell.n_design *
														Max(ds->n[part], 1));

			for (i = 0; i < ds->n[part]; i++)
			{
				const double *row = ds->x[part] + i * p;

				for (j = 0; j < p; j++)
					raw[j] = code_of[j] != NULL && !isnan(row[j]) ? code_of[j][(int) row[j]] : row[j];
				if (mm_model_transform(&shell, raw, design + i * shell.n_design, &err) != MM_OK)
					not_finite(src, err.item);
				if ((i & 0xffff) == 0)
					CHECK_FOR_INTERRUPTS();
			}
			if (ds->x[part] != NULL)
				pfree(ds->x[part]);
			ds->x[part] = design;
			ds->cap[part] = ds->n[part];
		}
		ds->p = shell.n_design;
	}
}

/*
 * Applies a trained model's preprocessing to rows read for it (evaluation):
 * text values become the model's category codes (counting those it never
 * saw into *unseen), then every row is encoded as the model encodes it for
 * prediction.  Errors name the feature of a NULL the model does not impute,
 * or of a value not finite once scaled.
 */
void
MmDatasetEncode(const MmModel *model, const MmSource *src, MmDataset *ds, int64 *unseen)
{
	int			p = ds->p,
				w = model->n_design,
				j,
				part;
	double	  **code_of = palloc0(sizeof(double *) * p);
	double	   *raw = palloc(sizeof(double) * p);
	MmError		err;
	size_t		i;

	*unseen = 0;
	for (j = 0; j < p; j++)
	{
		MmStringDict *d = ds->dicts[j];

		MmRequireFiniteFeature(model, src, j, ds->nonfinite_count[j]);
		if (d == NULL)
			continue;
		code_of[j] = palloc(sizeof(double) * Max(d->n, 1));
		for (i = 0; i < (size_t) d->n; i++)
		{
			code_of[j][i] = mm_category_code(&model->categories[j], d->names[i], d->lens[i]);
			if (code_of[j][i] == MM_CATEGORY_UNSEEN)
				*unseen += d->count[0][i] + d->count[1][i];
		}
	}
	if (!MmDatasetHasRoom(ds, ds->n[0] + ds->n[1], sizeof(double) * w))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the %d encoded columns of %zu rows exceed modelmgr.max_train_memory (%d kB)",
						w, ds->n[0] + ds->n[1], mm_max_train_memory_kb),
				 errhint("Raise modelmgr.max_train_memory, or evaluate on fewer rows.")));
	for (part = 0; part < 2; part++)
	{
		double	   *design = MemoryContextAllocHuge(ds->cxt, sizeof(double) * w * Max(ds->n[part], 1));

		for (i = 0; i < ds->n[part]; i++)
		{
			const double *row = ds->x[part] + i * p;

			for (j = 0; j < p; j++)
				raw[j] = code_of[j] != NULL && !isnan(row[j]) ? code_of[j][(int) row[j]] : row[j];
			if (mm_model_transform(model, raw, design + i * w, &err) != MM_OK)
				MmReportUntransformed(model, src, err.item, isnan(raw[err.item]));
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		if (ds->x[part] != NULL)
			pfree(ds->x[part]);
		ds->x[part] = design;
	}
	ds->p = w;
}

/* Errors when feature j of the model is NaN or infinite in nonfinite rows of src. */
void
MmRequireFiniteFeature(const MmModel *model, const MmSource *src, int j, int64 nonfinite)
{
	if (nonfinite > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is NaN or infinite in " INT64_FORMAT " rows of relation %s",
						model->feature_names[j], nonfinite, src->display)));
}

/*
 * Errors for a row of src the model's transform refused at feature j: a
 * NULL (is_null) the model does not impute, or a value scaled past the
 * finite.
 */
void
MmReportUntransformed(const MmModel *model, const MmSource *src, int j, bool is_null)
{
	ereport(ERROR,
			(errcode(is_null ? ERRCODE_NULL_VALUE_NOT_ALLOWED : ERRCODE_DATA_EXCEPTION),
			 is_null ?
			 errmsg("feature \"%s\" is null in relation %s, and the model does not impute it",
					model->feature_names[j], src->display) :
			 errmsg("feature \"%s\" is not finite after preprocessing", model->feature_names[j])));
}

/*
 * Adds to the metrics object just appended (of the held-out part) how many
 * text values there belonged to no category of the training rows; only for
 * models with text features.
 */
void
MmAppendUnseen(StringInfo metrics, const MmPreprocessFit *fit)
{
	if (fit->categories == NULL || !MmJsonReopenObject(metrics))
		return;
	appendStringInfo(metrics, ", \"unseen_categories\": " INT64_FORMAT "}", fit->unseen[1]);
}

/* Says what the preprocessing dropped: features under the variance threshold, duplicate rows. */
void
MmReportPreprocessFit(const MmPreprocessFit *fit)
{
	int			by_variance = fit->ndropped - fit->nselected_out;

	if (by_variance > 0)
		ereport(NOTICE,
				(errmsg_plural("the variance threshold dropped %d feature: %s",
							   "the variance threshold dropped %d features: %s",
							   by_variance, by_variance, MmFormatList(fit->dropped, by_variance))));
	if (fit->nconstant > 0)
		ereport(NOTICE,
				(errmsg_plural("left out %d constant feature: %s",
							   "left out %d constant features: %s",
							   fit->nconstant, fit->nconstant,
							   MmFormatList(fit->constant, fit->nconstant)),
				 errdetail("A feature with one value in every training row cannot inform the model: "
						   "its coefficient is 0, and prediction ignores its value.")));
	if (fit->nselected_out > 0)
		ereport(NOTICE,
				(errmsg_plural("feature selection dropped %d feature: %s",
							   "feature selection dropped %d features: %s",
							   fit->nselected_out, fit->nselected_out,
							   MmFormatList(fit->dropped + by_variance, fit->nselected_out))));
	if (fit->duplicates > 0)
		ereport(NOTICE,
				(errmsg_plural("dropped " INT64_FORMAT " duplicate row",
							   "dropped " INT64_FORMAT " duplicate rows",
							   (unsigned long) fit->duplicates, fit->duplicates)));
}
