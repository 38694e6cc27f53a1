/*
 * boosted.c: a boosted model's prediction (see boosted.h).  The scores are
 * the margins, floats as XGBoost sums them; classes and probabilities
 * follow from them in float as XGBoost's objectives and the scikit-learn
 * wrapper compute them, so that predict and predict_proba agree to the bit.
 */
#include "boosted.h"

int
mm_boosted_n_scores(const MmModel *model)
{
	return ((const MmBoosted *) model->fit)->trees->n_groups;
}

void
mm_boosted_score(const MmModel *model, const double *z, double *scores)
{
	const MmTreeEnsemble *e = ((const MmBoosted *) model->fit)->trees;
	float		margins[MM_MAX_CLASSES];
	int			g;

	mm_trees_margins(e, z, margins);
	for (g = 0; g < e->n_groups; g++)
		scores[g] = margins[g];
}

/* The probabilities in float, from scores that hold float margins. */
static void
proba_float(const MmModel *model, const double *scores, float *proba)
{
	const MmTreeEnsemble *e = ((const MmBoosted *) model->fit)->trees;
	float		margins[MM_MAX_CLASSES];
	int			g;

	for (g = 0; g < e->n_groups; g++)
		margins[g] = (float) scores[g];
	mm_trees_proba(e, margins, proba, model->labels.n_classes);
}

/* A regression's prediction: its one margin. */
double
mm_boosted_decide_value(const MmModel *model, const double *scores)
{
	(void) model;
	return scores[0];
}

/* The class XGBClassifier predicts: above one half for two, else the first most probable. */
double
mm_boosted_decide_class(const MmModel *model, const double *scores)
{
	float		proba[MM_MAX_CLASSES];
	int			best = 0,
				k;

	proba_float(model, scores, proba);
	if (model->labels.n_classes == 2)
		return proba[1] > 0.5f ? 1.0 : 0.0;
	for (k = 1; k < model->labels.n_classes; k++)
		if (proba[k] > proba[best])
			best = k;
	return (double) best;
}

void
mm_boosted_proba(const MmModel *model, const double *scores, double *out)
{
	float		proba[MM_MAX_CLASSES];
	int			k;

	proba_float(model, scores, proba);
	for (k = 0; k < model->labels.n_classes; k++)
		out[k] = proba[k];
}

/*
 * XGBoost's importances by design column: gain (the mean loss reduction of
 * the column's splits, get_score's default and what feature_importances_
 * normalizes), total_gain, and split_count (its weight).  A column no tree
 * splits on has 0 for each.
 */
int
mm_boosted_importances(const MmModel *model, const char *const **methods, double **values)
{
	static const char *const names[] = {"gain", "total_gain", "split_count"};
	const MmTreeEnsemble *e = ((const MmBoosted *) model->fit)->trees;
	size_t		n = (size_t) model->n_design,
				j;
	double	   *v = mm_alloc(sizeof(double) * 3 * (n + 1));
	float	   *total = mm_alloc(sizeof(float) * (n + 1));
	float	   *count = mm_alloc(sizeof(float) * (n + 1));
	int			ok = v != NULL && total != NULL && count != NULL &&
		mm_trees_split_stats(e, (int) n, total, count);

	*methods = names;
	*values = v;
	for (j = 0; ok && j < n; j++)
	{
		/* the mean in float, as get_score divides */
		v[j] = count[j] > 0.0f ? total[j] / count[j] : 0.0f;
		v[n + j] = total[j];
		v[2 * n + j] = count[j];
	}
	mm_free(total);
	mm_free(count);
	return ok ? 3 : 0;
}

void
mm_boosted_free(void *fit)
{
	MmBoosted  *b = fit;

	if (b == NULL)
		return;
	mm_trees_free(b->trees);
	mm_free(b->json);
	mm_free(b);
}
