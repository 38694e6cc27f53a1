/*
 * passagg.c: a pass (core/sources/source.h) over a relation, as one aggregate.
 *
 * mm_pass(pass, y, x) runs any algorithm's pass over the rows it is given:
 * pass is the header core/sources/passstate.h describes (which pass, the
 * split, the pass's arg), built by MmPassHeader or mm_pass_header.  The signature is
 * fixed, the features one float8[] (a distributed database pushes down
 * only aggregates whose argument types are exact), and the state is a
 * bytea (aggstate.c) holding the core's pass state, so PostgreSQL runs it in
 * parallel workers and merges their states with mm_pass_combine.
 *
 * The transition function updates the state in place in the aggregate's
 * memory context.  Every state it is handed is checked (the header, the
 * length and the pass's own check) before a row goes in: a state can come
 * from an aggregate's initial condition, so the bytes are never trusted,
 * except for the state the transition returned for the row before, handed
 * back unchanged (MmPassTrust).  That one is known by its address, its
 * length and its stamp: each state this process makes carries a stamp
 * drawn from a keyed hash of a secret, so that another state later made at
 * the same address, an initial condition's bytes included, cannot pass for
 * it.  The per-column counts are checked in full where states are merged
 * or read.  mm_pass_final hands the last partial block of rows
 * to the pass, so the aggregate's result is a finished state.
 *
 * The form with text columns, mm_pass(pass, y, x, c), whose header carries
 * a design, is in passtext.c; it shares the state, the combine and the final
 * function.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "aggstate.h"
#include "mmcore.h"
#include "model.h"
#include "passagg.h"
#include "passstate.h"
#include "rowhash.h"
#include "source.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_pass_accum);
PG_FUNCTION_INFO_V1(mm_pass_combine);
PG_FUNCTION_INFO_V1(mm_pass_final);
PG_FUNCTION_INFO_V1(mm_pass_header);
PG_FUNCTION_INFO_V1(mm_pass_result);

/* The pass a state belongs to, the state checked (in full or not) against it. */
const MmPass *
MmPassStatePass(const void *buf, Size len, bool full)
{
	MmError		err;
	int			artifact_id,
				index;
	const MmPass *pass;

	if (mm_pass_state_identify(buf, len, &artifact_id, &index, &err) != MM_OK)
		MmReportCoreError(&err, "invalid pass state");
	pass = mm_pass_find(artifact_id, index);
	if (pass == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid pass state: algorithm %d has no pass %d in this library",
						artifact_id, index)));
	if (mm_pass_state_check(buf, len, pass, full, &err) != MM_OK)
		MmReportCoreError(&err, "invalid pass state");
	return pass;
}

/*
 * A pass header: pass index of the table of artifact_id over p columns,
 * the split of test_size and seed, and arg_len bytes of arg.  Errors name
 * what is wrong with them.
 */
bytea *
MmPassHeader(int artifact_id, int index, int p, int target, double test_size, int32 seed,
			 const void *arg, size_t arg_len)
{
	return MmPassHeaderDesign(artifact_id, index, p, target, test_size, seed, arg, arg_len,
							  0, 0, NULL, 0);
}

/*
 * A pass header as MmPassHeader makes it, with a design (passdesign.h) of
 * design_len bytes over raw_p source features and the part of the split
 * the pass sees; design NULL for none.
 */
bytea *
MmPassHeaderDesign(int artifact_id, int index, int p, int target, double test_size, int32 seed,
				   const void *arg, size_t arg_len, int raw_p, int part, const void *design,
				   size_t design_len)
{
	const MmPass *pass = mm_pass_find(artifact_id, index);
	bytea	   *header;
	size_t		size;
	MmError		err;

	if (pass == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("algorithm %d has no pass %d", artifact_id, index)));
	if (!(test_size >= 0.0 && test_size < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("test_size must be at least 0 and less than 1, not %g", test_size)));
	if (p < 1 || p > (design != NULL ? MM_MAX_DESIGN : MM_MAX_FEATURES))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a pass reads between 1 and %d features, not %d",
						design != NULL ? MM_MAX_DESIGN : MM_MAX_FEATURES, p)));
	if (arg_len > MM_PASS_MAX_ARG)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the arg of a pass has at most %d bytes, not %zu", MM_PASS_MAX_ARG, arg_len)));
	size = design != NULL ? mm_pass_spec_design_size(arg_len, design_len) : mm_pass_spec_size(arg_len);
	header = palloc(VARHDRSZ + size);
	SET_VARSIZE(header, VARHDRSZ + size);
	mm_pass_spec_write(VARDATA(header), artifact_id, index, p, (MmPassTarget) target, test_size,
					   mm_seed_salt(seed), arg, arg_len);
	if (design != NULL)
		mm_pass_spec_set_design(VARDATA(header), raw_p, part, design, design_len);
	/* the state's size checks the arg against the pass */
	if (mm_pass_state_size((MmPassSpec *) VARDATA(header), pass, &err) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err.message)));
	return header;
}

/*
 * mm_pass_header(artifact_id, pass, p, test_size, seed, arg): the header a
 * training hands mm_pass, for a numeric target.
 */
Datum
mm_pass_header(PG_FUNCTION_ARGS)
{
	bytea	   *arg = NULL;

	MmRequireArg(fcinfo, 0, "artifact_id");
	MmRequireArg(fcinfo, 1, "pass");
	MmRequireArg(fcinfo, 2, "p");
	MmRequireArg(fcinfo, 3, "test_size");
	MmRequireArg(fcinfo, 4, "seed");
	if (!PG_ARGISNULL(5))
		arg = PG_GETARG_BYTEA_PP(5);
	PG_RETURN_BYTEA_P(MmPassHeader(PG_GETARG_INT32(0), PG_GETARG_INT32(1), PG_GETARG_INT32(2),
								   MM_PASS_TARGET_NUMERIC, PG_GETARG_FLOAT8(3), PG_GETARG_INT32(4),
								   arg ? VARDATA_ANY(arg) : NULL, arg ? VARSIZE_ANY_EXHDR(arg) : 0));
}

/*
 * What one call site of mm_pass_accum keeps between rows: room for a row,
 * and the state it returned for the last row with the header it read then,
 * so that the next row need not check them again.
 */
typedef struct PassRowBuffer
{
	int			p;
	double	   *values;
	uint8	   *isnull;
	MmPassTrust trust;
} PassRowBuffer;

/* The buffer for rows of p features, allocated once per query. */
static PassRowBuffer *
pass_row_buffer(FunctionCallInfo fcinfo, int p)
{
	PassRowBuffer *buf = fcinfo->flinfo->fn_extra;

	if (buf == NULL || buf->p != p)
	{
		buf = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PassRowBuffer));
		buf->p = p;
		buf->values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * p);
		buf->isnull = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, p);
		fcinfo->flinfo->fn_extra = buf;
	}
	return buf;
}

/*
 * A stamp for a new state: the first 8 bytes of SHA-256 over this
 * process's secret and a count, which no one without the secret can
 * foresee from the stamps of states they made and read.
 */
static uint64
new_stamp(void)
{
	static uint8 secret[32];
	static bool have_secret = false;
	static uint64 count = 0;
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint64		stamp;

	if (!have_secret)
	{
		if (!pg_strong_random(secret, sizeof(secret)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random secret for pass states")));
		have_secret = true;
	}
	count++;
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, secret, sizeof(secret)) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) &count, sizeof(count)) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not stamp a pass state")));
	pg_cryptohash_free(ctx);
	memcpy(&stamp, digest, sizeof(stamp));
	return stamp;
}

/* A new state in aggcxt from the pass header in argument 1. */
bytea *
MmPassNewState(FunctionCallInfo fcinfo, MemoryContext aggcxt, const MmPass **pass)
{
	bytea	   *arg = PG_GETARG_BYTEA_PP(1);
	Size		len = VARSIZE_ANY_EXHDR(arg);
	MmPassSpec *spec = palloc(Max(len, sizeof(MmPassSpec)));
	bytea	   *state;
	Size		size;
	MmError		err;

	/* a copy, for alignment */
	memcpy(spec, VARDATA_ANY(arg), len);
	if (mm_pass_spec_check(spec, len, &err) != MM_OK)
		MmReportCoreError(&err, "invalid pass header");
	*pass = mm_pass_find(spec->artifact_id, spec->index);
	if (*pass == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("algorithm %d has no pass %d", spec->artifact_id, spec->index)));
	size = mm_pass_state_size(spec, *pass, &err);
	if (size == 0)
		MmReportCoreError(&err, "invalid pass header");
	state = MmStateAlloc(aggcxt, size);
	mm_pass_state_init((char *) state + MM_STATE_OFFSET, spec, *pass);
	((MmPassStateHeader *) ((char *) state + MM_STATE_OFFSET))->stamp = new_stamp();
	pfree(spec);
	return state;
}

/*
 * Errors unless the pass header in argument 1 is the one the state was made
 * from: a pass's arg is the same on every row.
 */
/* True when the pass header in argument 1 is the one the state was made from. */
static bool
same_header(FunctionCallInfo fcinfo, const MmPassStateView *v)
{
	bytea	   *arg = PG_GETARG_BYTEA_PP(1);
	const char *bytes = VARDATA_ANY(arg);
	Size		len = VARSIZE_ANY_EXHDR(arg);
	const MmPassSpec *spec = &v->head->spec;
	const MmPassDesignRef *ref = v->design;

	/*
	 * the state's copy of the header differs in its magic only; it names its
	 * design by the design's hash, checked against the bytes once per state
	 */
	return len == (ref != NULL ? mm_pass_spec_design_size(spec->arg_len, ref->design_len) :
				   mm_pass_spec_size(spec->arg_len)) &&
		memcmp(bytes + sizeof(uint32), (const char *) spec + sizeof(uint32),
			   sizeof(MmPassSpec) - sizeof(uint32)) == 0 &&
		(spec->arg_len == 0 || memcmp(bytes + sizeof(MmPassSpec), v->arg, spec->arg_len) == 0) &&
		(ref == NULL || (memcmp(bytes + sizeof(MmPassSpec) + spec->arg_len, ref,
								offsetof(MmPassDesignRef, rows_untransformed)) == 0 &&
						 memcmp(bytes + sizeof(MmPassSpec) + spec->arg_len +
								offsetof(MmPassDesignRef, labels_counted), &ref->labels_counted,
								offsetof(MmPassDesignRef, rows_outside) -
								offsetof(MmPassDesignRef, labels_counted)) == 0));
}

void
MmPassRequireSameHeader(FunctionCallInfo fcinfo, const MmPassStateView *v)
{
	if (!same_header(fcinfo, v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the pass header of mm_pass changed between rows"),
				 errdetail("A pass runs with one header, the same on every row.")));
}

/*
 * The state of an mm_pass transition in argument 0 (a new one from the
 * header in argument 1 on the first row), writable, with its pass and view.
 * Each row would check the state's bytes and compare the header with the
 * state's copy; a state this call site returned for the last row, with
 * the same header Datum, was checked then (trust, NULL for none).
 */
bytea *
MmPassAccumState(FunctionCallInfo fcinfo, MemoryContext aggcxt, MmPassTrust *trust,
				 void **buf, const MmPass **pass, MmPassStateView *room, MmPassStateView **view)
{
	bytea	   *state;
	bool		trusted = false;

	/* the very state this call site returned for the last row: nothing to read again */
	if (!PG_ARGISNULL(0) && trust != NULL && trust->datum == DatumGetPointer(PG_GETARG_DATUM(0)) &&
		VARSIZE_ANY(trust->datum) == trust->size && trust->view.head->stamp == trust->stamp &&
		(trust->header == DatumGetPointer(PG_GETARG_DATUM(1)) || same_header(fcinfo, &trust->view)))
	{
		*buf = (void *) trust->state;
		*pass = trust->pass;
		*view = &trust->view;
		return (bytea *) trust->datum;
	}
	if (PG_ARGISNULL(0))
	{
		state = MmPassNewState(fcinfo, aggcxt, pass);
		*buf = (char *) state + MM_STATE_OFFSET;
	}
	else
	{
		Size		len;

		state = PG_GETARG_BYTEA_P(0);
		*buf = MmStateWritable(&state, &len);
		trusted = trust != NULL && trust->state == *buf && trust->size == VARSIZE(state) &&
			((const MmPassStateHeader *) *buf)->stamp == trust->stamp &&
			trust->header == DatumGetPointer(PG_GETARG_DATUM(1));
		*pass = trusted ? trust->pass : MmPassStatePass(*buf, len, false);
	}
	mm_pass_state_view(*buf, room);
	*view = room;
	if (!trusted)
		MmPassRequireSameHeader(fcinfo, room);
	return state;
}

/* Remembers the state a transition returns, checked, for the next row (see above). */
void
MmPassTrustState(FunctionCallInfo fcinfo, MmPassTrust *trust, bytea *state, void *buf,
				 const MmPass *pass, const MmPassStateView *view)
{
	MmPassTrust next;

	next.datum = state;
	next.size = VARSIZE(state);
	next.stamp = view->head->stamp;
	next.state = buf;
	next.header = DatumGetPointer(PG_GETARG_DATUM(1));
	next.pass = pass;
	/* the same state as the row before's: the view kept is its view already */
	if (MmPassSameTrust(trust, &next))
		return;
	trust->datum = next.datum;
	trust->size = next.size;
	trust->stamp = next.stamp;
	trust->state = next.state;
	trust->header = next.header;
	trust->pass = next.pass;
	if (view != &trust->view)
		trust->view = *view;
}

/*
 * mm_pass_accum(state, pass, y, x): one row.  A NULL target is counted and
 * skipped; NULL and non-finite features are counted per column.
 */
Datum
mm_pass_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *state;
	void	   *buf;
	const MmPass *pass;
	MmPassStateView room,
			   *view;
	ArrayType  *x;
	PassRowBuffer *rows;
	bool		has_nulls;
	int			p;

	/* the scan checks too, but callers may feed rows from a tight loop */
	CHECK_FOR_INTERRUPTS();
	MmRequireAggregate(fcinfo, "mm_pass_accum", &aggcxt);
	MmRequireArg(fcinfo, 1, "pass");
	MmRequireArg(fcinfo, 3, "x");

	rows = fcinfo->flinfo->fn_extra;
	state = MmPassAccumState(fcinfo, aggcxt, rows != NULL ? &rows->trust : NULL, &buf, &pass, &room, &view);
	if (view->design != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a pass header with a design needs the text columns too"),
				 errhint("Call mm_pass(pass, y, x, c).")));

	x = PG_GETARG_ARRAYTYPE_P(3);
	p = MmFloat8ArrayLength(x, "x");
	if (p != view->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rows have %d features here and the pass reads %d", p, view->p)));
	rows = pass_row_buffer(fcinfo, p);
	has_nulls = MmFloat8ArrayValues(x, rows->values, rows->isnull);
	mm_pass_state_add(view, pass, rows->values, has_nulls ? rows->isnull : NULL,
					  PG_ARGISNULL(2) ? 0.0 : PG_GETARG_FLOAT8(2), PG_ARGISNULL(2));
	MmPassTrustState(fcinfo, &rows->trust, state, buf, pass, view);
	PG_RETURN_BYTEA_P(state);
}

/* mm_pass_combine(a, b): merges two states of one pass (strict). */
Datum
mm_pass_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *a,
			   *b;
	void	   *pa,
			   *pb;
	Size		alen,
				blen;
	const MmPass *pass;
	MmError		err;

	MmRequireAggregate(fcinfo, "mm_pass_combine", &aggcxt);
	a = PG_GETARG_BYTEA_P(0);
	b = PG_GETARG_BYTEA_P(1);
	pa = MmStateWritable(&a, &alen);
	pb = MmStatePayload(b, &blen);
	pass = MmPassStatePass(pa, alen, true);
	if (MmPassStatePass(pb, blen, true) != pass || !mm_pass_state_compatible(pa, pb))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cannot combine states of different passes, args or splits")));
	if (mm_pass_state_merge(pa, pb, pass, &err) != MM_OK)
		MmReportCoreError(&err, "could not combine pass states");
	PG_RETURN_BYTEA_P(a);
}

/*
 * A checked copy of a state in the current memory context, its waiting rows
 * handed to the pass; fills view and *pass.
 */
static bytea *
finished_copy(bytea *state, MmPassStateView *view, const MmPass **pass)
{
	Size		size = VARSIZE_ANY_EXHDR(state);
	bytea	   *copy;
	Size		len;
	void	   *buf;

	if (size < MM_STATE_OFFSET - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("aggregate state is too short")));
	copy = MmStateAlloc(CurrentMemoryContext, size - (MM_STATE_OFFSET - VARHDRSZ));
	memcpy(VARDATA(copy), VARDATA_ANY(state), size);
	buf = MmStatePayload(copy, &len);
	*pass = MmPassStatePass(buf, len, true);
	mm_pass_state_view(buf, view);
	mm_pass_state_finish(view, *pass);
	return copy;
}

/* mm_pass_final(state): the finished state (strict; the state itself is left as it is). */
Datum
mm_pass_final(PG_FUNCTION_ARGS)
{
	MmPassStateView view;
	const MmPass *pass;

	PG_RETURN_BYTEA_P(finished_copy(PG_GETARG_BYTEA_PP(0), &view, &pass));
}

/*
 * The finished, checked state a pass query returned: a copy in the current
 * memory context, into which view points; *pass is its pass.
 */
bytea *
MmPassStateFromDatum(Datum datum, MmPassStateView *view, const MmPass **pass)
{
	return finished_copy(DatumGetByteaPP(datum), view, pass);
}

/* An int8[] of n counts. */
static ArrayType *
count_array(const int64 *counts, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(counts[i]);
	return construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/*
 * mm_pass_result(state) (strict): what a pass state holds, checked: the pass, the
 * rows seen, trained on, held out and skipped, the per-column counts of
 * NULL and non-finite values (the target's last) and the pass's own state.
 */
Datum
mm_pass_result(PG_FUNCTION_ARGS)
{
	MmPassStateView view;
	const MmPass *pass;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {false};
	bytea	   *pass_state;

	MmPassStateFromDatum(PG_GETARG_DATUM(0), &view, &pass);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "mm_pass_result must return a record");
	pass_state = palloc(VARHDRSZ + view.head->pass_size);
	SET_VARSIZE(pass_state, VARHDRSZ + view.head->pass_size);
	memcpy(VARDATA(pass_state), view.pass_state, view.head->pass_size);

	values[0] = CStringGetTextDatum(pass->name);
	values[1] = Int64GetDatum(view.head->rows_seen);
	values[2] = Int64GetDatum(view.head->rows_train);
	values[3] = Int64GetDatum(view.head->rows_test);
	values[4] = Int64GetDatum(view.head->rows_null_target);
	values[5] = Int64GetDatum(view.head->rows_bad_features);
	values[6] = Int64GetDatum(view.head->rows_bad_target);
	values[7] = PointerGetDatum(count_array(view.null_count, view.counts_p));
	values[8] = PointerGetDatum(count_array(view.nonfinite_count, view.counts_p + 1));
	values[9] = PointerGetDatum(pass_state);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
