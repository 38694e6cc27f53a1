/*
 * design.c: the names of a model's design columns, which mm_coefficients
 * reports and a fit's errors blame.
 */
#include "postgres.h"

#include "design.h"
#include "model.h"

/*
 * The name of a design column: the feature's, or column=value for a one-hot
 * column ("(other)" for the group of rarer categories).
 */
char *
MmDesignName(const MmModel *model, int k)
{
	int			category;
	int			j = mm_design_feature(model, k, &category);
	const MmCategories *c;

	if (category < 0)
		return model->feature_names[j];
	c = &model->categories[j];
	return psprintf("%s=%s", model->feature_names[j],
					category < c->n ? c->names[category] : "(other)");
}
