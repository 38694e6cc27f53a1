/*
 * scorer.c: one row at a time through an exported model (see scorer.h).
 *
 * The row becomes raw values exactly as the server's prediction reads a
 * table row (predict.c): numbers as they are, booleans as 0 and 1, text as
 * its category code, missing as NaN; then the same core functions run.
 */
#include "scorer.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "datepart.h"
#include "document.h"

struct MmScorer
{
	MmModel    *model;
	double	   *x;				/* raw row, a value per feature */
	double	   *z;				/* the row after preprocessing */
	double	   *scores;			/* the row's scores (model.h), or a classifier's probabilities */
	char	  **types;			/* SQL type of each feature, or NULL */
	unsigned char *single;		/* the type is real: parse in single precision */
	unsigned char *padded;		/* the type is character(n): trailing blanks do not count */
	int			bad_feature;	/* a non-finite number was set here, or -1 */
};

MmErrorCode
mm_scorer_load(const char *text, size_t len, MmScorer **scorer, MmError *err)
{
	MmScorer   *s;
	MmDocumentExtras extras;
	MmErrorCode rc;
	int			rows,
				failed,
				j;

	*scorer = NULL;
	s = mm_alloc0(sizeof(MmScorer));
	if (s == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory loading a model");
	rc = mm_document_read(text, len, &s->model, &extras, err);
	if (rc != MM_OK)
	{
		mm_free(s);
		return rc;
	}
	/* the scores, and in their place a classifier's probabilities */
	rows = mm_model_n_scores(s->model);
	if (rows < s->model->labels.n_classes)
		rows = s->model->labels.n_classes;
	if (rows < 1)
		rows = 1;
	s->x = mm_alloc(sizeof(double) * (size_t) s->model->n_features);
	s->z = mm_alloc(sizeof(double) * (size_t) s->model->n_design);
	s->scores = mm_alloc(sizeof(double) * (size_t) rows);
	s->types = mm_alloc0(sizeof(char *) * (size_t) s->model->n_features);
	s->single = mm_alloc0((size_t) s->model->n_features);
	s->padded = mm_alloc0((size_t) s->model->n_features);
	failed = s->x == NULL || s->z == NULL || s->scores == NULL || s->types == NULL ||
		s->single == NULL || s->padded == NULL;
	if (!failed && extras.feature_types != NULL)
	{
		/* the reader has checked it holds a type name per feature */
		json_t	   *types = json_loads(extras.feature_types, 0, NULL);

		failed = types == NULL;
		for (j = 0; !failed && j < s->model->n_features; j++)
		{
			const char *type = json_string_value(json_array_get(types, j));

			if ((s->types[j] = mm_strdup(type)) == NULL)
				failed = 1;
			s->single[j] = strcmp(type, "real") == 0;
			s->padded[j] = strncmp(type, "character(", 10) == 0 || strcmp(type, "character") == 0 ||
				strcmp(type, "bpchar") == 0;
		}
		json_decref(types);
	}
	mm_document_free_extras(&extras);
	if (failed)
	{
		mm_scorer_free(s);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory loading a model");
	}
	for (j = 0; j < s->model->n_features; j++)
		s->x[j] = NAN;
	s->bad_feature = -1;
	*scorer = s;
	return MM_OK;
}

void
mm_scorer_free(MmScorer *s)
{
	if (s == NULL)
		return;
	mm_free(s->x);
	mm_free(s->z);
	mm_free(s->scores);
	if (s->types)
	{
		int			j;

		for (j = 0; j < s->model->n_features; j++)
			mm_free(s->types[j]);
		mm_free(s->types);
	}
	mm_free(s->single);
	mm_free(s->padded);
	if (s->model)
		mm_model_free(s->model);
	mm_free(s);
}

const MmModel *
mm_scorer_model(const MmScorer *s)
{
	return s->model;
}

int
mm_scorer_feature(const MmScorer *s, const char *name)
{
	int			j;

	for (j = 0; j < s->model->n_features; j++)
		if (strcmp(s->model->feature_names[j], name) == 0)
			return j;
	return -1;
}

const char *
mm_scorer_feature_type(const MmScorer *s, int j)
{
	return s->types[j];
}

/* A boolean as boolin reads it: 1, 0, or -1 for neither. */
static int
parse_boolean(const char *text, size_t len)
{
	static const char *const yes[] = {"t", "true", "y", "yes", "on", "1"};
	static const char *const no[] = {"f", "false", "n", "no", "off", "0"};
	size_t		i;

	while (len > 0 && isspace((unsigned char) *text))
		text++, len--;
	while (len > 0 && isspace((unsigned char) text[len - 1]))
		len--;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
	{
		if (strlen(yes[i]) == len && strncasecmp(text, yes[i], len) == 0)
			return 1;
		if (strlen(no[i]) == len && strncasecmp(text, no[i], len) == 0)
			return 0;
	}
	return -1;
}

MmErrorCode
mm_scorer_set_field(MmScorer *s, int j, const char *text, size_t len, MmError *err)
{
	const MmModel *m = s->model;

	switch (m->feature_kinds[j])
	{
		case MM_FEATURE_CATEGORICAL:
			/* character(n) compares without its padding, as a cast to text does */
			if (s->padded[j])
				while (len > 0 && text[len - 1] == ' ')
					len--;
			mm_scorer_set_text(s, j, text, len);
			return MM_OK;
		case MM_FEATURE_BOOLEAN:
			{
				int			b = parse_boolean(text, len);

				if (b < 0)
					return mm_fail(err, MM_ERR_INVALID_INPUT, j, "feature \"%s\": \"%.40s\" is not a boolean",
								   m->feature_names[j], text);
				s->x[j] = (double) b;
				return MM_OK;
			}
		case MM_FEATURE_DATE_PART:
			{
				double		epoch;

				/* the column's text, as PostgreSQL prints a date or timestamp */
				if (!mm_parse_datetime(text, len, &epoch))
					return mm_fail(err, MM_ERR_INVALID_INPUT, j,
								   "feature \"%s\": \"%.40s\" is not a date or timestamp",
								   m->feature_names[j], text);
				mm_scorer_set_number(s, j, mm_date_part(epoch, m->date_parts[j]));
				return MM_OK;
			}
		default:
			{
				char	   *end;
				double		v;

				errno = 0;
				if (s->single[j])
					v = (double) strtof(text, &end);
				else
					v = strtod(text, &end);
				while (end > text && isspace((unsigned char) *end))
					end++;
				if (end == text || *end != '\0' || (size_t) (end - text) != len ||
					(errno == ERANGE && (v == 0.0 || isinf(v))))
					return mm_fail(err, MM_ERR_INVALID_INPUT, j, "feature \"%s\": \"%.40s\" is not a number",
								   m->feature_names[j], text);
				mm_scorer_set_number(s, j, v);
				return MM_OK;
			}
	}
}

void
mm_scorer_set_number(MmScorer *s, int j, double value)
{
	if (!isfinite(value) && s->bad_feature < 0)
		s->bad_feature = j;
	s->x[j] = value;
}

void
mm_scorer_set_text(MmScorer *s, int j, const char *value, size_t len)
{
	s->x[j] = mm_category_code(&s->model->categories[j], value, len);
}

void
mm_scorer_set_missing(MmScorer *s, int j)
{
	s->x[j] = NAN;
}

MmErrorCode
mm_scorer_run(MmScorer *s, MmError *err)
{
	const MmModel *m = s->model;
	MmErrorCode rc;

	if (s->bad_feature >= 0)
	{
		int			j = s->bad_feature;

		s->bad_feature = -1;
		return mm_fail(err, MM_ERR_INVALID_INPUT, j, "feature \"%s\" is NaN or infinite",
					   m->feature_names[j]);
	}
	rc = mm_model_transform(m, s->x, s->z, err);
	if (rc != MM_OK)
	{
		int			j = err->item;

		if (j >= 0 && isnan(s->x[j]))
			return mm_fail(err, rc, j, "feature \"%s\" is missing, and the model does not impute it",
						   m->feature_names[j]);
		return mm_fail(err, rc, j, "feature \"%s\" is not finite after preprocessing",
					   j >= 0 ? m->feature_names[j] : "?");
	}
	mm_model_scores(m, s->z, s->scores);
	return MM_OK;
}

double
mm_scorer_value(const MmScorer *s)
{
	const MmModel *m = s->model;

	if (m->task == MM_TASK_CLASSIFICATION && m->labels.label_kind == MM_LABEL_TEXT)
		return NAN;
	return mm_model_prediction(m, s->scores);
}

const char *
mm_scorer_label(const MmScorer *s)
{
	const MmModel *m = s->model;

	if (m->task != MM_TASK_CLASSIFICATION)
		return NULL;
	return m->labels.classes[(int) mm_model_decide(m, s->scores)];
}

int
mm_scorer_proba(const MmScorer *s, double *out)
{
	const MmModel *m = s->model;

	if (m->task != MM_TASK_CLASSIFICATION)
		return 0;
	return mm_model_proba(m, s->scores, out);
}

int
mm_scorer_coordinates(const MmScorer *s)
{
	return mm_model_n_coordinates(s->model);
}

int
mm_scorer_transform(const MmScorer *s, double *out)
{
	return mm_model_project(s->model, s->z, out);
}
