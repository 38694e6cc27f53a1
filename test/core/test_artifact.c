/*
 * test_artifact.c: the binary model format.  A model reads back bit for bit;
 * any damage, truncation or foreign version is refused, never crashes and
 * never yields a model.
 */
#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "model.h"

/* A linear model of three features, one of them boolean, with NaN statistics. */
static MmModel *
sample_model(void)
{
	static char *names[3] = {"living_area", "has_garage", "Distance (km)"};
	static uint8_t kinds[3] = {MM_FEATURE_NUMERIC, MM_FEATURE_BOOLEAN, MM_FEATURE_NUMERIC};
	static double coef[3] = {2797.7312345, 11926.375, -4506.2278};
	static double se[4] = {483.28, 2.03, NAN, 11.0};
	static double stat[4] = {104.0, 1378.1, NAN, -409.6};
	static double pv[4] = {0.0, 1e-300, NAN, 5e-324};
	static MmModel m;

	memset(&m, 0, sizeof(m));
	m.algorithm = MM_ALGO_LINEAR_REGRESSION;
	m.task = MM_TASK_REGRESSION;
	m.n_features = 3;
	m.feature_names = names;
	m.feature_kinds = kinds;
	m.target = "price";
	m.linear.fit_intercept = 1;
	m.linear.alpha = 0.0;
	m.linear.intercept = 50268.2078;
	m.linear.coef = coef;
	m.linear.rank = 3;
	m.linear.df_resid = 14889;
	m.linear.std_err = se;
	m.linear.stat = stat;
	m.linear.p_value = pv;
	return &m;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

static void
test_roundtrip(void **state)
{
	MmModel    *m = sample_model(),
			   *back;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;
	int			i;
	double		x[3] = {120.5, 1, 7.25};

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(back->algorithm, m->algorithm);
	assert_int_equal(back->task, m->task);
	assert_int_equal(back->n_features, 3);
	assert_string_equal(back->target, "price");
	for (i = 0; i < 3; i++)
	{
		assert_string_equal(back->feature_names[i], m->feature_names[i]);
		assert_int_equal(back->feature_kinds[i], m->feature_kinds[i]);
		assert_true(same_bits(back->linear.coef[i], m->linear.coef[i]));
	}
	for (i = 0; i < 4; i++)
	{
		assert_true(same_bits(back->linear.std_err[i], m->linear.std_err[i]));
		assert_true(same_bits(back->linear.stat[i], m->linear.stat[i]));
		assert_true(same_bits(back->linear.p_value[i], m->linear.p_value[i]));
	}
	assert_true(same_bits(back->linear.intercept, m->linear.intercept));
	assert_int_equal(back->linear.rank, 3);
	assert_true(back->linear.df_resid == 14889);
	assert_true(same_bits(mm_model_predict(back, x), mm_model_predict(m, x)));
	/* the header's CRC is the one stored at bytes 20..23 */
	assert_int_equal(mm_artifact_crc(bytes, len),
					 (uint32_t) bytes[20] | (uint32_t) bytes[21] << 8 |
					 (uint32_t) bytes[22] << 16 | (uint32_t) bytes[23] << 24);
	assert_int_equal(mm_artifact_crc(bytes, 10), 0);
	mm_model_free(back);
	free(bytes);
}

/* Any single flipped byte, and any truncation, is refused. */
static void
test_every_damage(void **state)
{
	MmModel    *back;
	uint8_t    *bytes,
			   *copy;
	size_t		len,
				i;
	MmError		err;

	assert_int_equal(mm_artifact_write(sample_model(), &bytes, &len, &err), MM_OK);
	copy = malloc(len);
	for (i = 0; i < len; i++)
	{
		MmErrorCode rc;

		memcpy(copy, bytes, len);
		copy[i] ^= 0x5a;
		rc = mm_artifact_read(copy, len, &back, &err);
		assert_true(rc == MM_ERR_CORRUPT || rc == MM_ERR_UNSUPPORTED);
		assert_null(back);
	}
	for (i = 0; i < len; i++)
	{
		assert_true(mm_artifact_read(bytes, i, &back, &err) != MM_OK);
		assert_null(back);
	}
	free(copy);
	free(bytes);
}

/* A newer format version is reported as unsupported, not as garbage. */
static void
test_future_version(void **state)
{
	MmModel    *back;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;

	assert_int_equal(mm_artifact_write(sample_model(), &bytes, &len, &err), MM_OK);
	bytes[4] = MM_ARTIFACT_FORMAT + 1;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.message, "format version"));
	free(bytes);
}

/* Random mutations and random bytes never crash and never read as a model. */
static void
test_random_mutations(void **state)
{
	MmModel    *back;
	uint8_t    *bytes,
			   *copy;
	size_t		len;
	MmError		err;
	uint64_t	s = 99;
	int			round,
				k;

	assert_int_equal(mm_artifact_write(sample_model(), &bytes, &len, &err), MM_OK);
	copy = malloc(len + 64);
	for (round = 0; round < 3000; round++)
	{
		size_t		n = len;
		int			changed = 0;

		memcpy(copy, bytes, len);
		for (k = 1 + (int) (test_uniform(&s) * 4); k > 0; k--)
		{
			size_t		at = (size_t) (test_uniform(&s) * len);
			uint8_t		v = (uint8_t) (test_uniform(&s) * 256);

			changed |= copy[at] != v;
			copy[at] = v;
		}
		if (test_uniform(&s) < 0.2)
			n = (size_t) (test_uniform(&s) * (len + 64));
		if (n > len)
			memset(copy + len, 0xab, n - len);
		if (!changed && n == len)
			continue;
		assert_true(mm_artifact_read(copy, n, &back, &err) != MM_OK);
		assert_null(back);
	}
	/* bytes that are not an artifact at all */
	for (k = 0; k < (int) len; k++)
		copy[k] = (uint8_t) (test_uniform(&s) * 256);
	assert_int_equal(mm_artifact_read(copy, len, &back, &err), MM_ERR_CORRUPT);
	free(copy);
	free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_damage),
		cmocka_unit_test(test_future_version),
		cmocka_unit_test(test_random_mutations),
	};

	return cmocka_run_group_tests_name("artifact", tests, NULL, NULL);
}
