/*
 * util.h: what every glue module shares: PostgreSQL's basics, the core's
 * error type, and util.c's helpers for arguments, JSON, names and
 * subtransactions.  It includes no other module's header.
 */
#ifndef MM_UTIL_H
#define MM_UTIL_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "mmcore.h"

/*
 * The version of the extension's SQL objects this library writes to,
 * MM_EXTENSION_VERSION, comes from modelmgr.control through the Makefile.
 */

extern void MmCoreInit(void);
extern void MmRequireArg(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *MmArgCString(FunctionCallInfo fcinfo, int argno, const char *argname);
extern char *MmArgCStringOrNull(FunctionCallInfo fcinfo, int argno);
extern char **MmTextArrayElements(ArrayType *array, const char *argname, int *count);
extern void MmCheckName(const char *name, const char *kind);
extern void MmReportCoreError(const MmError *err, const char *what) pg_attribute_noreturn();
extern void MmJsonNumber(StringInfo buf, double value);
extern void MmJsonString(StringInfo buf, const char *value);
extern bool MmJsonReopenObject(StringInfo buf);
extern Jsonb *MmJsonbFromString(const char *json);
extern char *MmJsonbText(Jsonb *j);
extern char *MmRoleName(Oid roleid);
extern char *MmFormatList(char **items, int count);
extern bool MmJsonbNextPair(JsonbIterator **it, char **key, JsonbValue *value);
extern double MmJsonbNumber(const JsonbValue *v);
extern bool MmJsonbIsObject(Jsonb *j);
extern void MmJsonbRequireObject(Jsonb *j, const char *argname);
extern bool MmErrorEndsCall(int sqlerrcode);
extern bool MmTrySubtransaction(void (*fn) (void *), void *arg, ErrorData **error);

#endif							/* MM_UTIL_H */
