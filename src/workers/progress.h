/*
 * progress.h: the progress of running tunings, in shared memory for the
 * mm_tune_progress view.
 */
#ifndef MM_PROGRESS_H
#define MM_PROGRESS_H

#include "postgres.h"

extern void MmProgressInit(void);
extern void MmProgressStart(const char *model, int candidates, int folds);
extern void MmProgressUpdate(int candidate, const char *algorithm, int fold);
extern void MmProgressEnd(void);
extern bool MmProgressVisible(Oid user, const char *model);

#endif							/* MM_PROGRESS_H */
