/*
 * model.c: names, prediction and release of core models.
 *
 * The core is compiled with -ffp-contract=off so that a prediction is the
 * same sequence of roundings in the server and in the standalone scorer.
 */
#include "model.h"

#include <math.h>
#include <string.h>

/* Name of an algorithm as SQL spells it, or NULL. */
const char *
mm_algorithm_name(MmAlgorithm algorithm)
{
	switch (algorithm)
	{
		case MM_ALGO_LINEAR_REGRESSION:
			return "linear_regression";
		case MM_ALGO_LOGISTIC_REGRESSION:
			return "logistic_regression";
		case MM_ALGO_LINEAR_SVM:
			return "linear_svm";
		case MM_ALGO_KMEANS:
			return "kmeans";
		case MM_ALGO_PCA:
			return "pca";
	}
	return NULL;
}

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
	double		s = m->intercept;
	int			i;

	for (i = 0; i < n; i++)
		s += m->coef[i] * x[i];
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
	return c->n + (c->n_other > 0 ? 1 : 0);
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

/* Position of a value in n sorted names, or -1. */
static int
find_category(char **names, int n, const char *value, size_t len)
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
	int			i = find_category(c->names, c->n, value, len);

	if (i >= 0)
		return (double) i;
	if (c->n_other > 0 && find_category(c->other, c->n_other, value, len) >= 0)
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
			*category = model->categories != NULL &&
				model->feature_kinds[j] == MM_FEATURE_CATEGORICAL &&
				model->categories[j].encoding == MM_ENCODE_ONEHOT ? column - k : -1;
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
			if (t == NULL || isnan(t->impute))
				return mm_fail(err, MM_ERR_INVALID_INPUT, i, "missing value");
			v = t->impute;
		}
		if (model->categories != NULL && model->feature_kinds[i] == MM_FEATURE_CATEGORICAL)
		{
			const MmCategories *c = &model->categories[i];

			if (c->encoding == MM_ENCODE_ORDINAL)
				z[k++] = v;
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

/* The logistic function, without overflow for either sign. */
static double
sigmoid(double t)
{
	double		e;

	if (t >= 0.0)
		return 1.0 / (1.0 + exp(-t));
	e = exp(t);
	return e / (1.0 + e);
}

/* The decision score of coefficient row r for a transformed row. */
static double
classifier_score(const MmClassifier *c, int n, int r, const double *z)
{
	const double *w = c->coef + (size_t) r * n;
	double		s = c->intercept[r];
	int			i;

	for (i = 0; i < n; i++)
		s += w[i] * z[i];
	return s;
}

/* A classifier's decision scores for a transformed row (see model.h). */
void
mm_classifier_scores(const MmModel *model, const double *z, double *scores)
{
	const MmClassifier *c = &model->classifier;
	int			r;

	for (r = 0; r < c->n_rows; r++)
		scores[r] = classifier_score(c, model->n_design, r, z);
}

/* The class index the scores decide. */
int
mm_classifier_decide(const MmModel *model, const double *scores)
{
	const MmClassifier *c = &model->classifier;
	int			best = 0;
	int			r;

	if (c->n_rows == 1)
		return scores[0] > 0.0 ? 1 : 0;
	for (r = 1; r < c->n_rows; r++)
		if (scores[r] > scores[best])
			best = r;
	return best;
}

/* The probability of each class the scores give (see model.h). */
void
mm_classifier_scores_proba(const MmModel *model, const double *scores, double *proba)
{
	const MmClassifier *c = &model->classifier;
	double		top = -INFINITY,
				sum = 0.0;
	int			r;

	if (c->n_rows == 1)
	{
		proba[1] = sigmoid(scores[0]);
		proba[0] = 1.0 - proba[1];
		return;
	}
	for (r = 0; r < c->n_rows; r++)
		if (scores[r] > top)
			top = scores[r];
	for (r = 0; r < c->n_rows; r++)
	{
		proba[r] = exp(scores[r] - top);
		sum += proba[r];
	}
	for (r = 0; r < c->n_rows; r++)
		proba[r] /= sum;
}

/* A classifier's class index for a transformed row. */
int
mm_classifier_predict(const MmModel *model, const double *z)
{
	double		scores[MM_MAX_CLASSES];

	mm_classifier_scores(model, z, scores);
	return mm_classifier_decide(model, scores);
}

/* A classifier's probability of each class for a transformed row. */
void
mm_classifier_proba(const MmModel *model, const double *z, double *proba)
{
	mm_classifier_scores(model, z, proba);
	mm_classifier_scores_proba(model, proba, proba);
}

/* A coefficient row in the units of the raw inputs (see model.h). */
void
mm_classifier_unscaled(const MmModel *model, int r, double *intercept, double *coef)
{
	const MmClassifier *c = &model->classifier;
	int			n = model->n_design;
	double		b0 = c->intercept[r];
	int			j;

	mm_model_design_scaling(model, coef, coef + n);
	for (j = 0; j < n; j++)
	{
		double		w = c->coef[(size_t) r * n + j] / coef[n + j];

		b0 -= w * coef[j];
		coef[j] = w;
	}
	*intercept = b0;
}

/* True for algorithms whose classifiers give probabilities. */
int
mm_model_has_proba(const MmModel *model)
{
	return model->algorithm == MM_ALGO_LOGISTIC_REGRESSION;
}

/* Predicts from a transformed row (see model.h). */
double
mm_model_predict(const MmModel *model, const double *z)
{
	switch (model->algorithm)
	{
		case MM_ALGO_LINEAR_REGRESSION:
			return mm_linear_predict(&model->linear, model->n_design, z);
		case MM_ALGO_LOGISTIC_REGRESSION:
		case MM_ALGO_LINEAR_SVM:
			if (model->classifier.class_values == NULL)
				return NAN;
			return model->classifier.class_values[mm_classifier_predict(model, z)];
		case MM_ALGO_KMEANS:
			return (double) mm_kmeans_cluster(model, z);
		case MM_ALGO_PCA:
			return NAN;
	}
	return NAN;
}

/* The squared distance of a row to center c. */
static double
center_distance2(const MmModel *model, int c, const double *z)
{
	const double *center = model->kmeans.centers + (size_t) c * model->n_design;
	double		s = 0.0;
	int			j;

	for (j = 0; j < model->n_design; j++)
	{
		double		dz = z[j] - center[j];

		s += dz * dz;
	}
	return s;
}

/* The k-means cluster of a transformed row (see model.h). */
int
mm_kmeans_cluster(const MmModel *model, const double *z)
{
	int			best = 0,
				c;
	double		best_d = center_distance2(model, 0, z);

	for (c = 1; c < model->kmeans.k; c++)
	{
		double		dist = center_distance2(model, c, z);

		if (dist < best_d)
		{
			best_d = dist;
			best = c;
		}
	}
	return best;
}

/* The row in the model's own coordinates (see model.h). */
int
mm_model_project(const MmModel *model, const double *z, double *out)
{
	int			n = model->n_design,
				c,
				j;

	if (model->algorithm == MM_ALGO_PCA)
	{
		for (c = 0; c < model->pca.n_components; c++)
		{
			const double *v = model->pca.components + (size_t) c * n;
			double		s = 0.0;

			for (j = 0; j < n; j++)
				s += (z[j] - model->pca.mean[j]) * v[j];
			out[c] = s;
		}
		return model->pca.n_components;
	}
	if (model->algorithm == MM_ALGO_KMEANS)
	{
		for (c = 0; c < model->kmeans.k; c++)
			out[c] = sqrt(center_distance2(model, c, z));
		return model->kmeans.k;
	}
	return 0;
}

/* Frees a classifier's arrays. */
static void
classifier_free(MmClassifier *c)
{
	int			i;

	if (c->classes != NULL)
	{
		for (i = 0; i < c->n_classes; i++)
			mm_free(c->classes[i]);
		mm_free(c->classes);
	}
	mm_free(c->class_values);
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
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
	mm_free(model->target);
	mm_free(model->transform);
	classifier_free(&model->classifier);
	mm_free(model->kmeans.centers);
	mm_free(model->pca.mean);
	mm_free(model->pca.components);
	mm_free(model->pca.explained_variance);
	mm_free(model->pca.explained_variance_ratio);
	mm_free(model->linear.coef);
	mm_free(model->linear.std_err);
	mm_free(model->linear.stat);
	mm_free(model->linear.p_value);
	mm_free(model);
}
