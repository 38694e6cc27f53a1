/*
 * prepmode.c: the most frequent number as an imputed constant (see
 * prepmode.h).
 *
 * The fit in memory imputes the mode, then clips, scales and thresholds
 * the imputed column; imputing a constant goes through the same steps with
 * the value known beforehand.  So once one grouping query has found the
 * mode, the column-statistics passes fit the rest as they fit any constant,
 * and the fitted statistics record the mode as the imputed value, as they
 * do in memory (even where the training rows have no NULL).
 */
#include "postgres.h"

#include "miscadmin.h"

#include "numbermode.h"
#include "prepmode.h"

void
MmFitNumberModes(MmPreprocess *pp, const MmSource *src, bytea *header, int target,
				 MmLabelKind label_kind)
{
	int			j;

	for (j = 0; j < src->nfeatures; j++)
	{
		MmColumnPrep *c = &pp->column[j];
		double		mode;

		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL || c->impute != MM_IMPUTE_MOST_FREQUENT)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (MmDiscoverNumberMode(src, j, header, target, label_kind, &mode))
		{
			c->impute = MM_IMPUTE_CONSTANT;
			c->impute_value = mode;
		}
	}
}
