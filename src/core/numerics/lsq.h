/*
 * lsq.h: the mergeable training state of least squares.
 *
 * One flat, pointer-free buffer holds everything a pass over the training
 * relation gathers for a linear model: per part (0 = training, 1 = held out)
 * the moments of the features and the target (the row count, the means and
 * the triangular factor of the centered rows, moments.h), a bounded uniform sample of
 * rows for the metrics that need the fitted model (mean absolute error), and
 * counts of the rows skipped and why.  Being flat, the buffer can live inside
 * a bytea aggregate state, travel between parallel workers and between the
 * nodes of a distributed database as text, and be merged in any order: the
 * split and the sample are functions of row content and seed (rowhash.h), so
 * the result does not depend on the plan.
 *
 * The sample keeps the rows with the smallest sample keys (a bottom-k
 * sample), which is mergeable and deterministic.  Rows whose key is below
 * the part's threshold are appended to a buffer of one and a half times the
 * cap; when it is full, a selection keeps the cap smallest and lowers the
 * threshold to the largest kept key.  Appends are sequential and the
 * selection is linear, so the sample costs little per row; the kept rows
 * are exactly the bottom-k once the buffer is compacted a last time
 * (mm_ls_finish_sample).  Storage grows on demand, so small tables carry
 * small states.
 *
 * All offsets are multiples of 8 bytes; callers hand in 8-byte aligned
 * buffers.
 */
#ifndef MM_LSQ_H
#define MM_LSQ_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

#define MM_LS_MAGIC 0x4d4d4c53	/* "MMLS" */
#define MM_LS_LAYOUT 3			/* 3: the moments blocks hold a triangular factor */
#define MM_LS_MAX_SAMPLE 10000000
#define MM_LS_BATCH 64			/* rows gathered before they are folded into the factor */
#define MM_LS_ADMIT 1.5			/* expected rows admitted to a sample, per row kept */

/* Fixed head of the state buffer. */
typedef struct MmLsHeader
{
	uint32_t	magic;
	uint16_t	layout;
	uint16_t	byte_order;		/* 0x0102 as written by this machine */
	int32_t		nfeatures;		/* p; the target is variable p */
	int32_t		sample_cap;		/* rows the sample keeps per part */
	int32_t		sample_alloc;	/* rows allocated per part */
	int32_t		sample_count[2];
	int32_t		damaged;		/* set when a sample slot was out of range */
	int32_t		batch_count[2];	/* rows waiting in each part's batch */
	uint64_t	sample_threshold[2];	/* keys at or above it are not kept */
	double		test_size;
	uint64_t	salt;
	uint64_t	fingerprint;	/* sum of row fingerprints, mod 2^64 */
	int64_t		rows_seen;		/* every row offered */
	int64_t		rows_null_target;
	int64_t		rows_bad_features;	/* a NULL or non-finite feature */
	int64_t		rows_bad_target;	/* a non-finite target */
} MmLsHeader;

/* An entry of a sample: a row's key and where the row is stored. */
typedef struct MmLsSampleEntry
{
	uint64_t	key;
	int64_t		slot;
} MmLsSampleEntry;

/* Pointers into a state buffer. */
typedef struct MmLsView
{
	MmLsHeader *head;
	int			p;				/* features */
	int			d;				/* features + target */
	int64_t    *null_count;		/* per feature */
	int64_t    *nonfinite_count;	/* per feature, then the target */
	double	   *part[2];		/* moments blocks (moments.h) */
	double	   *range[2];		/* per part: d minimums, then d maximums */
	double	   *batch[2];		/* d columns of MM_LS_BATCH rows, per part */
	MmLsSampleEntry *sample_entry[2];	/* sample_count entries */
	double	   *sample_row[2];	/* rows of d values, by slot */
	double	   *scratch;		/* work space for merges */
	uint64_t	test_below;		/* draws whose top 53 bits are below it are held out */
} MmLsView;

/*
 * The split of mm_draw_is_test(draw, test_size) as a comparison of
 * integers: the row is held out when draw >> 11 is below this bound.  Each
 * row takes that instead of a conversion and a multiplication on its way
 * from the hash to its part.
 */
extern uint64_t mm_ls_test_below(double test_size);

/* Bytes needed for p features and room for alloc sampled rows per part. */
extern size_t mm_ls_size(int p, int alloc);

/*
 * Initializes a state in buf (mm_ls_size(p, alloc) bytes).  expected_rows,
 * an estimate of the rows to come (0 if unknown), lets the sample start with
 * a threshold that admits about MM_LS_ADMIT times the cap: the kept rows are
 * the same unless fewer than the cap fall below it, that is unless the
 * estimate was that much too high, and then they are all the rows below it
 * (still a uniform sample, only a smaller one).  Parallel workers then carry
 * small samples, which keeps the states they send cheap.
 */
extern void mm_ls_init(void *buf, int p, double test_size, int64_t seed,
					   int sample_cap, double expected_rows, int alloc);

/*
 * Checks that len bytes at buf are a well-formed state: the header and
 * length always (all that memory safety rests on), the row counts too when
 * full.
 */
extern MmErrorCode mm_ls_check(const void *buf, size_t len, int full, MmError *err);

/* Fills view with pointers into a checked state. */
extern void mm_ls_view(void *buf, MmLsView *view);

/* The allocation to grow to before the next row may be added, or 0. */
extern int	mm_ls_grow_needed(const void *buf);

/*
 * Whether both parts' samples have a free slot, so that mm_ls_grow_needed
 * is 0: the test every row makes, without a call.
 */
static inline int
mm_ls_has_room(const void *buf)
{
	const MmLsHeader *h = buf;

	return h->sample_count[0] < h->sample_alloc && h->sample_count[1] < h->sample_alloc;
}

/* Copies src into dst, a buffer of mm_ls_size(p, new_alloc) bytes. */
extern void mm_ls_copy_resized(void *dst, const void *src, int new_alloc);

/* Counts a row whose target is NULL. */
extern void mm_ls_add_null_target(MmLsView *view);

/*
 * Adds one row: v holds p features then the target; isnull (may be NULL)
 * flags missing features.  The caller has made room (mm_ls_grow_needed).
 */
extern void mm_ls_add(MmLsView *view, const double *v, const uint8_t *isnull);

/* The same, with the row's hash (mm_row_hash of its d values) known, or NULL. */
extern void mm_ls_add_hashed(MmLsView *view, const double *v, const uint8_t *isnull,
							 const uint64_t *row_hash);

/* The allocation dst needs before src can be merged into it, or 0. */
extern int	mm_ls_merge_grow_needed(const void *dst, const void *src);

/* Merges src into dst; both checked, compatible, dst large enough. */
extern MmErrorCode mm_ls_merge(void *dst, const void *src, MmError *err);

/*
 * Completes a state before it is read: merges the rows waiting in batches
 * into the moments and reduces each part's sample to its bottom-k, in slots
 * 0 .. count-1.
 */
extern void mm_ls_finish(MmLsView *view);

/*
 * Rows a part's sample buffer may hold before it is compacted: always more
 * than the cap (a cap of 1 gets 2), since compacting keeps cap rows and the
 * next row needs a slot.
 */
static inline int
mm_ls_sample_limit(int cap)
{
	return cap == 1 ? 2 : cap + cap / 2;
}

/*
 * The cross-validation fold of a row (p features, then the target) that a
 * state of the same test_size and salt puts in its training part: 0 ..
 * folds - 1 from bits of the row's draw the split does not use; -1 for a
 * held-out row; -2 for a row with a value that is not finite.  Sets
 * *row_hash (but for -2) for mm_ls_add_hashed.
 */
extern int	mm_ls_fold(const double *v, int p, double test_size, uint64_t salt, int folds,
					   uint64_t *row_hash);

/* The fold of a training row from its draw (mm_row_draw), as mm_ls_fold deals it. */
extern int	mm_fold_of_draw(uint64_t draw, int folds);

#endif							/* MM_LSQ_H */
