/*
 * test_random.c: the one generator (random.h) against xorshift64*'s
 * published reference outputs, computed independently (arbitrary-precision
 * integers in Python) from the definition: x ^= x >> 12; x ^= x << 25;
 * x ^= x >> 27; out = x * 2685821657736338717 mod 2^64.
 */
#include "testutil.h"

#include "random.h"

/* Seeded with 1, the first draws are the reference sequence. */
static void
test_reference_sequence(void **state)
{
	MmRandom	r = mm_random(1);

	assert_true(mm_random_next(&r) == UINT64_C(0x47e4ce4b896cdd1d));
	assert_true(mm_random_next(&r) == UINT64_C(0xabcfa6a8e079651d));
	assert_true(mm_random_next(&r) == UINT64_C(0xb9d10d8feb731f57));
}

/* Zero, where xorshift would stay forever, draws as the golden-ratio seed does. */
static void
test_zero_seed(void **state)
{
	MmRandom	r = mm_random(0);
	MmRandom	g = mm_random(UINT64_C(0x9e3779b97f4a7c15));
	int			i;

	assert_true(mm_random_next(&r) == UINT64_C(0x0d83b3e29a21487a));
	assert_true(mm_random_next(&g) == UINT64_C(0x0d83b3e29a21487a));
	for (i = 0; i < 1000; i++)
		assert_true(mm_random_next(&r) != 0);
}

/*
 * Uniform doubles: in [0, 1), with a mean of 1/2 and ten equal bins each
 * holding a tenth of 100,000 draws, to within five standard deviations.
 */
static void
test_uniform_doubles(void **state)
{
	MmRandom	r = mm_random(42);
	int			bins[10] = {0};
	double		sum = 0.0;
	int			i;
	const int	n = 100000;

	for (i = 0; i < n; i++)
	{
		double		u = mm_random_uniform(&r);

		assert_true(u >= 0.0 && u < 1.0);
		sum += u;
		bins[(int) (u * 10.0)]++;
	}
	assert_true(fabs(sum / n - 0.5) < 5.0 * sqrt(1.0 / 12.0 / n));
	for (i = 0; i < 10; i++)
		assert_true(fabs(bins[i] - n / 10.0) < 5.0 * sqrt(n * 0.1 * 0.9));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_sequence),
		cmocka_unit_test(test_zero_seed),
		cmocka_unit_test(test_uniform_doubles),
	};

	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
