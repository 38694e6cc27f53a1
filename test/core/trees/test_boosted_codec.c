/*
 * test_boosted_codec.c: a boosted model through the artifact and back,
 * predicting the same; and the artifacts whose trees or record of rounds
 * are damaged, refused as corrupt before prediction could walk them.
 */
#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "boosted.h"
#include "xgb_json.h"

/* Two stumps of binary:logistic over two features; %s is the first tree's left_children. */
static const char model_json[] =
	"{\"learner\": {\"learner_model_param\": {\"base_score\": \"5E-1\", \"num_class\": \"0\","
	" \"num_feature\": \"2\"}, \"objective\": {\"name\": \"binary:logistic\"},"
	" \"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"tree_info\": [0, 0], \"trees\": ["
	"{\"left_children\": %s, \"right_children\": [2, -1, -1], \"split_indices\": [0, 0, 0],"
	" \"split_conditions\": [0.5, -1.5, 1.25], \"default_left\": [1, 0, 0],"
	" \"loss_changes\": [3.0, 0.0, 0.0], \"sum_hessian\": [10.0, 4.0, 6.0]},"
	"{\"left_children\": [1, -1, -1], \"right_children\": [2, -1, -1], \"split_indices\": [1, 0, 0],"
	" \"split_conditions\": [2.0, 0.25, -0.75], \"default_left\": [0, 0, 0],"
	" \"loss_changes\": [1.0, 0.0, 0.0], \"sum_hessian\": [10.0, 5.0, 5.0]}]}}}}";

/* A classifier of two text classes whose booster is model_json with left_children set. */
static MmModel *
boosted_model(const char *left_children, int n_rounds, int best_iteration)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	MmBoosted  *b = mm_alloc0(sizeof(MmBoosted));
	char		text[sizeof(model_json) + 64];
	MmError		err;

	snprintf(text, sizeof(text), model_json, left_children);
	m->algorithm = mm_algorithm_by_name_task("gradient_boosting", MM_TASK_CLASSIFICATION);
	m->task = MM_TASK_CLASSIFICATION;
	m->n_features = 2;
	m->n_design = 2;
	m->feature_names = mm_alloc0(sizeof(char *) * 2);
	m->feature_names[0] = mm_strdup("size");
	m->feature_names[1] = mm_strdup("age");
	m->feature_kinds = mm_alloc0(2);
	m->feature_kinds[0] = m->feature_kinds[1] = MM_FEATURE_NUMERIC;
	m->target = mm_strdup("sold");
	m->labels.n_classes = 2;
	m->labels.label_kind = MM_LABEL_TEXT;
	m->labels.classes = mm_alloc0(sizeof(char *) * 2);
	m->labels.classes[0] = mm_strdup("no");
	m->labels.classes[1] = mm_strdup("yes");
	b->json = mm_strdup(text);
	b->json_len = strlen(text);
	/* the damaged trees do not parse: the payload carries the text alone */
	b->trees = mm_xgb_parse(b->json, b->json_len, &err);
	b->n_rounds = n_rounds;
	b->best_iteration = best_iteration;
	b->best_score = best_iteration >= 0 ? 0.25 : NAN;
	m->fit = b;
	return m;
}

static void
test_round_trip(void **state)
{
	MmModel    *m = boosted_model("[1, -1, -1]", 2, -1),
			   *back;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;
	double		rows[3][2] = {{0.25, 1.0}, {0.75, 3.0}, {NAN, NAN}};
	int			i;

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_ptr_equal(back->algorithm, m->algorithm);
	assert_string_equal(back->labels.classes[1], "yes");
	for (i = 0; i < 3; i++)
	{
		double		a[2],
					b[2],
					pa[2],
					pb[2];

		m->algorithm->score(m, rows[i], a);
		back->algorithm->score(back, rows[i], b);
		assert_memory_equal(a, b, sizeof(double));
		m->algorithm->proba(m, a, pa);
		back->algorithm->proba(back, b, pb);
		assert_memory_equal(pa, pb, sizeof(pa));
	}
	/* the first row: left (-1.5) then left (0.25) from a margin of 0 */
	{
		double		s;

		m->algorithm->score(m, rows[0], &s);
		assert_true(s == (double) (-1.5f + 0.25f));
		/* a missing size goes left as the first tree's default says, a missing age right */
		m->algorithm->score(m, rows[2], &s);
		assert_true(s == (double) (-1.5f + -0.75f));
	}
	mm_free(bytes);
	mm_model_free(back);
	mm_model_free(m);
}

/* Written as it is, read back as corrupt. */
static void
refused(MmModel *m)
{
	uint8_t    *bytes;
	size_t		len;
	MmModel    *back = NULL;
	MmError		err;

	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	mm_model_free(m);
}

static void
test_damaged(void **state)
{
	/* a child that loops back to the root, one outside the tree */
	refused(boosted_model("[0, -1, -1]", 2, -1));
	refused(boosted_model("[7, -1, -1]", 2, -1));
	/* early stopping's best round past the rounds, a model of no rounds */
	refused(boosted_model("[1, -1, -1]", 2, 2));
	refused(boosted_model("[1, -1, -1]", 0, -1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
