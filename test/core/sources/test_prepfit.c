/*
 * test_prepfit.c: numeric preprocessing fitted from column-statistics
 * passes (prepfit.h), against the in-memory fit of src/fit/preprocess.c
 * redone here on the sorted column: impute from the present values, clip
 * bounds from the imputed column, range, moments and quartiles from the
 * imputed, clipped one.
 *
 * Small columns (the sketch keeps every value) must give the in-memory fit
 * to 1e-12.  On tens of thousands of rows, statistics that are exact must
 * still agree to 1e-12; medians, quantile clipping bounds and quartiles
 * must lie within the sketch's rank error of the true ones; and what
 * follows from an approximate bound (the moments of the column clipped
 * there) must be the column's exact statistics given that bound.
 */
#include "testutil.h"

#include <string.h>

#include "column_stats.h"
#include "prepfit.h"
#include "quantile_sketch.h"

#define P 7

/* preprocess.c's quantile of n sorted values. */
static double
ref_quantile(const double *sorted, size_t n, double q)
{
	double		pos = q * (double) (n - 1);
	size_t		lo = (size_t) floor(pos);
	double		frac = pos - (double) lo;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static void
mean_var(const double *v, size_t n, double *mean, double *var)
{
	double		m = 0.0,
				s = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		m += v[i];
	m /= (double) n;
	for (i = 0; i < n; i++)
		s += (v[i] - m) * (v[i] - m);
	*mean = m;
	*var = s / (double) n;
}

/* The columns' options: one of each kind of fit, one constant column. */
static const MmPrepColumn options[P] = {
	{MM_PREP_IMPUTE_MEAN, 0, MM_PREP_CLIP_NONE, 0, 0, MM_PREP_SCALE_STANDARD, 0, 0},
	{MM_PREP_IMPUTE_MEDIAN, 0, MM_PREP_CLIP_QUANTILES, 0.05, 0.95, MM_PREP_SCALE_ROBUST, 0, 0},
	{MM_PREP_IMPUTE_ZERO, 0, MM_PREP_CLIP_Z, 0, 3.0, MM_PREP_SCALE_STANDARD, 0, 0},
	{MM_PREP_IMPUTE_CONSTANT, 5.0, MM_PREP_CLIP_QUANTILES, 0.01, 0.99, MM_PREP_SCALE_MINMAX, 0, 0},
	{MM_PREP_IMPUTE_NONE, 0, MM_PREP_CLIP_NONE, 0, 0, MM_PREP_SCALE_ROBUST, 0, 0},
	{MM_PREP_IMPUTE_NONE, 0, MM_PREP_CLIP_NONE, 0, 0, MM_PREP_SCALE_STANDARD, 0, 0},
	{MM_PREP_IMPUTE_MEDIAN, 0, MM_PREP_CLIP_QUANTILES, 0.1, 0.9, MM_PREP_SCALE_STANDARD, 0, 0},
};

/* Rows: skewed, heavy-tailed and coarse columns, NaN (missing) in the imputed ones; column 5 constant. */
static double *
make_rows(size_t n)
{
	double	   *x = malloc(sizeof(double) * n * P);
	uint64_t	seed = 2024;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double	   *r = x + i * P;

		r[0] = i % 11 == 0 ? NAN : 1e4 + 100.0 * test_uniform(&seed);
		r[1] = i % 7 == 2 ? NAN : exp(6.0 * test_uniform(&seed));
		r[2] = i % 5 == 1 ? NAN : tan(3.1 * (test_uniform(&seed) - 0.5));
		r[3] = i % 13 == 4 ? NAN : floor(20.0 * test_uniform(&seed));
		r[4] = (double) ((i * 7919) % 1000) - 300.0;
		r[5] = 2.0;
		r[6] = i % 3 == 0 ? NAN : pow(test_uniform(&seed), 4.0) * 50.0;
	}
	return x;
}

/* Column j of rows x: its present values sorted (returns how many) and the whole column. */
static size_t
column(const double *x, size_t n, int j, double *present, double *all)
{
	size_t		k = 0,
				i;

	for (i = 0; i < n; i++)
	{
		all[i] = x[i * P + j];
		if (!isnan(all[i]))
			present[k++] = all[i];
	}
	qsort(present, k, sizeof(double), test_cmp_double);
	return k;
}

/*
 * The in-memory fit of one column (preprocess.c's fit_column).  given, when
 * not NULL, fixes the impute value and the clip bounds (those the passes
 * chose), so that what follows from them can be checked exactly.
 */
static int
ref_fit(const MmPrepColumn *opt, const double *present, size_t k, size_t n, double threshold,
		const MmFeatureTransform *given, MmFeatureTransform *t, int *constant)
{
	double	   *col = malloc(sizeof(double) * n);
	double		mean,
				var;
	size_t		m = k,
				i;
	int			keep;

	memcpy(col, present, sizeof(double) * k);
	t->clip_lo = -INFINITY;
	t->clip_hi = INFINITY;
	t->center = 0.0;
	t->scale = 1.0;
	mean_var(col, k, &mean, &var);
	t->impute = opt->impute == MM_PREP_IMPUTE_MEAN ? mean :
		opt->impute == MM_PREP_IMPUTE_MEDIAN ? ref_quantile(col, k, 0.5) :
		opt->impute == MM_PREP_IMPUTE_ZERO ? 0.0 :
		opt->impute == MM_PREP_IMPUTE_CONSTANT ? opt->impute_value : NAN;
	if (given)
		t->impute = given->impute;
	if (!isnan(t->impute))
	{
		for (; m < n; m++)
			col[m] = t->impute;
		qsort(col, m, sizeof(double), test_cmp_double);
	}
	if (opt->clip == MM_PREP_CLIP_QUANTILES)
	{
		t->clip_lo = ref_quantile(col, m, opt->clip_lo);
		t->clip_hi = ref_quantile(col, m, opt->clip_hi);
	}
	else if (opt->clip == MM_PREP_CLIP_Z)
	{
		mean_var(col, m, &mean, &var);
		t->clip_lo = mean - opt->clip_hi * sqrt(var);
		t->clip_hi = mean + opt->clip_hi * sqrt(var);
	}
	if (given)
	{
		t->clip_lo = given->clip_lo;
		t->clip_hi = given->clip_hi;
	}
	for (i = 0; i < m; i++)
		col[i] = col[i] < t->clip_lo ? t->clip_lo : col[i] > t->clip_hi ? t->clip_hi : col[i];
	mean_var(col, m, &mean, &var);
	if (col[0] == col[m - 1])
		var = 0.0;
	*constant = 0;
	if (threshold >= 0.0 && var <= threshold)
		keep = 0;
	else
	{
		*constant = var == 0.0;
		keep = !*constant;
	}
	if (keep && opt->scale == MM_PREP_SCALE_STANDARD)
	{
		t->center = mean;
		t->scale = sqrt(var);
	}
	else if (keep && opt->scale == MM_PREP_SCALE_MINMAX)
	{
		t->center = col[0];
		t->scale = col[m - 1] - col[0];
	}
	else if (keep && opt->scale == MM_PREP_SCALE_ROBUST)
	{
		t->center = ref_quantile(col, m, 0.5);
		t->scale = ref_quantile(col, m, 0.75) - ref_quantile(col, m, 0.25);
		if (t->scale == 0.0)
			t->scale = 1.0;
	}
	free(col);
	return keep;
}

/* A near value, relatively or (about zero) absolutely. */
static void
assert_near(double got, double want, double tol)
{
	if (isinf(want))
		assert_true(got == want);
	else if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
		fail_msg("%.17g, expected %.17g", got, want);
}

/* v is a q-quantile of the sorted column within the rank error of its n present values. */
static void
assert_quantile(double v, const double *sorted, size_t m, double q, int64_t present)
{
	double		slack = mm_qsketch_rank_error(present) * (double) present + 1.0,
				pos = q * (double) (m - 1),
				lo = pos - slack < 0 ? 0 : floor(pos - slack),
				hi = pos + slack + 1 > (double) (m - 1) ? (double) (m - 1) : ceil(pos + slack + 1);

	if (!(v >= sorted[(size_t) lo] && v <= sorted[(size_t) hi]))
		fail_msg("quantile %g = %.17g outside [%.17g, %.17g]", q, v, sorted[(size_t) lo], sorted[(size_t) hi]);
}

typedef struct Fit
{
	MmFeatureTransform t[P];
	uint8_t		keep[P];
	uint8_t		constant[P];
	int64_t		present[P];
	int64_t		missing[P];
	MmPrepResult res;
} Fit;

static MmErrorCode
fit(const double *x, size_t n, const MmPrepColumn *opts, double threshold, Fit *f, MmError *err)
{
	MmRows		rows = {n, P, x, NULL, NULL};
	MmDataSource src;

	mm_memory_source(&src, &rows);
	f->res.transform = f->t;
	f->res.keep = f->keep;
	f->res.constant = f->constant;
	f->res.present = f->present;
	f->res.missing = f->missing;
	return mm_prep_fit(&src, opts, threshold, &f->res, err);
}

/* A small table: every statistic as in memory, quantiles bit for bit. */
static void
test_small_exact(void **state)
{
	size_t		n = 3000;
	double	   *x = make_rows(n),
			   *present = malloc(sizeof(double) * n),
			   *all = malloc(sizeof(double) * n);
	Fit			f;
	MmError		err;
	int			j,
				constant;

	assert_int_equal(fit(x, n, options, -1.0, &f, &err), MM_OK);
	assert_int_equal(f.res.passes, 2);	/* column 2 and 6: standard scaling of a clipped column */
	assert_true(f.res.rank_error == 0.0);
	for (j = 0; j < P; j++)
	{
		MmFeatureTransform t;
		size_t		k = column(x, n, j, present, all);
		int			keep = ref_fit(&options[j], present, k, n, -1.0, NULL, &t, &constant);

		assert_int_equal(f.present[j], (int64_t) k);
		assert_int_equal(f.missing[j], (int64_t) (n - k));
		assert_int_equal(f.keep[j], keep);
		assert_int_equal(f.constant[j], constant);
		if (isnan(t.impute))
			assert_true(isnan(f.t[j].impute));
		else
			assert_near(f.t[j].impute, t.impute, 1e-12);
		assert_near(f.t[j].clip_lo, t.clip_lo, 1e-12);
		assert_near(f.t[j].clip_hi, t.clip_hi, 1e-12);
		assert_near(f.t[j].center, t.center, 1e-12);
		assert_near(f.t[j].scale, t.scale, 1e-12);
		if (options[j].impute == MM_PREP_IMPUTE_MEDIAN || options[j].clip == MM_PREP_CLIP_QUANTILES)
			assert_true(f.t[j].clip_lo == t.clip_lo && f.t[j].impute == t.impute);
	}
	assert_true(f.constant[5] && !f.keep[5]);
	free(x);
	free(present);
	free(all);
}

/*
 * Tens of thousands of rows: exact statistics to 1e-12, sketched ones
 * within the rank error, and what follows from a sketched bound exact
 * given that bound.
 */
static void
test_large(void **state)
{
	size_t		n = 60000;
	double	   *x = make_rows(n),
			   *present = malloc(sizeof(double) * n),
			   *all = malloc(sizeof(double) * n),
			   *col = malloc(sizeof(double) * n);
	Fit			f;
	MmError		err;
	int			j,
				constant;

	assert_int_equal(fit(x, n, options, -1.0, &f, &err), MM_OK);
	assert_true(f.res.rank_error > 0.0 && f.res.rank_error <= mm_qsketch_rank_error((int64_t) n));
	for (j = 0; j < P; j++)
	{
		const MmPrepColumn *opt = &options[j];
		MmFeatureTransform exact,
					given;
		size_t		k = column(x, n, j, present, all),
					m = k,
					i;
		int			keep = ref_fit(opt, present, k, n, -1.0, NULL, &exact, &constant);

		assert_int_equal(f.keep[j], keep);
		/* the impute value: exact, or a median within the bound */
		if (opt->impute == MM_PREP_IMPUTE_MEDIAN)
			assert_quantile(f.t[j].impute, present, k, 0.5, (int64_t) k);
		else if (isnan(exact.impute))
			assert_true(isnan(f.t[j].impute));
		else
			assert_near(f.t[j].impute, exact.impute, 1e-12);

		/* the clip bounds over the column as the passes imputed it */
		memcpy(col, present, sizeof(double) * k);
		if (!isnan(f.t[j].impute))
			for (; m < n; m++)
				col[m] = f.t[j].impute;
		qsort(col, m, sizeof(double), test_cmp_double);
		if (opt->clip == MM_PREP_CLIP_QUANTILES)
		{
			assert_quantile(f.t[j].clip_lo, col, m, opt->clip_lo, (int64_t) k);
			assert_quantile(f.t[j].clip_hi, col, m, opt->clip_hi, (int64_t) k);
		}
		else if (opt->impute != MM_PREP_IMPUTE_MEDIAN)
		{
			assert_near(f.t[j].clip_lo, exact.clip_lo, 1e-12);
			assert_near(f.t[j].clip_hi, exact.clip_hi, 1e-12);
		}

		/* given the passes' impute value and bounds, the rest as in memory */
		keep = ref_fit(opt, present, k, n, -1.0, &f.t[j], &given, &constant);
		assert_int_equal(f.keep[j], keep);
		if (!keep)
			continue;
		if (opt->scale == MM_PREP_SCALE_ROBUST)
		{
			for (i = 0; i < m; i++)
				col[i] = col[i] < f.t[j].clip_lo ? f.t[j].clip_lo : col[i] > f.t[j].clip_hi ? f.t[j].clip_hi : col[i];
			assert_quantile(f.t[j].center, col, m, 0.5, (int64_t) k);
			/* the spread of two quantiles each within the bound */
			{
				double		slack = mm_qsketch_rank_error((int64_t) k) * (double) k + 1.0;
				size_t		a = (size_t) fmax(0.0, floor(0.25 * (double) (m - 1) - slack)),
							b = (size_t) fmin((double) (m - 1), ceil(0.75 * (double) (m - 1) + slack + 1));
				size_t		c = (size_t) fmin((double) (m - 1), ceil(0.25 * (double) (m - 1) + slack + 1)),
							d = (size_t) fmax(0.0, floor(0.75 * (double) (m - 1) - slack));

				assert_true(f.t[j].scale <= col[b] - col[a]);
				assert_true(f.t[j].scale >= col[d] - col[c] || f.t[j].scale == 1.0);
			}
		}
		else
		{
			assert_near(f.t[j].center, given.center, 1e-12);
			assert_near(f.t[j].scale, given.scale, 1e-12);
		}
	}
	free(x);
	free(present);
	free(all);
	free(col);
}

/* A variance threshold drops the columns at or under it, with the moments after clipping. */
static void
test_threshold(void **state)
{
	size_t		n = 20000;
	double	   *x = make_rows(n),
			   *present = malloc(sizeof(double) * n),
			   *all = malloc(sizeof(double) * n);
	Fit			f;
	MmError		err;
	int			j,
				constant;
	double		threshold = 30.0;

	assert_int_equal(fit(x, n, options, threshold, &f, &err), MM_OK);
	assert_int_equal(f.res.passes, 2);
	for (j = 0; j < P; j++)
	{
		MmFeatureTransform given;
		size_t		k = column(x, n, j, present, all);
		int			keep = ref_fit(&options[j], present, k, n, threshold, &f.t[j], &given, &constant);

		assert_int_equal(f.keep[j], keep);
		assert_int_equal(f.constant[j], 0);
	}
	/* column 2 (clipped to 3 deviations of tan) and 5 (constant) are under it, column 4 over */
	assert_false(f.keep[2]);
	assert_false(f.keep[5]);
	assert_true(f.keep[4]);
	free(x);
	free(present);
	free(all);
}

/*
 * Missing values not imputed, and a column with none present, fail naming
 * the column; unless the algorithm takes them, missing values then stay so.
 */
static void
test_errors(void **state)
{
	size_t		n = 500,
				i;
	double	   *x = make_rows(n);
	MmPrepColumn opts[P];
	Fit			f;
	MmError		err;

	memcpy(opts, options, sizeof(opts));
	opts[3].impute = MM_PREP_IMPUTE_NONE;
	assert_int_equal(fit(x, n, opts, -1.0, &f, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 3);
	assert_true(f.missing[3] > 0);

	/* for an algorithm that takes missing values they stay missing: scaled from the present ones */
	opts[3].keeps_missing = 1;
	assert_int_equal(fit(x, n, opts, -1.0, &f, &err), MM_OK);
	assert_true(isnan(f.t[3].impute));
	assert_true(f.present[3] + f.missing[3] == (int64_t) n && f.missing[3] > 0);
	{
		double		lo = INFINITY;

		for (i = 0; i < n; i++)
			if (!isnan(x[i * P + 3]))
				lo = fmin(lo, x[i * P + 3]);
		assert_true(f.t[3].center == lo);
	}

	memcpy(opts, options, sizeof(opts));
	for (i = 0; i < n; i++)
		x[i * P + 6] = NAN;
	assert_int_equal(fit(x, n, opts, -1.0, &f, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 6);
	assert_int_equal(f.present[6], 0);
	/* a column with no value present fails though the algorithm takes missing values */
	opts[6].keeps_missing = 1;
	assert_int_equal(fit(x, n, opts, -1.0, &f, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 6);
	free(x);
}

/*
 * A text column of a source that also reads text is all missing to the
 * statistics: marked not_numeric it is counted, kept with the identity, and
 * the other columns fit as without it; fitting from a first pass the
 * caller ran gives what mm_prep_fit gives.
 */
static void
test_not_numeric(void **state)
{
	size_t		n = 500,
				i;
	double	   *x = make_rows(n);
	MmPrepColumn opts[P];
	MmRows		rows = {n, P, x, NULL, NULL};
	MmDataSource src;
	MmColumnStatsArg arg[P];
	void	   *stats;
	Fit			f,
				g;
	MmError		err;
	int			j;

	(void) state;
	memcpy(opts, options, sizeof(opts));
	assert_int_equal(fit(x, n, opts, -1.0, &f, &err), MM_OK);
	for (i = 0; i < n; i++)
		x[i * P + 6] = NAN;
	opts[6].not_numeric = 1;
	mm_memory_source(&src, &rows);
	mm_column_stats_identity(arg, P);
	stats = malloc(mm_pass_column_stats.state_size(P, arg));
	assert_int_equal(src.run(&src, &mm_pass_column_stats, arg, stats, &err), MM_OK);
	g.res.transform = g.t;
	g.res.keep = g.keep;
	g.res.constant = g.constant;
	g.res.present = g.present;
	g.res.missing = g.missing;
	assert_int_equal(mm_prep_fit_from_stats(&src, stats, opts, -1.0, &g.res, &err), MM_OK);
	assert_int_equal(g.present[6], 0);
	assert_int_equal(g.missing[6], (int64_t) n);
	assert_int_equal(g.keep[6], 1);
	assert_int_equal(g.constant[6], 0);
	assert_true(isnan(g.t[6].impute) && g.t[6].center == 0.0 && g.t[6].scale == 1.0);
	assert_true(isinf(g.t[6].clip_lo) && isinf(g.t[6].clip_hi));
	for (j = 0; j < 6; j++)
	{
		assert_int_equal(g.keep[j], f.keep[j]);
		assert_near(g.t[j].center, f.t[j].center, 0.0);
		assert_near(g.t[j].scale, f.t[j].scale, 0.0);
		assert_near(g.t[j].clip_lo, f.t[j].clip_lo, 0.0);
		assert_near(g.t[j].clip_hi, f.t[j].clip_hi, 0.0);
	}
	free(stats);
	free(x);
}

/* Runs the statistics over src with arg and fits opts from them into f (its status). */
static MmErrorCode
fit_from(MmDataSource *src, const MmColumnStatsArg *arg, const MmPrepColumn *opts, Fit *f, MmError *err)
{
	void	   *stats = malloc(mm_pass_column_stats.state_size(P, arg));
	MmErrorCode rc;

	assert_int_equal(src->run(src, &mm_pass_column_stats, arg, stats, err), MM_OK);
	f->res.transform = f->t;
	f->res.keep = f->keep;
	f->res.constant = f->constant;
	f->res.present = f->present;
	f->res.missing = f->missing;
	rc = mm_prep_fit_from_stats(src, stats, opts, -1.0, &f->res, err);
	free(stats);
	return rc;
}

/*
 * Statistics that sketch only the columns whose options take quantiles fit
 * the same transforms, bit for bit; a column that takes them without a
 * sketch is refused, naming it.
 */
static void
test_sketched_only(void **state)
{
	size_t		n = 30000;
	double	   *x = make_rows(n);
	MmRows		rows = {n, P, x, NULL, NULL};
	MmDataSource src;
	MmColumnStatsArg arg[P];
	Fit			f,
				g;
	MmError		err;
	int			j;

	(void) state;
	mm_memory_source(&src, &rows);
	mm_column_stats_identity(arg, P);
	assert_int_equal(fit_from(&src, arg, options, &f, &err), MM_OK);
	for (j = 0; j < P; j++)
		arg[j].quantiles = mm_prep_uses_sketch(&options[j]) ? 1.0 : 0.0;
	assert_true(arg[0].quantiles == 0.0 && arg[1].quantiles == 1.0 && arg[5].quantiles == 0.0);
	assert_int_equal(fit_from(&src, arg, options, &g, &err), MM_OK);
	assert_memory_equal(g.t, f.t, sizeof(f.t));
	assert_memory_equal(g.keep, f.keep, sizeof(f.keep));
	assert_true(g.res.rank_error == f.res.rank_error);

	arg[4].quantiles = 0.0;
	assert_int_equal(fit_from(&src, arg, options, &g, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 4);
	assert_non_null(strstr(err.message, "no sketch"));
	free(x);
}

/* Out of memory for the statistics is an error, not a crash. */
static void
test_out_of_memory(void **state)
{
	size_t		n = 100;
	double	   *x = make_rows(n);
	Fit			f;
	MmError		err;
	int			budget;

	for (budget = 0; budget < 3; budget++)
	{
		mm_set_allocator(test_budget_alloc, free);
		test_alloc_budget = budget;
		assert_int_equal(fit(x, n, options, -1.0, &f, &err), MM_ERR_NO_MEMORY);
		mm_set_allocator(NULL, NULL);
	}
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_not_numeric),
		cmocka_unit_test(test_sketched_only),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
