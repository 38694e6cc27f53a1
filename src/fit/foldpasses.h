/*
 * foldpasses.h: the folds of a search in passes, fitted side by side so
 * that each of their algorithm's passes is one read of the relation for
 * every fold (foldpasses.c).
 */
#ifndef MM_FOLDPASSES_H
#define MM_FOLDPASSES_H

#include "postgres.h"

#include "algorithm.h"
#include "fit.h"
#include "fitpasses.h"
#include "params.h"
#include "source.h"
#include "trainspec.h"

/* A training in passes between its stages (fit.c). */
typedef struct MmPassesFit
{
	MmPassesData pd;
	MmModel		shell;			/* the model as the preprocessing left it, before the fit */
	MmFitReport report;
} MmPassesFit;

/*
 * The stages of a training in passes: the passes before the fit and the
 * model they leave (into out, which it clears); the algorithm's fit over
 * data, false when it stopped because *suspended became true (NULL: it
 * cannot), to be run again from the start; the metrics and results.
 */
extern void MmPassesFitBegin(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
							 const MmTrainContext *tctx, MmParams *params, MmPassesFit *pf,
							 MmTrained *out);
extern bool MmPassesFitRun(const MmAlgorithm *algorithm, const MmTrainSpec *spec,
						   const MmTrainContext *tctx, MmDataSource *data, MmParams *params,
						   MmPassesFit *pf, MmTrained *out, const bool *suspended);
extern void MmPassesFitEnd(const MmTrainSpec *spec, const MmAlgorithm *algorithm,
						   const MmTrainContext *tctx, MmParams *params, MmPassesFit *pf,
						   MmTrained *out);

/*
 * Fits algorithm with spec on n folds of a search in passes (ctxs[i] with
 * pass_folds and pass_fold set, srcs[i] a copy of the source each may
 * narrow), into trained[i]: each exactly as MmFitAlgorithm fits it alone,
 * but every round of the algorithm's passes is one read of the relation
 * for all the folds still fitting.
 */
extern void MmFitFoldsInPasses(const MmTrainSpec *spec, const MmAlgorithm *algorithm,
							   MmSource *srcs, const MmTrainContext *ctxs, int n,
							   MmTrained *trained);

#endif							/* MM_FOLDPASSES_H */
