/*
 * test_labelcount.c: a classifier's labels counted per part inside a pass's
 * state (labelcount.h, passstate.h).
 *
 * The table is the same, whatever the order of the rows and of the merges
 * of its parts; past MM_MAX_CLASSES values it says so and stops counting;
 * damaged bytes fail its check.  In a pass state, every row the split puts
 * in a part is counted with its label, in the part mm_pass_row_part gives,
 * whichever way the row takes (numbers in place or not), and a header that
 * asks a text label to be counted, or another target's labels, is refused.
 */
#include "testutil.h"

#include <string.h>

#include "countpass.h"
#include "labelcount.h"
#include "passdesign.h"
#include "passstate.h"
#include "rowhash.h"

#define RAW_P 2
#define ROWS 600

static uint64_t rng = 29;

/* A random integer in [0, n). */
static int
random_below(int n)
{
	return (int) (test_uniform(&rng) * n);
}

/* Rows of 7 labels (-3 to 3, -0 among the zeros) in both parts, counted in any order and merged. */
static void
test_orders_and_merges(void **unused)
{
	static MmLabelCounts whole,
				sorted,
				parts[5],
				merged,
				reversed;
	double		value[ROWS];
	int			part[ROWS],
				order[ROWS],
				r,
				i,
				k;
	int64_t		expect[7][2] = {{0}};

	for (r = 0; r < ROWS; r++)
	{
		int			label = random_below(7);

		value[r] = label == 3 && r % 2 ? -0.0 : (double) (label - 3);
		part[r] = random_below(3) == 0;
		expect[label][part[r]]++;
		order[r] = r;
	}
	mm_label_counts_init(&whole);
	for (r = 0; r < ROWS; r++)
		mm_label_counts_add(&whole, value[r], part[r]);
	assert_int_equal(whole.n, 7);
	assert_int_equal(whole.overflow, 0);
	for (i = 0; i < 7; i++)
	{
		assert_true(whole.label[i].value == (double) (i - 3));
		assert_int_equal(whole.label[i].count[0], expect[i][0]);
		assert_int_equal(whole.label[i].count[1], expect[i][1]);
	}
	assert_true(mm_label_counts_check(&whole, ROWS));
	assert_false(mm_label_counts_check(&whole, ROWS + 1));

	/* the rows in another order: the same table (a zero's sign aside, which the value compares equal) */
	test_shuffle(order, ROWS, &rng);
	mm_label_counts_init(&sorted);
	for (r = 0; r < ROWS; r++)
		mm_label_counts_add(&sorted, value[order[r]], part[order[r]]);
	assert_int_equal(sorted.n, whole.n);
	for (i = 0; i < 7; i++)
	{
		assert_true(sorted.label[i].value == whole.label[i].value);
		assert_memory_equal(sorted.label[i].count, whole.label[i].count, sizeof(whole.label[i].count));
	}

	/* five parts of the rows (some lacking labels), merged up and down */
	for (k = 0; k < 5; k++)
		mm_label_counts_init(&parts[k]);
	for (r = 0; r < ROWS; r++)
	{
		k = r < 100 ? 0 : r < 110 ? 1 : random_below(3) + 2;
		if (k == 1 && value[r] > 0)
			continue;
		mm_label_counts_add(&parts[k], value[r], part[r]);
	}
	for (r = 100; r < 110; r++)
		if (value[r] > 0)
			mm_label_counts_add(&parts[4], value[r], part[r]);
	mm_label_counts_init(&merged);
	mm_label_counts_init(&reversed);
	for (k = 0; k < 5; k++)
	{
		mm_label_counts_merge(&merged, &parts[k]);
		mm_label_counts_merge(&reversed, &parts[4 - k]);
	}
	assert_int_equal(merged.n, 7);
	for (i = 0; i < 7; i++)
	{
		assert_true(merged.label[i].value == whole.label[i].value);
		assert_memory_equal(merged.label[i].count, whole.label[i].count, sizeof(whole.label[i].count));
	}
	for (i = 0; i < 7; i++)
		assert_memory_equal(reversed.label[i].count, whole.label[i].count, sizeof(whole.label[i].count));
	assert_true(mm_label_counts_check(&merged, ROWS));
	assert_true(mm_label_counts_check(&reversed, ROWS));
}

/* One value past MM_MAX_CLASSES, met in a row or in a merge, overflows the table for good. */
static void
test_overflow(void **unused)
{
	static MmLabelCounts a,
				b;
	int			i;

	mm_label_counts_init(&a);
	for (i = 0; i < MM_MAX_CLASSES; i++)
		mm_label_counts_add(&a, (double) (MM_MAX_CLASSES - i), i % 2);
	assert_int_equal(a.n, MM_MAX_CLASSES);
	assert_int_equal(a.overflow, 0);
	assert_true(mm_label_counts_check(&a, MM_MAX_CLASSES));
	for (i = 1; i < a.n; i++)
		assert_true(a.label[i - 1].value < a.label[i].value);
	/* a value met before still counts */
	mm_label_counts_add(&a, 1.0, 0);
	assert_int_equal(a.overflow, 0);
	assert_int_equal(a.label[0].count[0], 1);
	b = a;
	mm_label_counts_add(&a, 0.5, 0);
	assert_int_equal(a.overflow, 1);
	assert_true(mm_label_counts_check(&a, 12345));

	/* the union of two tables past the limit */
	{
		static MmLabelCounts c;

		mm_label_counts_init(&c);
		mm_label_counts_add(&c, -1.0, 1);
		mm_label_counts_merge(&b, &c);
		assert_int_equal(b.overflow, 1);
		/* an overflowed source overflows its destination */
		mm_label_counts_init(&c);
		mm_label_counts_merge(&c, &a);
		assert_int_equal(c.overflow, 1);
	}
}

/* Damaged tables fail the check. */
static void
test_damage(void **unused)
{
	static MmLabelCounts good,
				bad;

	mm_label_counts_init(&good);
	mm_label_counts_add(&good, 1.0, 0);
	mm_label_counts_add(&good, 2.0, 1);
	mm_label_counts_add(&good, 2.0, 0);
	assert_true(mm_label_counts_check(&good, 3));

	bad = good;
	bad.label[0].value = 3.0;	/* out of order */
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.label[1].value = NAN;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.label[1].value = 1.0;	/* twice */
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.label[0].count[0] = -1;
	bad.label[1].count[0] = 2;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.label[0].count[0] = 0;	/* a value no row had */
	bad.label[1].count[0] = 2;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.label[0].count[0] = INT64_MAX;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.n = MM_MAX_CLASSES + 1;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.n = -1;
	assert_false(mm_label_counts_check(&bad, 3));
	bad = good;
	bad.overflow = 2;
	assert_false(mm_label_counts_check(&bad, 3));
}

/* The header of the count pass over a design of two numbers, target, labels counted or not. */
static void *
counting_header(const void *bytes, size_t len, MmPassTarget target, int counted, int folds)
{
	void	   *header = malloc(mm_pass_spec_design_size(0, len));

	mm_pass_spec_write(header, 200, 0, RAW_P, target, 0.25, mm_seed_salt(11), NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, 0, bytes, len);
	if (folds > 0)
		mm_pass_spec_set_folds(header, folds, 1);
	if (counted)
		mm_pass_spec_count_labels(header);
	return header;
}

/* Offers rows [from, to) of number label r % 4 (some NULL, infinite or with a NULL feature). */
static void
offer_rows(MmPassStateView *v, const MmPassDesign *d, int from, int to, int64_t expect[4][2],
		   const void *header)
{
	double		work[2 * RAW_P + 1];
	MmError		err;
	MmPassDesignRef ref;
	int			r;

	assert_true(mm_pass_spec_ref(header, &ref));
	for (r = from; r < to; r++)
	{
		double		x[RAW_P] = {(double) (r % 17) - 8.0, (double) (r % 5) / 4.0};
		uint8_t		isnull[RAW_P] = {r % 41 == 0, 0};
		MmPassRawRow row;
		int			part;

		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.target = (double) (r % 4) * 10.0;
		row.target_null = r % 53 == 0;
		if (r % 59 == 0)
			row.target = INFINITY;
		part = mm_pass_row_part(header, &ref, d, &row, work);
		if (part >= 0 && expect != NULL)
			expect[r % 4][part]++;
		assert_int_equal(mm_pass_state_offer(v, &count_pass, d, &row, work, &err), MM_OK);
	}
}

/* The design of two numbers kept as they are, with label_kind (and labels, for text). */
static void
two_numbers(MmPassDesign *d, void **bytes, size_t *len, MmLabelKind label_kind)
{
	static const int32_t kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC};
	static const int32_t kept[RAW_P] = {0, 1};
	static char *names[] = {"no", "yes"};
	static double values[] = {0, 0};
	uint8_t		kept_kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC};
	MmFeatureTransform t[RAW_P] = {
		{0.0, -INFINITY, INFINITY, 0.0, 1.0},
		{0.0, -INFINITY, INFINITY, 0.0, 1.0},
	};
	MmPassDesign w;
	MmError		err;

	memset(&w, 0, sizeof(w));
	w.raw_p = RAW_P;
	w.kinds = kinds;
	w.kept = kept;
	w.shell.n_features = RAW_P;
	w.shell.feature_kinds = kept_kinds;
	w.shell.transform = t;
	w.shell.n_design = RAW_P;
	w.label_kind = label_kind;
	if (label_kind == MM_LABEL_TEXT)
	{
		w.n_labels = 2;
		w.labels = names;
		w.label_values = values;
	}
	assert_int_equal(mm_pass_design_write(&w, bytes, len, &err), MM_OK);
	assert_int_equal(mm_pass_design_read(*bytes, *len, d, &err), MM_OK);
}

/* Every row in a part counted under its label and part; halves merged give the same. */
static void
check_state_counts(int numbers_in_place, int folds)
{
	MmPassDesign d;
	void	   *bytes,
			   *header,
			   *whole,
			   *half[2];
	size_t		len,
				size;
	MmPassStateView v,
				h[2];
	MmError		err;
	int64_t		expect[4][2] = {{0}};
	int			i;

	two_numbers(&d, &bytes, &len, MM_LABEL_NUMBER);
	assert_true(d.numbers_in_place);
	d.numbers_in_place = numbers_in_place;

	header = counting_header(bytes, len, MM_PASS_TARGET_CLASS, 1, folds);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	size = mm_pass_state_size(header, &count_pass, &err);
	whole = malloc(size);
	mm_pass_state_init(whole, header, &count_pass);
	mm_pass_state_view(whole, &v);
	assert_non_null(v.labels);
	offer_rows(&v, &d, 0, ROWS, expect, header);
	mm_pass_state_finish(&v, &count_pass);
	assert_int_equal(mm_pass_state_check(whole, size, &count_pass, 1, &err), MM_OK);
	assert_int_equal(v.labels->n, 4);
	for (i = 0; i < 4; i++)
	{
		assert_true(v.labels->label[i].value == 10.0 * i);
		assert_int_equal(v.labels->label[i].count[0], expect[i][0]);
		assert_int_equal(v.labels->label[i].count[1], expect[i][1]);
	}
	assert_true(expect[0][1] > 0 && expect[3][0] > 0);
	assert_int_equal(expect[0][0] + expect[1][0] + expect[2][0] + expect[3][0], v.head->rows_train);

	for (i = 0; i < 2; i++)
	{
		half[i] = malloc(size);
		mm_pass_state_init(half[i], header, &count_pass);
		mm_pass_state_view(half[i], &h[i]);
	}
	offer_rows(&h[0], &d, 0, 250, NULL, header);
	offer_rows(&h[1], &d, 250, ROWS, NULL, header);
	assert_int_equal(mm_pass_state_merge(half[1], half[0], &count_pass, &err), MM_OK);
	mm_pass_state_finish(&h[1], &count_pass);
	assert_int_equal(mm_pass_state_check(half[1], size, &count_pass, 1, &err), MM_OK);
	assert_memory_equal(h[1].labels, v.labels, sizeof(MmLabelCounts));

	/* damaged counts fail the state's check */
	h[1].labels->label[2].count[0]++;
	assert_int_equal(mm_pass_state_check(half[1], size, &count_pass, 1, &err), MM_ERR_CORRUPT);

	/* a state that does not count labels does not merge with one that does */
	{
		void	   *plain_header = counting_header(bytes, len, MM_PASS_TARGET_CLASS, 0, folds);
		size_t		plain_size = mm_pass_state_size(plain_header, &count_pass, &err);
		void	   *plain = malloc(plain_size);
		MmPassStateView pv;

		assert_int_equal(plain_size + sizeof(MmLabelCounts), size);
		mm_pass_state_init(plain, plain_header, &count_pass);
		mm_pass_state_view(plain, &pv);
		assert_null(pv.labels);
		assert_false(mm_pass_state_compatible(plain, whole));
		free(plain);
		free(plain_header);
	}
	for (i = 0; i < 2; i++)
		free(half[i]);
	free(whole);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

static void
test_state_counts(void **unused)
{
	check_state_counts(1, 0);
	check_state_counts(0, 0);
	check_state_counts(1, 4);
}

/* Labels are counted for a class target alone, and never a text label's. */
static void
test_refused(void **unused)
{
	MmPassDesign d;
	void	   *bytes,
			   *header,
			   *state;
	size_t		len,
				size;
	MmPassStateView v;
	MmError		err;
	MmPassDesignRef ref;

	two_numbers(&d, &bytes, &len, MM_LABEL_TEXT);

	header = counting_header(bytes, len, MM_PASS_TARGET_NUMERIC, 1, 0);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	free(header);

	/* a flag other than 0, 1 or 2 (text labels, test_textcount.c) */
	header = counting_header(bytes, len, MM_PASS_TARGET_CLASS, 1, 0);
	assert_true(mm_pass_spec_ref(header, &ref));
	ref.labels_counted = 3;
	memcpy((char *) header + sizeof(MmPassSpec), &ref, sizeof(ref));
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	free(header);

	/* a text label's rows are no doubles to count */
	header = counting_header(bytes, len, MM_PASS_TARGET_CLASS, 1, 0);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	size = mm_pass_state_size(header, &count_pass, &err);
	state = malloc(size);
	mm_pass_state_init(state, header, &count_pass);
	mm_pass_state_view(state, &v);
	{
		double		x[RAW_P] = {1.0, 2.0},
					work[2 * RAW_P + 1];
		uint8_t		isnull[RAW_P] = {0, 0};
		MmPassRawRow row;

		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.label = "yes";
		row.label_len = 3;
		assert_int_equal(mm_pass_state_offer(&v, &count_pass, &d, &row, work, &err),
						 MM_ERR_INVALID_INPUT);
	}
	free(state);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_and_merges),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_state_counts),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
