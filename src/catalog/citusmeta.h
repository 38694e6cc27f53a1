/*
 * citusmeta.h: what the extension asks of Citus' metadata, where Citus is
 * installed: whether a table is distributed (or a view reads one), and its
 * rows.
 */
#ifndef MM_CITUSMETA_H
#define MM_CITUSMETA_H

#include "postgres.h"

#include "nodes/parsenodes.h"

extern bool MmCitusInstalled(void);
extern bool MmIsCitusTable(Oid relid);

/*
 * True when relid is a Citus table, or a view that reads one (through other
 * views, subqueries or CTEs): Citus plans a query over it as over the
 * table, so it is read with the forms Citus pushes down to the shards.
 */
extern bool MmReadsCitusTable(Oid relid);

/* True when query reads a Citus table, as MmReadsCitusTable says of a view's. */
extern bool MmQueryReadsCitusTable(Query *query);
extern double MmCitusTableRows(Oid relid);

#endif							/* MM_CITUSMETA_H */
