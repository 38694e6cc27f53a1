/*
 * trivial.c: the trivial classifier's scores (see trivial.h).
 */
#include "trivial.h"

#include <math.h>

int
mm_majority_class(const double *counts, int k)
{
	int			best = -1,
				c;

	for (c = 0; c < k; c++)
		if (counts[c] > 0.0 && (best < 0 || counts[c] > counts[best]))
			best = c;
	return best;
}

void
mm_constant_class_scores(const double *counts, int k, int c, double *accuracy, double *f1)
{
	double		n = 0.0,
				present = 0.0,
				precision;
	int			j;

	for (j = 0; j < k; j++)
	{
		n += counts[j];
		/* c is predicted, so it counts even where no row has it */
		if (counts[j] > 0.0 || j == c)
			present += 1.0;
	}
	if (n == 0.0)
	{
		*accuracy = *f1 = NAN;
		return;
	}
	*accuracy = counts[c] / n;
	/*
	 * Only c is ever predicted: its recall is 1 when it has rows, every other
	 * class scores 0
	 */
	precision = counts[c] / n;
	*f1 = (counts[c] > 0.0 ? 2.0 * precision / (precision + 1.0) : 0.0) / present;
}
