/*
 * kmeans.h: k-means clustering (k-means++ starts, Lloyd iterations) on rows
 * in memory.
 */
#ifndef MM_KMEANS_H
#define MM_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"

typedef struct MmKMeansOptions
{
	int			k;
	int			max_iter;		/* Lloyd iterations at most */
	double		tol;			/* on the centers' squared movement, relative to the data's variance */
	int32_t		seed;			/* the k-means++ draws */
} MmKMeansOptions;

/*
 * Clusters n rows of p transformed features (x, row-major) as scikit-learn's
 * KMeans does with n_init = 1: greedy k-means++ starts from seed, then Lloyd
 * iterations until the assignment stops changing, the centers move less than
 * tol times the mean variance of the features, or max_iter.  A cluster left
 * empty takes the row farthest from its center.  Fills out's centers,
 * inertia and fitting record, and (unless NULL) sizes[k] with the rows
 * each final cluster holds, as prediction (mm_model_class) assigns them.
 */
extern MmErrorCode mm_kmeans_fit(const double *x, size_t n, int p, const MmKMeansOptions *opt,
								 MmKMeans *out, int64_t *sizes, MmError *err);

/*
 * The mean silhouette of n rows (labels from the model) over at most
 * max_rows of them, a uniform sample from a fixed seed; NaN with fewer than two clusters present.
 */
extern double mm_silhouette(const MmModel *model, const double *x, size_t n, size_t max_rows);

#endif							/* MM_KMEANS_H */
