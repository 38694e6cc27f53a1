/*
 * test_evaldesign.c: rows offered to a pass the way mm_evaluate in passes
 * offers them: through the design of a fitted model (its transform, its
 * classes as the labels, number labels by their values) and no split.
 *
 * Every usable row reaches the pass as its class index in the model's
 * order; rows whose target is NULL or not finite, and rows with a feature
 * that is not finite, are counted for the caller's errors and passed over;
 * a label that is none of the classes fails the row, which is how
 * evaluation learns that the relation holds a class the model lacks.
 */
#include "testutil.h"

#include <string.h>

#include "passdesign.h"
#include "passstate.h"
#include "rowhash.h"

#define RAW_P 2
#define K 3

static char *classes[K] = {"-2", "0", "5"};
static double class_values[K] = {-2.0, 0.0, 5.0};
static const int32_t kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC};
static const int32_t kept[RAW_P] = {0, 1};
static uint8_t model_kinds[RAW_P] = {MM_FEATURE_NUMERIC, MM_FEATURE_NUMERIC};

/* The pass: per class, its rows and the sum of the design's first column. */
static size_t
per_class_size(int p, const void *arg)
{
	return sizeof(double) * 2 * K;
}

static void
per_class_init(void *state, int p, const void *arg)
{
	memset(state, 0, per_class_size(p, arg));
}

static void
per_class_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	size_t		r;

	for (r = 0; r < rows->n; r++)
	{
		s[rows->y[r]] += 1.0;
		s[K + rows->y[r]] += rows->x[r * rows->p];
	}
}

static void
per_class_merge(void *state, const void *other, int p, const void *arg)
{
	int			i;

	for (i = 0; i < 2 * K; i++)
		((double *) state)[i] += ((const double *) other)[i];
}

static const MmPass per_class_pass = {
	.name = "per_class",
	.state_size = per_class_size,
	.init = per_class_init,
	.add = per_class_add,
	.merge = per_class_merge,
};

/* Offers one row of features x0 and x1 with target label, or a NULL target when is_null. */
static MmErrorCode
offer(MmPassStateView *v, const MmPassDesign *d, double label, int is_null, double x0, double x1,
	  double *work, MmError *err)
{
	double		x[RAW_P] = {x0, x1};
	uint8_t		isnull[RAW_P] = {0, 0};
	MmPassRawRow row;

	memset(&row, 0, sizeof(row));
	row.x = x;
	row.isnull = isnull;
	row.target = label;
	row.target_null = is_null;
	return mm_pass_state_offer(v, &per_class_pass, d, &row, work, err);
}

static void
test_model_classes_no_split(void **unused)
{
	MmPassDesign d;
	MmFeatureTransform t[RAW_P];
	void	   *bytes,
			   *header,
			   *state;
	size_t		len,
				size;
	MmPassDesign read;
	MmPassStateView v;
	MmError		err;
	double		work[RAW_P + 1 + RAW_P],
				expected[2 * K] = {0};
	int			r;

	/* the model's transform: the first feature centered on 1 and halved, the second as it is */
	t[0] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 1.0, 2.0};
	t[1] = (MmFeatureTransform) {0.0, -INFINITY, INFINITY, 0.0, 1.0};
	memset(&d, 0, sizeof(d));
	d.raw_p = RAW_P;
	d.kinds = kinds;
	d.kept = kept;
	d.shell.n_features = RAW_P;
	d.shell.feature_kinds = model_kinds;
	d.shell.transform = t;
	d.shell.n_design = mm_model_design_width(&d.shell);
	d.label_kind = MM_LABEL_NUMBER;
	d.n_labels = K;
	d.labels = classes;
	d.label_values = class_values;
	assert_int_equal(mm_pass_design_write(&d, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_pass_design_read(bytes, len, &read, &err), MM_OK);

	/* no split: test_size 0 */
	header = malloc(mm_pass_spec_design_size(0, len));
	mm_pass_spec_write(header, 200, 0, RAW_P, MM_PASS_TARGET_CLASS, 0.0, mm_seed_salt(0), NULL, 0);
	mm_pass_spec_set_design(header, RAW_P, 0, bytes, len);
	assert_int_equal(mm_pass_spec_check(header, mm_pass_spec_design_size(0, len), &err), MM_OK);
	size = mm_pass_state_size(header, &per_class_pass, &err);
	state = malloc(size);
	mm_pass_state_init(state, header, &per_class_pass);
	mm_pass_state_view(state, &v);

	for (r = 0; r < 300; r++)
	{
		int			k = r % K;

		assert_int_equal(offer(&v, &read, class_values[k], 0, (double) r, 1.0, work, &err), MM_OK);
		expected[k] += 1.0;
		expected[K + k] += ((double) r - 1.0) / 2.0;
	}
	/* a NULL target, a NaN target, an infinite feature: counted, passed over */
	assert_int_equal(offer(&v, &read, 0.0, 1, 1.0, 1.0, work, &err), MM_OK);
	assert_int_equal(offer(&v, &read, NAN, 0, 1.0, 1.0, work, &err), MM_OK);
	assert_int_equal(offer(&v, &read, 5.0, 0, INFINITY, 1.0, work, &err), MM_OK);
	mm_pass_state_finish(&v, &per_class_pass);
	assert_int_equal(v.head->rows_seen, 303);
	assert_int_equal(v.head->rows_null_target, 1);
	assert_int_equal(v.head->rows_bad_target, 1);
	assert_int_equal(v.nonfinite_count[RAW_P], 1);
	assert_int_equal(v.head->rows_bad_features, 1);
	assert_int_equal(v.nonfinite_count[0], 1);
	/* every usable row in the one part the passes of an evaluation see */
	assert_int_equal(v.head->rows_train, 300);
	assert_int_equal(v.head->rows_test, 0);
	for (r = 0; r < 2 * K; r++)
		assert_true(((double *) v.pass_state)[r] == expected[r]);

	/* a label that is none of the model's classes fails the row */
	assert_int_equal(offer(&v, &read, 1.0, 0, 1.0, 1.0, work, &err), MM_ERR_INVALID_INPUT);
	free(state);
	free(header);
	mm_pass_design_free(&read);
	mm_free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_classes_no_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
