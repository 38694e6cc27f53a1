/*
 * test_checkstate.c: the flat state of a monitoring check (checkstate.h):
 * its layout checks, and that a window counted in parts and merged is the
 * window counted whole, the counts exactly and the label's moments to
 * rounding, with an empty part adding nothing at all.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "checkstate.h"
#include "profile.h"

/* watches: a numeric feature, a categorical one of 3 names, categorical predictions of 2 */
static const int32_t shape[3] = {-1, 3, 2};

static void *
new_state(size_t *len, uint64_t id, MmCheckQuality quality, int classes)
{
	void	   *buf;

	*len = mm_check_state_size(3, shape, quality, classes);
	assert_true(*len > 0 && *len % 8 == 0);
	buf = test_malloc(*len);
	mm_check_state_init(buf, id, 3, shape, quality, classes);
	return buf;
}

/* A numeric profile of the values 0 .. 99. */
static void
profile_0_99(MmNumericProfile *prof)
{
	double		v[100];
	MmError		err;
	int			i;

	for (i = 0; i < 100; i++)
		v[i] = i;
	assert_int_equal(mm_profile_numeric(prof, 100, 0, 0, 99, 49.5, 29.0, v, 100, &err), MM_OK);
}

/* Counts rows lo .. hi - 1 of a made-up window into a state. */
static void
count_rows(void *buf, const MmNumericProfile *prof, int lo, int hi)
{
	void	   *watch[3];
	MmCheckStateView v;
	int			i;

	mm_check_state_view(buf, &v, watch);
	for (i = lo; i < hi; i++)
	{
		MmCheckCategorical *c = watch[1];
		MmCheckCategorical *pred = watch[2];
		double		y = 0.37 * i + (i % 7) * 1.1;

		v.head->rows++;
		mm_window_add(watch[0], prof, i % 11 == 0 ? NAN : (double) (i % 150) - 20.25);
		if (i % 5 == 0)
			c->missing++;
		else
		{
			c->rows++;
			c->count[i % 4]++;
		}
		if (i % 13 == 0)
		{
			v.head->unpredictable++;
			continue;
		}
		pred->rows++;
		pred->count[i % 2]++;
		if (v.head->quality == MM_CHECK_QUALITY_REGRESSION)
			mm_check_state_regression(v.head, y, y + 0.5 - (i % 3));
		else
		{
			v.head->label_rows++;
			v.confusion[(i % 3) * 2 + i % 2]++;
		}
	}
}

static void
test_layout(void **state)
{
	size_t		len;
	void	   *buf = new_state(&len, 42, MM_CHECK_QUALITY_CLASSES, 2);
	MmError		err;
	int32_t		bad[1] = {MM_PROFILE_CATEGORIES + 1};

	assert_int_equal(mm_check_state_check(buf, len, &err), MM_OK);
	assert_int_not_equal(mm_check_state_check(buf, len - 8, &err), MM_OK);
	assert_int_not_equal(mm_check_state_check(buf, 4, &err), MM_OK);
	((MmCheckStateHead *) buf)->rows = -1;
	assert_int_not_equal(mm_check_state_check(buf, len, &err), MM_OK);
	((MmCheckStateHead *) buf)->rows = 0;
	((MmCheckStateHead *) buf)->magic ^= 1;
	assert_int_not_equal(mm_check_state_check(buf, len, &err), MM_OK);
	test_free(buf);

	/* shapes and class counts out of range have no size */
	assert_int_equal(mm_check_state_size(1, bad, MM_CHECK_QUALITY_NONE, 0), 0);
	assert_int_equal(mm_check_state_size(3, shape, MM_CHECK_QUALITY_CLASSES, 0), 0);
	assert_int_equal(mm_check_state_size(3, shape, MM_CHECK_QUALITY_REGRESSION, 2), 0);
	assert_int_equal(mm_check_state_size(0, shape, MM_CHECK_QUALITY_NONE, 0), 0);
}

static void
test_merge(MmCheckQuality quality, int classes)
{
	MmNumericProfile prof;
	size_t		len;
	void	   *whole = new_state(&len, 7, quality, classes),
			   *a = new_state(&len, 7, quality, classes),
			   *b = new_state(&len, 7, quality, classes),
			   *c = new_state(&len, 7, quality, classes),
			   *empty = new_state(&len, 7, quality, classes);
	MmCheckStateHead *hw = whole,
			   *ha = a;
	MmError		err;
	size_t		counts_from = offsetof(MmCheckStateHead, y_mean);

	profile_0_99(&prof);
	count_rows(whole, &prof, 0, 1000);
	count_rows(a, &prof, 0, 333);
	count_rows(b, &prof, 333, 700);
	count_rows(c, &prof, 700, 1000);

	/* merged out of order */
	assert_int_equal(mm_check_state_merge(c, a, &err), MM_OK);
	assert_int_equal(mm_check_state_merge(b, c, &err), MM_OK);
	assert_int_equal(mm_check_state_check(b, len, &err), MM_OK);
	memcpy(a, b, len);

	/* the counts are exact: every byte after the sums */
	assert_memory_equal((char *) a + sizeof(MmCheckStateHead), (char *) whole + sizeof(MmCheckStateHead),
						len - sizeof(MmCheckStateHead));
	assert_memory_equal(a, whole, counts_from);
	assert_true(ha->rows == 1000 && ha->unpredictable == hw->unpredictable && ha->label_rows == hw->label_rows);
	assert_close(ha->y_mean, hw->y_mean, 1e-13);
	assert_close(ha->y_m2, hw->y_m2, 1e-12);
	assert_close(ha->sse, hw->sse, 1e-12);
	assert_close(ha->sae, hw->sae, 1e-12);

	/* an empty part, on either side, changes no bit */
	memcpy(a, whole, len);
	assert_int_equal(mm_check_state_merge(a, empty, &err), MM_OK);
	assert_memory_equal(a, whole, len);
	assert_int_equal(mm_check_state_merge(empty, whole, &err), MM_OK);
	assert_memory_equal(empty, whole, len);

	test_free(whole);
	test_free(a);
	test_free(b);
	test_free(c);
	test_free(empty);
}

static void
test_merge_regression(void **state)
{
	test_merge(MM_CHECK_QUALITY_REGRESSION, 0);
}

static void
test_merge_classes(void **state)
{
	test_merge(MM_CHECK_QUALITY_CLASSES, 2);
}

static void
test_merge_refusals(void **state)
{
	size_t		len,
				other_len;
	void	   *a = new_state(&len, 1, MM_CHECK_QUALITY_NONE, 0),
			   *b = new_state(&other_len, 2, MM_CHECK_QUALITY_NONE, 0),
			   *c = new_state(&other_len, 1, MM_CHECK_QUALITY_CLASSES, 2);
	MmError		err;

	assert_int_equal(mm_check_state_merge(a, b, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(mm_check_state_merge(a, c, &err), MM_ERR_INVALID_INPUT);
	test_free(a);
	test_free(b);
	test_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_merge_regression),
		cmocka_unit_test(test_merge_classes),
		cmocka_unit_test(test_merge_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
