/*
 * relsource.h: a data source whose passes run over a relation.
 */
#ifndef MM_RELSOURCE_H
#define MM_RELSOURCE_H

#include "postgres.h"

#include "columns.h"
#include "source.h"

extern void MmRelationSource(MmDataSource *out, const MmSource *src, int artifact_id,
							 double test_size, int32 seed);

#endif							/* MM_RELSOURCE_H */
