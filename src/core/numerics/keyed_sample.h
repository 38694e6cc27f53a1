/*
 * keyed_sample.h: a bounded sample of rows, those of the smallest keys (a
 * content hash), held as a max-heap of keys with each row beside its key's
 * slot.  Offered and merged in any order, the same keys stay (the smallest
 * slots of them, repeats counted), so that parallel workers, a distributed
 * table's shards and rows in memory keep the same sample: the silhouette's
 * rows (evalpasses.h) and the rows a forest's cuts come from (hist_trees.h).
 */
#ifndef MM_KEYED_SAMPLE_H
#define MM_KEYED_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct MmKeyedSample
{
	uint64_t   *keys;			/* slots of them */
	double	   *rows;			/* slots x p, row i beside key i */
	int			p;
} MmKeyedSample;

/*
 * Offers a row x of key to the sample holding *held rows of slots: kept
 * while its key is among the smallest; *held counts the rows held.
 */
extern void mm_keyed_sample_offer(MmKeyedSample *a, double *held, size_t slots, uint64_t key,
								  const double *x);

/* Sorts the n rows held in ascending order of key; the sample is no longer a heap. */
extern void mm_keyed_sample_sort(MmKeyedSample *a, size_t n);

#endif							/* MM_KEYED_SAMPLE_H */
