/*
 * linear_refine.h: the second pass of linear regression's fit, run only
 * when the factor of the first is ill-conditioned (linfit.h): the
 * compensated sums of the first fit's residuals (numerics/refine.h) over the
 * same training rows.
 */
#ifndef MM_LINEAR_REFINE_H
#define MM_LINEAR_REFINE_H

#include "model.h"
#include "source.h"

/*
 * The pass's arg, flat so that it can travel to other processes: the
 * model's coefficients in the units of the moments it was fitted from, the
 * means the feature sums are centered on (with an intercept), and, as the
 * moments pass takes them, the center and scale that map a row of the
 * design back to those units.  mm_alloc'd; NULL when out of memory.
 */
extern double *mm_linear_refine_arg(int p, const MmLinearModel *fit, const double *mean,
									const double *center, const double *scale);

/* Its value: the p + 2 sums mm_linear_refine takes, from a finished state. */
extern void mm_linear_refine_sums(const void *state, int p, double *sums);

extern const MmPass mm_linear_refine_pass;

#endif							/* MM_LINEAR_REFINE_H */
