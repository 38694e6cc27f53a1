/*
 * linear_classifier.h: what logistic regression and the linear SVM share,
 * a payload of linear decision functions (MmClassifier) with the labels of
 * the model: its prediction, codecs, coefficients and release.  Each
 * algorithm's table points at these; only the fit and the probabilities
 * differ.
 */
#ifndef MM_LINEAR_CLASSIFIER_H
#define MM_LINEAR_CLASSIFIER_H

#include "algorithm.h"

extern int	mm_lc_n_scores(const MmModel *model);
extern void mm_lc_score(const MmModel *model, const double *z, double *scores);
extern double mm_lc_decide(const MmModel *model, const double *scores);
extern void mm_lc_free(void *fit);

/* The codecs; allow_variant: the payload's variant (squared hinge) may be 1. */
extern void mm_lc_write(MmBuffer *w, const MmModel *model);
extern MmErrorCode mm_lc_read(struct MmArtifactReader *r, MmModel *model, int allow_variant);
extern void mm_lc_to_json(MmBuffer *o, const MmModel *model);
extern MmErrorCode mm_lc_from_json(struct MmDocumentReader *in, const void *part, MmModel *model);

extern int	mm_lc_coefficients(const MmModel *model, MmCoefficient **out);
extern double *mm_lc_warm_start(const MmModel *model, int *rows, int *width);

/* A new zeroed payload for a fit, set on the model; NULL when memory runs out. */
extern MmClassifier *mm_lc_new(MmModel *model, MmError *err);

/* A fit's record of itself, into the report. */
extern void mm_lc_report(MmFitContext *ctx, const MmClassifier *c);

/* The training rows in memory, with their classes; NULL (err set) for sources that have none. */
extern const MmRows *mm_lc_rows(MmFitContext *ctx, const char *algorithm, MmError *err);

#endif							/* MM_LINEAR_CLASSIFIER_H */
