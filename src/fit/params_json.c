/*
 * params_json.c: an algorithm's params argument, resolved from the
 * hyperparameters its table declares (core/params.h).
 *
 * Every key is looked up among the algorithm's specs and set through the
 * core's setters, whose messages are the ones SQL reports; the hint that
 * lists the valid parameters and the params JSON a version records come
 * from the same specs.
 */
#include "postgres.h"

#include "utils/fmgrprotos.h"

#include "algorithm.h"
#include "mmcore.h"
#include "params.h"
#include "params_json.h"
#include "util.h"

/* The core's buffer as a palloc'd string (the core allocates through palloc here). */
static char *
buffer_text(MmBuffer *b)
{
	if (b->failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory writing hyperparameters")));
	return b->data;
}

/* Sets parameter i from a JSON object's pairs, kept in the current memory context. */
static MmErrorCode
set_object(MmParams *out, int i, JsonbContainer *object, MmError *err)
{
	int			n = JsonContainerSize(object);
	char	  **keys = palloc(sizeof(char *) * Max(n, 1));
	double	   *values = palloc(sizeof(double) * Max(n, 1));
	JsonbIterator *it = JsonbIteratorInit(object);
	JsonbValue	v;
	MmParamMap	map = {0, (const char *const *) keys, values};

	while (map.n < n && MmJsonbNextPair(&it, &keys[map.n], &v))
		values[map.n++] = MmJsonbNumber(&v);
	return mm_param_set_map(out, i, &map, err);
}

/*
 * Whether a JSON number is written as a fraction, with digits after the
 * point (1.0, 0.5): scikit-learn's float, where 1 is its int.  jsonb keeps
 * the digits written, as Python's json writes a float.
 */
static bool
written_as_fraction(const JsonbValue *v)
{
	return v->type == jbvNumeric &&
		DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(v->val.numeric))) > 0;
}

/* Sets parameter i from one JSON value, as the setter for its JSON type. */
static MmErrorCode
set_value(MmParams *out, int i, const JsonbValue *v, MmError *err)
{
	if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return set_object(out, i, v->val.binary.data, err);
	switch (v->type)
	{
		case jbvNull:
			return mm_param_set_null(out, i, err);
		case jbvBool:
			return mm_param_set_boolean(out, i, v->val.boolean, err);
		case jbvString:
			return mm_param_set_string(out, i, v->val.string.val, v->val.string.len, err);
		default:
			if (written_as_fraction(v))
				return mm_param_set_fraction(out, i, MmJsonbNumber(v), err);
			/* a number, or NaN for a list or an object: the setter refuses those */
			return mm_param_set_number(out, i, MmJsonbNumber(v), err);
	}
}

/*
 * Resolves params (a jsonb object) for algorithm into out: defaults, then
 * each key given; errors name a key the algorithm does not take, or a value
 * it does not accept.  With the design's width p (>= 0), the algorithm's
 * own checks run too; -1 leaves them for when the width is known.
 */
void
MmParseParams(const MmAlgorithm *algorithm, Jsonb *params, int p, MmParams *out)
{
	JsonbIterator *it;
	JsonbValue	v;
	char	   *key;
	MmError		err;

	MmJsonbRequireObject(params, "params");
	mm_params_defaults(algorithm, out);
	it = JsonbIteratorInit(&params->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		int			i = mm_param_index(algorithm, key);

		if (i < 0)
		{
			MmBuffer	hint = {0};

			mm_params_hint(algorithm, &hint);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" is not valid for algorithm \"%s\"", key, algorithm->name),
					 errhint("%s", buffer_text(&hint))));
		}
		if (set_value(out, i, &v, &err) != MM_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s", err.message),
					 (algorithm->params[i].flags & MM_PARAM_SHARE) ?
					 errhint("A count is written as an integer (3), a fraction with digits after the point (0.5).") : 0));
	}
	if (p >= 0)
		MmCheckParamsWidth(out, p);
}

/* Errors unless resolved params suit a design of p columns (the algorithm's own checks). */
void
MmCheckParamsWidth(const MmParams *params, int p)
{
	MmError		err;

	if (params->algorithm->check_params != NULL &&
		params->algorithm->check_params(params, p, &err) != MM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err.message)));
}

/*
 * Errors unless every key of the params' label objects names one of the
 * classes (as label::text renders them), before any fit reads them.
 */
void
MmCheckParamLabels(const MmParams *params, const MmLabels *labels)
{
	const MmAlgorithm *a = params->algorithm;
	double	   *values = palloc(sizeof(double) * Max(labels->n_classes, 1));
	int			i;

	for (i = 0; i < a->n_params; i++)
	{
		MmError		err;
		StringInfoData names;
		int			c;

		if (!(a->params[i].flags & MM_PARAM_LABELS) ||
			mm_param_label_values(params, i, (const char *const *) labels->classes, labels->n_classes,
								  values, &err) == MM_OK)
			continue;
		initStringInfo(&names);
		for (c = 0; c < labels->n_classes; c++)
		{
			appendStringInfoString(&names, c ? ", " : "");
			MmJsonString(&names, labels->classes[c]);
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err.message),
				 errhint("Its keys are labels as text; the classes are %s.", names.data)));
	}
	pfree(values);
}

/* The resolved params as the JSON text a version records. */
char *
MmParamsJson(const MmParams *params)
{
	MmBuffer	b = {0};

	mm_params_json(params, &b);
	return buffer_text(&b);
}
