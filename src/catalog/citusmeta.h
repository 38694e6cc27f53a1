/*
 * citusmeta.h: what the extension asks of Citus' metadata, where Citus is
 * installed: whether a table is distributed, and its rows.
 */
#ifndef MM_CITUSMETA_H
#define MM_CITUSMETA_H

#include "postgres.h"

extern bool MmCitusInstalled(void);
extern bool MmIsCitusTable(Oid relid);
extern double MmCitusTableRows(Oid relid);

#endif							/* MM_CITUSMETA_H */
