/*
 * shardref.h: model references a Citus coordinator resolves for its shards,
 * carrying the artifact of the version they name.
 */
#ifndef MM_SHARDREF_H
#define MM_SHARDREF_H

#include "postgres.h"

#include "catalog.h"
#include "model.h"

extern bool MmIsShardRef(const char *text, int len);
extern char *MmShardRef(const char *reference);
extern MmModel *MmShardRefModel(const char *text, int len, MmVersionRef *out);

#endif							/* MM_SHARDREF_H */
