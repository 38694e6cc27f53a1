/*
 * aggstate.c: what the extension's aggregates share about their states.
 *
 * Aggregate states are bytea, not internal: a distributed PostgreSQL pushes
 * an aggregate down to its shards only when the state has a real type with
 * text I/O (doc/scaling.md).  The bytea holds the core's flat state after a
 * 4-byte pad, so that the doubles inside are 8-byte aligned in any palloc'd
 * copy (MM_STATE_OFFSET).  A state that arrives from a parallel worker may
 * sit inside a tuple, unaligned: it is copied before use.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/memutils.h"

#include "aggstate.h"

/* The core state inside a bytea, copied when it is not 8-byte aligned. */
void *
MmStatePayload(bytea *state, Size *len)
{
	char	   *payload = (char *) state + MM_STATE_OFFSET;

	if (VARSIZE(state) < MM_STATE_OFFSET)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("aggregate state is too short")));
	*len = VARSIZE(state) - MM_STATE_OFFSET;
	if ((uintptr_t) payload % sizeof(double) != 0)
	{
		char	   *copy = palloc(*len);

		memcpy(copy, payload, *len);
		return copy;
	}
	return payload;
}

/*
 * The core state inside *state, to be changed in place: when it is not
 * aligned, *state becomes an aligned copy in the current memory context.
 */
void *
MmStateWritable(bytea **state, Size *len)
{
	void	   *payload = MmStatePayload(*state, len);

	if ((char *) payload != (char *) *state + MM_STATE_OFFSET)
	{
		bytea	   *copy = MmStateAlloc(CurrentMemoryContext, *len);

		memcpy((char *) copy + MM_STATE_OFFSET, payload, *len);
		*state = copy;
		payload = (char *) copy + MM_STATE_OFFSET;
	}
	return payload;
}

/* A new bytea state of len payload bytes in cxt. */
bytea *
MmStateAlloc(MemoryContext cxt, Size len)
{
	bytea	   *state;

	if (len > MaxAllocSize - MM_STATE_OFFSET)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training state of %zu bytes is too large", len),
				 errhint("Lower modelmgr.metric_sample_rows or train on fewer features.")));
	state = MemoryContextAllocZero(cxt, MM_STATE_OFFSET + len);
	SET_VARSIZE(state, MM_STATE_OFFSET + len);
	return state;
}

/* Errors unless called by the executor's aggregate machinery. */
void
MmRequireAggregate(FunctionCallInfo fcinfo, const char *name, MemoryContext *aggcxt)
{
	if (!AggCheckCallContext(fcinfo, aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", name)));
}

/* The length of a row's features given as one array, which must be a one-dimensional float8[]. */
int
MmFloat8ArrayLength(ArrayType *x, const char *argname)
{
	if (ARR_NDIM(x) != 1 || ARR_ELEMTYPE(x) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional float8 array", argname)));
	return ARR_DIMS(x)[0];
}

/*
 * Copies the MmFloat8ArrayLength values of x into values, flagging the
 * NULL ones in isnull (set only when x has any); true when it has.
 */
bool
MmFloat8ArrayValues(ArrayType *x, double *values, uint8 *isnull)
{
	int			p = ARR_DIMS(x)[0];

	if (!ARR_HASNULL(x))
	{
		memcpy(values, ARR_DATA_PTR(x), sizeof(double) * p);
		return false;
	}
	else
	{
		bits8	   *bitmap = ARR_NULLBITMAP(x);
		char	   *data = ARR_DATA_PTR(x);
		int			i;

		for (i = 0; i < p; i++)
		{
			isnull[i] = (bitmap[i / 8] & (1 << (i % 8))) == 0;
			if (!isnull[i])
			{
				memcpy(&values[i], data, sizeof(double));
				data += sizeof(double);
			}
		}
		return true;
	}
}
