/*
 * checkstate.h: what a monitoring check counts over a window of live rows,
 * as a flat, mergeable aggregate state.
 *
 * A check runs as one aggregate (mm_check_stats) that PostgreSQL may split
 * over parallel workers and a distributed database over its shards: each
 * part counts the rows it reads into a state, and the states are merged.
 * So the state is one flat byte string, everything in it a count or a sum:
 *
 *   MmCheckStateHead         the shape, the rows seen and the quality sums
 *   int32 shape[watches]     per watch: -1 numeric, else its categories
 *                            (padded to 8 bytes)
 *   per watch, in order      numeric: an MmNumericWindow (profile.h);
 *                            categorical with n categories: rows, missing,
 *                            unseen, then n + 1 counts (each named, the rest)
 *   int64 confusion[(k+1)*k] classification quality only: label (the last
 *                            row for labels among no class) by prediction
 *
 * The watches are the model's features in order, then its predictions.
 * check_id names the check (its model, baseline and inputs, hashed by the
 * caller) so that states of two checks are never merged.
 *
 * Counts merge exactly, in any order.  The sums (the gaps beyond a numeric
 * profile's range, the regression errors) are added, and the label's mean
 * and squared deviations merge as Chan et al. merge Welford's moments: one
 * state filled row by row holds the same bits a row-by-row count would, and
 * states merged in another order agree with it to rounding.
 *
 * All offsets are multiples of 8 bytes; callers hand in 8-byte aligned
 * buffers.  A state is read only after mm_check_state_check, which checks
 * everything its layout rests on.
 */
#ifndef MM_CHECKSTATE_H
#define MM_CHECKSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "profile.h"

#define MM_CHECK_STATE_MAGIC 0x4d4d4353 /* "MMCS" */
#define MM_CHECK_STATE_LAYOUT 1
#define MM_CHECK_MAX_WATCHES (MM_MAX_FEATURES + 1)
#define MM_CHECK_MAX_CLASSES 100000

/* What the quality part of a state counts. */
typedef enum MmCheckQuality
{
	MM_CHECK_QUALITY_NONE = 0,	/* no label column */
	MM_CHECK_QUALITY_REGRESSION = 1,	/* error sums and the label's moments */
	MM_CHECK_QUALITY_CLASSES = 2	/* a confusion matrix */
} MmCheckQuality;

typedef struct MmCheckStateHead
{
	uint32_t	magic;
	uint16_t	layout;
	uint16_t	byte_order;		/* 0x0102 as written by this machine */
	uint64_t	check_id;
	int32_t		watches;
	int32_t		quality;		/* MmCheckQuality */
	int32_t		classes;		/* k, with MM_CHECK_QUALITY_CLASSES */
	int32_t		pad;
	int64_t		rows;			/* every row of the window */
	int64_t		unpredictable;	/* rows the model could not score */
	int64_t		label_rows;		/* rows whose label was scored */
	double		y_mean;			/* regression: the labels' mean */
	double		y_m2;			/* and their summed squared deviations */
	double		sse;			/* squared errors */
	double		sae;			/* absolute errors */
} MmCheckStateHead;

/* A categorical watch's counts in a state; count has categories + 1 entries. */
typedef struct MmCheckCategorical
{
	int64_t		rows;
	int64_t		missing;
	int64_t		unseen;
	int64_t		count[];
} MmCheckCategorical;

/* Pointers into a checked state. */
typedef struct MmCheckStateView
{
	MmCheckStateHead *head;
	const int32_t *shape;
	void	  **watch;			/* per watch: an MmNumericWindow or an MmCheckCategorical */
	int64_t    *confusion;		/* NULL without classification quality */
} MmCheckStateView;

/*
 * Bytes of a state of watches watches of the given shapes (-1 numeric, else
 * the categories named, at most MM_PROFILE_CATEGORIES) and quality, with
 * classes classes; 0 when a count is out of range.
 */
extern size_t mm_check_state_size(int watches, const int32_t *shape, MmCheckQuality quality,
								  int classes);

/* Initializes a state of mm_check_state_size bytes in buf: nothing counted. */
extern void mm_check_state_init(void *buf, uint64_t check_id, int watches, const int32_t *shape,
								MmCheckQuality quality, int classes);

/* Checks that len bytes at buf are a well-formed state. */
extern MmErrorCode mm_check_state_check(const void *buf, size_t len, MmError *err);

/*
 * Fills view with pointers into a checked state; watch has room for the
 * state's watches.
 */
extern void mm_check_state_view(void *buf, MmCheckStateView *view, void **watch);

/* Counts one regression label y against the prediction outcome. */
extern void mm_check_state_regression(MmCheckStateHead *head, double y, double outcome);

/* Merges checked state src into dst, a state of the same check; src is not changed. */
extern MmErrorCode mm_check_state_merge(void *dst, const void *src, MmError *err);

#endif							/* MM_CHECKSTATE_H */
