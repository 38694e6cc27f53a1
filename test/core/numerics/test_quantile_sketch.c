/*
 * test_quantile_sketch.c: the mergeable quantile sketch (quantile_sketch.h).
 *
 * While it keeps every value its quantiles are the in-memory ones bit for
 * bit (numpy's interpolation over the sorted column, imputed and clipped
 * values included).  Past that, every quantile must lie within the proven
 * rank error of the true one, on orders that defeat naive summaries
 * (sorted, reversed, heavy duplicates, random) and through merges of many
 * parts in different orders; damaged bytes must fail the check.
 */
#include "testutil.h"

#include <stddef.h>
#include <string.h>

#include "profile.h"
#include "quantile_sketch.h"

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

static MmQuantileSketch *
new_sketch(void)
{
	MmQuantileSketch *sk = malloc(sizeof(MmQuantileSketch));

	mm_qsketch_init(sk);
	return sk;
}

static double
sketch_quantile(const MmQuantileSketch *sk, double q)
{
	MmError		err;
	double		v = NAN;

	assert_int_equal(mm_qsketch_quantile(sk, q, 0.0, 0, -INFINITY, INFINITY, &v, &err), MM_OK);
	return v;
}

static const double qs[] = {0.0, 0.01, 0.05, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0};
#define NQ (sizeof(qs) / sizeof(qs[0]))

/* Every quantile of sk lies between the true values eps n ranks either side (sorted: the data). */
static void
assert_within_bound(const MmQuantileSketch *sk, const double *sorted, size_t n)
{
	double		slack = mm_qsketch_rank_error((int64_t) n) * (double) n + 1.0;
	size_t		i;

	assert_int_equal(sk->n, (int64_t) n);
	assert_true(mm_qsketch_check(sk));
	for (i = 0; i < NQ; i++)
	{
		double		pos = qs[i] * (double) (n - 1),
					lo_rank = floor(pos - slack),
					hi_rank = ceil(pos + slack) + 1,
					v = sketch_quantile(sk, qs[i]);
		double		lo = sorted[lo_rank < 0 ? 0 : (size_t) lo_rank],
					hi = sorted[hi_rank >= (double) n ? n - 1 : (size_t) hi_rank];

		if (!(v >= lo && v <= hi))
			fail_msg("quantile %g = %g, outside [%g, %g] (n %zu, slack %g)", qs[i], v, lo, hi, n, slack);
	}
}

/* Column data of one adversarial kind. */
static double *
make_values(size_t n, int kind, uint64_t seed)
{
	double	   *v = malloc(sizeof(double) * n);
	size_t		i;

	for (i = 0; i < n; i++)
		switch (kind)
		{
			case 0:				/* sorted */
				v[i] = (double) i * 0.5;
				break;
			case 1:				/* reversed */
				v[i] = (double) (n - i);
				break;
			case 2:				/* heavy duplicates, random order */
				v[i] = floor(test_uniform(&seed) * 7.0);
				break;
			case 3:				/* random, heavy-tailed */
				v[i] = exp(8.0 * test_uniform(&seed)) - 1000.0;
				break;
			default:			/* sawtooth: runs ascending then a jump down */
				v[i] = (double) (i % 1000) + (double) (i / 1000) * 1e-3;
				break;
		}
	return v;
}

/* Small columns are kept whole: quantiles equal the in-memory ones, bit for bit. */
static void
test_exact(void **state)
{
	size_t		n = MM_QSKETCH_ITEMS,
				i;
	uint64_t	seed = 7;
	double	   *v = make_values(n, 3, seed),
			   *sorted = malloc(sizeof(double) * (n + 100));
	MmQuantileSketch *sk = new_sketch();
	MmError		err;

	for (i = 0; i < n; i++)
		mm_qsketch_add(sk, v[i]);
	assert_true(mm_qsketch_exact(sk));
	assert_true(mm_qsketch_check(sk));
	assert_true(mm_qsketch_rank_error((int64_t) n) == 0.0);
	memcpy(sorted, v, sizeof(double) * n);
	qsort(sorted, n, sizeof(double), test_cmp_double);
	for (i = 0; i < NQ; i++)
		assert_true(sketch_quantile(sk, qs[i]) == ref_quantile(sorted, n, qs[i]));

	/* 100 imputed copies of 3.5, then everything clipped to [lo, hi], as preprocessing does */
	for (i = 0; i < 100; i++)
		sorted[n + i] = 3.5;
	qsort(sorted, n + 100, sizeof(double), test_cmp_double);
	{
		double		lo = ref_quantile(sorted, n + 100, 0.1),
					hi = ref_quantile(sorted, n + 100, 0.8),
					got;

		assert_int_equal(mm_qsketch_quantile(sk, 0.1, 3.5, 100, -INFINITY, INFINITY, &got, &err), MM_OK);
		assert_true(got == lo);
		for (i = 0; i < n + 100; i++)
			sorted[i] = sorted[i] < lo ? lo : sorted[i] > hi ? hi : sorted[i];
		for (i = 0; i < NQ; i++)
		{
			assert_int_equal(mm_qsketch_quantile(sk, qs[i], 3.5, 100, lo, hi, &got, &err), MM_OK);
			assert_true(got == ref_quantile(sorted, n + 100, qs[i]));
		}
	}
	/* one more value and it is a summary */
	mm_qsketch_add(sk, 0.0);
	assert_false(mm_qsketch_exact(sk));
	free(v);
	free(sorted);
	free(sk);
}

/* Large columns in adversarial orders stay within the bound. */
static void
test_orders(void **state)
{
	size_t		n = 300000,
				i;
	int			kind;

	for (kind = 0; kind < 5; kind++)
	{
		double	   *v = make_values(n, kind, 11 + (uint64_t) kind);
		MmQuantileSketch *sk = new_sketch();

		for (i = 0; i < n; i++)
			mm_qsketch_add(sk, v[i]);
		assert_false(mm_qsketch_exact(sk));
		qsort(v, n, sizeof(double), test_cmp_double);
		assert_within_bound(sk, v, n);
		free(v);
		free(sk);
	}
}

/* The bound: 0 while exact, then (floor(log2(n / K)) + 1) / K. */
static void
test_bound(void **state)
{
	assert_true(mm_qsketch_rank_error(MM_QSKETCH_ITEMS) == 0.0);
	assert_close(mm_qsketch_rank_error(100000), 8.0 / 512.0, 1e-15);
	assert_close(mm_qsketch_rank_error(1000000), 11.0 / 512.0, 1e-15);
	assert_true(mm_qsketch_rank_error(1000000) < 0.022);
}

/*
 * Many parts merged, in order and in reverse: both within the bound; parts
 * that fit together give the exact column whatever the order.
 */
static void
test_merge(void **state)
{
	size_t		n = 200000,
				parts = 97,
				i,
				k;
	double	   *v = make_values(n, 3, 5);
	MmQuantileSketch *forward = new_sketch(),
			   *backward = new_sketch(),
			   *part = new_sketch();

	for (k = 0; k < parts; k++)
	{
		size_t		begin = n * k / parts,
					end = n * (k + 1) / parts;

		mm_qsketch_init(part);
		for (i = begin; i < end; i++)
			mm_qsketch_add(part, v[i]);
		mm_qsketch_merge(forward, part);
	}
	for (k = parts; k-- > 0;)
	{
		size_t		begin = n * k / parts,
					end = n * (k + 1) / parts;

		mm_qsketch_init(part);
		for (i = begin; i < end; i++)
			mm_qsketch_add(part, v[i]);
		mm_qsketch_merge(backward, part);
	}
	qsort(v, n, sizeof(double), test_cmp_double);
	assert_within_bound(forward, v, n);
	assert_within_bound(backward, v, n);

	/* sketches of sketches: a tree of merges, as parallel workers then a coordinator make */
	{
		MmQuantileSketch *left = new_sketch(),
				   *right = new_sketch();

		for (i = 0; i < n; i++)
			mm_qsketch_add(i % 2 ? left : right, v[(i * 7919) % n]);
		mm_qsketch_merge(left, right);
		assert_within_bound(left, v, n);
		free(left);
		free(right);
	}

	/* small parts that fit together: exact, and the same quantiles in either order */
	mm_qsketch_init(forward);
	mm_qsketch_init(backward);
	for (k = 0; k < 10; k++)
	{
		mm_qsketch_init(part);
		for (i = k * 1000; i < (k + 1) * 1000; i++)
			mm_qsketch_add(part, v[(i * 7919) % n]);
		mm_qsketch_merge(forward, part);
	}
	for (k = 10; k-- > 0;)
	{
		mm_qsketch_init(part);
		for (i = k * 1000; i < (k + 1) * 1000; i++)
			mm_qsketch_add(part, v[(i * 7919) % n]);
		mm_qsketch_merge(backward, part);
	}
	assert_true(mm_qsketch_exact(forward));
	for (i = 0; i < NQ; i++)
		assert_true(sketch_quantile(forward, qs[i]) == sketch_quantile(backward, qs[i]));
	free(v);
	free(forward);
	free(backward);
	free(part);
}

/* The same values in the same order give the same bytes: nothing random, nothing from time. */
static void
test_deterministic(void **state)
{
	size_t		n = 100000,
				i;
	double	   *v = make_values(n, 3, 9);
	MmQuantileSketch *a = new_sketch(),
			   *b = new_sketch();

	for (i = 0; i < n; i++)
	{
		mm_qsketch_add(a, v[i]);
		mm_qsketch_add(b, v[i]);
	}
	assert_memory_equal(a, b, sizeof(MmQuantileSketch));
	free(v);
	free(a);
	free(b);
}

/* FNV-1a of n bytes. */
static uint64_t
bytes_hash(const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* The hash of what a sketch holds: its head and its levels, not the free room before them. */
static uint64_t
sketch_hash(const MmQuantileSketch *sk)
{
	return bytes_hash(sk, offsetof(MmQuantileSketch, items)) ^
		bytes_hash(sk->items + sk->bound[0], sizeof(double) * (size_t) (MM_QSKETCH_ITEMS - sk->bound[0]));
}

/*
 * The bytes of a sketch are those stored models' statistics were made of:
 * fed and merged the same way, a sketch must keep the very values it kept
 * when compactions sorted with the C library's stable qsort, zeros of
 * either sign included, which compare equal and keep their order.  (The
 * room before its levels holds what compactions left there, which nothing
 * reads.)
 */
static void
test_bytes_pinned(void **state)
{
	size_t		n = 300000,
				i;
	uint64_t	s = 77;
	MmQuantileSketch *a = new_sketch(),
			   *b = new_sketch();

	for (i = 0; i < n; i++)
	{
		double		u = test_uniform(&s),
					v = u < 0.2 ? (u < 0.1 ? 0.0 : -0.0) : u < 0.4 ? floor(u * 50.0) : u * 1e3 - 500.0;

		mm_qsketch_add(i % 3 == 0 ? b : a, v);
	}
	mm_qsketch_merge(a, b);
	assert_int_equal(sketch_hash(a), UINT64_C(0x1daebe5835abdeff));
	free(a);
	free(b);
}

/* Damaged bytes fail the check; empty columns and empty sketches give no quantile. */
static void
test_damaged(void **state)
{
	MmQuantileSketch *good = new_sketch(),
			   *bad = new_sketch();
	MmError		err;
	double		v;
	size_t		i;

	assert_int_equal(mm_qsketch_quantile(good, 0.5, 0.0, 0, -INFINITY, INFINITY, &v, &err),
					 MM_ERR_INVALID_INPUT);
	for (i = 0; i < 40000; i++)
		mm_qsketch_add(good, (double) (i % 333));
	assert_true(mm_qsketch_check(good));

	memcpy(bad, good, sizeof(*bad));
	bad->magic ^= 1;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->k = 64;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->n++;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->bound[3] = bad->bound[4] + 1;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->bound[0] = -5;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->bound[MM_QSKETCH_LEVELS] = 7;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->items[MM_QSKETCH_ITEMS - 1] = NAN;
	assert_false(mm_qsketch_check(bad));
	memcpy(bad, good, sizeof(*bad));
	bad->overflow = 2;
	assert_false(mm_qsketch_check(bad));
	free(good);
	free(bad);
}

/*
 * The sorted systematic sample a monitor profile is built from: the column
 * itself while exact (so the same profile, byte for byte, as from the rows
 * in memory), values within the rank error past that.
 */
static void
test_sample(void **state)
{
	size_t		n = 12000,
				big = 250000,
				m = 20000,
				i;
	double	   *v = make_values(big, 3, 13),
			   *sorted = malloc(sizeof(double) * big),
			   *out = malloc(sizeof(double) * big);
	MmQuantileSketch *sk = new_sketch();
	MmNumericProfile *a = calloc(1, sizeof(MmNumericProfile)),
			   *b = calloc(1, sizeof(MmNumericProfile));
	MmError		err;

	for (i = 0; i < n; i++)
		mm_qsketch_add(sk, v[i]);
	memcpy(sorted, v, sizeof(double) * n);
	qsort(sorted, n, sizeof(double), test_cmp_double);
	assert_int_equal(mm_qsketch_sample(sk, n, out, &err), MM_OK);
	assert_memory_equal(out, sorted, sizeof(double) * n);
	assert_int_equal(mm_profile_numeric(a, (int64_t) n, 0, sorted[0], sorted[n - 1], 0.0, 1.0, sorted, n, &err),
					 MM_OK);
	assert_int_equal(mm_profile_numeric(b, (int64_t) n, 0, sorted[0], sorted[n - 1], 0.0, 1.0, out, n, &err),
					 MM_OK);
	assert_memory_equal(a, b, sizeof(MmNumericProfile));
	assert_int_equal(mm_qsketch_sample(sk, 100, out, &err), MM_OK);
	for (i = 0; i < 100; i++)
		assert_true(out[i] == sorted[i * n / 100]);
	assert_int_equal(mm_qsketch_sample(sk, 0, out, &err), MM_ERR_INVALID_INPUT);

	for (i = n; i < big; i++)
		mm_qsketch_add(sk, v[i]);
	memcpy(sorted, v, sizeof(double) * big);
	qsort(sorted, big, sizeof(double), test_cmp_double);
	assert_int_equal(mm_qsketch_sample(sk, m, out, &err), MM_OK);
	{
		double		slack = mm_qsketch_rank_error((int64_t) big) * (double) big + 1.0;

		for (i = 0; i < m; i++)
		{
			double		r = floor((double) i * (double) big / (double) m);
			size_t		lo = (size_t) fmax(0.0, r - slack),
						hi = (size_t) fmin((double) big - 1, r + slack);

			assert_true(out[i] >= sorted[lo] && out[i] <= sorted[hi]);
			assert_true(i == 0 || out[i - 1] <= out[i]);
		}
	}
	free(v);
	free(sorted);
	free(out);
	free(sk);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_bytes_pinned),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
