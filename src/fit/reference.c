/*
 * reference.c: reference (treatment) coding of text features.
 *
 * With an intercept, the one-hot columns of every category of a feature add
 * up to the intercept's column: an unpenalized fit cannot tell the level
 * effects from the intercept, and no coefficient of the feature (nor the
 * intercept) has a standard error.  Leaving out the column of one level,
 * the reference, identifies the rest as differences from it, as R,
 * statsmodels and MADlib code factors.  A penalty, or the lack of an
 * intercept, identifies every level already, and their fits keep every
 * column: a penalty would otherwise shrink towards the reference rather
 * than towards the average, and change with the choice of reference.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "reference.h"
#include "util.h"

/*
 * The level named by an encode option {"reference": "north"}, or NULL when
 * v is not such an object (the caller reports it).
 */
char *
MmParseReference(JsonbValue *v)
{
	Jsonb	   *obj;
	JsonbValue *name;

	if (v->type != jbvBinary || !MmJsonbIsObject(obj = JsonbValueToJsonb(v)) ||
		JB_ROOT_COUNT(obj) != 1)
		return NULL;
	name = getKeyJsonValueFromContainer(&obj->root, "reference", 9, NULL);
	if (name == NULL || name->type != jbvString)
		return NULL;
	return pnstrdup(name->val.string.val, name->val.string.len);
}

/*
 * True when a fit codes its text features against a reference: an
 * unpenalized fit with an intercept of an algorithm that reports inference
 * statistics (its table's inference).
 */
bool
MmReferenceCoding(const MmAlgorithm *algorithm, const MmParams *params)
{
	int			alpha,
				intercept;

	if (algorithm->inference == MM_INFERENCE_NONE)
		return false;
	alpha = mm_param_index(algorithm, "alpha");
	intercept = mm_param_index(algorithm, "fit_intercept");
	return alpha >= 0 && intercept >= 0 &&
		params->value[alpha] == 0.0 && params->value[intercept] != 0.0;
}

/*
 * Checks the reference a text feature's preprocess names against its fitted
 * categories (whether or not the fit uses it, so that a misspelt level is
 * an error in every fit), and when coding, sets it: the named level, or the
 * first in byte order.
 */
void
MmChooseReference(const MmColumnPrep *prep, bool coding, const MmSource *src, int j,
				  MmCategories *cats)
{
	int			reference = 0;

	if (prep->reference != NULL)
	{
		double		code = mm_category_code(cats, prep->reference, strlen(prep->reference));

		if (code < 0.0 || code >= (double) cats->n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 code < 0.0 ?
					 errmsg("reference level \"%s\" of column \"%s\" is not a level of the training rows",
							prep->reference, src->features[j]) :
					 errmsg("reference level \"%s\" of column \"%s\" is grouped as other",
							prep->reference, src->features[j]),
					 code < 0.0 ? 0 :
					 errdetail("max_categories keeps the %d most frequent levels; the reference must be one of them.",
							   cats->n),
					 errhint("List the levels with SELECT DISTINCT %s FROM %s ORDER BY 1 COLLATE \"C\".",
							 quote_identifier(src->features[j]), src->display)));
		reference = (int) code;
	}
	if (!coding || cats->encoding != MM_ENCODE_ONEHOT)
		return;
	cats->has_reference = 1;
	cats->reference = reference;
}
