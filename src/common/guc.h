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

extern void MmGucInit(void);

#endif							/* MM_GUC_H */
