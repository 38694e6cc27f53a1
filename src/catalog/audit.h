/*
 * audit.h: management calls run and recorded in the audit log.
 */
#ifndef MM_AUDIT_H
#define MM_AUDIT_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

/* One management call, as the audit log records it. */
typedef struct MmAuditCall
{
	const char *function;
	MemoryContext cxt;			/* outlives the call's subtransaction */
	char	   *model;
	int32		version;		/* 0 when no version is involved */
	StringInfoData args;		/* a JSON object */
} MmAuditCall;

typedef Datum (*MmAuditedBody) (FunctionCallInfo fcinfo, MmAuditCall *call);

extern Datum MmRunAudited(FunctionCallInfo fcinfo, const char *function, MmAuditedBody body);
extern void MmAuditSetModel(MmAuditCall *call, const char *model);
extern void MmAuditArgText(MmAuditCall *call, const char *key, const char *value);
extern void MmAuditArgJson(MmAuditCall *call, const char *key, const char *json);
extern void MmAuditArgNumber(MmAuditCall *call, const char *key, double value);
extern void MmAuditRecord(const char *function, const char *model, const char *args);
extern PGDLLEXPORT void mm_audit_writer_main(Datum arg);

#endif							/* MM_AUDIT_H */
