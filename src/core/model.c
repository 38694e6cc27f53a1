/*
 * model.c: what every model shares, its preprocessing (impute, clip, scale,
 * encode), and prediction and release through the model's algorithm table
 * (algorithm.h): nothing here knows one algorithm from another.
 *
 * The core is compiled with -ffp-contract=off so that a prediction is the
 * same sequence of roundings in the server and in the standalone scorer.
 */
#include "model.h"

#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "distributions.h"

/* Name of a task as SQL spells it, or NULL. */
const char *
mm_task_name(MmTask task)
{
	switch (task)
	{
		case MM_TASK_REGRESSION:
			return "regression";
		case MM_TASK_CLASSIFICATION:
			return "classification";
		case MM_TASK_CLUSTERING:
			return "clustering";
		case MM_TASK_DECOMPOSITION:
			return "decomposition";
	}
	return NULL;
}

/* A linear prediction, accumulated in feature order (the scorer repeats it). */
double
mm_linear_predict(const MmLinearModel *m, int n, const double *x)
{
	return mm_linear_form_predict(m->intercept, m->coef, n, x);
}

/* A linear form's prediction (see model.h). */
double
mm_linear_form_predict(double intercept, const double *coef, int n, const double *x)
{
	double		s = intercept;
	int			i;

	for (i = 0; i < n; i++)
		s += coef[i] * x[i];
	return s;
}

/* The number of design columns a feature takes. */
static int
feature_width(const MmModel *model, int j)
{
	const MmCategories *c;

	if (model->categories == NULL || model->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
		return 1;
	c = &model->categories[j];
	if (c->encoding == MM_ENCODE_ORDINAL)
		return 1;
	return c->n + (c->n_other > 0 ? 1 : 0) - (c->has_reference ? 1 : 0);
}

/* The number of columns a model's inputs encode into. */
int
mm_model_design_width(const MmModel *model)
{
	int			w = 0,
				j;

	for (j = 0; j < model->n_features; j++)
		w += feature_width(model, j);
	return w;
}

/* Compares a value with a category name, byte by byte, shorter first on a tie. */
static int
compare_category(const char *value, size_t len, const char *name)
{
	size_t		nlen = strlen(name);
	int			c = memcmp(value, name, len < nlen ? len : nlen);

	if (c != 0)
		return c;
	return (len > nlen) - (len < nlen);
}

/* Position of a value in n sorted names (see model.h), or -1. */
int
mm_sorted_name_index(char *const *names, int n, const char *value, size_t len)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = compare_category(value, len, names[mid]);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The code of a text value among a feature's categories (see model.h). */
double
mm_category_code(const MmCategories *c, const char *value, size_t len)
{
	int			i = mm_sorted_name_index(c->names, c->n, value, len);

	if (i >= 0)
		return (double) i;
	if (c->n_other > 0 && mm_sorted_name_index(c->other, c->n_other, value, len) >= 0)
		return (double) c->n;
	return MM_CATEGORY_UNSEEN;
}

/* Which input a design column comes from (see model.h). */
int
mm_design_feature(const MmModel *model, int column, int *category)
{
	int			j,
				k = 0;

	for (j = 0; j < model->n_features; j++)
	{
		int			w = feature_width(model, j);

		if (column < k + w)
		{
			const MmCategories *c = model->categories != NULL &&
				model->feature_kinds[j] == MM_FEATURE_CATEGORICAL ? &model->categories[j] : NULL;

			*category = c != NULL && c->encoding == MM_ENCODE_ONEHOT ? column - k : -1;
			/* the reference has no column: the ones after it are one further on */
			if (c != NULL && c->has_reference && *category >= c->reference)
				(*category)++;
			return j;
		}
		k += w;
	}
	*category = -1;
	return -1;
}

/* The centering and scaling of each design column (see model.h). */
void
mm_model_design_scaling(const MmModel *model, double *center, double *scale)
{
	int			j,
				c,
				k = 0;

	for (j = 0; j < model->n_features; j++)
	{
		int			w = feature_width(model, j);

		for (c = 0; c < w; c++, k++)
		{
			int			numeric = model->categories == NULL ||
				model->feature_kinds[j] != MM_FEATURE_CATEGORICAL;

			center[k] = numeric && model->transform ? model->transform[j].center : 0.0;
			scale[k] = numeric && model->transform ? model->transform[j].scale : 1.0;
		}
	}
}

/* A linear form's coefficients in raw units (see model.h). */
int
mm_linear_terms(const MmModel *model, int r, double intercept, const double *coef, int with_intercept,
				const double *std_err, const double *stat, const double *p_value, double df,
				MmCoefficient *out)
{
	int			p = model->n_design,
				n = with_intercept ? 1 : 0,
				j;
	double	   *center = mm_alloc(sizeof(double) * (size_t) (p > 0 ? p : 1));
	double	   *scale = mm_alloc(sizeof(double) * (size_t) (p > 0 ? p : 1));

	if (center == NULL || scale == NULL)
	{
		mm_free(center);
		mm_free(scale);
		return -1;
	}
	mm_model_design_scaling(model, center, scale);
	for (j = 0; j < p; j++)
	{
		double		w = coef[j] / scale[j];

		intercept -= w * center[j];
		out[n++] = (MmCoefficient)
		{
			r, j, w, std_err ? std_err[j + 1] : NAN, stat ? stat[j + 1] : NAN,
				p_value ? p_value[j + 1] : NAN, df
		};
	}
	if (with_intercept)
		out[0] = (MmCoefficient)
	{
		r, -1, intercept, std_err ? std_err[0] : NAN, stat ? stat[0] : NAN,
			p_value ? p_value[0] : NAN, df
	};
	mm_free(center);
	mm_free(scale);
	return n;
}

/* A single linear form's coefficients, allocated (see model.h). */
int
mm_linear_coefficients(const MmModel *model, double intercept, const double *coef, int with_intercept,
					   const double *std_err, const double *stat, const double *p_value, double df,
					   MmCoefficient **out)
{
	MmCoefficient *co = mm_alloc(sizeof(MmCoefficient) * ((size_t) model->n_design + 1));
	int			n = co == NULL ? -1 :
		mm_linear_terms(model, 0, intercept, coef, with_intercept, std_err, stat, p_value, df, co);

	if (n < 0)
	{
		mm_free(co);
		co = NULL;
		n = 0;
	}
	*out = co;
	return n;
}

/* Confidence intervals of coefficients (see model.h). */
void
mm_coefficient_intervals(const MmCoefficient *co, int n, double level, double *lower, double *upper)
{
	/* the coefficients of a model share their df: one quantile serves them all */
	double		df = NAN,
				q = NAN;
	int			i;

	for (i = 0; i < n; i++)
	{
		double		half;

		if (!(co[i].df == df))
		{
			df = co[i].df;
			q = mm_t_quantile(0.5 + 0.5 * level, df);
		}
		half = q * co[i].std_err;
		lower[i] = isnan(half) ? NAN : co[i].value - half;
		upper[i] = isnan(half) ? NAN : co[i].value + half;
	}
}

/*
 * Encodes the code v of a reference-coded feature into z (see MmCategories):
 * a level's column 1, the reference all zeros, an unseen value 1/L in each
 * column.  Returns the columns written, L - 1.
 */
static int
encode_reference(const MmCategories *c, double v, double *z)
{
	int			levels = c->n + (c->n_other > 0 ? 1 : 0),
				code,
				k = 0;
	int			seen = v >= 0.0 && v < (double) levels;

	for (code = 0; code < levels; code++)
	{
		if (code == c->reference)
			continue;
		z[k++] = !seen ? 1.0 / levels : (double) code == v ? 1.0 : 0.0;
	}
	return k;
}

/*
 * Whether a missing value of input i goes to the model as it is: a number,
 * for an algorithm that takes missing values (text is encoded, so it is
 * imputed or refused).
 */
static int
takes_missing(const MmModel *model, int i)
{
	return model->algorithm != NULL && model->algorithm->missing_values &&
		model->feature_kinds[i] != MM_FEATURE_CATEGORICAL;
}

/* Applies the model's preprocessing to one row (see model.h). */
MmErrorCode
mm_model_transform(const MmModel *model, const double *x, double *z, MmError *err)
{
	int			n = model->n_features;
	int			i,
				k = 0;

	for (i = 0; i < n; i++)
	{
		double		v = x[i];
		const MmFeatureTransform *t = model->transform ? &model->transform[i] : NULL;

		if (isnan(v))
		{
			if (t != NULL && !isnan(t->impute))
				v = t->impute;
			else if (takes_missing(model, i))
			{
				z[k++] = NAN;
				continue;
			}
			else
				return mm_fail(err, MM_ERR_INVALID_INPUT, i, "missing value");
		}
		if (model->categories != NULL && model->feature_kinds[i] == MM_FEATURE_CATEGORICAL)
		{
			const MmCategories *c = &model->categories[i];

			if (c->encoding == MM_ENCODE_ORDINAL)
				z[k++] = v;
			else if (c->has_reference)
				k += encode_reference(c, v, z + k);
			else
			{
				int			w = c->n + (c->n_other > 0 ? 1 : 0),
							code;

				for (code = 0; code < w; code++)
					z[k + code] = (double) code == v ? 1.0 : 0.0;
				k += w;
			}
			continue;
		}
		if (t != NULL)
		{
			if (v < t->clip_lo)
				v = t->clip_lo;
			else if (v > t->clip_hi)
				v = t->clip_hi;
			v = (v - t->center) / t->scale;
		}
		if (!isfinite(v))
			return mm_fail(err, MM_ERR_INVALID_INPUT, i, "value not finite after preprocessing");
		z[k++] = v;
	}
	return MM_OK;
}

/*
 * Scores of up to this many values live on the stack; more (k-means with
 * many clusters) are allocated.
 */
#define STACK_SCORES MM_MAX_CLASSES

/* How many scores a row has (see model.h). */
int
mm_model_n_scores(const MmModel *model)
{
	return model->algorithm->n_scores ? model->algorithm->n_scores(model) : 0;
}

/* The scores of a transformed row (see model.h). */
void
mm_model_scores(const MmModel *model, const double *z, double *scores)
{
	if (model->algorithm->score)
		model->algorithm->score(model, z, scores);
}

/* What the scores decide (see model.h). */
double
mm_model_decide(const MmModel *model, const double *scores)
{
	if (model->algorithm->decide == NULL)
		return NAN;
	return model->algorithm->decide(model, scores);
}

/* The prediction from the scores (see model.h). */
double
mm_model_prediction(const MmModel *model, const double *scores)
{
	double		d = mm_model_decide(model, scores);

	if (model->task != MM_TASK_CLASSIFICATION || isnan(d))
		return d;
	if (model->labels.class_values == NULL)
		return NAN;
	return model->labels.class_values[(int) d];
}

/*
 * Calls fn with the scores of a transformed row, on the stack unless there
 * are too many; returns fn's answer (NaN when memory runs out).
 */
static double
with_scores(const MmModel *model, const double *z,
			double (*fn) (const MmModel *model, const double *scores))
{
	double		stack[STACK_SCORES];
	double	   *scores = stack;
	int			n = mm_model_n_scores(model);
	double		v;

	if (n == 0)
		return NAN;
	if (n > STACK_SCORES && (scores = mm_alloc(sizeof(double) * (size_t) n)) == NULL)
		return NAN;
	model->algorithm->score(model, z, scores);
	v = fn(model, scores);
	if (scores != stack)
		mm_free(scores);
	return v;
}

/* Predicts from a transformed row (see model.h). */
double
mm_model_predict(const MmModel *model, const double *z)
{
	return with_scores(model, z, mm_model_prediction);
}

/* The class index or cluster of a transformed row (see model.h). */
int
mm_model_class(const MmModel *model, const double *z)
{
	double		d = with_scores(model, z, mm_model_decide);

	return isnan(d) ? -1 : (int) d;
}

/* True for models that give class probabilities. */
int
mm_model_has_proba(const MmModel *model)
{
	return model->algorithm->proba != NULL &&
		(model->algorithm->has_proba == NULL || model->algorithm->has_proba(model));
}

/* The probability of each class the scores give (see model.h). */
int
mm_model_proba(const MmModel *model, const double *scores, double *proba)
{
	if (!mm_model_has_proba(model))
		return 0;
	model->algorithm->proba(model, scores, proba);
	return model->labels.n_classes;
}

/* How many coordinates mm_model_project writes (see model.h). */
int
mm_model_n_coordinates(const MmModel *model)
{
	return model->algorithm->n_coordinates ? model->algorithm->n_coordinates(model) : 0;
}

/* The row in the model's own coordinates (see model.h). */
int
mm_model_project(const MmModel *model, const double *z, double *out)
{
	if (model->algorithm->project == NULL)
		return 0;
	model->algorithm->project(model, z, out);
	return model->algorithm->n_coordinates(model);
}

/* Frees a classifier's labels (see model.h). */
void
mm_labels_free(MmLabels *labels)
{
	int			i;

	if (labels->classes != NULL)
	{
		for (i = 0; i < labels->n_classes; i++)
			mm_free(labels->classes[i]);
		mm_free(labels->classes);
	}
	mm_free(labels->class_values);
	memset(labels, 0, sizeof(*labels));
}

/* Frees a model built with the core allocator. */
void
mm_model_free(MmModel *model)
{
	int			i;

	if (model == NULL)
		return;
	if (model->feature_names != NULL)
	{
		for (i = 0; i < model->n_features; i++)
			mm_free(model->feature_names[i]);
		mm_free(model->feature_names);
	}
	if (model->categories != NULL)
	{
		for (i = 0; i < model->n_features; i++)
		{
			MmCategories *c = &model->categories[i];
			int			k;

			for (k = 0; c->names && k < c->n; k++)
				mm_free(c->names[k]);
			for (k = 0; c->other && k < c->n_other; k++)
				mm_free(c->other[k]);
			mm_free(c->names);
			mm_free(c->other);
		}
		mm_free(model->categories);
	}
	mm_free(model->feature_kinds);
	mm_free(model->date_parts);
	mm_free(model->target);
	mm_free(model->transform);
	mm_labels_free(&model->labels);
	if (model->algorithm != NULL && model->fit != NULL)
		model->algorithm->free(model->fit);
	mm_free(model);
}
