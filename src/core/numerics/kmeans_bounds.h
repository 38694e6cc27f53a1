/*
 * kmeans_bounds.h: Lloyd passes over rows held in memory that skip most of
 * the distances, by Hamerly's bounds (Hamerly 2010), and still make the
 * very state mm_kmeans_lloyd_pass makes (kmeans_passes.h).
 *
 * Between passes each row keeps its cluster, an upper bound on its
 * distance to its center and a lower bound on its distance to every other
 * center; a pass moves the bounds by how far the centers moved, and a row
 * whose upper bound (or, failing that, its distance measured to its own
 * center) is below the lower bound, or below half the distance from its
 * center to the nearest other one, keeps its cluster without measuring the
 * others.  The bounds
 * are kept loose by a relative margin far above the roundings of the
 * distances, so a row keeps its cluster only where the plain pass's
 * measure would give it that cluster too, strictly (no tie): the
 * assignments, the sums and so the centers are the plain passes' to the
 * bit, and the fit reaches the same fixed point.
 */
#ifndef MM_KMEANS_BOUNDS_H
#define MM_KMEANS_BOUNDS_H

#include "kmeans_passes.h"
#include "mmcore.h"
#include "source.h"

typedef struct MmKMeansBounds MmKMeansBounds;

/*
 * Bounds for the rows data holds in memory (data->rows), for k centers;
 * NULL when data holds no rows, they are too wide to bound safely, or
 * memory is short (then the plain passes run).  20 bytes a row.
 */
extern MmKMeansBounds *mm_kmeans_bounds_new(MmDataSource *data, int k);
extern void mm_kmeans_bounds_free(MmKMeansBounds *b);

/*
 * Runs the Lloyd pass of arg (whose points are centers) over data into
 * state (mm_kmeans_lloyd_pass.state_size bytes), in the same chunks and
 * merges as data->run gives mm_kmeans_lloyd_pass.  Exact: the same state.
 * Lean: the same counts, sums and fingerprint, but no inertia and no
 * sample of the farthest rows, which spares measuring the rows whose
 * cluster the bounds keep; run the same centers again exactly for those
 * (every bound then holds, no row changes cluster).
 */
extern MmErrorCode mm_kmeans_bounds_pass(MmKMeansBounds *b, MmDataSource *data, const double *centers,
										 const MmKMeansArg *arg, int exact, void *state, MmError *err);

#endif							/* MM_KMEANS_BOUNDS_H */
