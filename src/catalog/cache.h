/*
 * cache.h: models read from the catalog, kept per backend.
 */
#ifndef MM_CACHE_H
#define MM_CACHE_H

#include "postgres.h"

#include "catalog.h"
#include "model.h"

typedef struct MmCachedModel MmCachedModel;

extern MmModel *MmModelCacheGet(const MmVersionRef *ref, MmCachedModel **entry);
extern bool MmModelCacheValid(MmCachedModel *entry, uint64 generation);
extern uint64 MmModelCacheGeneration(void);
extern MmModel *MmModelLoad(const MmVersionRef *ref);

#endif							/* MM_CACHE_H */
