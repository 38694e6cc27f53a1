/*
 * trainprogress.h: the progress of running trainings, in shared memory for
 * the mm.train_progress view and as NOTICEs (modelmgr.train_progress).
 */
#ifndef MM_TRAINPROGRESS_H
#define MM_TRAINPROGRESS_H

#include "postgres.h"

extern void MmTrainProgressInit(void);

/* A training of model starts in this backend; End when it ends, however. */
extern void MmTrainProgressStart(const char *model);
extern void MmTrainProgressEnd(void);

extern void MmTrainProgressAlgorithm(const char *algorithm);
extern void MmTrainProgressPhase(const char *phase);

/* A pass over the relation starts; it ends having read rows rows. */
extern void MmTrainProgressPassStart(const char *pass);
extern void MmTrainProgressPassEnd(int64 rows);

/* Rows read into memory so far: cheap per row, it publishes every 65,536 rows. */
extern void MmTrainProgressRows(int64 rows);
extern void MmTrainProgressRowsDone(int64 rows);

/* The fit's iterations so far. */
extern void MmTrainProgressIteration(int iteration);

#endif							/* MM_TRAINPROGRESS_H */
