/*
 * thresholds.c: what a monitor's thresholds argument means for each
 * feature, for the predictions and for quality.
 *
 * Defaults: PSI 0.2 for numeric features and numeric predictions,
 * L-infinity 0.3 for categorical ones; a missing-value rate 0.05 above the
 * training rows', 5% of values out of the training range, 5% of text values
 * unseen in training, a drop of 0.05 in the quality metric.  The argument
 * overrides them key by key ("numeric", "categorical" and "prediction" over
 * the defaults, "features" -> name over its kind's); null turns one off.
 */
#include "postgres.h"

#include <math.h>

#include "utils/jsonb.h"

#include "baseline.h"
#include "model.h"
#include "thresholds.h"
#include "util.h"

const char *const mm_drift_metric_names[MM_DRIFT_METRICS] = {"psi", "js", "linf", "ks", "wasserstein"};

/* Index of a drift metric's name, or -1. */
static int
drift_metric(const char *name)
{
	int			m;

	for (m = 0; m < MM_DRIFT_METRICS; m++)
		if (strcmp(name, mm_drift_metric_names[m]) == 0)
			return m;
	return -1;
}

/* A threshold value: a non-negative finite number, or null (NaN: off). */
static double
threshold_value(const JsonbValue *v, const char *where)
{
	double		t;

	if (v->type == jbvNull)
		return NAN;
	t = MmJsonbNumber(v);
	if (v->type != jbvNumeric || !isfinite(t) || t < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold %s must be a non-negative number or null", where)));
	return t;
}

/* Applies {"metric": value, ...} to thr; categorical says whether ks and wasserstein are refused. */
static void
apply_metrics(const JsonbValue *obj, double *thr, bool categorical, const char *where)
{
	JsonbIterator *it;
	char	   *key;
	JsonbValue	v;

	if (obj->type != jbvBinary || !JsonContainerIsObject(obj->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thresholds %s must be a JSON object of metrics", where)));
	it = JsonbIteratorInit(obj->val.binary.data);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		int			m = drift_metric(key);

		if (m < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("drift metric \"%s\" in thresholds %s is not valid", key, where),
					 errhint("Valid metrics: psi, js, linf, ks, wasserstein.")));
		if (categorical && (m == MM_DRIFT_KS || m == MM_DRIFT_WASSERSTEIN))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("drift metric \"%s\" does not apply to categorical values (thresholds %s)",
							key, where),
					 errhint("Categories have no order: use psi, js or linf.")));
		thr[m] = threshold_value(&v, psprintf("%s.%s", where, key));
	}
}

static void
set_defaults(double *thr, bool categorical)
{
	int			m;

	for (m = 0; m < MM_DRIFT_METRICS; m++)
		thr[m] = NAN;
	if (categorical)
		thr[MM_DRIFT_LINF] = 0.3;
	else
		thr[MM_DRIFT_PSI] = 0.2;
}

void
MmParseThresholds(Jsonb *thresholds, const MmModel *model, MmThresholds *out)
{
	JsonbIterator *it;
	char	   *key;
	JsonbValue	v;
	double		numeric[MM_DRIFT_METRICS],
				categorical[MM_DRIFT_METRICS];
	JsonbValue	features;
	bool		has_features = false;
	int			j;

	MmJsonbRequireObject(thresholds, "thresholds");
	set_defaults(numeric, false);
	set_defaults(categorical, true);
	set_defaults(out->prediction, MmOutcomeIsCategorical(model));
	out->missing_rate = 0.05;
	out->out_of_range = 0.05;
	out->unseen = 0.05;
	out->quality_drop = 0.05;

	it = JsonbIteratorInit(&thresholds->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		if (strcmp(key, "numeric") == 0)
			apply_metrics(&v, numeric, false, "numeric");
		else if (strcmp(key, "categorical") == 0)
			apply_metrics(&v, categorical, true, "categorical");
		else if (strcmp(key, "prediction") == 0)
			apply_metrics(&v, out->prediction, MmOutcomeIsCategorical(model), "prediction");
		else if (strcmp(key, "features") == 0)
		{
			if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("thresholds features must be a JSON object keyed by feature")));
			features = v;
			has_features = true;
		}
		else if (strcmp(key, "missing_rate") == 0)
			out->missing_rate = threshold_value(&v, key);
		else if (strcmp(key, "out_of_range") == 0)
			out->out_of_range = threshold_value(&v, key);
		else if (strcmp(key, "unseen") == 0)
			out->unseen = threshold_value(&v, key);
		else if (strcmp(key, "quality_drop") == 0)
			out->quality_drop = threshold_value(&v, key);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("thresholds key \"%s\" is not valid", key),
					 errhint("Valid keys: numeric, categorical, features, prediction, missing_rate, "
							 "out_of_range, unseen, quality_drop.")));
	}

	out->n = model->n_features;
	out->feature = palloc(sizeof(double) * MM_DRIFT_METRICS * Max(model->n_features, 1));
	for (j = 0; j < model->n_features; j++)
		memcpy(out->feature + j * MM_DRIFT_METRICS,
			   model->feature_kinds[j] == MM_FEATURE_CATEGORICAL ? categorical : numeric,
			   sizeof(double) * MM_DRIFT_METRICS);
	if (has_features)
	{
		it = JsonbIteratorInit(features.val.binary.data);
		while (MmJsonbNextPair(&it, &key, &v))
		{
			for (j = 0; j < model->n_features && strcmp(model->feature_names[j], key) != 0; j++)
				;
			if (j == model->n_features)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("thresholds name feature \"%s\", which the model does not have", key),
						 errhint("The model's features: %s.",
								 MmFormatList(model->feature_names, model->n_features))));
			apply_metrics(&v, out->feature + j * MM_DRIFT_METRICS,
						  model->feature_kinds[j] == MM_FEATURE_CATEGORICAL,
						  psprintf("features.%s", key));
		}
	}
}
