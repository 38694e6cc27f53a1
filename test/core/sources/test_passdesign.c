/*
 * test_passdesign.c: the design a pass applies to each row (passdesign.h),
 * and rows offered through it to a pass state (passstate.h).
 *
 * A design written and read back is the same design; damaged bytes are
 * refused; a row comes out as prediction transforms it (text through its
 * categories, the kept features only).  Offered to a state, rows are split
 * as rows read into memory are (the content hash with each text value's own
 * hash in place of its code, a label's hash mixed in), the pass sees the
 * rows of its part with class indexes, and mm_pass_row_part agrees.  Rows
 * of numbers kept in place take a way of their own, with the same result;
 * over both parts, each part's rows reach its pass state in the order they
 * came.
 */
#include "testutil.h"

#include <string.h>

#include "lsq.h"
#include "passdesign.h"
#include "passstate.h"
#include "rowhash.h"

#define RAW_P 3

static char *names[] = {"a", "b", "c"};
static char *other[] = {"z"};
static char *labels[] = {"no", "yes"};
static double label_values[] = {0, 0};
static const int32_t kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_CATEGORICAL, MM_FEATURE_BOOLEAN};
static const int32_t kept[RAW_P] = {0, 1, -1};

/*
 * A design keeping a number (imputed with 0, centered on 1, scaled by 2)
 * and a one-hot text feature (a, b, c, other z), leaving out a boolean;
 * text labels no and yes.
 */
static void
make_design(MmPassDesign *d, MmFeatureTransform *t, MmCategories *c, uint8_t *kept_kinds)
{
	memset(d, 0, sizeof(*d));
	memset(c, 0, sizeof(MmCategories) * 2);
	t[0] = (MmFeatureTransform) {0.0, -INFINITY, INFINITY, 1.0, 2.0};
	t[1] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 0.0, 1.0};
	c[1].encoding = MM_ENCODE_ONEHOT;
	c[1].n = 3;
	c[1].names = names;
	c[1].n_other = 1;
	c[1].other = other;
	kept_kinds[0] = MM_FEATURE_NUMERIC;
	kept_kinds[1] = MM_FEATURE_CATEGORICAL;
	d->raw_p = RAW_P;
	d->kinds = kinds;
	d->kept = kept;
	d->shell.n_features = 2;
	d->shell.feature_kinds = kept_kinds;
	d->shell.transform = t;
	d->shell.categories = c;
	d->shell.n_design = mm_model_design_width(&d->shell);
	d->label_kind = MM_LABEL_TEXT;
	d->n_labels = 2;
	d->labels = labels;
	d->label_values = label_values;
}

/* The design of make_design as bytes, and read back from them. */
static void
design_bytes(void **bytes, size_t *len, MmPassDesign *read)
{
	MmPassDesign d;
	MmFeatureTransform t[2];
	MmCategories c[2];
	uint8_t		kept_kinds[2];
	MmError		err;

	make_design(&d, t, c, kept_kinds);
	assert_int_equal(mm_pass_design_write(&d, bytes, len, &err), MM_OK);
	assert_int_equal(*len % 8, 0);
	if (read != NULL)
		assert_int_equal(mm_pass_design_read(*bytes, *len, read, &err), MM_OK);
}

static void
test_round_trip(void **unused)
{
	void	   *bytes;
	size_t		len;
	MmPassDesign r;

	design_bytes(&bytes, &len, &r);
	assert_int_equal(r.raw_p, RAW_P);
	assert_int_equal(r.raw, 0);
	assert_int_equal(r.shell.n_features, 2);
	assert_int_equal(mm_pass_design_width(&r), 1 + 4);
	assert_int_equal(r.kept[2], -1);
	assert_true(r.shell.transform[0].scale == 2.0);
	assert_true(isnan(r.shell.transform[1].impute));
	assert_int_equal(r.shell.categories[1].n, 3);
	assert_string_equal(r.shell.categories[1].names[2], "c");
	assert_string_equal(r.shell.categories[1].other[0], "z");
	assert_int_equal(r.n_labels, 2);
	assert_int_equal(mm_pass_design_label(&r, 0, "yes", 3), 1);
	assert_int_equal(mm_pass_design_label(&r, 0, "no", 2), 0);
	assert_int_equal(mm_pass_design_label(&r, 0, "maybe", 5), -1);
	assert_true(mm_pass_design_hash(bytes, len) != mm_pass_design_hash(bytes, len - 8));
	mm_pass_design_free(&r);
	mm_free(bytes);
}

/* Damaged designs are refused, whatever was read before the damage freed. */
static void
test_damage(void **unused)
{
	void	   *bytes;
	char	   *copy;
	size_t		len,
				i;
	MmPassDesign r;
	MmError		err;

	design_bytes(&bytes, &len, NULL);
	copy = malloc(len);
	for (i = 0; i < len; i += 8)
		assert_int_equal(mm_pass_design_read(bytes, i, &r, &err), MM_ERR_CORRUPT);
	memcpy(copy, bytes, len);
	copy[0] ^= 1;				/* the magic */
	assert_int_equal(mm_pass_design_read(copy, len, &r, &err), MM_ERR_CORRUPT);
	memcpy(copy, bytes, len);
	((int32_t *) copy)[1] = 0;	/* raw_p */
	assert_int_equal(mm_pass_design_read(copy, len, &r, &err), MM_ERR_CORRUPT);
	/* whether missing values pass, neither 0 nor 1 */
	memcpy(copy, bytes, len);
	((int32_t *) copy)[8] = 2;
	assert_int_equal(mm_pass_design_read(copy, len, &r, &err), MM_ERR_CORRUPT);
	/* the kept map after the head (36 bytes, padded to 40) and the kinds: a feature kept twice */
	memcpy(copy, bytes, len);
	((int32_t *) (copy + 40 + 16))[1] = 0;
	assert_int_equal(mm_pass_design_read(copy, len, &r, &err), MM_ERR_CORRUPT);
	/* categories out of order: "b" then "a" cannot be looked up */
	memcpy(copy, bytes, len);
	for (i = 0; i + 1 < len; i++)
		if (copy[i] == 'a' && copy[i + 5] == 'b')
		{
			copy[i] = 'b';
			copy[i + 5] = 'a';
			break;
		}
	assert_int_equal(mm_pass_design_read(copy, len, &r, &err), MM_ERR_CORRUPT);
	free(copy);
	mm_free(bytes);
}

/* A raw row of the source's values, their flags and text. */
static MmPassRawRow
raw_row(const double *x, const uint8_t *isnull, const char *const *text, const size_t *text_len,
		const uint64_t *text_hash)
{
	MmPassRawRow row;

	memset(&row, 0, sizeof(row));
	row.x = x;
	row.isnull = isnull;
	row.text = text;
	row.text_len = text_len;
	row.text_hash = text_hash;
	return row;
}

/* A row as prediction encodes it: kept features only, text one-hot, NULLs imputed. */
static void
test_row(void **unused)
{
	void	   *bytes;
	size_t		len;
	MmPassDesign d;
	MmPassRawRow row;
	double		x[RAW_P] = {5.0, 0.0, 1.0},
				work[RAW_P],
				z[5];
	uint8_t		isnull[RAW_P] = {0, 0, 0};
	const char *text[RAW_P] = {NULL, "b", NULL};
	size_t		text_len[RAW_P] = {0, 1, 0};
	uint64_t	text_hash[RAW_P] = {0, 7, 0};
	MmError		err;

	design_bytes(&bytes, &len, &d);
	row = raw_row(x, isnull, text, text_len, text_hash);
	assert_int_equal(mm_pass_design_row(&d, &row, work, z, &err), MM_OK);
	assert_true(z[0] == 2.0 && z[1] == 0.0 && z[2] == 1.0 && z[3] == 0.0 && z[4] == 0.0);
	/* the other group's value; a NULL number takes the imputed 0 */
	text[1] = "z";
	isnull[0] = 1;
	assert_int_equal(mm_pass_design_row(&d, &row, work, z, &err), MM_OK);
	assert_true(z[0] == -0.5 && z[1] == 0.0 && z[2] == 0.0 && z[3] == 0.0 && z[4] == 1.0);
	/* a NULL text value is not imputed: the row is refused, blaming the source feature */
	isnull[1] = 1;
	assert_int_equal(mm_pass_design_row(&d, &row, work, z, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 1);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

/*
 * A design for an algorithm that takes missing values: a number it does not
 * impute reaches the algorithm as NaN, where another design refuses the row.
 */
static void
test_missing_taken(void **unused)
{
	MmPassDesign d,
				r;
	MmFeatureTransform t[2];
	MmCategories c[2];
	uint8_t		kept_kinds[2],
				isnull[RAW_P] = {1, 0, 0};
	void	   *bytes;
	size_t		len,
				text_len[RAW_P] = {0, 1, 0};
	MmPassRawRow row;
	double		x[RAW_P] = {0.0, 0.0, 1.0},
				work[RAW_P],
				z[5];
	const char *text[RAW_P] = {NULL, "b", NULL};
	uint64_t	text_hash[RAW_P] = {0, 7, 0};
	MmError		err;
	int			takes;

	row = raw_row(x, isnull, text, text_len, text_hash);
	for (takes = 0; takes <= 1; takes++)
	{
		make_design(&d, t, c, kept_kinds);
		t[0].impute = NAN;
		d.shell.algorithm = takes ? ALGO("random_forest") : NULL;
		assert_int_equal(mm_pass_design_write(&d, &bytes, &len, &err), MM_OK);
		assert_int_equal(mm_pass_design_read(bytes, len, &r, &err), MM_OK);
		assert_int_equal(r.shell.algorithm != NULL && r.shell.algorithm->missing_values, takes);
		if (takes)
		{
			assert_int_equal(mm_pass_design_row(&r, &row, work, z, &err), MM_OK);
			assert_true(isnan(z[0]) && z[2] == 1.0);
		}
		else
			assert_int_equal(mm_pass_design_row(&r, &row, work, z, &err), MM_ERR_INVALID_INPUT);
		mm_pass_design_free(&r);
		mm_free(bytes);
	}
}

/* The test pass: per class, the rows and the sum of the design's first column. */
static size_t
classes_size(int p, const void *arg)
{
	return sizeof(double) * 4;
}

static void
classes_init(void *state, int p, const void *arg)
{
	memset(state, 0, classes_size(p, arg));
}

static void
classes_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	size_t		r;

	assert_non_null(rows->y);
	assert_null(rows->t);
	for (r = 0; r < rows->n; r++)
	{
		s[rows->y[r]] += 1.0;
		s[2 + rows->y[r]] += rows->x[r * rows->p];
	}
}

static void
classes_merge(void *state, const void *other, int p, const void *arg)
{
	int			i;

	for (i = 0; i < 4; i++)
		((double *) state)[i] += ((const double *) other)[i];
}

static const MmPass classes_pass = {
	.name = "classes",
	.state_size = classes_size,
	.init = classes_init,
	.add = classes_add,
	.merge = classes_merge,
};

/* Rows offered through the design: split as rows read into memory are, labels as class indexes. */
/*
 * Offers 200 rows to a pass over the design's training part: the split's,
 * or with folds the fold's training rows (every fold but fold), and checks
 * the counts, the sums the pass saw and what mm_pass_row_part says.
 */
static void
check_offer(int folds, int fold)
{
	void	   *bytes,
			   *header,
			   *state;
	size_t		len,
				size;
	MmPassDesign d;
	MmPassStateView v;
	MmError		err;
	int			r,
				part,
				outside = 0,
				expected[2] = {0, 0};
	MmPassDesignRef ref;
	double		sums[2] = {0, 0},
				work[RAW_P + 1 + 5];
	double		test_size = 0.3;
	uint64_t	salt = mm_seed_salt(5),
				fingerprint = 0;

	design_bytes(&bytes, &len, &d);
	header = malloc(mm_pass_spec_design_size(0, len));
	mm_pass_spec_write(header, 200, 0, 5, MM_PASS_TARGET_CLASS, test_size, salt, NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, 0, bytes, len);
	mm_pass_spec_set_folds(header, folds, fold);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	assert_true(mm_pass_spec_ref(header, &ref));
	assert_int_equal(ref.folds, folds);
	size = mm_pass_state_size(header, &classes_pass, &err);
	assert_true(size > 0);
	state = malloc(size);
	mm_pass_state_init(state, header, &classes_pass);
	mm_pass_state_view(state, &v);
	assert_int_equal(v.counts_p, RAW_P);

	for (r = 0; r < 200; r++)
	{
		double		x[RAW_P] = {(double) (r % 13), 0.0, (double) (r % 2)},
					hashed[RAW_P + 1];
		uint8_t		isnull[RAW_P] = {0, 0, 0};
		const char *text[RAW_P] = {NULL, names[r % 3], NULL};
		size_t		text_len[RAW_P] = {0, 1, 0};
		uint64_t	text_hash[RAW_P] = {0, mm_mix64((uint64_t) (r % 3) + 1), 0};
		MmPassRawRow row;
		uint64_t	h;
		int			label = r % 5 == 0;

		row = raw_row(x, isnull, text, text_len, text_hash);
		row.label = labels[label];
		row.label_len = strlen(labels[label]);
		row.label_hash = mm_mix64(100 + (uint64_t) label);

		/* the split of dataset.c: the text's hash in its slot, 0 for the target, the label mixed in */
		hashed[0] = x[0];
		memcpy(&hashed[1], &text_hash[1], sizeof(double));
		hashed[2] = x[2];
		hashed[3] = 0.0;
		h = mm_mix64(mm_row_hash(hashed, RAW_P + 1) ^ row.label_hash);
		fingerprint += mm_mix64(h ^ MM_HASH_SPLIT);
		part = mm_draw_is_test(mm_row_draw(h, salt), test_size);
		if (folds > 0)
		{
			/* tuning's rule in memory: the split's held-out rows in no fold */
			outside += part;
			part = part ? -1 : mm_fold_of_draw(mm_row_draw(h, salt), folds) == fold;
		}
		assert_int_equal(mm_pass_row_part(header, &ref, &d, &row, work), part);
		if (part == 0)
		{
			expected[label]++;
			sums[label] += (x[0] - 1.0) / 2.0;
		}
		assert_int_equal(mm_pass_state_offer(&v, &classes_pass, &d, &row, work, &err), MM_OK);
	}
	mm_pass_state_finish(&v, &classes_pass);
	assert_int_equal(v.head->rows_seen, 200);
	assert_int_equal(v.head->rows_train, expected[0] + expected[1]);
	assert_int_equal(v.head->rows_train + v.head->rows_test + v.design->rows_outside, 200);
	assert_int_equal(v.design->rows_outside, outside);
	assert_int_equal(mm_pass_state_check(state, size, &classes_pass, 1, &err), MM_OK);
	assert_true(v.head->fingerprint == fingerprint);
	assert_true(((double *) v.pass_state)[0] == expected[0]);
	assert_true(((double *) v.pass_state)[1] == expected[1]);
	assert_true(((double *) v.pass_state)[2] == sums[0]);
	assert_true(((double *) v.pass_state)[3] == sums[1]);

	/* with folds, a held-out row's label need not be listed: the row is outside the folds */
	if (folds > 0)
	{
		int64_t		before = v.design->rows_outside;
		double		x[RAW_P] = {0, 0, 0},
					hashed[RAW_P + 1] = {0, 0, 0, 0};
		uint8_t		isnull[RAW_P] = {0, 0, 0};
		const char *text[RAW_P] = {NULL, names[0], NULL};
		size_t		text_len[RAW_P] = {0, 1, 0};
		uint64_t	text_hash[RAW_P] = {0, mm_mix64(1), 0};
		MmPassRawRow row;
		uint64_t	label_hash = mm_mix64(999);

		row = raw_row(x, isnull, text, text_len, text_hash);
		memcpy(&hashed[1], &text_hash[1], sizeof(double));
		row.label = "maybe";
		row.label_len = 5;
		row.label_hash = label_hash;
		/* the first value of x0 whose row the split holds out */
		for (x[0] = 0;; x[0] += 1)
		{
			hashed[0] = x[0];
			if (mm_draw_is_test(mm_row_draw(mm_mix64(mm_row_hash(hashed, RAW_P + 1) ^ label_hash), salt),
								test_size))
				break;
		}
		assert_int_equal(mm_pass_state_offer(&v, &classes_pass, &d, &row, work, &err), MM_OK);
		assert_int_equal(v.design->rows_outside, before + 1);
		/* the next held in the folds is refused */
		for (x[0] += 1;; x[0] += 1)
		{
			hashed[0] = x[0];
			if (!mm_draw_is_test(mm_row_draw(mm_mix64(mm_row_hash(hashed, RAW_P + 1) ^ label_hash), salt),
								 test_size))
				break;
		}
		assert_int_equal(mm_pass_state_offer(&v, &classes_pass, &d, &row, work, &err),
						 MM_ERR_INVALID_INPUT);
	}

	/* a label the design does not list fails the row */
	if (folds == 0)
	{
		MmPassRawRow row;
		double		x[RAW_P] = {1, 0, 0};
		uint8_t		isnull[RAW_P] = {0, 1, 0};

		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.label = "maybe";
		row.label_len = 5;
		assert_int_equal(mm_pass_state_offer(&v, &classes_pass, &d, &row, work, &err),
						 MM_ERR_INVALID_INPUT);
	}
	free(state);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

static void
test_offer(void **unused)
{
	check_offer(0, 0);
}

/* Each fold's passes see the training rows of the other folds; the held-out rows are in none. */
static void
test_offer_folds(void **unused)
{
	int			fold;

	for (fold = 0; fold < 3; fold++)
		check_offer(3, fold);
}

/* A header whose fold is not one of its folds is refused. */
static void
test_folds_damage(void **unused)
{
	void	   *bytes,
			   *header;
	size_t		len;
	MmPassDesign d;
	MmError		err;

	design_bytes(&bytes, &len, &d);
	header = malloc(mm_pass_spec_design_size(0, len));
	mm_pass_spec_write(header, 200, 0, 5, MM_PASS_TARGET_CLASS, 0.3, mm_seed_salt(5), NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, 0, bytes, len);
	mm_pass_spec_set_folds(header, 3, 3);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	mm_pass_spec_set_folds(header, 1, 0);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_ERR_CORRUPT);
	mm_pass_spec_set_folds(header, 5, 4);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	free(header);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

/*
 * A state of pass over design bytes of raw_p features, p design columns and
 * target, split by seed's salt, seeing part (0, 1 or both).
 */
static void *
design_state(const void *bytes, size_t len, int p, MmPassTarget target, int seed, int part,
			 const MmPass *pass, size_t *size)
{
	void	   *header = malloc(mm_pass_spec_design_size(0, len)),
			   *state;
	MmError		err;

	mm_pass_spec_write(header, 200, 0, p, target, 0.3, mm_seed_salt(seed), NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, part, bytes, len);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	*size = mm_pass_state_size(header, pass, &err);
	assert_true(*size > 0);
	state = malloc(*size);
	mm_pass_state_init(state, header, pass);
	free(header);
	return state;
}

/* A state of the classes pass over design bytes, seeing part (0, 1 or both). */
static void *
part_state(const void *bytes, size_t len, int part, size_t *size)
{
	return design_state(bytes, len, 5, MM_PASS_TARGET_CLASS, 5, part, &classes_pass, size);
}

/* Offers rows [from, to) of the test rows through d. */
static void
offer_rows(void *state, const MmPassDesign *d, int from, int to)
{
	MmPassStateView v;
	double		work[RAW_P + 1 + 5];
	MmError		err;
	int			r;

	mm_pass_state_view(state, &v);
	for (r = from; r < to; r++)
	{
		double		x[RAW_P] = {(double) (r % 13), 0.0, (double) (r % 2)};
		uint8_t		isnull[RAW_P] = {0, 0, 0};
		const char *text[RAW_P] = {NULL, names[r % 3], NULL};
		size_t		text_len[RAW_P] = {0, 1, 0};
		uint64_t	text_hash[RAW_P] = {0, mm_mix64((uint64_t) (r % 3) + 1), 0};
		MmPassRawRow row;
		int			label = r % 5 == 0;

		row = raw_row(x, isnull, text, text_len, text_hash);
		row.label = labels[label];
		row.label_len = strlen(labels[label]);
		row.label_hash = mm_mix64(100 + (uint64_t) label);
		assert_int_equal(mm_pass_state_offer(&v, &classes_pass, d, &row, work, &err), MM_OK);
	}
}

/*
 * A design over both parts keeps a pass state per part, each what a state
 * over that part alone holds, also when states holding waiting rows of
 * different parts merge; the counts are the same as either's.
 */
static void
test_offer_both_parts(void **unused)
{
	void	   *bytes,
			   *one[2],
			   *both,
			   *half;
	size_t		len,
				size[2],
				both_size,
				half_size;
	MmPassDesign d;
	MmPassStateView v,
				w;
	MmError		err;
	int			part;

	design_bytes(&bytes, &len, &d);
	for (part = 0; part < 2; part++)
	{
		one[part] = part_state(bytes, len, part, &size[part]);
		offer_rows(one[part], &d, 0, 300);
		mm_pass_state_view(one[part], &v);
		mm_pass_state_finish(&v, &classes_pass);
		assert_null(v.pass_state_test);
	}
	both = part_state(bytes, len, MM_PASS_PARTS_BOTH, &both_size);
	assert_true(both_size > size[0]);
	half = part_state(bytes, len, MM_PASS_PARTS_BOTH, &half_size);
	/* stopping at a row of either part leaves rows of both waiting in the two states */
	offer_rows(both, &d, 0, 137);
	offer_rows(half, &d, 137, 300);
	assert_int_equal(mm_pass_state_check(both, both_size, &classes_pass, 1, &err), MM_OK);
	assert_int_equal(mm_pass_state_check(half, half_size, &classes_pass, 1, &err), MM_OK);
	assert_int_equal(mm_pass_state_merge(both, half, &classes_pass, &err), MM_OK);
	mm_pass_state_view(both, &w);
	mm_pass_state_finish(&w, &classes_pass);
	assert_int_equal(mm_pass_state_check(both, both_size, &classes_pass, 1, &err), MM_OK);

	mm_pass_state_view(one[0], &v);
	assert_int_equal(w.head->rows_seen, 300);
	assert_int_equal(w.head->rows_train, v.head->rows_train);
	assert_int_equal(w.head->rows_test, v.head->rows_test);
	assert_true(w.head->fingerprint == v.head->fingerprint);
	assert_memory_equal(w.pass_state, v.pass_state, classes_size(5, NULL));
	mm_pass_state_view(one[1], &v);
	assert_memory_equal(w.pass_state_test, v.pass_state, classes_size(5, NULL));
	assert_true(((double *) w.pass_state_test)[0] + ((double *) w.pass_state_test)[1] ==
				(double) w.head->rows_test);

	/* a state over both parts does not merge with one over a part */
	assert_int_equal(mm_pass_state_merge(one[0], both, &classes_pass, &err), MM_ERR_CORRUPT);
	free(one[0]);
	free(one[1]);
	free(both);
	free(half);
	mm_pass_design_free(&d);
	mm_free(bytes);
}

/*
 * A pass summing the target and each column of the rows it sees, and
 * counting them; its last slot hashes the targets in the order they came.
 */
static size_t
sums_size(int p, const void *arg)
{
	return sizeof(double) * (3 + (size_t) p);
}

static void
sums_init(void *state, int p, const void *arg)
{
	memset(state, 0, sums_size(p, arg));
}

static void
sums_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	uint64_t	order,
				bits;
	size_t		r;
	int			j;

	assert_non_null(rows->t);
	memcpy(&order, &s[2 + rows->p], sizeof(order));
	for (r = 0; r < rows->n; r++)
	{
		s[0] += 1.0;
		s[1] += rows->t[r];
		for (j = 0; j < rows->p; j++)
			s[2 + j] += rows->x[r * rows->p + j];
		memcpy(&bits, &rows->t[r], sizeof(bits));
		order = mm_mix64(order ^ bits);
	}
	memcpy(&s[2 + rows->p], &order, sizeof(order));
}

static void
sums_merge(void *state, const void *other, int p, const void *arg)
{
	uint64_t	a,
				b;
	int			i;

	for (i = 0; i < 2 + p; i++)
		((double *) state)[i] += ((const double *) other)[i];
	memcpy(&a, (double *) state + 2 + p, sizeof(a));
	memcpy(&b, (const double *) other + 2 + p, sizeof(b));
	a = mm_mix64(a ^ b);
	memcpy((double *) state + 2 + p, &a, sizeof(a));
}

static const MmPass sums_pass = {
	.name = "sums",
	.state_size = sums_size,
	.init = sums_init,
	.add = sums_add,
	.merge = sums_merge,
};

/* A state of the sums pass over design bytes of RAW_P numbers, seeing part. */
static void *
numbers_state(const void *bytes, size_t len, int part, size_t *size)
{
	return design_state(bytes, len, RAW_P, MM_PASS_TARGET_NUMERIC, 9, part, &sums_pass, size);
}

/*
 * Rows offered to a pass over part of the split (or both) through a design
 * of numbers kept in place: the same state whether they take the way
 * without a branch per value (numbers_in_place) or the general one, NULLs,
 * infinities and values the transform cannot scale included.  Over both
 * parts, each part's pass state is the very state of a pass over that part
 * alone: the same rows, in the same order.
 */
static void
check_numbers_in_place(int part)
{
	static const int32_t nkinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC, MM_FEATURE_BOOLEAN};
	static const int32_t nkept[RAW_P] = {0, 1, 2};
	uint8_t		kept_kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC, MM_FEATURE_BOOLEAN};
	MmFeatureTransform t[RAW_P] = {
		{0.5, -3.0, 4.0, 1.0, 3.0},
		{NAN, -INFINITY, INFINITY, -2.0, 1e-300},
		{0.0, -INFINITY, INFINITY, 0.25, 0.5},
	};
	MmPassDesign w,
				fast,
				general;
	void	   *bytes,
			   *states[4];
	size_t		len,
				size,
				alone_size;
	MmPassStateView v[4];
	MmError		err;
	double		work[2 * RAW_P + 1];
	int			r,
				k;

	memset(&w, 0, sizeof(w));
	w.raw_p = RAW_P;
	w.kinds = nkinds;
	w.kept = nkept;
	w.shell.n_features = RAW_P;
	w.shell.feature_kinds = kept_kinds;
	w.shell.transform = t;
	w.shell.n_design = RAW_P;
	assert_int_equal(mm_pass_design_write(&w, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_pass_design_read(bytes, len, &fast, &err), MM_OK);
	assert_int_equal(mm_pass_design_read(bytes, len, &general, &err), MM_OK);
	assert_true(fast.numbers_in_place);
	general.numbers_in_place = 0;

	/* the fast and the general way over part; over both, a pass over each part alone too */
	for (k = 0; k < 4; k++)
	{
		states[k] = k < 2 ? numbers_state(bytes, len, part, &size) :
			part == MM_PASS_PARTS_BOTH ? numbers_state(bytes, len, k - 2, &alone_size) : NULL;
		if (states[k] != NULL)
			mm_pass_state_view(states[k], &v[k]);
	}

	for (r = 0; r < 500; r++)
	{
		double		x[RAW_P] = {(double) (r % 11) - 5.0, r % 29 == 0 ? 1e10 : (double) (r % 7) / 8.0,
		(double) (r % 2)};
		uint8_t		isnull[RAW_P] = {r % 23 == 0, r % 31 == 0, 0};
		MmPassRawRow row;

		if (r % 37 == 0)
			x[2] = INFINITY;
		memset(&row, 0, sizeof(row));
		row.x = x;
		row.isnull = isnull;
		row.target = (double) r / 10.0;
		if (!isnull[0] && !isnull[1] && isfinite(x[2]))
		{
			double		z_fast[RAW_P],
						z_general[RAW_P];
			int			ok = mm_pass_design_numbers(&fast, x, z_fast);

			assert_int_equal(ok, mm_pass_design_row(&general, &row, work, z_general, &err) == MM_OK);
			if (ok)
				assert_memory_equal(z_fast, z_general, sizeof(z_fast));
		}
		assert_int_equal(mm_pass_state_offer(&v[0], &sums_pass, &fast, &row, work, &err), MM_OK);
		assert_int_equal(mm_pass_state_offer(&v[1], &sums_pass, &general, &row, work, &err), MM_OK);
		for (k = 2; k < 4 && states[k] != NULL; k++)
			assert_int_equal(mm_pass_state_offer(&v[k], &sums_pass, &fast, &row, work, &err), MM_OK);
	}
	for (k = 0; k < 4 && states[k] != NULL; k++)
	{
		mm_pass_state_finish(&v[k], &sums_pass);
		assert_int_equal(mm_pass_state_check(states[k], k < 2 ? size : alone_size, &sums_pass, 1,
											 &err), MM_OK);
	}
	assert_int_equal(v[0].head->rows_seen, 500);
	assert_true(v[0].head->rows_test > 0 && v[0].head->rows_train > v[0].head->rows_test);
	assert_true(v[0].design->rows_untransformed > 0);
	assert_int_equal(v[0].design->untransformed_feature, 1);
	assert_int_equal(v[0].head->rows_train, v[1].head->rows_train);
	assert_int_equal(v[0].head->rows_test, v[1].head->rows_test);
	assert_int_equal(v[0].head->rows_bad_features, v[1].head->rows_bad_features);
	assert_true(v[0].head->fingerprint == v[1].head->fingerprint);
	assert_int_equal(v[0].design->rows_untransformed, v[1].design->rows_untransformed);
	assert_int_equal(v[0].design->untransformed_feature, v[1].design->untransformed_feature);
	assert_memory_equal(v[0].null_count, v[1].null_count, sizeof(int64_t) * RAW_P);
	assert_memory_equal(v[0].nonfinite_count, v[1].nonfinite_count, sizeof(int64_t) * (RAW_P + 1));
	assert_memory_equal(v[0].pass_state, v[1].pass_state, sums_size(RAW_P, NULL));
	if (part == MM_PASS_PARTS_BOTH)
	{
		assert_memory_equal(v[0].pass_state_test, v[1].pass_state_test, sums_size(RAW_P, NULL));
		assert_memory_equal(v[0].pass_state, v[2].pass_state, sums_size(RAW_P, NULL));
		assert_memory_equal(v[0].pass_state_test, v[3].pass_state, sums_size(RAW_P, NULL));
		assert_true(((double *) v[0].pass_state)[0] + ((double *) v[0].pass_state_test)[0] ==
					(double) (v[0].head->rows_train + v[0].head->rows_test) -
					(double) v[0].design->rows_untransformed);
	}
	else
		assert_true(((double *) v[0].pass_state)[0] ==
					(double) (part == 0 ? v[0].head->rows_train : v[0].head->rows_test) -
					(double) v[0].design->rows_untransformed);

	/* a design with text is not numbers in place */
	{
		MmPassDesign text;
		void	   *text_bytes;
		size_t		text_len;

		design_bytes(&text_bytes, &text_len, &text);
		assert_false(text.numbers_in_place);
		mm_pass_design_free(&text);
		mm_free(text_bytes);
	}
	for (k = 0; k < 4; k++)
		free(states[k]);
	mm_pass_design_free(&fast);
	mm_pass_design_free(&general);
	mm_free(bytes);
}

static void
test_numbers_in_place(void **unused)
{
	check_numbers_in_place(0);
	check_numbers_in_place(1);
	check_numbers_in_place(MM_PASS_PARTS_BOTH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_missing_taken),
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_offer_folds),
		cmocka_unit_test(test_folds_damage),
		cmocka_unit_test(test_offer_both_parts),
		cmocka_unit_test(test_numbers_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
