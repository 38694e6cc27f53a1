/*
 * passstate.h: a pass (source.h) as a flat, mergeable aggregate state.
 *
 * A pass over a relation runs as one aggregate, mm_pass, which PostgreSQL
 * may split over parallel workers and a distributed database over its
 * shards: each part builds a state from the rows it reads, the states are
 * merged, and the reader takes the pass's own state out of the result.
 * Everything that travels is a flat byte string, so that it fits a bytea.
 *
 * Two byte strings are defined here.  The pass header (MmPassSpec, then the
 * pass's arg) is what the caller hands the aggregate: which pass (the
 * algorithm's artifact id and the pass's index in its table, both found
 * again in every process by mm_pass_find), the design's width p, whether
 * rows carry a numeric target, the train/test split and the arg bytes; a
 * header of layout MM_PASS_LAYOUT_DESIGN adds a design (MmPassDesignRef,
 * then the design's bytes, passdesign.h) that each row goes through.  The
 * pass state is what the aggregate carries:
 *
 *   MmPassStateHeader        the header's fields, counts of the rows seen
 *   MmPassDesignRef          with a design only: its reference, refused rows
 *   int64 null_count[c]      per feature: rows where it was NULL
 *   int64 nonfinite[c + 1]   per feature, then the target: NaN or infinite
 *   arg                      the pass's arg, padded to 8 bytes
 *   double x[BLOCK * p]      training rows waiting for the pass, row-major
 *   double t[BLOCK]          and their targets
 *   int32 y[BLOCK]           and their class indexes, padded to 8 bytes
 *   pass state               pass_size bytes, padded to 8 bytes
 *   held-out pass state      the same, with a design over both parts only
 *   MmLabelCounts            with labels_counted 1: the rows per label and part
 *   MmTextCounts             with labels_counted 2: the same, of a text label
 *   MmTextCounts[t]          with texts_counted t: the rows per value and part of
 *                            each of the design's first t text features
 *
 * c is p, or with a design the source's features (raw_p), which it counts.
 *
 * A design's pass sees one part of the split, or both (MM_PASS_PARTS_BOTH):
 * then the state keeps one pass state per part, and each row goes to its
 * part's, so that one read of the relation measures a model on both.  The
 * buffer holds the training rows from its front and the held-out rows from
 * its back, and hands each part's to that part's state, in the order they
 * came, once the two meet: a pass that sums row by row, as the measuring
 * passes do, sums each part exactly as a pass over that part alone would,
 * in blocks as full as the rows of one part make them.
 *
 * The state carries the arg because merging needs it (the combine function
 * sees two states and nothing else) and so that two states of different
 * passes or args are never merged.  Rows are split as the least-squares
 * state splits them (lsq.c): a row with a NULL or non-finite value is
 * counted and skipped, the others are hashed with their target
 * (rowhash.h), and those the seed holds out are counted, not passed on.
 * The training rows gather in the buffer, so that the pass's add sees
 * blocks of MM_PASS_BLOCK rows; merging moves the other state's waiting
 * rows into this one's buffer, and mm_pass_state_finish hands the last
 * partial block to the pass before the state is read.  Rows offered through
 * a design are split instead as rows read into memory are (dataset.c), see
 * mm_pass_state_offer.
 *
 * All offsets are multiples of 8 bytes; callers hand in 8-byte aligned
 * buffers.  A state is read back only after mm_pass_state_check, which
 * checks everything its layout rests on, so damaged bytes are an error,
 * not a wild read.  The pass's own state is the pass's business: passes
 * keep flat numbers in it and must not index memory with them.
 */
#ifndef MM_PASSSTATE_H
#define MM_PASSSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "labelcount.h"
#include "source.h"
#include "textcount.h"

#define MM_PASS_SPEC_MAGIC 0x4d4d5048	/* "MMPH" */
#define MM_PASS_STATE_MAGIC 0x4d4d5053	/* "MMPS" */
#define MM_PASS_LAYOUT 1
#define MM_PASS_LAYOUT_DESIGN 2		/* the header carries a design (MmPassDesignRef) */
#define MM_PASS_BLOCK 32			/* training rows the pass's add receives at once */
#define MM_PASS_MAX_ARG (64 * 1024 * 1024)	/* bytes of a pass's arg */
#define MM_PASS_MAX_STATE (512 * 1024 * 1024)	/* bytes of a pass's own state */
#define MM_PASS_PARTS_BOTH 2		/* a design's part: both, a pass state each */

/* What the rows' target is to the pass. */
typedef enum MmPassTarget
{
	MM_PASS_TARGET_NUMERIC = 0, /* a number, in MmRows.t */
	MM_PASS_TARGET_NONE = 1,	/* none: the aggregate reads 0 in its place (hashed so) */
	MM_PASS_TARGET_CLASS = 2	/* a class label, in MmRows.y as its index in the design's labels */
} MmPassTarget;

/* The pass header, followed by arg_len bytes of the pass's arg. */
typedef struct MmPassSpec
{
	uint32_t	magic;
	uint16_t	layout;
	uint16_t	byte_order;		/* 0x0102 as written by this machine */
	int32_t		artifact_id;	/* the algorithm whose table lists the pass (0: the source's own) */
	int32_t		index;			/* the pass's place in that table */
	int32_t		p;				/* the design's width */
	int32_t		target;			/* MmPassTarget */
	double		test_size;		/* the held-out share, [0, 1) */
	uint64_t	salt;			/* mm_seed_salt of the split's seed */
	uint64_t	arg_len;
} MmPassSpec;

/*
 * What a header of layout MM_PASS_LAYOUT_DESIGN adds after the arg, before
 * the design's bytes, and its state keeps right after its fixed head: the
 * design's reference, the part its pass sees, and (in the state) the rows
 * the design's transform refused.
 *
 * With folds set, the passes are a cross-validation fold's: the split's
 * training rows are cut into folds by their draw (mm_fold_of_draw, the rule
 * of the rows tuning reads into memory), part 0 is every fold but fold (the
 * fold's training rows, counted in rows_train) and part 1 is fold itself
 * (its held-out rows, counted in rows_test); the rows the split holds out
 * are in neither, counted in rows_outside.
 */
typedef struct MmPassDesignRef
{
	int32_t		raw_p;			/* the source's features */
	int32_t		part;			/* the part of the split the pass sees: 0 training, 1 held out,
								 * or MM_PASS_PARTS_BOTH */
	uint64_t	design_len;		/* bytes of the design (passdesign.h) */
	uint64_t	design_hash;	/* mm_pass_design_hash of those bytes */
	int32_t		folds;			/* 0, or the folds the training part is cut into (2 to 100) */
	int32_t		fold;			/* with folds: the fold that is part 1 */
	int64_t		rows_untransformed; /* of the part, refused by the transform (0 in a header) */
	int32_t		untransformed_feature;	/* the first source feature it blamed, or -1 */
	int32_t		labels_counted; /* 1: the state counts a classifier's number or boolean
								 * labels per part (labelcount.h), after its pass states;
								 * 2: its text labels (textcount.h) */
	int32_t		texts_counted;	/* t: the state counts the values per part of the design's
								 * first t text features (textcount.h), after the labels */
	int64_t		rows_outside;	/* with folds: rows the split holds out (0 in a header) */
} MmPassDesignRef;

#define MM_PASS_MAX_FOLDS 100

/* The fixed head of a pass state. */
typedef struct MmPassStateHeader
{
	MmPassSpec	spec;
	uint64_t	pass_size;		/* bytes of the pass's own state */
	int32_t		buffered;		/* training rows waiting at the buffer's front */
	int32_t		buffered_test;	/* held-out rows waiting at its back (a design over both) */
	int64_t		rows_seen;		/* every row offered */
	int64_t		rows_null_target;
	int64_t		rows_bad_features;	/* a NULL or non-finite feature */
	int64_t		rows_bad_target;	/* a non-finite target */
	int64_t		rows_test;		/* held out by the split */
	int64_t		rows_train;		/* handed to the pass */
	uint64_t	fingerprint;	/* sum of the usable rows' hashes, mod 2^64 */
	uint64_t	stamp;			/* the making process's mark of this state (0 from init): see passagg.c */
} MmPassStateHeader;

/* Pointers into a checked pass state. */
typedef struct MmPassStateView
{
	MmPassStateHeader *head;
	MmPassDesignRef *design;	/* with a design, else NULL */
	int			p;
	int			counts_p;		/* the features counted: the source's (raw_p) with a design, else p */
	int64_t    *null_count;		/* per feature */
	int64_t    *nonfinite_count;	/* per feature, then the target */
	const void *arg;			/* NULL when arg_len is 0 */
	double	   *x;				/* the buffer: MM_PASS_BLOCK rows of p */
	double	   *t;				/* their targets */
	int32_t    *y;				/* their class indexes */
	void	   *pass_state;			/* of the part the design sees, or the training part's */
	void	   *pass_state_test;	/* the held-out part's, with a design over both; else NULL */
	MmLabelCounts *labels;		/* with labels_counted 1, else NULL */
	MmTextCounts *text_labels;	/* with labels_counted 2, else NULL */
	MmTextCounts *texts;		/* texts_counted of them, else NULL */
	int			n_texts;
} MmPassStateView;

/* Bytes of a pass header with arg_len bytes of arg. */
extern size_t mm_pass_spec_size(size_t arg_len);

/*
 * Writes a pass header into buf (mm_pass_spec_size(arg_len) bytes): pass
 * index of the table of artifact_id, over p columns, split by test_size
 * and the seed's salt (mm_seed_salt).
 */
extern void mm_pass_spec_write(void *buf, int artifact_id, int index, int p, MmPassTarget target,
							   double test_size, uint64_t salt, const void *arg, size_t arg_len);

/* Bytes of a pass header with arg_len bytes of arg and a design of design_len bytes. */
extern size_t mm_pass_spec_design_size(size_t arg_len, size_t design_len);

/*
 * Gives the header mm_pass_spec_write wrote into buf a design (passdesign.h)
 * of design_len bytes over raw_p source features, and the part of the split
 * its pass sees; buf has room for mm_pass_spec_design_size bytes.  Rows then
 * pass through the design before the pass sees them, and are split as the
 * rows read into memory are (dataset.c), text and labels hashed as there.
 */
extern void mm_pass_spec_set_design(void *buf, int raw_p, int part, const void *design,
									size_t design_len);

/*
 * Makes the passes of a header with a design (mm_pass_spec_set_design) see
 * fold's parts of the training rows cut into folds (see MmPassDesignRef):
 * part 0 the other folds, part 1 the fold.  folds 0 restores the split's
 * parts.
 */
extern void mm_pass_spec_set_folds(void *buf, int folds, int fold);

/*
 * Makes the states of a header with a design, whose target is a number or
 * boolean label (MM_PASS_TARGET_CLASS), count the rows of each label value
 * in each part (labelcount.h).
 */
extern void mm_pass_spec_count_labels(void *buf);

/*
 * Makes the states of a header with a design, whose target is a text label
 * (MM_PASS_TARGET_CLASS), count the rows of each label in each part
 * (textcount.h).
 */
extern void mm_pass_spec_count_text_labels(void *buf);

/*
 * Makes the states of a header with a design count the rows of each value
 * of the design's first texts text features (in the order of the source's
 * features), and the rows where each is NULL, in each part (textcount.h).
 */
extern void mm_pass_spec_count_texts(void *buf, int texts);

/* Copies a checked header's design reference into ref; false when it has no design. */
extern int	mm_pass_spec_ref(const MmPassSpec *spec, MmPassDesignRef *ref);

/* The design bytes of a checked header, or NULL when it has none. */
extern const void *mm_pass_spec_design(const MmPassSpec *spec);

/* Checks that len bytes at buf are a well-formed pass header. */
extern MmErrorCode mm_pass_spec_check(const void *buf, size_t len, MmError *err);

/* The arg bytes of a checked header, or NULL when it has none. */
extern const void *mm_pass_spec_arg(const MmPassSpec *spec);

/*
 * Bytes of the state of pass over a checked header, or 0 (with err set)
 * when the header's arg is not one of pass (MmPass.arg_size) or the pass's
 * state is larger than MM_PASS_MAX_STATE.
 */
extern size_t mm_pass_state_size(const MmPassSpec *spec, const MmPass *pass, MmError *err);

/* Initializes a state of mm_pass_state_size bytes in buf. */
extern void mm_pass_state_init(void *buf, const MmPassSpec *spec, const MmPass *pass);

/*
 * Checks the head of len bytes at buf (everything but the pass) and says
 * which pass the state belongs to, for mm_pass_find.
 */
extern MmErrorCode mm_pass_state_identify(const void *buf, size_t len, int *artifact_id, int *index,
										  MmError *err);

/*
 * Checks that len bytes at buf are a well-formed state of pass: the
 * header, the length, the arg and the pass's own check always (all that
 * memory safety rests on), the per-column counts too when full.
 */
extern MmErrorCode mm_pass_state_check(const void *buf, size_t len, const MmPass *pass, int full,
									   MmError *err);

/* Fills view with pointers into a checked state. */
extern void mm_pass_state_view(void *buf, MmPassStateView *view);

/*
 * Offers one row: x holds p features, isnull (may be NULL) flags the
 * missing ones, y is the target (ignored when y_isnull, which counts the
 * row as having none).  A target of MM_PASS_TARGET_NONE must be read as 0.
 */
extern void mm_pass_state_add(MmPassStateView *view, const MmPass *pass, const double *x,
							  const uint8_t *isnull, double y, int y_isnull);

/*
 * Offers one row of a header with a design d (decoded from its bytes): the
 * row is counted and split as dataset.c splits the rows it reads, and a row
 * of the pass's part goes through the design to the pass.  A NULL target
 * and a NaN or infinite target, label or feature are counted, the row
 * skipped; a row the transform refuses (a NULL not imputed, a value not
 * finite once scaled) is counted with the feature to blame.  work holds
 * raw_p + 1 + p doubles.  Fails only for a label not among the design's
 * (with folds, only in a row of the folds: a fold's design has the labels of
 * the split's training rows).
 */
struct MmPassDesign;
struct MmPassRawRow;
extern MmErrorCode mm_pass_state_offer(MmPassStateView *view, const MmPass *pass,
									   const struct MmPassDesign *d,
									   const struct MmPassRawRow *row, double *work, MmError *err);

/*
 * The part of the split a raw row falls in, as mm_pass_state_offer splits
 * it under spec, its design reference ref and d: 0 training, 1 held out, -1
 * none (a NULL or non-finite target, a non-finite feature, or with folds a
 * row the split holds out).  work, room for raw_p + 1 doubles, is no longer
 * needed.
 */
extern int	mm_pass_row_part(const MmPassSpec *spec, const MmPassDesignRef *ref,
							 const struct MmPassDesign *d, const struct MmPassRawRow *row,
							 double *work);

/* True when two checked states are of the same pass, arg and split. */
extern int	mm_pass_state_compatible(const void *a, const void *b);

/* Merges checked state src into dst, a compatible state of the same pass; src is not changed. */
extern MmErrorCode mm_pass_state_merge(void *dst, const void *src, const MmPass *pass, MmError *err);

/* Hands the rows waiting in the buffer to the pass, before the state is read. */
extern void mm_pass_state_finish(MmPassStateView *view, const MmPass *pass);

#endif							/* MM_PASSSTATE_H */
