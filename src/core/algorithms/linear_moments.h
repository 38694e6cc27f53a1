/*
 * linear_moments.h: the pass linear regression's fit runs, for sources
 * that run it elsewhere (an aggregate over a relation).
 */
#ifndef MM_LINEAR_MOMENTS_H
#define MM_LINEAR_MOMENTS_H

#include "source.h"

/*
 * The moments of the design's columns and the target (d = p + 1 columns,
 * numerics/moments.h) over the rows; the state starts with the moments block.
 * Rows without a target (PCA's) count it as 0, as the training aggregate
 * does, so one pass serves both.
 * With center and scale, each column is mapped back to its raw units
 * (x * scale + center) first.
 */
typedef struct MmLinearMomentsArg
{
	const double *center;		/* or NULL: the columns as they are */
	const double *scale;
} MmLinearMomentsArg;

extern const MmPass mm_linear_moments_pass;

#endif							/* MM_LINEAR_MOMENTS_H */
