/*
 * test_artifact_sections.c: the optional sections of an artifact
 * (artifact_sections.c), with the parts of dates as the first, and the same
 * model through the export document and the scorer.
 */
#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "artifact_sections.h"
#include "datepart.h"
#include "document.h"
#include "scorer.h"

/* price = 100 + 10 sold_on.month + 2 area, with sold_on.month imputed to 6. */
static MmModel *
dated_model(int with_dates)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));

	m->algorithm = ALGO("linear_regression");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_REGRESSION;
	m->n_features = 2;
	m->feature_names = mm_alloc0(sizeof(char *) * 2);
	m->feature_kinds = mm_alloc0(2);
	m->feature_names[0] = mm_strdup(with_dates ? "sold_on.month" : "month");
	m->feature_names[1] = mm_strdup("area");
	m->feature_kinds[0] = with_dates ? MM_FEATURE_DATE_PART : MM_FEATURE_NUMERIC;
	m->feature_kinds[1] = MM_FEATURE_NUMERIC;
	if (with_dates)
	{
		m->date_parts = mm_alloc0(2);
		m->date_parts[0] = MM_PART_MONTH;
	}
	m->target = mm_strdup("price");
	m->transform = mm_alloc0(sizeof(MmFeatureTransform) * 2);
	m->transform[0] = (MmFeatureTransform) {6.0, -INFINITY, INFINITY, 0.0, 1.0};
	m->transform[1] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 0.0, 1.0};
	m->n_design = mm_model_design_width(m);
	LIN(m)->fit_intercept = 1;
	LIN(m)->intercept = 100.0;
	LIN(m)->coef = mm_alloc(sizeof(double) * 2);
	LIN(m)->coef[0] = 10.0;
	LIN(m)->coef[1] = 2.0;
	LIN(m)->std_err = mm_alloc(sizeof(double) * 3);
	LIN(m)->stat = mm_alloc(sizeof(double) * 3);
	LIN(m)->p_value = mm_alloc(sizeof(double) * 3);
	for (int i = 0; i < 3; i++)
		LIN(m)->std_err[i] = LIN(m)->stat[i] = LIN(m)->p_value[i] = NAN;
	LIN(m)->rank = 2;
	LIN(m)->df_resid = 10;
	return m;
}

static void
test_round_trip(void **state)
{
	MmModel    *m = dated_model(1),
			   *back;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	MmError		err;

	(void) state;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	/* only a model with dates carries format 3 */
	assert_int_equal(bytes[4] | bytes[5] << 8, MM_ARTIFACT_FORMAT_SECTIONS);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(back->feature_kinds[0], MM_FEATURE_DATE_PART);
	assert_non_null(back->date_parts);
	assert_int_equal(back->date_parts[0], MM_PART_MONTH);
	assert_int_equal(back->date_parts[1], 0);
	assert_int_equal(mm_feature_column_length(back, 0), strlen("sold_on"));
	assert_int_equal(mm_feature_column_length(back, 1), strlen("area"));
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	mm_free(bytes);
	mm_free(again);
	mm_model_free(back);
	mm_model_free(m);

	/* and a model without them keeps format 2 */
	m = dated_model(0);
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(bytes[4] | bytes[5] << 8, MM_ARTIFACT_FORMAT);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_null(back->date_parts);
	mm_free(bytes);
	mm_model_free(back);
	mm_model_free(m);
}

static void
test_malformed(void **state)
{
	MmModel    *m = dated_model(1),
			   *back;
	uint8_t    *bytes;
	size_t		len;
	MmError		err;

	(void) state;
	/* a date part without its part: written as format 2, which has no such kind */
	mm_free(m->date_parts);
	m->date_parts = NULL;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	/* a part for a number, or a part no build knows */
	m->date_parts = mm_alloc0(2);
	m->date_parts[0] = MM_PART_MONTH;
	m->date_parts[1] = MM_PART_YEAR;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	m->date_parts[1] = 0;
	m->date_parts[0] = MM_PART_LAST + 1;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	assert_non_null(strstr(err.message, "sections"));
	mm_free(bytes);
	mm_model_free(m);
}

static void
test_document_and_scorer(void **state)
{
	MmModel    *m = dated_model(1),
			   *back;
	char	   *doc,
			   *plain;
	MmDocumentExtras extras;
	MmScorer   *s;
	MmError		err;

	(void) state;
	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	assert_non_null(strstr(doc, "{\"name\": \"sold_on.month\", \"kind\": \"date_part\", \"part\": \"month\"}"));
	assert_int_equal(mm_document_read(doc, strlen(doc), &back, &extras, &err), MM_OK);
	assert_int_equal(back->feature_kinds[0], MM_FEATURE_DATE_PART);
	assert_int_equal(back->date_parts[0], MM_PART_MONTH);
	mm_model_free(back);

	/* the scorer reads the column's text as PostgreSQL prints it */
	assert_int_equal(mm_scorer_load(doc, strlen(doc), &s, &err), MM_OK);
	assert_int_equal(mm_scorer_set_field(s, 0, "2024-03-15", 10, &err), MM_OK);
	mm_scorer_set_number(s, 1, 5.0);
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == 100.0 + 10.0 * 3.0 + 2.0 * 5.0);
	/* in UTC: 23:30 on the last of May at -05 is the first of June */
	assert_int_equal(mm_scorer_set_field(s, 0, "2024-05-31 23:30:00-05", 22, &err), MM_OK);
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == 100.0 + 10.0 * 6.0 + 2.0 * 5.0);
	mm_scorer_set_missing(s, 0);
	assert_int_equal(mm_scorer_run(s, &err), MM_OK);
	assert_true(mm_scorer_value(s) == 100.0 + 10.0 * 6.0 + 2.0 * 5.0);
	assert_int_equal(mm_scorer_set_field(s, 0, "infinity", 8, &err), MM_OK);
	assert_int_equal(mm_scorer_run(s, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "NaN or infinite"));
	assert_int_equal(mm_scorer_set_field(s, 0, "15/03/2024", 10, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "is not a date or timestamp"));
	mm_scorer_free(s);

	/* a part key on a number, or a date part without one, is refused */
	plain = mm_alloc(strlen(doc) + 1);
	strcpy(plain, doc);
	memcpy(strstr(plain, "\"date_part\""), "\"numeric\"  ", 11);
	assert_int_equal(mm_document_read(plain, strlen(plain), &back, &extras, &err), MM_ERR_INVALID_INPUT);
	strcpy(plain, doc);
	memcpy(strstr(plain, "\"month\"}"), "\"week\" }", 8);
	assert_int_equal(mm_document_read(plain, strlen(plain), &back, &extras, &err), MM_ERR_INVALID_INPUT);
	mm_free(plain);
	mm_free(doc);
	mm_model_free(m);

	/* without dates the document has no part key */
	m = dated_model(0);
	assert_int_equal(mm_document_write(m, NULL, &doc, &err), MM_OK);
	assert_null(strstr(doc, "\"part\""));
	mm_free(doc);
	mm_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_document_and_scorer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
