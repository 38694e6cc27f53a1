/*
 * prepfit.c: numeric preprocessing fitted from column-statistics passes
 * (see prepfit.h).
 */
#include "prepfit.h"

#include <math.h>
#include <string.h>

#include "column_stats.h"
#include "quantile_sketch.h"

/* A column as imputation leaves it: the present values' moments with count copies of v. */
typedef struct Imputed
{
	int64_t		n;
	double		mean;
	double		var;
	double		min;
	double		max;
	double		value;			/* NaN: nothing imputed */
	int64_t		count;			/* copies of value added */
} Imputed;

static void
impute_column(const MmColumnStats *c, double v, Imputed *out)
{
	int64_t		k = isnan(v) ? 0 : c->missing;
	double		n = (double) (c->n + k),
				delta = v - c->mean,
				m2 = c->m2;

	out->n = c->n + k;
	out->value = v;
	out->count = k;
	out->mean = c->mean;
	out->min = c->min;
	out->max = c->max;
	if (k > 0)
	{
		/* Chan's merge with k values of v, whose deviations are all 0 */
		out->mean = c->mean + delta * ((double) k / n);
		m2 += delta * delta * ((double) c->n * (double) k / n);
		out->min = fmin(out->min, v);
		out->max = fmax(out->max, v);
	}
	out->var = m2 / n;
}

/*
 * A quantile of column j (its sketch sk) as imputed then clipped to [lo, hi];
 * fails when its statistics have no sketch.
 */
static MmErrorCode
quantile(const MmQuantileSketch *sk, int j, const Imputed *imp, double q, double lo, double hi,
		 double *out, MmError *err)
{
	if (sk == NULL)
		return mm_fail(err, MM_ERR_INVALID_INPUT, j,
					   "column %d takes quantiles and its statistics have no sketch", j);
	return mm_qsketch_quantile(sk, q, imp->value, imp->count, lo, hi, out, err);
}

/* The value the column's option imputes: the in-memory fit's, from the present values. */
static MmErrorCode
impute_value(const MmPrepColumn *opt, const MmColumnStats *c, const MmQuantileSketch *sk, int j,
			 double *v, MmError *err)
{
	switch (opt->impute)
	{
		case MM_PREP_IMPUTE_NONE:
			*v = NAN;
			break;
		case MM_PREP_IMPUTE_MEAN:
			*v = c->mean;
			break;
		case MM_PREP_IMPUTE_MEDIAN:
			{
				/* the present values' median: nothing imputed yet */
				Imputed		none = {0};

				return quantile(sk, j, &none, 0.5, -INFINITY, INFINITY, v, err);
			}
		case MM_PREP_IMPUTE_ZERO:
			*v = 0.0;
			break;
		case MM_PREP_IMPUTE_CONSTANT:
			*v = opt->impute_value;
			break;
	}
	return MM_OK;
}

/* True when the column's kept statistics need the moments of its clipped values. */
static int
needs_clipped_moments(const MmPrepColumn *opt, double variance_threshold)
{
	return opt->clip != MM_PREP_CLIP_NONE &&
		(opt->scale == MM_PREP_SCALE_STANDARD || variance_threshold >= 0.0);
}

/*
 * Whether a column with this variance and range stays (preprocess.c's rule):
 * the threshold drops it, and without one a constant column is left out.
 * One value throughout is variance 0, whatever the rounding of its moments.
 */
static int
kept(double var, double min, double max, double variance_threshold, uint8_t *constant)
{
	if (min == max)
		var = 0.0;
	*constant = 0;
	if (variance_threshold >= 0.0 && var <= variance_threshold)
		return 0;
	*constant = var == 0.0;
	return !*constant;
}

/* Runs the column-statistics pass over source with arg into a new state (NULL on error). */
static void *
run_stats(MmDataSource *source, const MmColumnStatsArg *arg, MmError *err)
{
	size_t		size = mm_pass_column_stats.state_size(source->p, arg);
	void	   *state = mm_alloc(size);

	if (state == NULL)
	{
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for the statistics of %d columns",
				source->p);
		return NULL;
	}
	if (source->run(source, &mm_pass_column_stats, arg, state, err) != MM_OK)
	{
		mm_free(state);
		return NULL;
	}
	return state;
}

/* Fits column j's transform from its first-pass statistics and, when clipped, the second's. */
static MmErrorCode
fit_column(const MmPrepColumn *opt, const MmQuantileSketch *sk, int j, const MmColumnStats *clipped,
		   double variance_threshold, const Imputed *imp, MmFeatureTransform *t, uint8_t *keep,
		   uint8_t *constant, MmError *err)
{
	double		lo = t->clip_lo,
				hi = t->clip_hi,
				min = fmin(fmax(imp->min, lo), hi),
				max = fmin(fmax(imp->max, lo), hi),
				mean = clipped != NULL ? clipped->mean : imp->mean,
				var = clipped != NULL ? mm_column_stats_var(clipped) : imp->var,
				q1,
				q3;
	MmErrorCode rc;

	/* without the second pass a clipped column's moments are unknown, and unused */
	if (opt->clip != MM_PREP_CLIP_NONE && clipped == NULL)
		var = min == max ? 0.0 : NAN;
	*keep = (uint8_t) kept(var, min, max, variance_threshold, constant);
	if (!*keep)
		return MM_OK;
	switch (opt->scale)
	{
		case MM_PREP_SCALE_NONE:
			break;
		case MM_PREP_SCALE_STANDARD:
			t->center = mean;
			t->scale = sqrt(var);
			break;
		case MM_PREP_SCALE_MINMAX:
			t->center = min;
			t->scale = max - min;
			break;
		case MM_PREP_SCALE_ROBUST:
			if ((rc = quantile(sk, j, imp, 0.5, lo, hi, &t->center, err)) != MM_OK ||
				(rc = quantile(sk, j, imp, 0.25, lo, hi, &q1, err)) != MM_OK ||
				(rc = quantile(sk, j, imp, 0.75, lo, hi, &q3, err)) != MM_OK)
				return rc;
			t->scale = q3 - q1;
			/* a column mostly of one value has no spread between its quartiles */
			if (t->scale == 0.0)
				t->scale = 1.0;
			break;
	}
	return MM_OK;
}

int
mm_prep_uses_sketch(const MmPrepColumn *opt)
{
	return opt->impute == MM_PREP_IMPUTE_MEDIAN || opt->clip == MM_PREP_CLIP_QUANTILES ||
		opt->scale == MM_PREP_SCALE_ROBUST;
}

MmErrorCode
mm_prep_fit(MmDataSource *source, const MmPrepColumn *column, double variance_threshold,
			MmPrepResult *res, MmError *err)
{
	MmColumnStatsArg *arg = mm_alloc(sizeof(MmColumnStatsArg) * (size_t) source->p);
	void	   *first = NULL;
	MmErrorCode rc;

	res->passes = 0;
	res->rank_error = 0.0;
	if (arg == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting preprocessing");
	mm_column_stats_identity(arg, source->p);
	first = run_stats(source, arg, err);
	mm_free(arg);
	if (first == NULL)
		return err->code;
	rc = mm_prep_fit_from_stats(source, first, column, variance_threshold, res, err);
	mm_free(first);
	return rc;
}

/* A column the caller fits itself: counted, kept as it is. */
static void
leave_column(MmFeatureTransform *t, uint8_t *keep, uint8_t *constant)
{
	t->impute = NAN;
	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->center = 0.0;
	t->scale = 1.0;
	*keep = 1;
	*constant = 0;
}

MmErrorCode
mm_prep_fit_from_stats(MmDataSource *source, const void *first, const MmPrepColumn *column,
					   double variance_threshold, MmPrepResult *res, MmError *err)
{
	int			p = source->p,
				j,
				second = 0;
	MmColumnStatsArg *arg = mm_alloc(sizeof(MmColumnStatsArg) * (size_t) p);
	Imputed    *imp = mm_alloc(sizeof(Imputed) * (size_t) p);
	void	   *clipped = NULL;
	MmErrorCode rc = MM_OK;

	res->passes = 1;
	res->rank_error = 0.0;
	if (arg == NULL || imp == NULL)
	{
		rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting preprocessing");
		goto done;
	}
	mm_column_stats_identity(arg, p);
	/* the second pass gives moments of clipped values; their quantiles come from the first */
	for (j = 0; j < p; j++)
		arg[j].quantiles = 0.0;

	/* impute values, then clipping bounds from the imputed column */
	for (j = 0; j < p && rc == MM_OK; j++)
	{
		const MmPrepColumn *opt = &column[j];
		const MmColumnStats *c = mm_column_stats_of((void *) first, j);
		const MmQuantileSketch *sk = mm_column_stats_sketch((void *) first, p, j);
		MmFeatureTransform *t = &res->transform[j];
		double		v;

		res->present[j] = c->n;
		res->missing[j] = c->missing;
		if (opt->not_numeric)
			leave_column(t, &res->keep[j], &res->constant[j]);
		else if (c->n == 0)
			rc = mm_fail(err, MM_ERR_INVALID_INPUT, j, "column %d has no value in the training rows", j);
		else if (c->missing > 0 && opt->impute == MM_PREP_IMPUTE_NONE && !opt->keeps_missing)
			rc = mm_fail(err, MM_ERR_INVALID_INPUT, j, "column %d is missing in %lld rows", j,
						 (long long) c->missing);
		else if ((rc = impute_value(opt, c, sk, j, &v, err)) == MM_OK)
		{
			impute_column(c, v, &imp[j]);
			t->impute = v;
			t->clip_lo = -INFINITY;
			t->clip_hi = INFINITY;
			t->center = 0.0;
			t->scale = 1.0;
			if (opt->clip == MM_PREP_CLIP_QUANTILES)
			{
				if ((rc = quantile(sk, j, &imp[j], opt->clip_lo, -INFINITY, INFINITY, &t->clip_lo, err)) == MM_OK)
					rc = quantile(sk, j, &imp[j], opt->clip_hi, -INFINITY, INFINITY, &t->clip_hi, err);
			}
			else if (opt->clip == MM_PREP_CLIP_Z)
			{
				t->clip_lo = imp[j].mean - opt->clip_hi * sqrt(imp[j].var);
				t->clip_hi = imp[j].mean + opt->clip_hi * sqrt(imp[j].var);
			}
			if (mm_prep_uses_sketch(opt) && mm_qsketch_rank_error(c->n) > res->rank_error)
				res->rank_error = mm_qsketch_rank_error(c->n);
			if (needs_clipped_moments(opt, variance_threshold))
			{
				second = 1;
				arg[j].impute = v;
				arg[j].lo = t->clip_lo;
				arg[j].hi = t->clip_hi;
			}
		}
	}
	if (rc != MM_OK)
		goto done;
	if (second)
	{
		if ((clipped = run_stats(source, arg, err)) == NULL)
		{
			rc = err->code;
			goto done;
		}
		res->passes = 2;
	}
	for (j = 0; j < p && rc == MM_OK; j++)
		if (!column[j].not_numeric)
			rc = fit_column(&column[j], mm_column_stats_sketch((void *) first, p, j), j,
							clipped != NULL && needs_clipped_moments(&column[j], variance_threshold) ?
							mm_column_stats_of(clipped, j) : NULL,
							variance_threshold, &imp[j], &res->transform[j], &res->keep[j],
							&res->constant[j], err);
done:
	mm_free(clipped);
	mm_free(imp);
	mm_free(arg);
	return rc;
}
