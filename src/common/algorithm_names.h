/*
 * algorithm_names.h: the registry's algorithms named in messages, and each
 * task's default.
 */
#ifndef MM_ALGORITHM_NAMES_H
#define MM_ALGORITHM_NAMES_H

#include "postgres.h"

#include "algorithm.h"
#include "model.h"

extern char *MmAlgorithmList(int (*keep) (const MmAlgorithm *algorithm), const char *conjunction);
extern const char *MmAlgorithmForTask(MmTask task);

#endif							/* MM_ALGORITHM_NAMES_H */
