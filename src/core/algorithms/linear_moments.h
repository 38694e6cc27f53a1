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
 * Its arg is optional: without one (NULL) the columns are taken as they
 * are; with one, each column is first mapped back to its raw units
 * (x * scale + center).  The arg is flat, 1 + 2 p doubles (p, center[p],
 * scale[p]), so that it travels to the processes that run the pass over a
 * relation.
 */
extern const MmPass mm_linear_moments_pass;

/* The arg mapping p columns back to their units, allocated through mm_alloc (NULL: no memory). */
extern double *mm_linear_moments_units(int p, const double *center, const double *scale);

#endif							/* MM_LINEAR_MOMENTS_H */
