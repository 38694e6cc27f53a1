/*
 * boosted_codec.c: a boosted model in the artifact and in the document
 * (see boosted.h).
 *
 * Both carry the classifier's labels, the record of the rounds and the
 * booster's own JSON model: the artifact as its bytes, the document as a
 * JSON object ("booster") that xgboost.Booster().load_model reads.  The
 * trees are read back from that JSON either way, and checked there, so a
 * damaged model is refused before prediction walks it.
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact_io.h"
#include "boosted.h"
#include "document_io.h"
#include "labels_codec.h"
#include "xgb_json.h"

/* ---------------------------------------------------------------- artifact */

void
mm_boosted_write(MmBuffer *w, const MmModel *model)
{
	const MmBoosted *b = model->fit;

	if (model->task == MM_TASK_CLASSIFICATION)
		mm_labels_write(w, &model->labels);
	mm_put_u32(w, (uint32_t) b->n_rounds);
	mm_put_u32(w, (uint32_t) (b->best_iteration + 1));
	mm_put_f64(w, b->best_score);
	mm_put_u32(w, (uint32_t) b->json_len);
	mm_buffer_append(w, b->json, b->json_len);
}

/*
 * Whether the trees suit the model: its design's width, and the objective
 * of its task (multi:softprob with one output per class beyond two).
 */
static int
trees_fit_model(const MmTreeEnsemble *e, const MmModel *model)
{
	if (e->n_features != model->n_design)
		return 0;
	if (model->task == MM_TASK_REGRESSION)
		return e->objective == MM_OBJ_SQUARED_ERROR;
	if (model->labels.n_classes == 2)
		return e->objective == MM_OBJ_BINARY_LOGISTIC;
	return e->objective == MM_OBJ_MULTI_SOFTPROB && e->n_groups == model->labels.n_classes;
}

/* A stored count as an int, INT_MAX where it would not fit. */
static int
clamp_count(uint32_t v)
{
	return v > (uint32_t) INT_MAX ? INT_MAX : (int) v;
}

/* The record of the rounds: best_iteration below n_rounds, a score only with it. */
static int
rounds_valid(const MmBoosted *b)
{
	return b->n_rounds >= 1 && b->n_rounds <= 100000 && b->best_iteration >= -1 &&
		b->best_iteration < b->n_rounds && (b->best_iteration >= 0) == !isnan(b->best_score);
}

MmErrorCode
mm_boosted_read(MmArtifactReader *r, MmModel *model)
{
	MmBoosted  *b;
	MmError		err;
	uint32_t	len;

	if ((b = mm_alloc0(sizeof(MmBoosted))) == NULL)
		return MM_ERR_CORRUPT;
	model->fit = b;
	if (model->task == MM_TASK_CLASSIFICATION && !mm_labels_read(r, &model->labels))
		return MM_ERR_CORRUPT;
	/* counts past any valid one read as INT_MAX, which rounds_valid refuses */
	b->n_rounds = clamp_count(mm_get_u32(r));
	b->best_iteration = clamp_count(mm_get_u32(r)) - 1;
	b->best_score = mm_get_f64(r);
	len = mm_get_u32(r);
	if (r->failed || !rounds_valid(b) || len == 0 || len > r->left)
		return MM_ERR_CORRUPT;
	if ((b->json = mm_alloc((size_t) len + 1)) == NULL)
		return MM_ERR_CORRUPT;
	memcpy(b->json, r->p, len);
	b->json[len] = '\0';
	b->json_len = len;
	r->p += len;
	r->left -= len;
	if ((b->trees = mm_xgb_parse(b->json, b->json_len, &err)) == NULL ||
		!trees_fit_model(b->trees, model))
		return MM_ERR_CORRUPT;
	return MM_OK;
}

/* ---------------------------------------------------------------- document */

static void out_xgb_json(MmBuffer *o, const json_t *v, const char *key);

void
mm_boosted_to_json(MmBuffer *o, const MmModel *model)
{
	const MmBoosted *b = model->fit;
	json_t	   *booster;
	json_error_t jerr;

	mm_out_str(o, "{");
	if (model->task == MM_TASK_CLASSIFICATION)
	{
		mm_labels_to_json(o, &model->labels);
		mm_out_str(o, ", ");
	}
	mm_out_str(o, "\"n_rounds\": ");
	mm_out_int(o, b->n_rounds);
	mm_out_str(o, ", \"best_iteration\": ");
	if (b->best_iteration < 0)
		mm_out_str(o, "null");
	else
		mm_out_int(o, b->best_iteration);
	mm_out_str(o, ", \"best_score\": ");
	mm_out_double(o, b->best_score);
	/*
	 * XGBoost's own JSON model, each float written with a point: the
	 * document goes through jsonb, which prints a float XGBoost wrote as
	 * 1E0 as the integer 1, where XGBoost's reader wants a float
	 */
	mm_out_str(o, ", \"booster\": ");
	booster = json_loadb(b->json, b->json_len, 0, &jerr);
	if (booster != NULL)
		out_xgb_json(o, booster, NULL);
	else
		mm_out_str(o, b->json);
	json_decref(booster);
	mm_out_str(o, "}");
}

/*
 * The members of XGBoost's model whose numbers are integers.  The document
 * reads every number as a double, and XGBoost's reader takes an integer
 * only where it is written as one, a float only where it is not.
 */
static const char *const integer_members[] = {"left_children", "right_children", "parents",
	"split_indices", "split_type", "default_left", "tree_info", "id", "categories",
"categories_nodes", "categories_segments", "categories_sizes", "version", NULL};

static int
is_integer_member(const char *key)
{
	const char *const *k;

	for (k = integer_members; key != NULL && *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

/* A number as XGBoost writes it: whole under the integer members, else a float's 9 digits. */
static void
out_xgb_number(MmBuffer *o, double v, int integer)
{
	char		buf[40];

	if (integer)
		snprintf(buf, sizeof(buf), "%.0f", v);
	else
	{
		snprintf(buf, sizeof(buf), "%.9g", v);
		if (strpbrk(buf, ".eEn") == NULL)
			strcat(buf, ".0");
	}
	mm_out_str(o, buf);
}

/* The booster's JSON again from the document's object; key is the member v is under. */
static void
out_xgb_json(MmBuffer *o, const json_t *v, const char *key)
{
	const char *k;
	json_t	   *item;
	size_t		i;

	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			mm_out_str(o, "{");
			i = 0;
			json_object_foreach((json_t *) v, k, item)
			{
				if (i++)
					mm_out_str(o, ",");
				mm_out_string(o, k);
				mm_out_str(o, ":");
				out_xgb_json(o, item, k);
			}
			mm_out_str(o, "}");
			break;
		case JSON_ARRAY:
			mm_out_str(o, "[");
			json_array_foreach(v, i, item)
			{
				if (i)
					mm_out_str(o, ",");
				out_xgb_json(o, item, key);
			}
			mm_out_str(o, "]");
			break;
		case JSON_STRING:
			mm_out_string(o, json_string_value(v));
			break;
		case JSON_INTEGER:
		case JSON_REAL:
			out_xgb_number(o, json_number_value(v), is_integer_member(key));
			break;
		case JSON_TRUE:
			mm_out_str(o, "true");
			break;
		case JSON_FALSE:
			mm_out_str(o, "false");
			break;
		case JSON_NULL:
			mm_out_str(o, "null");
			break;
	}
}

MmErrorCode
mm_boosted_from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const class_keys[] = {"label_kind", "classes", "class_values", "n_rounds",
	"best_iteration", "best_score", "booster", NULL};
	MmBoosted  *b;
	json_t	   *booster;
	MmBuffer	text = {0};

	mm_doc_only_keys(in, part, model->task == MM_TASK_CLASSIFICATION ? class_keys : class_keys + 3,
					 "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((b = mm_alloc0(sizeof(MmBoosted))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = b;
	if (model->task == MM_TASK_CLASSIFICATION &&
		mm_labels_from_json(in, part, &model->labels) != MM_OK)
		return MM_ERR_INVALID_INPUT;
	b->n_rounds = (int) mm_doc_int(in, part, "n_rounds", 1, 100000);
	b->best_iteration = mm_doc_is_null(part, "best_iteration") ? -1 :
		(int) mm_doc_int(in, part, "best_iteration", 0, 100000);
	b->best_score = mm_doc_number(in, part, "best_score", 1);
	booster = json_object_get((const json_t *) part, "booster");
	if (!in->failed && (booster == NULL || !json_is_object(booster)))
		mm_doc_bad(in, "must be XGBoost's JSON model, an object", "booster");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	out_xgb_json(&text, booster, NULL);
	if (text.failed)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	b->json = text.data;
	b->json_len = text.len;
	if ((b->trees = mm_xgb_from_json(booster, in->err)) == NULL)
	{
		in->failed = 1;
		return in->err->code;
	}
	if (!trees_fit_model(b->trees, model) || !rounds_valid(b))
	{
		mm_doc_bad(in, "does not suit the model's columns, task or rounds", "booster");
		return MM_ERR_INVALID_INPUT;
	}
	return MM_OK;
}
