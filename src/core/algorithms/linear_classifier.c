/*
 * linear_classifier.c: the payload logistic regression and the linear SVM
 * share (see linear_classifier.h).
 *
 * The labels are the model's (MmLabels), but the artifact and the document
 * have always carried them inside the classifier's part, so the codecs here
 * write and read them there.
 */
#include "linear_classifier.h"

#include <math.h>
#include <string.h>

#include "artifact.h"
#include "artifact_io.h"
#include "document_io.h"
#include "labels_codec.h"

int
mm_lc_n_scores(const MmModel *model)
{
	return ((const MmClassifier *) model->fit)->n_rows;
}

/* The decision score of each coefficient row, accumulated in column order. */
void
mm_lc_score(const MmModel *model, const double *z, double *scores)
{
	const MmClassifier *c = model->fit;
	int			n = model->n_design;
	int			r,
				i;

	for (r = 0; r < c->n_rows; r++)
	{
		const double *w = c->coef + (size_t) r * n;
		double		s = c->intercept[r];

		for (i = 0; i < n; i++)
			s += w[i] * z[i];
		scores[r] = s;
	}
}

/* The class the scores decide: the sign of a binary score, else the first largest. */
double
mm_lc_decide(const MmModel *model, const double *scores)
{
	const MmClassifier *c = model->fit;
	int			best = 0;
	int			r;

	if (c->n_rows == 1)
		return scores[0] > 0.0 ? 1.0 : 0.0;
	for (r = 1; r < c->n_rows; r++)
		if (scores[r] > scores[best])
			best = r;
	return (double) best;
}

void
mm_lc_free(void *fit)
{
	MmClassifier *c = fit;

	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
	mm_free(c);
}

MmClassifier *
mm_lc_new(MmModel *model, MmError *err)
{
	MmClassifier *c = mm_alloc0(sizeof(MmClassifier));

	if (c == NULL)
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting a classifier");
	model->fit = c;
	return c;
}

void
mm_lc_report(MmFitContext *ctx, const MmClassifier *c)
{
	ctx->report.n_iter = c->n_iter;
	ctx->report.converged = c->converged;
	ctx->report.separated = c->separated;
}

const MmRows *
mm_lc_rows(MmFitContext *ctx, const char *algorithm, MmError *err)
{
	const MmRows *rows = ctx->data->rows ? ctx->data->rows(ctx->data) : NULL;

	if (rows == NULL)
		mm_fail(err, MM_ERR_UNSUPPORTED, -1, "%s needs its training rows in memory", algorithm);
	else if (rows->y == NULL)
	{
		mm_fail(err, MM_ERR_INVALID_INPUT, -1, "%s needs the class of every training row", algorithm);
		rows = NULL;
	}
	return rows;
}

/* ---------------------------------------------------------------- artifact */

void
mm_lc_write(MmBuffer *w, const MmModel *model)
{
	const MmClassifier *c = model->fit;
	size_t		p = (size_t) model->n_design;

	mm_labels_write(w, &model->labels);
	mm_put_u32(w, (uint32_t) c->n_rows);
	mm_put_f64_array(w, c->intercept, (size_t) c->n_rows);
	mm_put_f64_array(w, c->coef, (size_t) c->n_rows * p);
	mm_put_f64_array(w, c->std_err, (size_t) c->n_rows * (p + 1));
	mm_put_f64_array(w, c->stat, (size_t) c->n_rows * (p + 1));
	mm_put_f64_array(w, c->p_value, (size_t) c->n_rows * (p + 1));
	mm_put_f64(w, c->alpha);
	mm_put_u8(w, (uint8_t) (c->fit_intercept ? 1 : 0));
	mm_put_u8(w, (uint8_t) (c->balanced ? 1 : 0));
	mm_put_u32(w, (uint32_t) c->max_iter);
	mm_put_f64(w, c->tol);
	mm_put_u32(w, (uint32_t) c->n_iter);
	mm_put_u8(w, (uint8_t) (c->converged ? 1 : 0));
	mm_put_u8(w, (uint8_t) c->variant);
}

MmErrorCode
mm_lc_read(MmArtifactReader *r, MmModel *model, int allow_variant)
{
	MmClassifier *c;
	size_t		p = (size_t) model->n_design;
	uint32_t	rows;
	uint8_t		fi,
				bal,
				conv;
	int			i;

	/* classifiers came with format 2 */
	if (r->format < 2 || (c = mm_alloc0(sizeof(MmClassifier))) == NULL)
		return MM_ERR_CORRUPT;
	model->fit = c;
	if (!mm_labels_read(r, &model->labels))
		return MM_ERR_CORRUPT;
	rows = mm_get_u32(r);
	if (r->failed || rows != (model->labels.n_classes == 2 ? 1u : (uint32_t) model->labels.n_classes))
		return MM_ERR_CORRUPT;
	c->n_rows = (int) rows;
	c->intercept = mm_get_f64_array(r, rows);
	c->coef = mm_get_f64_array(r, rows * p);
	c->std_err = mm_get_f64_array(r, rows * (p + 1));
	c->stat = mm_get_f64_array(r, rows * (p + 1));
	c->p_value = mm_get_f64_array(r, rows * (p + 1));
	c->alpha = mm_get_f64(r);
	fi = mm_get_u8(r);
	bal = mm_get_u8(r);
	c->max_iter = (int) mm_get_u32(r);
	c->tol = mm_get_f64(r);
	c->n_iter = (int) mm_get_u32(r);
	conv = mm_get_u8(r);
	c->variant = mm_get_u8(r);
	if (r->failed || fi > 1 || bal > 1 || conv > 1 || c->variant > 1 ||
		(c->variant && !allow_variant) ||
		!(c->alpha >= 0.0) || !isfinite(c->alpha) ||
		c->max_iter < 1 || c->n_iter < 0 || c->n_iter > c->max_iter || !(c->tol > 0.0) ||
		!isfinite(c->tol))
		return MM_ERR_CORRUPT;
	c->fit_intercept = fi;
	c->balanced = bal;
	c->converged = conv;
	for (i = 0; i < c->n_rows; i++)
		if (!isfinite(c->intercept[i]) || (!fi && c->intercept[i] != 0.0))
			return MM_ERR_CORRUPT;
	if (!mm_all_finite(c->coef, rows * p))
		return MM_ERR_CORRUPT;
	return MM_OK;
}

/* ---------------------------------------------------------------- document */

void
mm_lc_to_json(MmBuffer *o, const MmModel *model)
{
	const MmClassifier *c = model->fit;
	int			p = model->n_design;

	mm_out_str(o, "{");
	mm_labels_to_json(o, &model->labels);
	mm_out_str(o, ", \"intercept\": ");
	mm_out_doubles(o, c->intercept, c->n_rows);
	mm_out_str(o, ", \"coef\": ");
	mm_out_matrix(o, c->coef, c->n_rows, p);
	mm_out_str(o, ", \"std_err\": ");
	mm_out_matrix(o, c->std_err, c->n_rows, p + 1);
	mm_out_str(o, ", \"stat\": ");
	mm_out_matrix(o, c->stat, c->n_rows, p + 1);
	mm_out_str(o, ", \"p_value\": ");
	mm_out_matrix(o, c->p_value, c->n_rows, p + 1);
	mm_out_str(o, ", \"alpha\": ");
	mm_out_double(o, c->alpha);
	mm_out_str(o, ", \"fit_intercept\": ");
	mm_out_bool(o, c->fit_intercept);
	mm_out_str(o, ", \"balanced\": ");
	mm_out_bool(o, c->balanced);
	mm_out_str(o, ", \"max_iter\": ");
	mm_out_int(o, c->max_iter);
	mm_out_str(o, ", \"tol\": ");
	mm_out_double(o, c->tol);
	mm_out_str(o, ", \"n_iter\": ");
	mm_out_int(o, c->n_iter);
	mm_out_str(o, ", \"converged\": ");
	mm_out_bool(o, c->converged);
	mm_out_str(o, ", \"variant\": ");
	mm_out_int(o, c->variant);
	mm_out_str(o, "}");
}

MmErrorCode
mm_lc_from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const keys[] = {"label_kind", "classes", "class_values", "intercept",
		"coef", "std_err", "stat", "p_value", "alpha", "fit_intercept", "balanced", "max_iter", "tol",
	"n_iter", "converged", "variant", NULL};
	MmClassifier *c;
	MmLabels   *l = &model->labels;
	int			p = model->n_design;

	mm_doc_only_keys(in, part, keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((c = mm_alloc0(sizeof(MmClassifier))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = c;
	if (mm_labels_from_json(in, part, l) != MM_OK)
		return MM_ERR_INVALID_INPUT;
	c->n_rows = l->n_classes == 2 ? 1 : l->n_classes;
	c->intercept = mm_doc_numbers(in, part, "intercept", c->n_rows, 0);
	c->coef = mm_doc_matrix(in, part, "coef", c->n_rows, p, 0);
	c->std_err = mm_doc_matrix(in, part, "std_err", c->n_rows, p + 1, 1);
	c->stat = mm_doc_matrix(in, part, "stat", c->n_rows, p + 1, 1);
	c->p_value = mm_doc_matrix(in, part, "p_value", c->n_rows, p + 1, 1);
	c->alpha = mm_doc_number(in, part, "alpha", 0);
	c->fit_intercept = mm_doc_bool(in, part, "fit_intercept");
	c->balanced = mm_doc_bool(in, part, "balanced");
	c->max_iter = (int) mm_doc_int(in, part, "max_iter", 1, 1000000000);
	c->tol = mm_doc_number(in, part, "tol", 0);
	c->n_iter = (int) mm_doc_int(in, part, "n_iter", 0, 1000000000);
	c->converged = mm_doc_bool(in, part, "converged");
	c->variant = (int) mm_doc_int(in, part, "variant", 0, 1);
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

/* ---------------------------------------------------------------- coefficients */

int
mm_lc_coefficients(const MmModel *model, MmCoefficient **out)
{
	const MmClassifier *c = model->fit;
	int			p = model->n_design;
	MmCoefficient *co = mm_alloc(sizeof(MmCoefficient) * (size_t) c->n_rows * (p + 1));
	int			n = 0,
				r;

	for (r = 0; co != NULL && r < c->n_rows; r++)
	{
		size_t		at = (size_t) r * (p + 1);
		int			k = mm_linear_terms(model, r, c->intercept[r], c->coef + (size_t) r * p,
										c->fit_intercept, c->std_err + at, c->stat + at,
										c->p_value + at, INFINITY, co + n);

		if (k < 0)
		{
			mm_free(co);
			co = NULL;
			n = 0;
			break;
		}
		n += k;
	}
	*out = co;
	return n;
}

/* Per coefficient row: the slopes, then the intercept, as the logistic fit starts from them. */
double *
mm_lc_warm_start(const MmModel *model, int *rows, int *width)
{
	const MmClassifier *c = model->fit;
	int			p = model->n_design,
				r,
				j;
	double	   *w = mm_alloc(sizeof(double) * (size_t) c->n_rows * (p + 1));

	if (w == NULL)
		return NULL;
	for (r = 0; r < c->n_rows; r++)
	{
		for (j = 0; j < p; j++)
			w[(size_t) r * (p + 1) + j] = c->coef[(size_t) r * p + j];
		w[(size_t) r * (p + 1) + p] = c->intercept[r];
	}
	*rows = c->n_rows;
	*width = p;
	return w;
}
