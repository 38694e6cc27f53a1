/*
 * Baseline profiles and drift, against closed forms on hand-made data.
 */
#include <string.h>

#include "profile.h"
#include "testutil.h"

/* The profile of the integers 0 .. n - 1, every one of them. */
static MmNumericProfile
integers_profile(int n)
{
	MmNumericProfile prof;
	MmError		err;
	double	   *v = malloc(sizeof(double) * n);
	double		mean = (n - 1) / 2.0,
				sd = sqrt((double) n * (n + 1) / 12.0);
	int			i;

	for (i = 0; i < n; i++)
		v[i] = i;
	assert_int_equal(mm_profile_numeric(&prof, n, 0, 0, n - 1, mean, sd, v, n, &err), MM_OK);
	free(v);
	return prof;
}

/* PSI, JS and L-infinity by their definitions, with the floor, written out anew. */
static void
reference_bins(const double *b_in, const double *l_in, int k, double *psi, double *js, double *linf)
{
	double		b[200],
				l[200],
				sb = 0,
				sl = 0,
				fb = 0,
				fl = 0;
	int			i;

	for (i = 0; i < k; i++)
	{
		sb += b_in[i];
		sl += l_in[i];
	}
	for (i = 0; i < k; i++)
	{
		b[i] = fmax(b_in[i] / sb, 1e-4);
		l[i] = fmax(l_in[i] / sl, 1e-4);
		fb += b[i];
		fl += l[i];
	}
	*psi = *js = *linf = 0;
	for (i = 0; i < k; i++)
	{
		double		bi = b[i] / fb,
					li = l[i] / fl,
					m = (bi + li) / 2;

		*psi += (li - bi) * log(li / bi);
		*js += 0.5 * bi * log(bi / m) / log(2) + 0.5 * li * log(li / m) / log(2);
		*linf = fmax(*linf, fabs(li - bi));
	}
}

/* The quantiles of 0 .. 999 are i * 9.99, and each interval holds a hundredth. */
static void
test_profile_quantiles(void **state)
{
	MmNumericProfile prof = integers_profile(1000);
	int			i;

	assert_true(prof.quantile[0] == 0.0 && prof.quantile[MM_PROFILE_SKETCH] == 999.0);
	for (i = 0; i <= MM_PROFILE_SKETCH; i++)
		assert_close(prof.quantile[i], 9.99 * i, 1e-12);
	for (i = 0; i < MM_PROFILE_SKETCH; i++)
		assert_close(prof.share[i], 0.01, 1e-12);
	assert_int_equal(mm_profile_interval(&prof, -5.0), 0);
	assert_int_equal(mm_profile_interval(&prof, 9.99), 0);
	assert_int_equal(mm_profile_interval(&prof, 10.0), 1);
	assert_int_equal(mm_profile_interval(&prof, 5000.0), MM_PROFILE_SKETCH - 1);
}

/* The searches agree with counting the inner quantiles below a value, ties and ends included. */
static void
test_interval_search(void **state)
{
	double		v[1000];
	MmNumericProfile prof;
	MmError		err;
	uint64_t	rng = 42;
	int			i,
				t;

	/* few distinct values: long runs of equal quantiles */
	for (i = 0; i < 1000; i++)
		v[i] = (double) (i / 150);
	assert_int_equal(mm_profile_numeric(&prof, 1000, 0, 0, 6, 3, 2, v, 1000, &err), MM_OK);
	for (t = 0; t < 20000; i++, t++)
	{
		double		x = t < 100 ? prof.quantile[t % (MM_PROFILE_SKETCH + 1)] : test_uniform(&rng) * 8.0 - 1.0;
		int			count = 0,
					k;

		for (k = 1; k < MM_PROFILE_SKETCH; k++)
			count += prof.quantile[k] < x;
		assert_int_equal(mm_profile_interval(&prof, x), count);
		assert_int_equal(mm_profile_locate(&prof, x), count);
	}
	/* a smooth profile, through its grid: values across the range and at every quantile */
	prof = integers_profile(1000);
	for (t = 0; t < 50000; t++)
	{
		double		x = t < 1010 ? prof.quantile[t % (MM_PROFILE_SKETCH + 1)] + (t / 101 - 5) * 1e-13 :
			test_uniform(&rng) * 1200.0 - 100.0;

		assert_int_equal(mm_profile_locate(&prof, x), mm_profile_interval(&prof, x));
	}
}

/*
 * A profile's shares are the values' intervals counted: on skewed values
 * with long runs of ties, and values equal to quantiles, the sweep over
 * the sorted values agrees with searching each value's interval.
 */
static void
test_shares_count_intervals(void **state)
{
	static double v[3000];
	MmNumericProfile prof;
	MmError		err;
	double		count[MM_PROFILE_SKETCH] = {0};
	uint64_t	rng = 7;
	int			i,
				k;

	for (i = 0; i < 3000; i++)
	{
		double		u = test_uniform(&rng);

		/* a third in a run of zeros, the rest skewed and rounded to make ties */
		v[i] = i < 1000 ? 0.0 : floor(u * u * u * 400.0) / 4.0;
	}
	qsort(v, 3000, sizeof(double), test_cmp_double);
	assert_int_equal(mm_profile_numeric(&prof, 3000, 0, v[0], v[2999], 10.0, 20.0, v, 3000, &err), MM_OK);
	for (i = 0; i < 3000; i++)
		count[mm_profile_interval(&prof, v[i])] += 1.0;
	for (k = 0; k < MM_PROFILE_SKETCH; k++)
		assert_true(prof.share[k] == count[k] / 3000.0);
}

/* The training values themselves drift by nothing. */
static void
test_no_drift(void **state)
{
	MmNumericProfile prof = integers_profile(1000);
	MmNumericWindow w;
	MmDrift		d;
	int			i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 1000; i++)
		mm_window_add(&w, &prof, i);
	mm_drift_numeric(&prof, &w, &d);
	assert_true(d.psi == 0.0 && d.js == 0.0 && d.linf == 0.0);
	assert_close(d.ks, 0.0, 1e-12);
	assert_close(d.wasserstein, 0.0, 1e-12);
	assert_true(d.out_of_range == 0.0 && d.missing_rate == 0.0 && d.missing_rate_baseline == 0.0);
	assert_true(isnan(d.unseen));
}

/*
 * 0 .. 999 moved up by 500: half the values leave the range; KS is 0.5 and
 * the Wasserstein distance 500 (over the standard deviation), closed forms
 * the sketch reaches exactly or within its resolution.
 */
static void
test_shift(void **state)
{
	MmNumericProfile prof = integers_profile(1000);
	MmNumericWindow w;
	MmDrift		d;
	double		base[10],
				live[10] = {0, 0, 0, 0, 0, 100, 100, 100, 100, 600},
				psi,
				js,
				linf;
	int			i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 1000; i++)
		mm_window_add(&w, &prof, 500 + i);
	mm_drift_numeric(&prof, &w, &d);
	for (i = 0; i < 10; i++)
		base[i] = 100;
	reference_bins(base, live, 10, &psi, &js, &linf);
	assert_close(d.psi, psi, 1e-12);
	assert_close(d.js, js, 1e-12);
	assert_close(d.linf, linf, 1e-12);
	assert_close(d.ks, 0.5, 1e-12);
	assert_close(d.out_of_range, 0.5, 0);
	assert_close(d.wasserstein * prof.sd, 500.0, 0.005);
}

/* Disjoint distributions: KS 1; missing values counted apart. */
static void
test_disjoint_and_missing(void **state)
{
	MmNumericProfile prof = integers_profile(100);
	MmNumericWindow w;
	MmDrift		d;
	double		base[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
				live[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 300},
				psi,
				js,
				linf;
	int			i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 300; i++)
		mm_window_add(&w, &prof, 1000.0 + i);
	mm_window_add(&w, &prof, NAN);
	mm_window_add(&w, &prof, INFINITY);
	mm_drift_numeric(&prof, &w, &d);
	/* beyond the range values fall in the outer decile: JS sees that bin shared */
	reference_bins(base, live, 10, &psi, &js, &linf);
	assert_close(d.js, js, 1e-12);
	assert_close(d.psi, psi, 1e-12);
	assert_close(d.ks, 1.0, 0);
	assert_close(d.out_of_range, 1.0, 0);
	assert_close(d.missing_rate, 2.0 / 302.0, 1e-15);
	/* wholly above the baseline: W1 is the difference of the means, 1149.5 - 49.5 */
	assert_close(d.wasserstein * prof.sd, 1100.0, 1e-12);
}

/* Ties: a 0/1 feature, 70% zeros, keeps its two shares in two deciles. */
static void
test_ties(void **state)
{
	double		v[1000];
	MmNumericProfile prof;
	MmNumericWindow w;
	MmDrift		d;
	MmError		err;
	double		base[10] = {0},
				live[10] = {0},
				psi,
				js,
				linf;
	int			i,
				lo;

	for (i = 0; i < 1000; i++)
		v[i] = i < 700 ? 0.0 : 1.0;
	assert_int_equal(mm_profile_numeric(&prof, 1000, 0, 0, 1, 0.3, sqrt(0.21 * 1000 / 999), v, 1000,
										&err), MM_OK);
	lo = mm_profile_interval(&prof, 0.0);
	assert_int_equal(lo, 0);
	assert_close(prof.share[0], 0.7, 1e-12);
	assert_close(prof.share[mm_profile_interval(&prof, 1.0)], 0.3, 1e-12);
	/* the window: half ones */
	memset(&w, 0, sizeof(w));
	for (i = 0; i < 1000; i++)
		mm_window_add(&w, &prof, i < 500 ? 0.0 : 1.0);
	mm_drift_numeric(&prof, &w, &d);
	base[0] = 0.7;
	live[0] = 0.5;
	base[mm_profile_interval(&prof, 1.0) / 10] += 0.3;
	live[mm_profile_interval(&prof, 1.0) / 10] += 0.5;
	reference_bins(base, live, 10, &psi, &js, &linf);
	assert_close(d.psi, psi, 1e-12);
	assert_close(d.linf, 0.2, 1e-3);
	assert_close(d.ks, 0.2, 1e-12);
	/* the exact W1 of two Bernoulli distributions is the difference of their means */
	assert_close(d.wasserstein * prof.sd, 0.2, 1e-12);
}

/* Categories: shares against counts, the rest and unseen values. */
static void
test_categorical(void **state)
{
	char	   *names[3] = {"a", "b", "c"};
	double		share[4] = {0.5, 0.3, 0.2, 0.0};
	int64_t		count[4] = {20, 30, 40, 10};
	double		live[4] = {20, 30, 40, 10},
				psi,
				js,
				linf;
	MmCategoricalProfile prof = {1000, 0, 3, names, share};
	MmCategoricalWindow w = {100, 25, count, 10};
	MmDrift		d;

	mm_drift_categorical(&prof, &w, &d);
	reference_bins(share, live, 4, &psi, &js, &linf);
	assert_close(d.psi, psi, 1e-12);
	assert_close(d.js, js, 1e-12);
	assert_close(d.linf, 0.3, 1e-3);
	assert_close(d.unseen, 0.1, 0);
	assert_close(d.missing_rate, 0.2, 0);
	assert_true(isnan(d.ks) && isnan(d.wasserstein) && isnan(d.out_of_range));
}

/* A profile refuses unsorted values, a bad range or no sample; overflowed moments are unknown; no values at all is a profile of nothing. */
static void
test_profile_refusals(void **state)
{
	MmNumericProfile prof;
	MmNumericWindow w;
	MmDrift		d;
	MmError		err;
	double		v[3] = {1, 3, 2};

	assert_int_equal(mm_profile_numeric(&prof, 3, 0, 1, 3, 2, 1, v, 3, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_profile_numeric(&prof, 3, 0, 3, 1, 2, 1, v, 3, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_profile_numeric(&prof, 3, 0, 1, 3, 2, 1, v, 0, &err), MM_ERR_INVALID_INPUT);
	v[1] = 2;
	v[2] = 3;
	assert_int_equal(mm_profile_numeric(&prof, 3, 0, 1, 3, INFINITY, INFINITY, v, 3, &err), MM_OK);
	assert_true(isnan(prof.mean) && isnan(prof.sd));
	assert_int_equal(mm_profile_numeric(&prof, 0, 5, 0, 0, 0, 0, NULL, 0, &err), MM_OK);
	memset(&w, 0, sizeof(w));
	mm_window_add(&w, &prof, 1.0);
	mm_drift_numeric(&prof, &w, &d);
	assert_true(isnan(d.psi) && isnan(d.ks) && isnan(d.wasserstein));
	assert_close(d.missing_rate_baseline, 1.0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_quantiles),
		cmocka_unit_test(test_interval_search),
		cmocka_unit_test(test_shares_count_intervals),
		cmocka_unit_test(test_no_drift),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_disjoint_and_missing),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_categorical),
		cmocka_unit_test(test_profile_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
