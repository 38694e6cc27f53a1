/*
 * silhouette_sample.h: which rows the silhouette is measured on.
 *
 * The silhouette compares every pair of rows, so past a bound it is
 * measured on a sample: the rows of the smallest content hashes, in
 * ascending order of hash.  A content hash picks the same rows, in the same
 * order, whether the rows sit in memory in scan order or pass through an
 * aggregate in any order (evalpasses.h keeps them as a bounded heap), so
 * both ways of training measure the same score; the hash is of the values
 * in single precision, so that design rows differing in their last bits
 * (preprocessing statistics summed in another order) pick the same rows.
 */
#ifndef MM_SILHOUETTE_SAMPLE_H
#define MM_SILHOUETTE_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "rowhash.h"

/* mixed into a row's hash so that the sample is not the split's draw */
#define MM_SILHOUETTE_SALT UINT64_C(0x7a3c51e9d2b08f64)

/* A row's place in the sample's order: the smaller, the sooner taken. */
static inline uint64_t
mm_silhouette_key(const double *x, int p)
{
	return mm_mix64(mm_row_hash_rounded(x, p) ^ MM_SILHOUETTE_SALT);
}

/*
 * The indexes of the m (at most n) rows of x (n x p) of the smallest keys,
 * into rows, in ascending order of key.
 */
extern MmErrorCode mm_silhouette_sample(const double *x, size_t n, int p, size_t m, size_t *rows,
										MmError *err);

#endif							/* MM_SILHOUETTE_SAMPLE_H */
