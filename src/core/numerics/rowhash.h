/*
 * rowhash.h: content hashes of rows, for the train/test split, the metric
 * sample and the data fingerprint.
 *
 * Everything that must not depend on scan order or on the number of parallel
 * workers is derived from a hash of the row's values: whether the row is held
 * out, its priority in the bounded metric sample, and its share of the order
 * independent fingerprint.  These functions are part of the stored-model
 * contract: changing them changes which rows a given seed holds out.
 *
 * The row hash mixes each value independently (with a per-position key, so
 * that the order of values matters) and sums the lanes before one strong
 * final mix: the lanes have no dependency chain between them, which keeps
 * the hash cheap enough for the training pass.  The split and the sample
 * key come from one further mix of the row hash with the seed's salt: the
 * split compares its top bits with test_size, the sample key is the same
 * value rotated, so that within each part the keys are uniform.
 */
#ifndef MM_ROWHASH_H
#define MM_ROWHASH_H

#include <stdint.h>
#include <string.h>

#define MM_HASH_GOLDEN UINT64_C(0x9e3779b97f4a7c15)
#define MM_HASH_LANE UINT64_C(0xd6e8feb86659fd93)
#define MM_HASH_SPLIT UINT64_C(0x5f1a3c0e2b7d4961)

/* A strong 64-bit mixing function (the splitmix64 finalizer). */
static inline uint64_t
mm_mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= UINT64_C(0xbf58476d1ce4e5b9);
	z ^= z >> 27;
	z *= UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return z;
}

/*
 * The share of the double of bits x at position i in a row's hash: the
 * hash of n doubles is mm_mix64 of n plus their shares (mod 2^64), so a
 * reader that has the values one by one sums the shares as it goes.
 */
static inline uint64_t
mm_row_hash_share(uint64_t x, int i)
{
	/* -0.0 hashes as 0.0; on the bits, as a comparison of doubles would branch per value */
	x = (x << 1) == 0 ? 0 : x;
	x = (x ^ (MM_HASH_GOLDEN * (uint64_t) (i + 1))) * MM_HASH_LANE;
	return x ^ (x >> 32);
}

/* Hash of n doubles; 0.0 and -0.0 hash alike. */
static inline uint64_t
mm_row_hash(const double *values, int n)
{
	uint64_t	acc = (uint64_t) n;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint64_t	x;

		memcpy(&x, &values[i], sizeof(x));
		acc += mm_row_hash_share(x, i);
	}
	return mm_mix64(acc);
}

/*
 * mm_row_hash of n doubles, and in *nonfinite whether any is NaN or
 * infinite: one loop over the bits serves both, without the chain of
 * floating-point operations a finiteness test in doubles takes.
 */
static inline uint64_t
mm_row_hash_finite(const double *values, int n, int *nonfinite)
{
	const uint64_t exponent = UINT64_C(0x7ff0000000000000);
	uint64_t	acc = (uint64_t) n;
	int			bad = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint64_t	x;

		memcpy(&x, &values[i], sizeof(x));
		bad |= (x & exponent) == exponent;
		/* -0.0 hashes as 0.0 */
		x = (x << 1) == 0 ? 0 : x;
		x = (x ^ (MM_HASH_GOLDEN * (uint64_t) (i + 1))) * MM_HASH_LANE;
		acc += x ^ (x >> 32);
	}
	*nonfinite = bad;
	return mm_mix64(acc);
}

/*
 * Hash of n doubles each rounded to single precision: the same for rows that
 * differ in their last bits, as design rows do when preprocessing statistics
 * were summed in another order (over other shards, chunks or workers).
 * Draws that pick rows of a design (k-means' seeding, the silhouette's
 * sample) take it, so that they pick the same rows either way.
 */
static inline uint64_t
mm_row_hash_rounded(const double *values, int n)
{
	uint64_t	acc = (uint64_t) n;
	int			i;

	for (i = 0; i < n; i++)
	{
		float		f = (float) values[i];
		uint32_t	bits;
		uint64_t	x;

		/* -0 hashes as 0 */
		f = f == 0.0f ? 0.0f : f;
		memcpy(&bits, &f, sizeof(bits));
		x = ((uint64_t) bits ^ (MM_HASH_GOLDEN * (uint64_t) (i + 1))) * MM_HASH_LANE;
		acc += x ^ (x >> 32);
	}
	return mm_mix64(acc);
}

/* The per-seed salt the split and sample derive from. */
static inline uint64_t
mm_seed_salt(int64_t seed)
{
	return mm_mix64((uint64_t) seed * MM_HASH_GOLDEN + MM_HASH_SPLIT);
}

/* The row's draw for a seed: its top bits decide the split. */
static inline uint64_t
mm_row_draw(uint64_t row_hash, uint64_t salt)
{
	return mm_mix64(row_hash ^ salt);
}

/* True when a row with this draw belongs to the held-out part. */
static inline int
mm_draw_is_test(uint64_t draw, double test_size)
{
	/* the top 53 bits as a uniform double in [0, 1) */
	return (double) (draw >> 11) * 0x1.0p-53 < test_size;
}

/* The row's priority in a bottom-k sample (smaller is kept). */
static inline uint64_t
mm_draw_sample_key(uint64_t draw)
{
	return (draw << 32) | (draw >> 32);
}

#endif							/* MM_ROWHASH_H */
