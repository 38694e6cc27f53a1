/*
 * scorer.h: scoring rows with an exported model, for C programs that embed
 * modelmgr's core (the mm-score tool is one; doc/export-format.md, Embedding).
 *
 * A scorer holds one model read from a document mm_export wrote, and one row
 * of raw inputs.  Set each feature of the row (a number, a text value, or
 * missing), call mm_scorer_run, then read what the row scores: the same
 * arithmetic, in the same order, as mm_predict, mm_predict_label,
 * mm_predict_proba and mm_transform in the database, so the results agree to
 * the last bit.  A feature never set is missing; a value set stays until it
 * is set again, so a caller may change one feature between runs.  A scorer
 * is not thread-safe; use one per thread.
 *
 *	MmScorer *s;
 *	MmError err;
 *	if (mm_scorer_load(text, len, &s, &err) != MM_OK) ... err.message ...
 *	mm_scorer_set_number(s, 0, 42.0);
 *	mm_scorer_set_text(s, 1, "north", 5);
 *	if (mm_scorer_run(s, &err) == MM_OK)
 *		printf("%g\n", mm_scorer_value(s));
 *	mm_scorer_free(s);
 */
#ifndef MM_SCORER_H
#define MM_SCORER_H

#include <stddef.h>

#include "mmcore.h"
#include "model.h"

typedef struct MmScorer MmScorer;

/* Reads a document (document.h) into a new scorer. */
extern MmErrorCode mm_scorer_load(const char *text, size_t len, MmScorer **scorer, MmError *err);
extern void mm_scorer_free(MmScorer *s);

/* The model, for its features (names, kinds), task and classes. */
extern const MmModel *mm_scorer_model(const MmScorer *s);

/* The index of the feature named name, or -1. */
extern int	mm_scorer_feature(const MmScorer *s, const char *name);

/* The SQL type feature j had where the model was trained ("integer", "text"...), or NULL. */
extern const char *mm_scorer_feature_type(const MmScorer *s, int j);

/*
 * Sets feature j of the row from its text (NUL-terminated, len bytes) as
 * PostgreSQL's input function for the feature's type reads it: a number
 * (real as single precision), a boolean (t, true, yes, on, 1 and their
 * opposites), a text value (character(n) without trailing blanks).  Fails
 * on text that is not a value of the type.
 */
extern MmErrorCode mm_scorer_set_field(MmScorer *s, int j, const char *text, size_t len, MmError *err);

/* Sets feature j of the row: a number (or boolean as 0/1), a text value, missing. */
extern void mm_scorer_set_number(MmScorer *s, int j, double value);
extern void mm_scorer_set_text(MmScorer *s, int j, const char *value, size_t len);
extern void mm_scorer_set_missing(MmScorer *s, int j);

/*
 * Applies the model's preprocessing to the row.  Fails, with err->item the
 * feature, on a non-finite number, on a missing value the model does not
 * impute, and on a value not finite after scaling.
 */
extern MmErrorCode mm_scorer_run(MmScorer *s, MmError *err);

/*
 * What the row scores, after mm_scorer_run: the number mm_predict gives
 * (a regression's value, a classifier's label as a number, a cluster),
 * NaN for PCA and for text labels; the label as mm_predict_label gives it
 * (NULL unless a classifier); the probabilities into out[n_classes] (0
 * written for models without them); the coordinates as mm_transform gives
 * them into out[mm_scorer_coordinates(s)].  Each returns how many values it
 * wrote where it writes to out.
 */
extern double mm_scorer_value(const MmScorer *s);
extern const char *mm_scorer_label(const MmScorer *s);
extern int	mm_scorer_proba(const MmScorer *s, double *out);
extern int	mm_scorer_coordinates(const MmScorer *s);
extern int	mm_scorer_transform(const MmScorer *s, double *out);

#endif							/* MM_SCORER_H */
