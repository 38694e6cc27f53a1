/*
 * kmeans_sample.h: a bounded, mergeable sample of rows for k-means' passes:
 * the rows with the smallest keys, at most `slots` of them.
 *
 * A row's key is a function of its content alone (its hash, the pass's
 * salt and its distances), so the sample of a set of rows is the same set
 * whatever order the rows arrive in and however the partial samples are
 * merged: keys are compared exactly, ties broken by the row hash, and a
 * row whose key and hash equal one already held is the same row (equal
 * content) and is kept once.  The sample is flat doubles, to travel inside
 * a pass state: the count, then per slot the key, the hash's bits and the
 * row's p values, in increasing order of (key, hash).
 */
#ifndef MM_KMEANS_SAMPLE_H
#define MM_KMEANS_SAMPLE_H

#include <stddef.h>
#include <math.h>
#include <stdint.h>

/* Doubles a sample of slots rows of p values takes. */
extern size_t mm_ksample_words(int p, int slots);

/* An empty sample. */
extern void mm_ksample_init(double *sample);

/* True when a row with this key could enter the sample (its hash decides a tie). */
extern int	mm_ksample_wants(const double *sample, int p, int slots, double key);

/*
 * The largest key that could still enter: +infinity while the sample has
 * room, else its largest key (mm_ksample_wants(key) is key <= this).
 */
static inline double
mm_ksample_threshold(const double *sample, int p, int slots)
{
	int			n = (int) sample[0];

	return n < slots ? (double) INFINITY : sample[1 + (size_t) (n - 1) * (2 + (size_t) p)];
}

/* Offers a row: kept while it is among the slots smallest (key, hash). */
extern void mm_ksample_offer(double *sample, int p, int slots, double key, uint64_t hash,
							 const double *row);

/* Merges other into sample; scratch holds mm_ksample_words(p, slots) doubles. */
extern void mm_ksample_merge(double *sample, const double *other, int p, int slots, double *scratch);

/* The rows held, and the i-th of them (smallest key first). */
extern int	mm_ksample_count(const double *sample);
extern const double *mm_ksample_row(const double *sample, int p, int i);

/* 1 when a sample read back from bytes holds a count that fits slots. */
extern int	mm_ksample_check(const double *sample, int slots);

#endif							/* MM_KMEANS_SAMPLE_H */
