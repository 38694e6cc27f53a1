/*
 * baseline.c: the baseline profile a version keeps of its training rows,
 * for drift monitoring.
 *
 * Every raw input feature gets a profile (profile.h) and so do the model's
 * predictions on the training rows.  The training pass already holds what
 * that needs: rows in memory, or the one-pass aggregate's moments, range and
 * uniform sample, so no extra scan is made.  Counts, missing values, range,
 * mean and standard deviation are exact over the training part; quantiles
 * and shares come from a uniform sample of it (each feature's present
 * values, every one up to BASELINE_SAMPLE, a systematic sample of that
 * many past it; or the aggregate's sample), and the predictions' profile
 * from a sample of rows.  Training in passes has the column-statistics
 * pass instead: its quantile sketches give the features' quantiles while
 * they hold them, a bounded sample past that (MmBaselineFromColumnStats).
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "baseline.h"
#include "column_stats.h"
#include "columns.h"
#include "dataset.h"
#include "lsq.h"
#include "mmcore.h"
#include "model.h"
#include "moments.h"
#include "profile.h"
#include "quantile_sketch.h"
#include "sortdoubles.h"
#include "util.h"

/* Training rows whose values give a baseline's quantiles, at most. */
#define BASELINE_SAMPLE MM_BASELINE_SAMPLE

struct MmBaselineSample
{
	int			p;
	char	  **names;			/* the source's features */
	MmStringDict **dicts;		/* text features' values, by the codes in rows */
	char	  **profile_json;	/* per feature */
	size_t		m;
	double	   *rows;			/* m x p raw values, NaN where NULL */
	int64		rows_train;
};

/* Appends a numeric profile as a JSON object. */
static void
append_numeric(StringInfo buf, const MmNumericProfile *prof)
{
	int			i;

	appendStringInfo(buf, "{\"kind\": \"numeric\", \"rows\": " INT64_FORMAT ", \"missing\": " INT64_FORMAT,
					 (int64) prof->rows, (int64) prof->missing);
	appendStringInfoString(buf, ", \"min\": ");
	MmJsonNumber(buf, prof->min);
	appendStringInfoString(buf, ", \"max\": ");
	MmJsonNumber(buf, prof->max);
	appendStringInfoString(buf, ", \"mean\": ");
	MmJsonNumber(buf, prof->mean);
	appendStringInfoString(buf, ", \"sd\": ");
	MmJsonNumber(buf, prof->sd);
	appendStringInfo(buf, ", \"discrete\": %s", prof->discrete ? "true" : "false");
	if (prof->rows > 0)
	{
		appendStringInfoString(buf, ", \"quantiles\": [");
		for (i = 0; i <= MM_PROFILE_SKETCH; i++)
		{
			if (i)
				appendStringInfoString(buf, ", ");
			MmJsonNumber(buf, prof->quantile[i]);
		}
		appendStringInfoString(buf, "], \"shares\": [");
		for (i = 0; i < MM_PROFILE_SKETCH; i++)
		{
			if (i)
				appendStringInfoString(buf, ", ");
			MmJsonNumber(buf, prof->share[i]);
		}
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoChar(buf, '}');
}

/*
 * The present values among count values stride apart (present of them),
 * sorted: every one up to BASELINE_SAMPLE of them, a systematic sample of
 * that many past it (the values of ranks floor(i present / kept) in their
 * order); *kept gets how many.  A column's own present values, not those
 * of sampled rows, so that a feature NULL in most rows still has all the
 * values it can.  A column without missing values is sampled by index,
 * without a sweep over its rows.
 */
static double *
sorted_present(const double *values, size_t count, size_t stride, size_t present, size_t *kept)
{
	size_t		k = Min(present, (size_t) BASELINE_SAMPLE),
				seen = 0,
				next = 0,
				target = 0,
				i;
	double	   *out = palloc(sizeof(double) * Max(k, 1));

	if (present == count)
		for (next = 0; next < k; next++)
			out[next] = values[next * present / k * stride];
	else
		for (i = 0; i < count && next < k; i++)
		{
			double		v = values[i * stride];

			if (!isfinite(v))
				continue;
			/* present >= k, so these ranks rise strictly and each present value is taken at most once */
			if (seen++ == target)
			{
				out[next++] = v;
				target = next * present / k;
			}
		}
	Assert(next == k);
	MmSortDoubles(out, k);
	*kept = k;
	return out;
}

/*
 * The numeric profile of a column: exact statistics over its n values
 * (stride apart; NaN is missing), quantiles and shares from up to
 * BASELINE_SAMPLE of its present values (sorted_present).
 */
static char *
numeric_profile_json(const double *values, size_t n, size_t stride)
{
	MmNumericProfile prof;
	MmError		err;
	StringInfoData buf;
	double	   *sorted;
	size_t		i,
				present = 0,
				kept;
	double		min = INFINITY,
				max = -INFINITY,
				mean = 0.0,
				m2 = 0.0;

	for (i = 0; i < n; i++)
	{
		double		v = values[i * stride],
					delta;

		if (!isfinite(v))
			continue;
		present++;
		delta = v - mean;
		mean += delta / (double) present;
		m2 += delta * (v - mean);
		min = Min(min, v);
		max = Max(max, v);
	}
	sorted = sorted_present(values, n, stride, present, &kept);
	if (mm_profile_numeric(&prof, (int64) present, (int64) (n - present), min, max, mean,
						   present > 1 ? sqrt(m2 / (double) (present - 1)) : 0.0,
						   sorted, kept, &err) != MM_OK)
		MmReportCoreError(&err, "could not profile the training rows");
	pfree(sorted);
	initStringInfo(&buf);
	append_numeric(&buf, &prof);
	return buf.data;
}

/* Index order of categories: the most frequent first, then by name. */
typedef struct CategoryCount
{
	const char *name;
	int64		count;
} CategoryCount;

static int
compare_category_counts(const void *a, const void *b)
{
	const CategoryCount *x = a,
			   *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The categorical profile of n categories with their counts (reordered). */
static char *
categorical_profile_json(CategoryCount *cats, int n, int64 missing)
{
	StringInfoData buf;
	int64		total = 0,
				named = 0;
	int			i,
				keep = Min(n, MM_PROFILE_CATEGORIES);

	qsort(cats, n, sizeof(CategoryCount), compare_category_counts);
	for (i = 0; i < n; i++)
		total += cats[i].count;
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"kind\": \"categorical\", \"rows\": " INT64_FORMAT ", \"missing\": "
					 INT64_FORMAT ", \"categories\": [", total, missing);
	for (i = 0; i < keep; i++)
	{
		if (i)
			appendStringInfoString(&buf, ", ");
		MmJsonString(&buf, cats[i].name);
	}
	appendStringInfoString(&buf, "], \"shares\": [");
	for (i = 0; i < keep; i++)
	{
		named += cats[i].count;
		MmJsonNumber(&buf, total > 0 ? (double) cats[i].count / (double) total : 0.0);
		appendStringInfoString(&buf, ", ");
	}
	MmJsonNumber(&buf, total > 0 ? (double) (total - named) / (double) total : 0.0);
	appendStringInfoString(&buf, "]}");
	return buf.data;
}

/* Allocates a sample of m rows over src's features. */
static MmBaselineSample *
sample_new(const MmSource *src, size_t m)
{
	MmBaselineSample *s = palloc0(sizeof(MmBaselineSample));

	/* copies: fitting the preprocessing may drop features from src */
	s->p = src->nfeatures;
	s->names = palloc(sizeof(char *) * Max(s->p, 1));
	memcpy(s->names, src->features, sizeof(char *) * s->p);
	s->dicts = palloc0(sizeof(MmStringDict *) * Max(s->p, 1));
	s->profile_json = palloc0(sizeof(char *) * Max(s->p, 1));
	s->m = m;
	s->rows = palloc(sizeof(double) * Max(m * s->p, 1));
	return s;
}

MmBaselineSample *
MmBaselineTake(const MmDataset *ds, const MmSource *src)
{
	size_t		n = ds->n[0],
				m = Min(n, BASELINE_SAMPLE),
				i;
	MmBaselineSample *s;
	int			p = ds->p,
				j;

	/* a cross-validation fold's model is scored and dropped: no profile */
	if (ds->fold_copy)
		return NULL;
	s = sample_new(src, m);
	Assert(p == src->nfeatures);
	s->rows_train = (int64) n;
	/* a systematic sample: every row up to BASELINE_SAMPLE, evenly spread past it */
	for (i = 0; i < m; i++)
		memcpy(s->rows + i * p, ds->x[0] + (i * n / m) * p, sizeof(double) * p);
	for (j = 0; j < p; j++)
	{
		MmStringDict *d = ds->dicts[j];

		CHECK_FOR_INTERRUPTS();
		if (d != NULL)
		{
			CategoryCount *cats = palloc(sizeof(CategoryCount) * Max(d->n, 1));
			int64		missing = 0;
			int			c;

			for (i = 0; i < n; i++)
				missing += isnan(ds->x[0][i * p + j]);
			for (c = 0; c < d->n; c++)
			{
				cats[c].name = pnstrdup(d->names[c], d->lens[c]);
				cats[c].count = d->count[0][c];
			}
			s->dicts[j] = d;
			s->profile_json[j] = categorical_profile_json(cats, d->n, missing);
		}
		else
			s->profile_json[j] = numeric_profile_json(ds->x[0] + j, n, p);
	}
	return s;
}

/*
 * Says that a sample's rows stand for rows_train training rows: a profile
 * taken from a bounded sample of the relation (fitpasses.c) records the
 * part's size, not the sample's.
 */
void
MmBaselineSetRows(MmBaselineSample *s, int64 rows_train)
{
	if (s != NULL)
		s->rows_train = rows_train;
}

/* NULL when the aggregate kept no sample (modelmgr.metric_sample_rows = 0). */
MmBaselineSample *
MmBaselineFromMoments(const MmLsView *view, const MmSource *src)
{
	int			p = view->p,
				d = view->d,
				count = view->head->sample_count[0],
				j,
				r;
	MmBaselineSample *s;
	const double *moments = view->part[0];
	double		n = moments[0];

	if (count == 0)
		return NULL;
	s = sample_new(src, (size_t) count);
	s->rows_train = (int64) n;
	for (r = 0; r < count; r++)
		memcpy(s->rows + (size_t) r * p, view->sample_row[0] + (size_t) view->sample_entry[0][r].slot * d,
			   sizeof(double) * p);
	for (j = 0; j < p; j++)
	{
		MmNumericProfile prof;
		MmError		err;
		StringInfoData buf;
		double	   *sorted = palloc(sizeof(double) * Max(count, 1));

		for (r = 0; r < count; r++)
			sorted[r] = s->rows[(size_t) r * p + j];
		MmSortDoubles(sorted, count);
		if (mm_profile_numeric(&prof, (int64) n, 0, view->range[0][j], view->range[0][d + j],
							   moments[1 + j],
							   n > 1 ? sqrt(mm_moments_co(moments, d, j, j) / (n - 1)) : 0.0,
							   sorted, count, &err) != MM_OK)
			MmReportCoreError(&err, "could not profile the training rows");
		initStringInfo(&buf);
		append_numeric(&buf, &prof);
		s->profile_json[j] = buf.data;
		pfree(sorted);
	}
	return s;
}

/*
 * What a model makes of an encoded row, as one number: the prediction of a
 * regression, the class index of a classifier, the cluster of k-means, the
 * first component of PCA.  scratch holds a component per feature.
 */
double
MmModelOutcome(const MmModel *model, const double *z, double *scratch)
{
	switch (model->task)
	{
		case MM_TASK_REGRESSION:
			return mm_model_predict(model, z);
		case MM_TASK_CLASSIFICATION:
		case MM_TASK_CLUSTERING:
			return mm_model_class(model, z);
		case MM_TASK_DECOMPOSITION:
			mm_model_project(model, z, scratch);
			return scratch[0];
	}
	return NAN;
}

/* Whether a model's outcomes are categories (classes, clusters) rather than numbers. */
bool
MmOutcomeIsCategorical(const MmModel *model)
{
	return model->task == MM_TASK_CLASSIFICATION || model->task == MM_TASK_CLUSTERING;
}

/* The name of a categorical outcome: the class label, or the cluster number. */
char *
MmOutcomeName(const MmModel *model, int outcome)
{
	if (model->task == MM_TASK_CLASSIFICATION)
		return model->labels.classes[outcome];
	return psprintf("%d", outcome);
}

/* The number of categorical outcomes a model has. */
int
MmOutcomeCount(const MmModel *model)
{
	return model->task == MM_TASK_CLASSIFICATION ? model->labels.n_classes : mm_model_n_scores(model);
}

/*
 * Rows per chunk of the sample's outcomes on threads: a kernel model's row
 * costs its support vectors' kernel values, so a few hundred rows are worth
 * a thread.
 */
#define OUTCOME_CHUNK_ROWS 512

/* The sample's outcomes on threads: each chunk writes its own rows' and uses its own scratch. */
typedef struct SampleOutcomes
{
	const MmModel *model;
	const MmBaselineSample *s;
	const int  *column;			/* the sample's column of each model feature */
	double	  **code_of;		/* a text feature's codes by the sample's dictionary index */
	size_t		first;			/* the span's first row */
	size_t		width;			/* scratch per chunk */
	double	   *scratch;
	double	   *outcome;		/* per row */
	bool	   *taken;			/* per row: whether the model could take it */
	const MmKnownOutcomes *known;	/* or NULL */
} SampleOutcomes;

/*
 * The outcome the training computed for sampled row i, when its design z is
 * the very design of the training row it was sampled from; NULL otherwise
 * (the preprocessing dropped or reordered rows, or none are known).
 */
static const double *
known_outcome(const SampleOutcomes *o, size_t i, const double *z)
{
	const MmKnownOutcomes *k = o->known;
	size_t		r;

	if (k == NULL || k->p != o->model->n_design || o->s->rows_train <= 0)
		return NULL;
	r = i * (size_t) o->s->rows_train / o->s->m;	/* as MmBaselineTake sampled it */
	if (r >= k->n || isnan(k->outcome[r]) || memcmp(z, k->x + r * k->p, sizeof(double) * k->p) != 0)
		return NULL;
	return &k->outcome[r];
}

static void
outcome_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	SampleOutcomes *o = arg;
	const MmModel *model = o->model;
	int			nf = model->n_features,
				k;
	double	   *raw = o->scratch + (size_t) chunk * o->width;
	double	   *z = raw + Max(nf, 1);
	double	   *scratch = z + Max(model->n_design, 1);
	size_t		i;
	MmError		err;

	for (i = o->first + begin; i < o->first + end; i++)
	{
		const double *row = o->s->rows + i * o->s->p;

		for (k = 0; k < nf; k++)
		{
			double		v = row[o->column[k]];

			raw[k] = o->code_of[k] != NULL && !isnan(v) ? o->code_of[k][(int) v] : v;
		}
		/* rows the model cannot take (a NULL it does not impute) have no outcome */
		o->taken[i] = mm_model_transform(model, raw, z, &err) == MM_OK;
		if (o->taken[i])
		{
			const double *known = known_outcome(o, i, z);

			o->outcome[i] = known != NULL ? *known : MmModelOutcome(model, z, scratch);
		}
	}
}

/* The baseline as JSON, or NULL without a sample (it is then made on first need). */
char *
MmBaselineFinish(MmBaselineSample *s, const MmModel *model)
{
	return MmBaselineFinishKnown(s, model, NULL);
}

char *
MmBaselineFinishKnown(MmBaselineSample *s, const MmModel *model, const MmKnownOutcomes *known)
{
	int			nf = model->n_features,
				j,
				k;
	int		   *column = palloc(sizeof(int) * Max(nf, 1));
	double	  **code_of = palloc0(sizeof(double *) * Max(nf, 1));
	double	   *outcome;
	size_t		i,
				predicted = 0;
	StringInfoData buf;
	SampleOutcomes o;

	if (s == NULL)
		return NULL;
	outcome = palloc(sizeof(double) * Max(s->m, 1));
	/* the model's features among the source's, and text values as the model's codes */
	for (k = 0; k < nf; k++)
	{
		for (j = 0; j < s->p && strcmp(s->names[j], model->feature_names[k]) != 0; j++)
			;
		if (j == s->p)
			elog(ERROR, "feature \"%s\" of the model is not among those read", model->feature_names[k]);
		column[k] = j;
		if (s->dicts[j] != NULL && model->categories != NULL)
		{
			MmStringDict *d = s->dicts[j];
			int			c;

			code_of[k] = palloc(sizeof(double) * Max(d->n, 1));
			for (c = 0; c < d->n; c++)
				code_of[k][c] = mm_category_code(&model->categories[k], d->names[c], d->lens[c]);
		}
	}
	/* a span of rows on threads at a time, so that a cancel is seen between */
	o.model = model;
	o.s = s;
	o.column = column;
	o.code_of = code_of;
	o.width = (size_t) Max(nf, 1) + Max(model->n_design, 1) + Max(model->n_features + model->n_design, 1);
	o.scratch = palloc(sizeof(double) * o.width *
					   ((MM_CHUNK_ROWS + OUTCOME_CHUNK_ROWS - 1) / OUTCOME_CHUNK_ROWS));
	o.outcome = outcome;
	o.taken = palloc(sizeof(bool) * Max(s->m, 1));
	o.known = known;
	for (o.first = 0; o.first < s->m; o.first += MM_CHUNK_ROWS)
	{
		mm_parallel_rows(Min((size_t) MM_CHUNK_ROWS, s->m - o.first), OUTCOME_CHUNK_ROWS, outcome_chunk, &o);
		CHECK_FOR_INTERRUPTS();
	}
	/* the outcomes of the rows taken, in the sample's order */
	for (i = 0; i < s->m; i++)
		if (o.taken[i])
			outcome[predicted++] = outcome[i];
	pfree(o.scratch);
	pfree(o.taken);

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"sketch\": %d, \"bins\": %d, \"rows\": " INT64_FORMAT
					 ", \"sample_rows\": %zu, \"features\": {",
					 MM_PROFILE_SKETCH, MM_PROFILE_BINS, s->rows_train, s->m);
	for (k = 0; k < nf; k++)
	{
		if (k)
			appendStringInfoString(&buf, ", ");
		MmJsonString(&buf, model->feature_names[k]);
		appendStringInfo(&buf, ": %s", s->profile_json[column[k]]);
	}
	appendStringInfoString(&buf, "}, \"prediction\": ");
	if (MmOutcomeIsCategorical(model))
	{
		int			n = MmOutcomeCount(model);
		CategoryCount *cats = palloc0(sizeof(CategoryCount) * n);

		for (k = 0; k < n; k++)
			cats[k].name = MmOutcomeName(model, k);
		for (i = 0; i < predicted; i++)
			cats[(int) outcome[i]].count++;
		appendStringInfoString(&buf, categorical_profile_json(cats, n, (int64) (s->m - predicted)));
	}
	else
	{
		for (i = predicted; i < s->m; i++)
			outcome[i] = NAN;
		appendStringInfoString(&buf, numeric_profile_json(outcome, s->m, 1));
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Feature j's numeric profile from its column statistics: a text feature
 * has none (its values are missing to them), and the caller's counts.  The
 * quantiles come from the column's sketch sk where the statistics have one
 * (every value up to 16,384, within its rank error past that), else from
 * values: nvalues present training values of the feature from a sample (up
 * to BASELINE_SAMPLE of them are taken).
 */
static char *
profile_from_stats(const MmColumnStats *c, const MmQuantileSketch *sk, const MmSource *src, int j,
				   const double *values, size_t nvalues)
{
	size_t		k = (size_t) Min(c->n, BASELINE_SAMPLE);
	double	   *sorted;
	MmNumericProfile prof;
	MmError		err;
	StringInfoData buf;
	MmErrorCode rc = MM_OK;

	if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("feature \"%s\" is text, and statistics passes over relation %s read numbers",
						src->features[j], src->display)));
	if (sk != NULL)
	{
		sorted = palloc(sizeof(double) * Max(k, 1));
		if (k > 0)
			rc = mm_qsketch_sample(sk, k, sorted, &err);
	}
	else
		sorted = sorted_present(values, nvalues, 1, nvalues, &k);
	/* no sampled value of a present column (the sample fits no row): its exact extremes */
	if (k == 0 && c->n > 0)
	{
		sorted = repalloc(sorted, sizeof(double) * 2);
		sorted[0] = c->min;
		sorted[1] = c->max;
		k = 2;
	}
	if (rc != MM_OK ||
		mm_profile_numeric(&prof, c->n, c->missing, c->min, c->max, c->mean,
						   c->n > 1 ? sqrt(c->m2 / (double) (c->n - 1)) : 0.0,
						   sorted, k, &err) != MM_OK)
		MmReportCoreError(&err, "could not profile the training rows");
	initStringInfo(&buf);
	append_numeric(&buf, &prof);
	pfree(sorted);
	return buf.data;
}

/*
 * A baseline from the column-statistics pass (column_stats.h) over src's
 * features, for training that does not hold the rows: counts, missing
 * values, range, mean and deviation exact as above; the quantiles and
 * shares from the feature's sketch where the statistics have one (its
 * sorted systematic sample of up to BASELINE_SAMPLE values: the column
 * itself while the sketch is exact, so the profile is then the one rows in
 * memory give), else from values[j] (nvalues[j] of the feature's present
 * training values, from a sample the caller read).  rows (m of src's features, NaN
 * where NULL, a text value its code in row_dicts; m may be 0) is a bounded
 * sample of training rows the caller read, from which the predictions'
 * profile comes.  A text feature, whose statistics are all missing, is
 * profiled from counted (its values with their rows per part, as discovery
 * counts them) and text_missing (its training rows where it is NULL), the
 * counts rows in memory give.
 */
MmBaselineSample *
MmBaselineFromColumnStats(const void *stats, const MmSource *src, int64 rows_train,
						  const double *rows, size_t m, MmStringDict **row_dicts,
						  MmStringDict *const *counted, const int64 *text_missing,
						  double *const *values, const size_t *nvalues)
{
	MmBaselineSample *s = sample_new(src, m);
	int			p = src->nfeatures,
				j;

	s->rows_train = rows_train;
	if (m > 0)
		memcpy(s->rows, rows, sizeof(double) * m * p);
	for (j = 0; j < p; j++)
	{
		CHECK_FOR_INTERRUPTS();
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL && counted != NULL &&
			counted[j] != NULL)
		{
			const MmStringDict *d = counted[j];
			CategoryCount *cats = palloc(sizeof(CategoryCount) * Max(d->n, 1));
			int			c;

			for (c = 0; c < d->n; c++)
			{
				cats[c].name = pnstrdup(d->names[c], d->lens[c]);
				cats[c].count = d->count[0][c];
			}
			s->dicts[j] = row_dicts != NULL ? row_dicts[j] : NULL;
			s->profile_json[j] = categorical_profile_json(cats, d->n, text_missing[j]);
			continue;
		}
		s->profile_json[j] = profile_from_stats(mm_column_stats_of((void *) stats, j),
												mm_column_stats_sketch((void *) stats, p, j), src, j,
												values[j], nvalues[j]);
	}
	return s;
}

