/*
 * catalog.h: the extension's catalog (schema mm): model references, lookups
 * and locks, and the queries on it.
 */
#ifndef MM_CATALOG_H
#define MM_CATALOG_H

#include "postgres.h"

/* A parsed model reference: name, name@N or name@stage. */
typedef struct MmRef
{
	char	   *name;
	int32		version;		/* > 0 when the reference names a version */
	char	   *stage;			/* the stage otherwise (production by default) */
} MmRef;

/* A version a reference resolved to, under the current snapshot. */
typedef struct MmVersionRef
{
	int64		model_id;
	char	   *model;
	Oid			owner;
	int32		version;
	int64		version_id;		/* database-wide, never reused */
	uint32		crc;			/* artifact checksum, part of the cache key */
} MmVersionRef;

/* A model locked for a change. */
typedef struct MmLockedModel
{
	int64		id;
	Oid			owner;
	char	   *task;
	int			held;			/* the privileges the current user holds on it */
} MmLockedModel;

extern Oid	MmCatalogOwner(bool missing_ok);
extern bool MmCatalogHas(const char *table);
extern const char *MmCatalogSchema(void);
extern bool MmFindModel(const char *name, bool read_only, bool missing_ok, int64 *id, Oid *owner);
extern void MmParseRef(const char *reference, MmRef *ref);
extern void MmResolveRef(const char *reference, bool read_only, int needed, MmVersionRef *out);
extern int	MmCatalogExec(const char *sql, int nargs, Oid *types, Datum *values,
						  const char *nulls, int expected);
extern int	MmCatalogQuery(const char *sql, int nargs, Oid *types, Datum *values);
extern Datum MmCatalogGet(int row, int col, bool *isnull);
extern bool MmLockModel(const char *model, int needed, MmLockedModel *out, bool missing_ok);
extern const char *MmExtensionSchema(void);
extern void MmRequireCurrentSchema(void);

#endif							/* MM_CATALOG_H */
