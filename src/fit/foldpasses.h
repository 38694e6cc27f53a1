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
	/*
	 * The passes before the fit, where they stay (its source points into
	 * it): the caller's, which a later fit may start from
	 */
	MmPassesData *pd;
	MmModel		shell;			/* the model as the preprocessing left it, before the fit */
	MmFitReport report;
	const MmRelationPrefetch *first_read;	/* the preparation's first read, read already; or NULL */
} MmPassesFit;

/*
 * The stages of a training in passes: the passes before the fit, into
 * pf->pd (unless prepared: it then holds them, from an earlier fit of the same
 * preprocessing over src as they narrowed it) and the model they leave
 * (into out, which it clears); the algorithm's fit over data, false when
 * it stopped because *suspended became true (NULL: it cannot), to be run
 * again from the start; the metrics and results.
 */
extern void MmPassesFitBegin(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
							 const MmTrainContext *tctx, MmParams *params, bool prepared,
							 MmPassesFit *pf, MmTrained *out);
extern bool MmPassesFitRun(const MmAlgorithm *algorithm, const MmTrainSpec *spec,
						   const MmTrainContext *tctx, MmDataSource *data, MmParams *params,
						   MmPassesFit *pf, MmTrained *out, const bool *suspended);
extern void MmPassesFitEnd(const MmTrainSpec *spec, const MmAlgorithm *algorithm,
						   const MmTrainContext *tctx, MmParams *params, MmPassesFit *pf,
						   MmTrained *out);

/*
 * Fits algorithm with spec on n folds of a search in passes (ctxs[i] with
 * pass_folds and pass_fold set) into trained[i]: each exactly as
 * MmFitAlgorithm fits it alone, but every round of the algorithm's passes
 * is one read of the relation for all the folds still fitting.  With
 * prep_cxt, each fold's passes before the fit run, into prepared[i] in
 * prep_cxt, narrowing srcs[i] (a copy of the source) as fitting the
 * preprocessing does, their first reads one read for all the folds where
 * they can share it (MmPassesPrefetchFirstReads); without, prepared[i] and
 * srcs[i] are what such a call left, for a candidate of the same
 * preprocessing.
 */
extern void MmFitFoldsInPasses(const MmTrainSpec *spec, const MmAlgorithm *algorithm,
							   MmSource *srcs, const MmTrainContext *ctxs,
							   MmPassesData *prepared, MemoryContext prep_cxt, int n,
							   MmTrained *trained);

#endif							/* MM_FOLDPASSES_H */
