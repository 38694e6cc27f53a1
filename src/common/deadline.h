/*
 * deadline.h: a time limit on the core's long loops, for mm_tune's
 * time_budget.
 */
#ifndef MM_DEADLINE_H
#define MM_DEADLINE_H

#include "postgres.h"

#include "datatype/timestamp.h"

extern void MmSetFitDeadline(TimestampTz deadline);
extern void MmClearFitDeadline(void);
extern bool MmFitDeadlinePassed(void);
extern void MmCheckFitDeadline(void);

#endif							/* MM_DEADLINE_H */
