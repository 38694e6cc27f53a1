/*
 * guc.h: the library's settings (modelmgr.*), loaded by _PG_init.
 */
#ifndef MM_GUC_H
#define MM_GUC_H

#include "postgres.h"

extern int	mm_model_cache_kb;
extern int	mm_metric_sample_rows;
extern int	mm_max_train_memory_kb;
extern int	mm_training_threads;
extern int	mm_monitor_naptime;
extern int	mm_max_monitor_workers;
extern bool mm_monitor_enabled;
extern bool mm_tune_progress_notices;
extern bool mm_train_progress_notices;

/* modelmgr.train_in_passes: where a training's rows are read (fit.c) */
typedef enum MmTrainInPasses
{
	MM_PASSES_AUTO,				/* in passes when the rows would not fit memory, or are distributed */
	MM_PASSES_ON,				/* always in passes; algorithms that cannot are refused */
	MM_PASSES_OFF				/* in memory, as before */
} MmTrainInPasses;

extern int	mm_train_in_passes;

extern void MmGucInit(void);

#endif							/* MM_GUC_H */
