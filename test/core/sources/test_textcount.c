/*
 * test_textcount.c: a text feature's values counted per part inside a
 * pass's state (textcount.h, passstate.h).
 *
 * The table holds the same values with the same counts, whatever the order
 * of the rows and of the merges of its parts, values whose hashes collide
 * included; past MM_TEXT_COUNT_VALUES values or MM_TEXT_COUNT_BYTES of text
 * it says so and stops counting; damaged bytes fail its check.  In a pass
 * state over a raw design, every row the split puts in a part is counted
 * under its value (or as NULL) in the part mm_pass_row_part gives, and
 * halves merged give the same table; so is every row of a text label.  The
 * index that finds a row's value is whole after every add and merge, and a
 * damaged one costs time, not counts.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "countpass.h"
#include "passdesign.h"
#include "passstate.h"
#include "rowhash.h"
#include "textcount.h"

#define ROWS 600
#define VALUES 9

static uint64_t rng = 31;

/* The values met: "" and values one a prefix of another; "x" and "yy" share a hash. */
static const char *const names[VALUES] = {"", "a", "ab", "b", "x", "yy", "é", "z", "zz"};

/* A random integer in [0, n). */
static int
random_below(int n)
{
	return (int) (test_uniform(&rng) * n);
}

/* A value's hash, as a pass would be handed it: "x" and "yy" collide. */
static uint64_t
hash_of(const char *s)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	if (strcmp(s, "x") == 0 || strcmp(s, "yy") == 0)
		return 42;
	for (; *s; s++)
		h = (h ^ (uint8_t) *s) * UINT64_C(0x100000001b3);
	return h;
}

/* The counts of value in c, or -1 in count[0] when c does not hold it. */
static void
counts_of(const MmTextCounts *c, const char *value, int64_t count[2])
{
	int			i;

	count[0] = -1;
	count[1] = -1;
	for (i = 0; i < c->n; i++)
		if (c->value[i].len == strlen(value) &&
			memcmp(c->text + c->value[i].offset, value, c->value[i].len) == 0)
		{
			count[0] = c->value[i].count[0];
			count[1] = c->value[i].count[1];
			return;
		}
}

/* Two tables hold the same values in the same order with the same counts. */
static void
assert_same_table(const MmTextCounts *a, const MmTextCounts *b)
{
	int			i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->overflow, b->overflow);
	assert_int_equal(a->used, b->used);
	assert_memory_equal(a->nulls, b->nulls, sizeof(a->nulls));
	for (i = 0; i < a->n; i++)
	{
		assert_true(a->value[i].hash == b->value[i].hash);
		assert_int_equal(a->value[i].len, b->value[i].len);
		assert_memory_equal(a->text + a->value[i].offset, b->text + b->value[i].offset, a->value[i].len);
		assert_memory_equal(a->value[i].count, b->value[i].count, sizeof(a->value[i].count));
	}
}

/* Rows of 9 values and NULLs in both parts, counted in any order and merged. */
static void
test_orders_and_merges(void **unused)
{
	static MmTextCounts whole,
				shuffled,
				parts[5],
				merged,
				reversed;
	int			value[ROWS],
				part[ROWS],
				order[ROWS],
				r,
				i,
				k;
	int64_t		expect[VALUES + 1][2] = {{0}},
				got[2];

	for (r = 0; r < ROWS; r++)
	{
		value[r] = random_below(VALUES + 1);	/* VALUES: NULL */
		part[r] = random_below(3) == 0;
		expect[value[r]][part[r]]++;
		order[r] = r;
	}
	mm_text_counts_init(&whole);
	for (r = 0; r < ROWS; r++)
	{
		if (value[r] == VALUES)
			mm_text_counts_add_null(&whole, part[r]);
		else
			mm_text_counts_add(&whole, names[value[r]], strlen(names[value[r]]),
							   hash_of(names[value[r]]), part[r]);
	}
	assert_int_equal(whole.n, VALUES);
	assert_int_equal(whole.overflow, 0);
	for (i = 0; i < VALUES; i++)
	{
		counts_of(&whole, names[i], got);
		assert_int_equal(got[0], expect[i][0]);
		assert_int_equal(got[1], expect[i][1]);
	}
	assert_int_equal(whole.nulls[0], expect[VALUES][0]);
	assert_int_equal(whole.nulls[1], expect[VALUES][1]);
	/* ordered by hash, the colliding two by length */
	for (i = 1; i < whole.n; i++)
		assert_true(whole.value[i - 1].hash <= whole.value[i].hash);
	assert_true(mm_text_counts_check(&whole, ROWS));
	assert_false(mm_text_counts_check(&whole, ROWS + 1));

	/* the rows in another order: the same table */
	test_shuffle(order, ROWS, &rng);
	mm_text_counts_init(&shuffled);
	for (r = 0; r < ROWS; r++)
	{
		int			v = value[order[r]];

		if (v == VALUES)
			mm_text_counts_add_null(&shuffled, part[order[r]]);
		else
			mm_text_counts_add(&shuffled, names[v], strlen(names[v]), hash_of(names[v]), part[order[r]]);
	}
	assert_int_equal(shuffled.n, whole.n);
	for (i = 0; i < whole.n; i++)
	{
		assert_true(shuffled.value[i].hash == whole.value[i].hash);
		assert_int_equal(shuffled.value[i].len, whole.value[i].len);
		assert_memory_equal(shuffled.text + shuffled.value[i].offset, whole.text + whole.value[i].offset,
							whole.value[i].len);
		assert_memory_equal(shuffled.value[i].count, whole.value[i].count, sizeof(whole.value[i].count));
	}

	/* five parts of the rows (one lacking the values above "b"), merged up and down */
	for (k = 0; k < 5; k++)
		mm_text_counts_init(&parts[k]);
	for (r = 0; r < ROWS; r++)
	{
		k = r < 100 ? 0 : r < 110 ? 1 : random_below(3) + 2;
		if (k == 1 && value[r] > 3)
			k = 4;
		if (value[r] == VALUES)
			mm_text_counts_add_null(&parts[k], part[r]);
		else
			mm_text_counts_add(&parts[k], names[value[r]], strlen(names[value[r]]),
							   hash_of(names[value[r]]), part[r]);
	}
	mm_text_counts_init(&merged);
	mm_text_counts_init(&reversed);
	for (k = 0; k < 5; k++)
	{
		mm_text_counts_merge(&merged, &parts[k]);
		mm_text_counts_merge(&reversed, &parts[4 - k]);
	}
	assert_int_equal(merged.n, VALUES);
	assert_int_equal(reversed.n, VALUES);
	for (i = 0; i < VALUES; i++)
	{
		int64_t		a[2],
					b[2];

		counts_of(&merged, names[i], a);
		counts_of(&reversed, names[i], b);
		assert_int_equal(a[0], expect[i][0]);
		assert_int_equal(a[1], expect[i][1]);
		assert_memory_equal(a, b, sizeof(a));
	}
	assert_memory_equal(merged.nulls, whole.nulls, sizeof(whole.nulls));
	assert_true(mm_text_counts_check(&merged, ROWS));
	assert_true(mm_text_counts_check(&reversed, ROWS));
	/* merging into an empty table copies it */
	mm_text_counts_init(&merged);
	mm_text_counts_merge(&merged, &whole);
	assert_same_table(&merged, &whole);
}

/* Every value is in the index once, under a slot its hash probes to without an empty slot between. */
static void
assert_indexed(const MmTextCounts *c)
{
	int			seen[MM_TEXT_COUNT_VALUES] = {0},
				s,
				i;

	for (s = 0; s < MM_TEXT_COUNT_SLOTS; s++)
	{
		int			k = c->slot[s];

		if (k == 0)
			continue;
		assert_in_range(k, 1, c->n);
		seen[k - 1]++;
		for (i = (int) (c->value[k - 1].hash % MM_TEXT_COUNT_SLOTS); i != s; i = (i + 1) % MM_TEXT_COUNT_SLOTS)
			assert_int_not_equal(c->slot[i], 0);
	}
	for (i = 0; i < c->n; i++)
		assert_int_equal(seen[i], 1);
}

/* Counts the rows of value[] (VALUES: NULL) and part[] into c. */
static void
count_rows(MmTextCounts *c, const int *value, const int *part, int rows)
{
	int			r;

	for (r = 0; r < rows; r++)
	{
		if (value[r] == VALUES)
			mm_text_counts_add_null(c, part[r]);
		else
			mm_text_counts_add(c, names[value[r]], strlen(names[value[r]]), hash_of(names[value[r]]), part[r]);
	}
}

/*
 * The index of the hashes only speeds the search up: it is whole after
 * every add and merge, and a table read back with an index emptied, or
 * pointing anywhere, counts the same rows the same, with no value twice.
 */
static void
test_index(void **unused)
{
	static MmTextCounts whole,
				half,
				damaged;
	int			value[ROWS],
				part[ROWS],
				r,
				s,
				way;

	for (r = 0; r < ROWS; r++)
	{
		value[r] = random_below(VALUES + 1);
		part[r] = random_below(3) == 0;
	}
	mm_text_counts_init(&whole);
	count_rows(&whole, value, part, ROWS);
	assert_int_equal(whole.n, VALUES);
	assert_indexed(&whole);
	/* a table of some of the values, which the merge moves to make room for the others */
	mm_text_counts_init(&half);
	for (r = 0; r < ROWS; r++)
		if (value[r] % 3 == 0 && value[r] != VALUES)
			count_rows(&half, value + r, part + r, 1);
	assert_in_range(half.n, 1, VALUES - 1);
	assert_indexed(&half);
	mm_text_counts_merge(&half, &whole);
	assert_int_equal(half.n, VALUES);
	assert_indexed(&half);

	for (way = 0; way < 3; way++)
	{
		mm_text_counts_init(&damaged);
		count_rows(&damaged, value, part, ROWS / 2);
		for (s = 0; s < MM_TEXT_COUNT_SLOTS; s++)
			damaged.slot[s] = way == 0 ? 0 : way == 1 ? (uint16_t) (1 + random_below(65535)) :
				(uint16_t) (1 + random_below(damaged.n));
		count_rows(&damaged, value + ROWS / 2, part + ROWS / 2, ROWS - ROWS / 2);
		assert_same_table(&damaged, &whole);
		assert_true(mm_text_counts_check(&damaged, ROWS));
	}
}

/* One value past MM_TEXT_COUNT_VALUES, or past the text's room, overflows the table for good. */
static void
test_overflow(void **unused)
{
	static MmTextCounts a,
				b,
				c;
	char		name[32];
	static char long_value[1000];
	int			i;

	mm_text_counts_init(&a);
	for (i = 0; i < MM_TEXT_COUNT_VALUES; i++)
	{
		snprintf(name, sizeof(name), "v%d", i);
		mm_text_counts_add(&a, name, strlen(name), hash_of(name), i % 2);
	}
	assert_int_equal(a.n, MM_TEXT_COUNT_VALUES);
	assert_int_equal(a.overflow, 0);
	assert_true(mm_text_counts_check(&a, MM_TEXT_COUNT_VALUES));
	/* a value met before still counts */
	mm_text_counts_add(&a, "v7", 2, hash_of("v7"), 0);
	assert_int_equal(a.overflow, 0);
	b = a;
	mm_text_counts_add(&a, "new", 3, hash_of("new"), 0);
	assert_int_equal(a.overflow, 1);
	assert_true(mm_text_counts_check(&a, 12345));

	/* the union of two tables past the limit; an overflowed source overflows its destination */
	mm_text_counts_init(&c);
	mm_text_counts_add(&c, "other", 5, hash_of("other"), 1);
	mm_text_counts_merge(&b, &c);
	assert_int_equal(b.overflow, 1);
	mm_text_counts_init(&c);
	mm_text_counts_merge(&c, &a);
	assert_int_equal(c.overflow, 1);

	/* text past its room, met in a row or in a merge */
	memset(long_value, 'q', sizeof(long_value));
	mm_text_counts_init(&a);
	mm_text_counts_init(&b);
	for (i = 0; i < MM_TEXT_COUNT_BYTES / (int) sizeof(long_value); i++)
	{
		long_value[0] = (char) ('A' + i);
		mm_text_counts_add(i % 2 ? &b : &a, long_value, sizeof(long_value), (uint64_t) i, 0);
	}
	assert_int_equal(a.overflow + b.overflow, 0);
	mm_text_counts_merge(&a, &b);
	assert_int_equal(a.overflow, 0);
	assert_int_equal(a.used, (MM_TEXT_COUNT_BYTES / sizeof(long_value)) * sizeof(long_value));
	assert_true(mm_text_counts_check(&a, MM_TEXT_COUNT_BYTES / (int) sizeof(long_value)));
	b = a;
	long_value[0] = '!';
	mm_text_counts_add(&a, long_value, sizeof(long_value), 99999, 1);
	assert_int_equal(a.overflow, 1);
	mm_text_counts_init(&c);
	mm_text_counts_add(&c, long_value, sizeof(long_value), 99999, 1);
	mm_text_counts_merge(&b, &c);
	assert_int_equal(b.overflow, 1);
}

/* Damaged tables fail the check. */
static void
test_damage(void **unused)
{
	static MmTextCounts good,
				bad;

	mm_text_counts_init(&good);
	mm_text_counts_add(&good, "a", 1, 1, 0);
	mm_text_counts_add(&good, "bc", 2, 2, 1);
	mm_text_counts_add(&good, "bc", 2, 2, 0);
	mm_text_counts_add_null(&good, 1);
	assert_true(mm_text_counts_check(&good, 4));
	assert_false(mm_text_counts_check(&good, 3));

	bad = good;
	bad.value[0].hash = 3;		/* out of order */
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.value[1] = bad.value[0];	/* twice */
	bad.value[1].count[0] = 2;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.value[1].offset = MM_TEXT_COUNT_BYTES;	/* outside the text */
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.value[1].len = UINT32_MAX;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.used = MM_TEXT_COUNT_BYTES + 1;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.value[0].count[0] = 0;	/* a value no row had */
	bad.nulls[0] = 1;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.value[0].count[0] = INT64_MAX;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.nulls[1] = -1;
	bad.value[0].count[0] = 3;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.n = MM_TEXT_COUNT_VALUES + 1;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.n = -1;
	assert_false(mm_text_counts_check(&bad, 4));
	bad = good;
	bad.overflow = 2;
	assert_false(mm_text_counts_check(&bad, 4));
}

#define RAW_P 3

/*
 * A raw design of raw_p features of kinds (at most RAW_P), as a fit's first
 * read takes its rows, with labels of label_kind.
 */
static void
raw_design_of(MmPassDesign *d, void **bytes, size_t *len, int raw_p, const int32_t *kinds,
			  MmLabelKind label_kind)
{
	static const int32_t kept[RAW_P] = {0, 1, 2};
	MmPassDesign w;
	MmError		err;

	memset(&w, 0, sizeof(w));
	w.raw_p = raw_p;
	w.raw = 1;
	w.kinds = kinds;
	w.kept = kept;
	w.label_kind = label_kind;
	assert_int_equal(mm_pass_design_write(&w, bytes, len, &err), MM_OK);
	assert_int_equal(mm_pass_design_read(*bytes, *len, d, &err), MM_OK);
}

/* A raw design of a number between two text features. */
static void
raw_design(MmPassDesign *d, void **bytes, size_t *len)
{
	static const int32_t kinds[RAW_P] = {MM_FEATURE_CATEGORICAL, MM_FEATURE_NUMERIC,
	MM_FEATURE_CATEGORICAL};

	raw_design_of(d, bytes, len, RAW_P, kinds, 0);
}

/* The header of the count pass over that design, the values of texts text features counted. */
static void *
counting_header(const void *bytes, size_t len, int texts)
{
	void	   *header = malloc(mm_pass_spec_design_size(0, len));

	mm_pass_spec_write(header, 200, 0, RAW_P, MM_PASS_TARGET_NUMERIC, 0.25, mm_seed_salt(5), NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, 0, bytes, len);
	if (texts > 0)
		mm_pass_spec_count_texts(header, texts);
	return header;
}

/*
 * Offers rows [from, to): feature 0 one of names (NULL every 7th row),
 * feature 2 "k" then the row's number mod 3; some rows lack their target
 * or have an infinite number, and are counted nowhere.
 */
static void
offer_rows(MmPassStateView *v, const MmPassDesign *d, int from, int to,
		   int64_t expect[VALUES + 1][2], const void *header)
{
	double		work[2 * RAW_P + 1];
	MmError		err;
	MmPassDesignRef ref;
	int			r;

	assert_true(mm_pass_spec_ref(header, &ref));
	for (r = from; r < to; r++)
	{
		char		second[8];
		const char *text[RAW_P];
		size_t		text_len[RAW_P];
		uint64_t	text_hash[RAW_P];
		double		x[RAW_P] = {0.0, r % 61 == 0 ? INFINITY : (double) (r % 17), 0.0};
		uint8_t		isnull[RAW_P] = {r % 7 == 0, 0, 0};
		int			v0 = (r * 5) % VALUES,
					part;
		MmPassRawRow row;

		snprintf(second, sizeof(second), "k%d", r % 3);
		text[0] = names[v0];
		text_len[0] = strlen(names[v0]);
		text_hash[0] = hash_of(names[v0]);
		text[1] = NULL;
		text_len[1] = 0;
		text_hash[1] = 0;
		text[2] = second;
		text_len[2] = strlen(second);
		text_hash[2] = hash_of(second);
		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.text = text;
		row.text_len = text_len;
		row.text_hash = text_hash;
		row.target = (double) r;
		row.target_null = r % 53 == 0;
		part = mm_pass_row_part(header, &ref, d, &row, work);
		if (part >= 0 && expect != NULL)
			expect[isnull[0] ? VALUES : v0][part]++;
		assert_int_equal(mm_pass_state_offer(v, &count_pass, d, &row, work, &err), MM_OK);
	}
}

/* Every row in a part counted under its values and part; halves merged give the same. */
static void
test_state_counts(void **unused)
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
	int64_t		expect[VALUES + 1][2] = {{0}},
				got[2];
	int			i;

	raw_design(&d, &bytes, &len);
	header = counting_header(bytes, len, 2);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	size = mm_pass_state_size(header, &count_pass, &err);
	whole = malloc(size);
	mm_pass_state_init(whole, header, &count_pass);
	mm_pass_state_view(whole, &v);
	assert_int_equal(v.n_texts, 2);
	offer_rows(&v, &d, 0, ROWS, expect, header);
	mm_pass_state_finish(&v, &count_pass);
	assert_int_equal(mm_pass_state_check(whole, size, &count_pass, 1, &err), MM_OK);
	assert_int_equal(v.texts[0].n, VALUES);
	for (i = 0; i < VALUES; i++)
	{
		counts_of(&v.texts[0], names[i], got);
		assert_int_equal(got[0], expect[i][0]);
		assert_int_equal(got[1], expect[i][1]);
	}
	assert_int_equal(v.texts[0].nulls[0], expect[VALUES][0]);
	assert_int_equal(v.texts[0].nulls[1], expect[VALUES][1]);
	assert_true(expect[VALUES][0] > 0 && expect[0][1] > 0);
	/* the second text feature: three values, every row of a part */
	assert_int_equal(v.texts[1].n, 3);
	assert_int_equal(v.texts[1].value[0].count[0] + v.texts[1].value[1].count[0] +
					 v.texts[1].value[2].count[0], v.head->rows_train);
	assert_int_equal(v.texts[1].value[0].count[1] + v.texts[1].value[1].count[1] +
					 v.texts[1].value[2].count[1], v.head->rows_test);
	assert_true(v.head->rows_bad_features > 0 && v.head->rows_null_target > 0);

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
	for (i = 0; i < 2; i++)
	{
		int			k;

		assert_int_equal(h[1].texts[i].n, v.texts[i].n);
		for (k = 0; k < VALUES; k++)
		{
			int64_t		a[2],
						b[2];

			counts_of(&h[1].texts[i], names[k], a);
			counts_of(&v.texts[i], names[k], b);
			assert_memory_equal(a, b, sizeof(a));
		}
		assert_memory_equal(h[1].texts[i].nulls, v.texts[i].nulls, sizeof(v.texts[i].nulls));
	}

	/* damaged counts fail the state's check */
	h[1].texts[1].value[0].count[0]++;
	assert_int_equal(mm_pass_state_check(half[1], size, &count_pass, 1, &err), MM_ERR_CORRUPT);

	/* a state counting the first text feature alone does not merge with one counting both */
	{
		void	   *one_header = counting_header(bytes, len, 1);
		size_t		one_size = mm_pass_state_size(one_header, &count_pass, &err);
		void	   *one = malloc(one_size);
		MmPassStateView ov;

		assert_int_equal(one_size + sizeof(MmTextCounts), size);
		mm_pass_state_init(one, one_header, &count_pass);
		mm_pass_state_view(one, &ov);
		assert_int_equal(ov.n_texts, 1);
		assert_false(mm_pass_state_compatible(one, whole));
		free(one);
		free(one_header);
	}
	for (i = 0; i < 2; i++)
		free(half[i]);
	free(whole);
	free(header);

	/* more text features than the source has */
	header = counting_header(bytes, len, RAW_P + 1);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

/* A raw design of two numbers whose target is a label of label_kind. */
static void
labelled_design(MmPassDesign *d, void **bytes, size_t *len, MmLabelKind label_kind)
{
	static const int32_t kinds[2] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC};

	raw_design_of(d, bytes, len, 2, kinds, label_kind);
}

/* The header of the count pass over that design, its text labels counted. */
static void *
text_label_header(const void *bytes, size_t len, MmPassTarget target)
{
	void	   *header = malloc(mm_pass_spec_design_size(0, len));

	mm_pass_spec_write(header, 200, 0, 2, target, 0.3, mm_seed_salt(8), NULL, 0);
	mm_pass_spec_set_design(header, 2, 0, bytes, len);
	mm_pass_spec_count_text_labels(header);
	return header;
}

/*
 * A text label's rows counted per label and part, in the part
 * mm_pass_row_part gives (rows without a label or with an infinite number
 * in none); halves merged give the same; a number label's design and a
 * target that is no label are refused.
 */
static void
test_text_labels(void **unused)
{
	static const char *const labels[3] = {"no", "yes", "maybe"};
	MmPassDesign d;
	void	   *bytes,
			   *header,
			   *whole,
			   *half[2];
	size_t		len,
				size;
	MmPassStateView v,
				h[2];
	MmPassDesignRef ref;
	MmError		err;
	int64_t		expect[3][2] = {{0}},
				got[2];
	double		work[5];
	int			r,
				i;

	labelled_design(&d, &bytes, &len, MM_LABEL_TEXT);
	header = text_label_header(bytes, len, MM_PASS_TARGET_CLASS);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	assert_true(mm_pass_spec_ref(header, &ref));
	size = mm_pass_state_size(header, &count_pass, &err);
	whole = malloc(size);
	for (i = 0; i < 2; i++)
	{
		half[i] = malloc(size);
		mm_pass_state_init(half[i], header, &count_pass);
		mm_pass_state_view(half[i], &h[i]);
	}
	mm_pass_state_init(whole, header, &count_pass);
	mm_pass_state_view(whole, &v);
	assert_non_null(v.text_labels);
	assert_null(v.labels);
	for (r = 0; r < ROWS; r++)
	{
		double		x[2] = {(double) (r % 9), r % 67 == 0 ? NAN : (double) (r % 4)};
		uint8_t		isnull[2] = {0, 0};
		int			k = (r * 7) % 3,
					part;
		MmPassRawRow row;

		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.target_null = r % 31 == 0;
		row.label = labels[k];
		row.label_len = strlen(labels[k]);
		row.label_hash = hash_of(labels[k]);
		part = mm_pass_row_part(header, &ref, &d, &row, work);
		if (part >= 0)
			expect[k][part]++;
		assert_int_equal(mm_pass_state_offer(&v, &count_pass, &d, &row, work, &err), MM_OK);
		assert_int_equal(mm_pass_state_offer(&h[r < 200], &count_pass, &d, &row, work, &err), MM_OK);
	}
	mm_pass_state_finish(&v, &count_pass);
	assert_int_equal(mm_pass_state_check(whole, size, &count_pass, 1, &err), MM_OK);
	assert_int_equal(v.text_labels->n, 3);
	for (i = 0; i < 3; i++)
	{
		counts_of(v.text_labels, labels[i], got);
		assert_int_equal(got[0], expect[i][0]);
		assert_int_equal(got[1], expect[i][1]);
	}
	assert_true(v.head->rows_null_target > 0 && v.head->rows_bad_features > 0 && expect[2][1] > 0);
	assert_int_equal(mm_pass_state_merge(half[0], half[1], &count_pass, &err), MM_OK);
	mm_pass_state_finish(&h[0], &count_pass);
	assert_int_equal(mm_pass_state_check(half[0], size, &count_pass, 1, &err), MM_OK);
	assert_same_table(h[0].text_labels, v.text_labels);
	for (i = 0; i < 2; i++)
		free(half[i]);
	free(whole);
	free(header);

	/* counted for a class target alone */
	header = text_label_header(bytes, len, MM_PASS_TARGET_NUMERIC);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);

	/* a number label's rows carry no text to count */
	labelled_design(&d, &bytes, &len, MM_LABEL_NUMBER);
	header = text_label_header(bytes, len, MM_PASS_TARGET_CLASS);
	size = mm_pass_state_size(header, &count_pass, &err);
	whole = malloc(size);
	mm_pass_state_init(whole, header, &count_pass);
	mm_pass_state_view(whole, &v);
	{
		double		x[2] = {1.0, 2.0};
		uint8_t		isnull[2] = {0, 0};
		MmPassRawRow row;

		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.target = 1.0;
		assert_int_equal(mm_pass_state_offer(&v, &count_pass, &d, &row, work, &err), MM_ERR_INVALID_INPUT);
	}
	free(whole);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_and_merges),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_state_counts),
		cmocka_unit_test(test_text_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
