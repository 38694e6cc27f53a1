/*
 * passdesign.h: the design a pass over a relation applies to each row.
 *
 * A fit in memory reads its rows, fits the preprocessing on the training
 * part and hands the algorithm the encoded rows (the design).  A fit in
 * passes cannot hold the rows, so the pass header carries what turns a row
 * as read into a design row: which source features the model keeps, their
 * fitted transforms (impute, clip, center, scale), the categories of the
 * text ones and how they encode, and the class labels of a classifier.  The
 * aggregate applies it to every row before the pass's add sees the row,
 * with the very function prediction calls (mm_model_transform), so a pass
 * sees the numbers the fit in memory would.
 *
 * A raw design keeps every feature untransformed (NULL as NaN, text as NaN):
 * it serves the passes that gather what the preprocessing is fitted from.
 *
 * The design travels as flat bytes, all offsets multiples of 8:
 *
 *   head                 magic, raw_p, n_kept, raw, label_kind, n_labels,
 *                        has_transform, has_categories
 *   int32 kinds[raw_p]   each source feature's MmFeatureKind
 *   int32 kept[raw_p]    its place among the kept features, or -1
 *   transforms           n_kept MmFeatureTransform, when has_transform
 *   categories           per kept text feature, when has_categories: encoding,
 *                        n, n_other, has_reference, reference, then n + n_other
 *                        strings (uint32 length, bytes), padded
 *   labels               n_labels doubles (the number labels' values), then
 *                        n_labels strings, padded
 *
 * Decoding checks every count, length and order the reader relies on
 * (category and label lists sorted as they are looked up), so damaged bytes
 * are an error, not a wild read.
 */
#ifndef MM_PASSDESIGN_H
#define MM_PASSDESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"

#define MM_PASS_DESIGN_MAGIC 0x4d4d5044	/* "MMPD" */

/* A design, as written or as decoded. */
typedef struct MmPassDesign
{
	int			raw_p;			/* the source's features */
	int			raw;			/* 1: rows as read, untransformed */
	const int32_t *kinds;		/* per source feature: MmFeatureKind */
	const int32_t *kept;		/* per source feature: index among the kept, or -1 */
	/*
	 * The model as prediction transforms rows: n_features the kept ones,
	 * their kinds, transform (or NULL) and categories (or NULL), n_design
	 * the design's width, and algorithm (or NULL) for whether a missing
	 * number it does not impute goes on as NaN (only that is written).
	 */
	MmModel		shell;
	int			label_kind;		/* MmLabelKind, or 0 for rows without class labels */
	int			n_labels;
	char	  **labels;			/* text labels in C order; others as text */
	double	   *label_values;	/* number and boolean labels, ascending */

	/*
	 * Set by mm_pass_design_read when every source feature is a number the
	 * design keeps in its own place: a row of them without NULLs then goes
	 * through mm_pass_design_numbers, column by column without a branch per
	 * value.  columns holds per feature its clip bounds, center and scale
	 * (4 raw_p doubles, each quantity contiguous), NULL without a transform.
	 */
	int			numbers_in_place;
	double	   *columns;
} MmPassDesign;

/*
 * Writes d into a buffer allocated through mm_alloc (*out, *len bytes).
 * Only the fields above count; shell.feature_names is not written.
 */
extern MmErrorCode mm_pass_design_write(const MmPassDesign *d, void **out, size_t *len,
										MmError *err);

/* Decodes len checked bytes into d, allocated through mm_alloc; free with mm_pass_design_free. */
extern MmErrorCode mm_pass_design_read(const void *bytes, size_t len, MmPassDesign *d, MmError *err);

extern void mm_pass_design_free(MmPassDesign *d);

/* A 64-bit hash of len bytes: the header names its design by it. */
extern uint64_t mm_pass_design_hash(const void *bytes, size_t len);

/* The width of the rows a design hands the pass. */
extern int	mm_pass_design_width(const MmPassDesign *d);

/*
 * The index of a label among the design's, or -1: text by its bytes, a
 * number or boolean by its value.
 */
extern int	mm_pass_design_label(const MmPassDesign *d, double value, const char *text, size_t len);

/*
 * A row as the aggregate reads it, before the design: what the split hashes
 * and what the transform encodes.
 */
typedef struct MmPassRawRow
{
	const double *x;			/* raw_p values; a text feature's slot is unused */
	const uint8_t *isnull;		/* raw_p flags */
	const char *const *text;	/* per source feature: a text feature's value */
	const size_t *text_len;
	const uint64_t *text_hash;	/* per source feature: the hash of a text value */
	int			target_null;
	double		target;			/* a number to predict, or a number or boolean label */
	const char *label;			/* a text label */
	size_t		label_len;
	uint64_t	label_hash;		/* the label's hash, as the rows read into memory hash it */
} MmPassRawRow;

/*
 * The design row of a raw row whose values are all finite or NULL: text
 * values as their category codes, then mm_model_transform (a raw design
 * copies the numbers and gives text NaN).  work holds raw_p doubles.  On
 * failure err->item is the source feature to blame.
 */
extern MmErrorCode mm_pass_design_row(const MmPassDesign *d, const MmPassRawRow *row, double *work,
									  double *z, MmError *err);

/*
 * The design row z of raw_p finite numbers x, for a design whose
 * numbers_in_place is set: mm_pass_design_row's numbers, bit for bit.
 * Returns 0 when a value is not finite after its transform, which
 * mm_pass_design_row then reports.
 */
extern int	mm_pass_design_numbers(const MmPassDesign *d, const double *x, double *z);

#endif							/* MM_PASSDESIGN_H */
