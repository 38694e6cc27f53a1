/*
 * util.c: argument checking, names, JSON text and core error reporting.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/resowner.h"
#include "utils/lsyscache.h"

#include "deadline.h"
#include "mmcore.h"
#include "util.h"

/* Core allocations come from the current memory context. */
static void *
core_palloc(size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size, MCXT_ALLOC_HUGE);
}

static void
core_pfree(void *ptr)
{
	pfree(ptr);
}

/* Lets the core's long loops be cancelled, or stopped by a search's time budget. */
static void
core_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
	MmCheckFitDeadline();
}

/* Runs a core cleanup that its owner has not disarmed. */
static void
run_core_cleanup(void *arg)
{
	MmCleanup  *cleanup = arg;

	if (cleanup->fn != NULL)
		cleanup->fn(cleanup->arg);
	cleanup->fn = NULL;
}

/*
 * A core cleanup runs when the current memory context is reset or
 * deleted, which an error or a cancel does to the context the core
 * allocated the cleanup from, before that memory goes.
 */
static void
core_register_cleanup(MmCleanup *cleanup)
{
	MemoryContextCallback *cb = palloc(sizeof(MemoryContextCallback));

	cb->func = run_core_cleanup;
	cb->arg = cleanup;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
}

/* Points the core's allocator at palloc and its interrupt checks at the server's. */
void
MmCoreInit(void)
{
	mm_set_allocator(core_palloc, core_pfree);
	mm_set_interrupt_check(core_interrupts);
	mm_set_cleanup_hook(core_register_cleanup);
}

/* Raises the contract's error for a NULL where a value is required. */
void
MmRequireArg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", argname)));
}

/* A required text argument as a C string. */
char *
MmArgCString(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	MmRequireArg(fcinfo, argno, argname);
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* An optional text argument as a C string, or NULL. */
char *
MmArgCStringOrNull(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* The elements of a one-dimensional text[] without NULLs. */
char **
MmTextArrayElements(ArrayType *array, const char *argname, int *count)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	char	  **out;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", argname)));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	out = palloc(sizeof(char *) * (n + 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain null elements", argname)));
		out[i] = TextDatumGetCString(elems[i]);
	}
	*count = n;
	return out;
}

/* Checks a model or stage name: [a-z_][a-z0-9_]*, at most 63 bytes. */
void
MmCheckName(const char *name, const char *kind)
{
	const char *c;
	bool		ok = name[0] != '\0' && strlen(name) < NAMEDATALEN &&
		((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');

	for (c = name; ok && *c; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid %s name \"%s\"", kind, name),
				 errdetail("A %s name starts with a lower-case letter or underscore, "
						   "continues with lower-case letters, digits and underscores, "
						   "and has at most %d bytes.", kind, NAMEDATALEN - 1)));
}

/* Reports a core failure as a PostgreSQL error; what names the object. */
void
MmReportCoreError(const MmError *err, const char *what)
{
	int			code;

	switch (err->code)
	{
		case MM_ERR_CORRUPT:
			code = ERRCODE_DATA_CORRUPTED;
			break;
		case MM_ERR_UNSUPPORTED:
			code = ERRCODE_FEATURE_NOT_SUPPORTED;
			break;
		case MM_ERR_NO_MEMORY:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case MM_ERR_NUMERIC:
			code = ERRCODE_INTERNAL_ERROR;
			break;
		default:
			code = ERRCODE_DATA_EXCEPTION;
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s: %s", what, err->message)));
}

/*
 * Takes the closing brace off the JSON object buf ends with, so that keys
 * can be appended inside it (the caller closes it again); false, leaving
 * buf alone, when buf does not end with an object.
 */
bool
MmJsonReopenObject(StringInfo buf)
{
	if (buf->len == 0 || buf->data[buf->len - 1] != '}')
		return false;
	buf->data[--buf->len] = '\0';
	return true;
}

/* Appends a JSON number, or null where the value is NaN or infinite. */
void
MmJsonNumber(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!isfinite(value))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

/* Appends a JSON string. */
void
MmJsonString(StringInfo buf, const char *value)
{
	escape_json(buf, value);
}

/* Parses JSON text into jsonb. */
Jsonb *
MmJsonbFromString(const char *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

/* A role's name, or its OID in text when it no longer exists. */
char *
MmRoleName(Oid roleid)
{
	char	   *name = GetUserNameFromId(roleid, true);

	return name ? name : psprintf("%u", roleid);
}

/* Items quoted and separated by commas, for messages. */
char *
MmFormatList(char **items, int count)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < count; i++)
		appendStringInfo(&buf, "%s\"%s\"", i ? ", " : "", items[i]);
	return buf.data;
}

/* The next key and value at the top level of a jsonb object. */
bool
MmJsonbNextPair(JsonbIterator **it, char **key, JsonbValue *value)
{
	JsonbValue	k;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(it, &k, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			*key = pnstrdup(k.val.string.val, k.val.string.len);
			(void) JsonbIteratorNext(it, value, true);
			return true;
		}
	}
	return false;
}

/* A JSON number as a double (infinite beyond its range); NaN for a non-number. */
double
MmJsonbNumber(const JsonbValue *v)
{
	if (v->type != jbvNumeric)
		return NAN;
	return strtod(DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))),
				  NULL);
}

/* A jsonb value as its text. */
char *
MmJsonbText(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/* Whether a jsonb value is an object. */
bool
MmJsonbIsObject(Jsonb *j)
{
	return JB_ROOT_IS_OBJECT(j) && !JB_ROOT_IS_SCALAR(j);
}

/* Errors unless a jsonb argument is an object. */
void
MmJsonbRequireObject(Jsonb *j, const char *argname)
{
	if (!MmJsonbIsObject(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", argname)));
}

/*
 * Whether an error caught around one part of a call (a monitor's check, a
 * tuning candidate) must end the whole call: a cancel or shutdown, a lack
 * of resources, an internal error.  Other errors belong to the part.
 */
bool
MmErrorEndsCall(int sqlerrcode)
{
	int			class = ERRCODE_TO_CATEGORY(sqlerrcode);

	return class == ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) ||
		class == ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) ||
		class == ERRCODE_TO_CATEGORY(ERRCODE_PROGRAM_LIMIT_EXCEEDED) ||
		class == ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR) ||
		class == ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR);
}

/*
 * Runs fn(arg) in a subtransaction.  Returns true when it succeeded (the
 * subtransaction committed into the caller's); false, with the error
 * copied into *error and nothing of fn left, when it failed with an error
 * that belongs to that part of the call.  Errors that end the whole call
 * (MmErrorEndsCall) are raised again.  The caller's memory context and
 * resource owner come back either way, its user id and settings too (the
 * rollback restores them).
 */
bool
MmTrySubtransaction(void (*fn) (void *), void *arg, ErrorData **error)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (MmErrorEndsCall(edata->sqlerrcode))
			ReThrowError(edata);
		*error = edata;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}
