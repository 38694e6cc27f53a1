/*
 * source.h: where a fit's rows come from.
 *
 * A fit never reads a relation or a matrix directly: it asks its data
 * source for passes over the rows.  A pass is a mergeable accumulation
 * (init, add a block of rows, merge two partial states), so the same pass
 * runs over a matrix in memory, split into chunks on threads and merged in
 * chunk order (mm_memory_source), or as an aggregate over a relation that
 * PostgreSQL runs in parallel workers, or Citus on its shards, and merges
 * with the aggregate's combine function.  An iterative algorithm written as
 * a driver loop of passes runs either way; one that needs random access to
 * the rows asks for them (rows()), which only a source in memory gives.
 */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

/* A block of rows of the design. */
typedef struct MmRows
{
	size_t		n;
	int			p;
	const double *x;			/* n x p, row-major */
	const int32_t *y;			/* class indexes, or NULL */
	const double *t;			/* numeric targets, or NULL */
} MmRows;

/*
 * A pass: state_size bytes of flat, pointer-free partial state (so that it
 * can travel inside a bytea aggregate state), built by init, grown by add
 * over blocks of rows and merged by merge.  arg is the pass's input, the
 * same on every block (current coefficients, say).  merge must be
 * associative; the sources merge in a fixed order so results repeat.
 */
typedef struct MmPass
{
	const char *name;
	size_t		(*state_size) (int p, const void *arg);
	void		(*init) (void *state, int p, const void *arg);
	void		(*add) (void *state, const MmRows *rows, const void *arg);
	void		(*merge) (void *state, const void *other, int p, const void *arg);
	/*
	 * Bytes of arg (which may say so itself), for sources that send it to
	 * other processes (mm_pass over a relation), reading no more than avail
	 * bytes of it (SIZE_MAX: arg is whole), or 0 when those bytes are not an
	 * arg of the pass: an arg that arrives as bytes is checked so before
	 * the other functions read it.  NULL: the pass takes no arg, arg is NULL.
	 */
	size_t		(*arg_size) (int p, const void *arg, size_t avail);
	/* 1 when the pass also runs without an arg (NULL), though it has arg_size */
	int			arg_optional;
	/*
	 * 1 when a state read back from bytes (of the size state_size gives) is
	 * one init, add and merge could have made: every size or index it
	 * holds fits p and arg, before merge or a reader trusts them.  NULL: the
	 * state holds none.
	 */
	int			(*check) (const void *state, int p, const void *arg);
} MmPass;

/*
 * True when v is a whole number in [lo, hi]: how a pass's arg_size and
 * check take the counts and indexes an arg or a state carries as doubles.
 */
static inline int
mm_whole_in(double v, double lo, double hi)
{
	return v >= lo && v <= hi && v == floor(v);
}

typedef struct MmDataSource MmDataSource;

struct MmDataSource
{
	int			p;				/* the design's width */
	size_t		n_rows;			/* the training rows */
	/* Runs pass over every training row into state (state_size bytes, initialized here). */
	MmErrorCode (*run) (MmDataSource *self, const MmPass *pass, const void *arg, void *state,
						MmError *err);
	/* All training rows at once, when the source holds them in memory; else NULL. */
	const MmRows *(*rows) (MmDataSource *self);
	void	   *impl;
	/*
	 * The training rows of each of n_classes class indexes, when the source
	 * counted them before (a relation's, as its labels were found), else
	 * NULL: a fit that needs them then counts them by a pass of its own.
	 */
	const int64_t *class_rows;
	int			n_classes;
};

/* A source over rows in memory; the rows must outlive it.  impl is the rows. */
extern void mm_memory_source(MmDataSource *source, const MmRows *rows);

/*
 * A pass by where it is listed: index in the passes of the algorithm of
 * artifact_id, or, for artifact_id MM_PASS_SOURCE_ID, in the passes every
 * source offers (sourcepasses.h); NULL when there is no such pass.  Other
 * processes (parallel workers, a distributed database's nodes) find a pass
 * again from these two numbers.
 */
#define MM_PASS_SOURCE_ID 0
extern const MmPass *mm_pass_find(int artifact_id, int index);

/* The index under which mm_pass_find lists pass for artifact_id (or the source's own), or -1. */
extern int	mm_pass_index(int artifact_id, const MmPass *pass, int *found_id);

#endif							/* MM_SOURCE_H */
