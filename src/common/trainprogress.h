/*
 * trainprogress.h: the progress of running trainings, in shared memory for
 * the mm.train_progress view and as NOTICEs (modelmgr.train_progress).
 */
#ifndef MM_TRAINPROGRESS_H
#define MM_TRAINPROGRESS_H

#include "postgres.h"

#include "utils/timestamp.h"

#define MM_TRAIN_PHASE_LEN 32

/* Where one training is. */
typedef struct MmTrainSlot
{
	int			pid;			/* 0: free */
	Oid			user;			/* who trains */
	char		model[NAMEDATALEN];
	char		algorithm[NAMEDATALEN];
	char		phase[MM_TRAIN_PHASE_LEN];
	char		pass[NAMEDATALEN];	/* the pass running or last run, or "" */
	int			passes;			/* passes over the relation so far */
	int			iteration;		/* the fit's iterations so far */
	int64		rows_read;
	TimestampTz started;
} MmTrainSlot;

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

/* The trainings running now, for mm_train_progress(). */
extern MmTrainSlot *MmTrainProgressRunning(int *n);

#endif							/* MM_TRAINPROGRESS_H */
