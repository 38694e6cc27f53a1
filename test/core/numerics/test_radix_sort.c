/*
 * test_radix_sort.c: sorting doubles by their bits (radix_sort.h).
 *
 * Keys order as the doubles do, -0 just below +0, and map back to the same
 * bits; sorted keys come out in the order a comparison sort gives, on
 * values across every binade, both signs, infinities, subnormals and heavy
 * duplicates, skipping the digits all keys share.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "radix_sort.h"

#define N 5000

static uint64_t rng = 17;

/* 32 random bits. */
static uint64_t
random_bits(void)
{
	return (uint64_t) (test_uniform(&rng) * 4294967296.0);
}

static int	betweens;

static void
count_between(void)
{
	betweens++;
}

/*
 * A value of kind k: uniform, any bits (no NaN), few distinct, one binade,
 * or values whose keys share their top halves, all or in runs.
 */
static double
value_of(int kind)
{
	switch (kind)
	{
		case 0:
			return test_uniform(&rng) - 0.5;
		case 1:
			{
				uint64_t	bits;
				double		v;

				do
				{
					bits = random_bits() << 32 | random_bits();
					memcpy(&v, &bits, sizeof(v));
				} while (isnan(v));
				return v;
			}
		case 2:
			return (double) (random_bits() % 5) - 2.0;
		case 3:
			return 1.0 + (double) (random_bits() % 1000) / 1024.0;
		case 4:
			/* every key's top half the same: one run, sorted by the bottom half's bytes */
			return 1.0 + (double) (random_bits() % 4096) * 0x1p-40;
		default:
			/* runs of about 20 keys sharing their top halves */
			return (double) (1 + random_bits() % 200) + (double) (random_bits() % 4096) * 0x1p-40;
	}
}

static void
test_keys(void **unused)
{
	const double values[] = {-INFINITY, -1e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1e-300, 1.0,
	1.5, 1e308, INFINITY};
	size_t		n = sizeof(values) / sizeof(values[0]),
				i;

	for (i = 0; i < n; i++)
	{
		double		back = mm_radix_double(mm_radix_key(values[i]));

		assert_memory_equal(&back, &values[i], sizeof(double));
		if (i > 0)
			assert_true(mm_radix_key(values[i - 1]) < mm_radix_key(values[i]));
	}
	assert_true(mm_radix_key(-0.0) == MM_RADIX_NEGATIVE_ZERO);
}

static void
test_sorts_as_comparison(void **unused)
{
	static double values[N],
				expect[N];
	static uint64_t keys[N],
				other[N];
	static uint32_t count[MM_RADIX_COUNTS];
	int			kind;

	for (kind = 0; kind < 6; kind++)
	{
		size_t		n,
					i;

		/* 0 to 3 keys, then growing lengths, then N (runs of about 20 at N) */
		for (n = 0; n <= N; n = n < 3 ? n + 1 : n == N ? N + 1 : n * 4 + 7 > N ? N : n * 4 + 7)
		{
			const uint64_t *sorted;

			for (i = 0; i < n; i++)
			{
				values[i] = value_of(kind);
				/* no -0: a comparison sort keeps it where it found it among the +0 */
				if (values[i] == 0.0)
					values[i] = 0.0;
				keys[i] = mm_radix_key(values[i]);
			}
			memcpy(expect, values, sizeof(double) * n);
			qsort(expect, n, sizeof(double), test_cmp_double);
			betweens = 0;
			sorted = mm_radix_sort_keys(keys, other, n, count, count_between);
			assert_true(sorted == keys || sorted == other);
			for (i = 0; i < n; i++)
			{
				double		v = mm_radix_double(sorted[i]);

				assert_memory_equal(&v, &expect[i], sizeof(double));
			}
			/*
			 * a digit every key shares is skipped: one binade's values share
			 * the top ones; keys of distinct top halves are sorted by those
			 * alone
			 */
			if (kind <= 3)
				assert_true(betweens <= MM_RADIX_DIGITS);
			if (kind == 3 && n > 100)
				assert_true(betweens < MM_RADIX_DIGITS / 2);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sorts_as_comparison),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
