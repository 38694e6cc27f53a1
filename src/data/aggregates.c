/*
 * aggregates.c: the parallel aggregates behind training and evaluation.
 *
 * mm_ls_stats gathers least-squares statistics (core/numerics/lsq.h),
 * mm_eval_stats residual statistics (core/metrics/regmetrics.h).  Their
 * states are bytea, not internal: a distributed PostgreSQL pushes an
 * aggregate down to its shards only when the state has a real type with
 * text I/O (doc/scaling.md).  The bytea holds the core's flat state after
 * a 4-byte pad, so that the doubles inside are 8-byte aligned in any
 * palloc'd copy.
 *
 * The transition functions update the state in place inside the aggregate's
 * memory context and return the same pointer, so no row copies the state.
 * When the metric sample must grow, the grown state is built in the per-row
 * context and returned as a new pointer: the executor then copies it into
 * the aggregate context and frees the old one (it must not be freed here).
 * Values that arrive from parallel workers may sit inside a tuple, unaligned;
 * those are copied before use (aggstate.c).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "aggregates.h"
#include "aggstate.h"
#include "lsq.h"
#include "mmcore.h"
#include "regmetrics.h"
#include "rowhash.h"
#include "util.h"

#define EVAL_MAGIC 0x4d4d4556	/* "MMEV" */

PG_FUNCTION_INFO_V1(mm_ls_accum);
PG_FUNCTION_INFO_V1(mm_ls_accum_array);
PG_FUNCTION_INFO_V1(mm_ls_combine);
PG_FUNCTION_INFO_V1(mm_cv_accum);
PG_FUNCTION_INFO_V1(mm_cv_accum_array);
PG_FUNCTION_INFO_V1(mm_cv_combine);
PG_FUNCTION_INFO_V1(mm_eval_accum);
PG_FUNCTION_INFO_V1(mm_eval_combine);

/* Checks a least-squares state, reporting damage as an error. */
static void
ls_check(const void *ls, Size len, bool full)
{
	MmError		err;

	if (mm_ls_check(ls, len, full, &err) != MM_OK)
		MmReportCoreError(&err, "invalid least-squares state");
}

/* Errors unless a training state's settings are valid. */
static void
check_ls_settings(double test_size, int32 sample_rows, int p)
{
	if (!(test_size >= 0.0 && test_size < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("test_size must be at least 0 and less than 1")));
	if (sample_rows < 0 || sample_rows > MM_LS_MAX_SAMPLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample_rows must be between 0 and %d", MM_LS_MAX_SAMPLE)));
	if (p < 1 || p > MM_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a model has between 1 and %d features, not %d", MM_MAX_FEATURES, p)));
}

/* A least-squares state grown to new_alloc sample rows, in the per-row context. */
static bytea *
ls_grow(void *ls, int new_alloc)
{
	MmLsHeader *h = ls;
	bytea	   *grown = MmStateAlloc(CurrentMemoryContext, mm_ls_size(h->nfeatures, new_alloc));

	mm_ls_copy_resized((char *) grown + MM_STATE_OFFSET, ls, new_alloc);
	return grown;
}

/* What one aggregate call site keeps between rows. */
typedef struct RowBuffer
{
	int			p;
	bool		types_checked;
	double	   *values;			/* p features, then the target */
	uint8	   *isnull;
	void	   *view_of;		/* the state the view was laid out for */
	int			view_alloc;		/* and its sample allocation then */
	MmLsView	view;
	bytea	   *returned;		/* the state returned for the last row */
} RowBuffer;

/* The layout of a checked state, computed again only when it moved or grew. */
static MmLsView *
state_view(RowBuffer *buf, void *ls)
{
	if (buf->view_of != ls || buf->view_alloc != ((MmLsHeader *) ls)->sample_alloc)
	{
		mm_ls_view(ls, &buf->view);
		buf->view_of = ls;
		buf->view_alloc = ((MmLsHeader *) ls)->sample_alloc;
	}
	return &buf->view;
}

/* The buffer for rows of p features, allocated once per query. */
static RowBuffer *
row_buffer(FunctionCallInfo fcinfo, int p)
{
	RowBuffer  *buf = fcinfo->flinfo->fn_extra;

	if (buf == NULL || buf->p != p)
	{
		buf = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowBuffer));
		buf->p = p;
		buf->values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * (p + 1));
		buf->isnull = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, p);
		fcinfo->flinfo->fn_extra = buf;
	}
	return buf;
}

/*
 * Reads the buffer's p float8 arguments from the first-th on into its
 * values and isnull; returns whether any is NULL.  Without a branch per
 * value, and through locals the stores cannot alias: a NULL's Datum is read
 * as a double too, which nothing uses, since a row with a NULL feature is
 * only counted (isnull says so).
 */
static bool
float8_arguments(FunctionCallInfo fcinfo, int first, RowBuffer *buf)
{
	const NullableDatum *arg = fcinfo->args + first;
	double	   *values = buf->values;
	uint8	   *isnull = buf->isnull;
	bool		any_null = false;
	int			p = buf->p,
				j;

	for (j = 0; j < p; j++)
	{
		bool		null = arg[j].isnull;

		isnull[j] = null;
		any_null |= null;
		values[j] = DatumGetFloat8(arg[j].value);
	}
	return any_null;
}

/*
 * One step of both least-squares aggregates, whose arguments are (state,
 * test_size, seed, sample_rows, expected_rows, y, features...): the row's
 * values are in buf already, name is the calling function's.  A NULL target
 * is counted and skipped; NULL and non-finite features are counted per
 * column (training reports them by name).
 *
 * The state of every row but a group's first is, as a rule, the very bytea
 * this function returned for the row before, updated in place inside the
 * aggregate's memory: such a state was aligned and checked then, so it is
 * used as it is, without a detoasting call, an alignment test or a check
 * per row.  Any other state (a grown one the executor copied, one that
 * came from elsewhere) takes the checks.
 */
static Datum
ls_step(FunctionCallInfo fcinfo, const char *name, RowBuffer *buf, bool has_nulls)
{
	int			p = buf->p;
	bytea	   *state;
	void	   *ls;
	Size		len;
	int			grow;

	/* the scan checks too, but callers may feed rows from a tight loop */
	CHECK_FOR_INTERRUPTS();

	if (PG_ARGISNULL(0))
	{
		MemoryContext aggcxt;
		double		test_size;
		int32		sample_rows;

		MmRequireAggregate(fcinfo, name, &aggcxt);
		MmRequireArg(fcinfo, 1, "test_size");
		MmRequireArg(fcinfo, 2, "seed");
		MmRequireArg(fcinfo, 3, "sample_rows");
		MmRequireArg(fcinfo, 4, "expected_rows");
		test_size = PG_GETARG_FLOAT8(1);
		sample_rows = PG_GETARG_INT32(3);
		check_ls_settings(test_size, sample_rows, p);
		state = MmStateAlloc(aggcxt, mm_ls_size(p, 0));
		ls = (char *) state + MM_STATE_OFFSET;
		mm_ls_init(ls, p, test_size, PG_GETARG_INT32(2), sample_rows, PG_GETARG_FLOAT8(4), 0);
	}
	else if (DatumGetPointer(PG_GETARG_DATUM(0)) == (Pointer) buf->returned)
	{
		state = buf->returned;
		ls = (char *) state + MM_STATE_OFFSET;
	}
	else
	{
		state = PG_GETARG_BYTEA_P(0);
		ls = MmStateWritable(&state, &len);
		/* the state this function returned for the last row was checked then */
		if (ls != buf->view_of)
			ls_check(ls, len, false);
		if (((MmLsHeader *) ls)->nfeatures != p)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("rows have %d features here and %d before",
							p, ((MmLsHeader *) ls)->nfeatures)));
	}

	if (PG_ARGISNULL(5))
		mm_ls_add_null_target(state_view(buf, ls));
	else
	{
		grow = mm_ls_has_room(ls) ? 0 : mm_ls_grow_needed(ls);
		if (grow > 0)
		{
			state = ls_grow(ls, grow);
			ls = (char *) state + MM_STATE_OFFSET;
		}
		buf->values[p] = PG_GETARG_FLOAT8(5);
		mm_ls_add_hashed(state_view(buf, ls), buf->values, has_nulls ? buf->isnull : NULL, NULL);
	}
	buf->returned = state;
	PG_RETURN_BYTEA_P(state);
}

/* Arguments before the features, the state included. */
#define LS_FIXED_ARGS 6

/*
 * mm_ls_accum(state, test_size, seed, sample_rows, expected_rows, y,
 * VARIADIC x "any"): the features as separate float8 arguments, so that no
 * array is built per row.
 */
Datum
mm_ls_accum(PG_FUNCTION_ARGS)
{
	int			p = PG_NARGS() - LS_FIXED_ARGS;
	RowBuffer  *buf = fcinfo->flinfo->fn_extra;
	int			j;

	/*
	 * A call site has its buffer only once its first call was checked to
	 * come from an aggregate and its arguments to be float8: later rows
	 * skip both.
	 */
	if (buf == NULL || buf->p != p || !buf->types_checked)
	{
		MemoryContext aggcxt;

		MmRequireAggregate(fcinfo, "mm_ls_accum", &aggcxt);
		buf = row_buffer(fcinfo, p);
		for (j = 0; j < p; j++)
			if (get_fn_expr_argtype(fcinfo->flinfo, LS_FIXED_ARGS + j) != FLOAT8OID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature arguments of mm_ls_stats must be float8")));
		buf->types_checked = true;
	}
	return ls_step(fcinfo, "mm_ls_accum", buf, float8_arguments(fcinfo, LS_FIXED_ARGS, buf));
}

/*
 * mm_ls_accum_array(state, test_size, seed, sample_rows, expected_rows, y,
 * x float8[]): the same for any number of features, as one array per row.
 */
Datum
mm_ls_accum_array(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ArrayType  *x;
	RowBuffer  *buf;
	bool		has_nulls;
	int			p;

	MmRequireAggregate(fcinfo, "mm_ls_accum_array", &aggcxt);
	MmRequireArg(fcinfo, LS_FIXED_ARGS, "x");
	x = PG_GETARG_ARRAYTYPE_P(LS_FIXED_ARGS);
	p = MmFloat8ArrayLength(x, "x");
	buf = row_buffer(fcinfo, p);
	has_nulls = MmFloat8ArrayValues(x, buf->values, buf->isnull);
	return ls_step(fcinfo, "mm_ls_accum_array", buf, has_nulls);
}

/* mm_ls_combine(a, b): merges two least-squares states (strict). */
Datum
mm_ls_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *a,
			   *b;
	void	   *la,
			   *lb;
	Size		alen,
				blen;
	int			grow;
	MmError		err;

	MmRequireAggregate(fcinfo, "mm_ls_combine", &aggcxt);
	a = PG_GETARG_BYTEA_P(0);
	b = PG_GETARG_BYTEA_P(1);
	la = MmStatePayload(a, &alen);
	lb = MmStatePayload(b, &blen);
	ls_check(la, alen, true);
	ls_check(lb, blen, true);

	grow = mm_ls_merge_grow_needed(la, lb);
	if (grow > 0 || (char *) la != (char *) a + MM_STATE_OFFSET)
	{
		a = ls_grow(la, grow > 0 ? grow : ((MmLsHeader *) la)->sample_alloc);
		la = (char *) a + MM_STATE_OFFSET;
	}
	if (mm_ls_merge(la, lb, &err) != MM_OK)
		MmReportCoreError(&err, "could not combine least-squares states");
	PG_RETURN_BYTEA_P(a);
}

/*
 * The state of mm_cv_stats: folds + 1 least-squares states of the same
 * settings laid end to end behind a directory of their offsets, one per
 * fold of the training rows and the last for the held-out rows.  A row is
 * hashed once, routed by mm_ls_fold and added to its state with that hash;
 * merged, the states are the one a plain training pass makes.
 */
#define CV_MAGIC 0x4d4d4356		/* "MMCV" */
#define CV_MAX_STATES 101

typedef struct CvHeader
{
	uint32		magic;
	int32		nstates;
	uint64		offset[CV_MAX_STATES + 1];	/* from the payload's start; the last is its length */
} CvHeader;

/* Checks a cross-validation state's directory and each state in it. */
static void
cv_check(const CvHeader *h, Size len, bool full)
{
	int			i;

	if (len < sizeof(CvHeader) || h->magic != CV_MAGIC || h->nstates < 2 || h->nstates > CV_MAX_STATES ||
		h->offset[0] != MAXALIGN(sizeof(CvHeader)) || h->offset[h->nstates] != len)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid cross-validation state")));
	for (i = 0; i < h->nstates; i++)
	{
		if (h->offset[i + 1] <= h->offset[i] || h->offset[i] % sizeof(double) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid cross-validation state")));
		ls_check((const char *) h + h->offset[i], h->offset[i + 1] - h->offset[i], full);
	}
}

/* A new state in cxt whose sub-state i is sized for alloc sample rows (others as in old). */
static bytea *
cv_resize(MemoryContext cxt, const CvHeader *old, int i, int alloc)
{
	Size		len = old->offset[old->nstates] + mm_ls_size(((MmLsHeader *) ((char *) old + old->offset[i]))->nfeatures, alloc) -
		(old->offset[i + 1] - old->offset[i]);
	bytea	   *state = MmStateAlloc(cxt, len);
	CvHeader   *h = (CvHeader *) ((char *) state + MM_STATE_OFFSET);
	int			j;

	h->magic = CV_MAGIC;
	h->nstates = old->nstates;
	h->offset[0] = old->offset[0];
	for (j = 0; j < old->nstates; j++)
	{
		const void *src = (const char *) old + old->offset[j];
		Size		size = j == i ? mm_ls_size(((const MmLsHeader *) src)->nfeatures, alloc) :
			old->offset[j + 1] - old->offset[j];

		h->offset[j + 1] = h->offset[j] + size;
		if (j == i)
			mm_ls_copy_resized((char *) h + h->offset[j], src, alloc);
		else
			memcpy((char *) h + h->offset[j], src, size);
	}
	return state;
}

#define CV_FIXED_ARGS 7

/*
 * One step of both cross-validation aggregates, whose arguments are (state,
 * folds, test_size, seed, sample_rows, expected_rows, y, features...): the
 * row's features are in buf already.
 */
static Datum
cv_step(FunctionCallInfo fcinfo, MemoryContext aggcxt, RowBuffer *buf, bool has_nulls)
{
	int			p = buf->p;
	bytea	   *state;
	CvHeader   *h;
	int			folds,
				target,
				grow;
	double		test_size;
	uint64		hash = 0;
	MmLsView	view;
	void	   *ls;

	CHECK_FOR_INTERRUPTS();
	MmRequireArg(fcinfo, 1, "folds");
	MmRequireArg(fcinfo, 2, "test_size");
	MmRequireArg(fcinfo, 3, "seed");
	folds = PG_GETARG_INT32(1);
	test_size = PG_GETARG_FLOAT8(2);

	if (PG_ARGISNULL(0))
	{
		int32		sample_rows;
		Size		len;
		double		expected;
		int			alloc,
					i;

		MmRequireArg(fcinfo, 4, "sample_rows");
		MmRequireArg(fcinfo, 5, "expected_rows");
		sample_rows = PG_GETARG_INT32(4);
		if (folds < 2 || folds + 1 > CV_MAX_STATES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("folds must be between 2 and %d", CV_MAX_STATES - 1)));
		check_ls_settings(test_size, sample_rows, p);
		/*
		 * Every state admits rows to its sample as a plain pass over all the
		 * rows would (its threshold from all the expected rows), so each
		 * keeps its share of the rows the plain pass's sample could hold and
		 * the states merged keep exactly that sample.  A partial state (a
		 * parallel worker's, a distributed table's shard's) admits only its
		 * rows' share of that, and travels whole to be combined: its samples
		 * start empty and double as rows are admitted (mm_ls_grow_needed),
		 * so a shard's state is the size of what it admitted, not of every
		 * fold's whole sample.
		 */
		expected = PG_GETARG_FLOAT8(5);
		alloc = 0;
		len = MAXALIGN(sizeof(CvHeader)) + (folds + 1) * mm_ls_size(p, alloc);
		state = MmStateAlloc(aggcxt, len);
		h = (CvHeader *) ((char *) state + MM_STATE_OFFSET);
		h->magic = CV_MAGIC;
		h->nstates = folds + 1;
		h->offset[0] = MAXALIGN(sizeof(CvHeader));
		for (i = 0; i <= folds; i++)
		{
			h->offset[i + 1] = h->offset[i] + mm_ls_size(p, alloc);
			mm_ls_init((char *) h + h->offset[i], p, test_size, PG_GETARG_INT32(3), sample_rows,
					   expected, alloc);
		}
	}
	else
	{
		Size		len;

		state = PG_GETARG_BYTEA_P(0);
		h = MmStateWritable(&state, &len);
		if (h->magic != CV_MAGIC || h->nstates != folds + 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid cross-validation state")));
		if (((MmLsHeader *) ((char *) h + h->offset[0]))->nfeatures != p)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("rows have %d features here and %d before",
							p, ((MmLsHeader *) ((char *) h + h->offset[0]))->nfeatures)));
	}

	/* the state the row goes to: a row with a NULL to the first, which counts it */
	target = 0;
	if (!PG_ARGISNULL(6) && !has_nulls)
	{
		int			fold;

		buf->values[p] = PG_GETARG_FLOAT8(6);
		fold = mm_ls_fold(buf->values, p, test_size, mm_seed_salt(PG_GETARG_INT32(3)), folds, &hash);
		target = fold == -1 ? folds : Max(fold, 0);
	}
	ls = (char *) h + h->offset[target];
	grow = mm_ls_grow_needed(ls);
	if (grow > 0)
	{
		state = cv_resize(aggcxt, h, target, grow);
		h = (CvHeader *) ((char *) state + MM_STATE_OFFSET);
		ls = (char *) h + h->offset[target];
	}
	mm_ls_view(ls, &view);
	if (PG_ARGISNULL(6))
		mm_ls_add_null_target(&view);
	else
	{
		buf->values[p] = PG_GETARG_FLOAT8(6);
		mm_ls_add_hashed(&view, buf->values, has_nulls ? buf->isnull : NULL, hash != 0 ? &hash : NULL);
	}
	PG_RETURN_BYTEA_P(state);
}

/*
 * mm_cv_accum(state, folds, test_size, seed, sample_rows, expected_rows, y,
 * VARIADIC x "any"): the features as separate float8 arguments.
 */
Datum
mm_cv_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	int			p = PG_NARGS() - CV_FIXED_ARGS;
	RowBuffer  *buf;
	int			j;

	MmRequireAggregate(fcinfo, "mm_cv_accum", &aggcxt);
	buf = row_buffer(fcinfo, p);
	if (!buf->types_checked)
	{
		for (j = 0; j < p; j++)
			if (get_fn_expr_argtype(fcinfo->flinfo, CV_FIXED_ARGS + j) != FLOAT8OID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature arguments of mm_cv_stats must be float8")));
		buf->types_checked = true;
	}
	return cv_step(fcinfo, aggcxt, buf, float8_arguments(fcinfo, CV_FIXED_ARGS, buf));
}

/*
 * mm_cv_accum_array(state, folds, test_size, seed, sample_rows,
 * expected_rows, y, x float8[]): the same with the features in one array.
 * Its signature is fixed, which a distributed database needs to run the
 * aggregate on its shards (doc/scaling.md).
 */
Datum
mm_cv_accum_array(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ArrayType  *x;
	RowBuffer  *buf;
	bool		has_nulls;
	int			p;

	MmRequireAggregate(fcinfo, "mm_cv_accum_array", &aggcxt);
	MmRequireArg(fcinfo, CV_FIXED_ARGS, "x");
	x = PG_GETARG_ARRAYTYPE_P(CV_FIXED_ARGS);
	p = MmFloat8ArrayLength(x, "x");
	buf = row_buffer(fcinfo, p);
	has_nulls = MmFloat8ArrayValues(x, buf->values, buf->isnull);
	return cv_step(fcinfo, aggcxt, buf, has_nulls);
}

/* mm_cv_combine(a, b): merges two cross-validation states state by state (strict). */
Datum
mm_cv_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *a,
			   *b;
	CvHeader   *ha,
			   *hb;
	Size		alen,
				blen;
	MmError		err;
	int			i;

	MmRequireAggregate(fcinfo, "mm_cv_combine", &aggcxt);
	a = PG_GETARG_BYTEA_P(0);
	b = PG_GETARG_BYTEA_P(1);
	ha = MmStateWritable(&a, &alen);
	hb = MmStatePayload(b, &blen);
	cv_check(ha, alen, true);
	cv_check(hb, blen, true);
	if (ha->nstates != hb->nstates)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cannot combine cross-validation states of different folds")));
	for (i = 0; i < ha->nstates; i++)
	{
		void	   *la = (char *) ha + ha->offset[i];
		const void *lb = (const char *) hb + hb->offset[i];
		int			grow = mm_ls_merge_grow_needed(la, lb);

		if (grow > 0)
		{
			a = cv_resize(aggcxt, ha, i, grow);
			ha = (CvHeader *) ((char *) a + MM_STATE_OFFSET);
			la = (char *) ha + ha->offset[i];
		}
		if (mm_ls_merge(la, lb, &err) != MM_OK)
			MmReportCoreError(&err, "could not combine cross-validation states");
	}
	PG_RETURN_BYTEA_P(a);
}

/*
 * The least-squares states of a finished cross-validation state, checked
 * and copied: folds of them, then the held-out rows'.  Returns their count.
 */
int
MmCvStates(Datum datum, void ***states)
{
	bytea	   *state = DatumGetByteaPCopy(datum);
	Size		len;
	CvHeader   *h = MmStateWritable(&state, &len);
	int			i;

	cv_check(h, len, true);
	*states = palloc(sizeof(void *) * h->nstates);
	for (i = 0; i < h->nstates; i++)
		(*states)[i] = (char *) h + h->offset[i];
	return h->nstates;
}

/* Merges checked state b into a, returning a (grown into a copy when b needs more room). */
void *
MmLsMerge(void *a, const void *b)
{
	int			grow = mm_ls_merge_grow_needed(a, b);
	MmError		err;

	if (grow > 0)
		a = (char *) ls_grow(a, grow) + MM_STATE_OFFSET;
	if (mm_ls_merge(a, b, &err) != MM_OK)
		MmReportCoreError(&err, "could not combine least-squares states");
	return a;
}

/* Checks an evaluation state and returns its doubles. */
static double *
eval_payload(bytea *state)
{
	Size		len;
	double	   *payload = MmStatePayload(state, &len);

	if (len != sizeof(double) * MM_EVAL_STATE_LEN ||
		*(uint32 *) ((char *) state + VARHDRSZ) != EVAL_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid evaluation state")));
	return payload;
}

/* mm_eval_accum(state, prediction, target): rows with a NULL are skipped. */
Datum
mm_eval_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *state;
	double	   *ev;
	double		y;
	double		scratch[4];

	MmRequireAggregate(fcinfo, "mm_eval_accum", &aggcxt);
	if (PG_ARGISNULL(0))
	{
		state = MmStateAlloc(aggcxt, sizeof(double) * MM_EVAL_STATE_LEN);
		*(uint32 *) ((char *) state + VARHDRSZ) = EVAL_MAGIC;
		mm_eval_init((double *) ((char *) state + MM_STATE_OFFSET));
	}
	else
		state = PG_GETARG_BYTEA_P(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_BYTEA_P(state);

	ev = eval_payload(state);
	if (ev != (double *) ((char *) state + MM_STATE_OFFSET))
	{
		bytea	   *copy = MmStateAlloc(CurrentMemoryContext, sizeof(double) * MM_EVAL_STATE_LEN);

		memcpy(copy, state, VARSIZE(state));
		state = copy;
		ev = (double *) ((char *) state + MM_STATE_OFFSET);
	}
	y = PG_GETARG_FLOAT8(2);
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("target value %g is not a finite number", y)));
	mm_eval_add(ev, y, PG_GETARG_FLOAT8(1), scratch);
	PG_RETURN_BYTEA_P(state);
}

/* mm_eval_combine(a, b): merges two evaluation states (strict). */
Datum
mm_eval_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *a = PG_GETARG_BYTEA_P(0);
	double	   *ea,
			   *eb;
	double		scratch[2];

	MmRequireAggregate(fcinfo, "mm_eval_combine", &aggcxt);
	ea = eval_payload(a);
	eb = eval_payload(PG_GETARG_BYTEA_P(1));
	if (ea != (double *) ((char *) a + MM_STATE_OFFSET))
	{
		bytea	   *copy = MmStateAlloc(CurrentMemoryContext, sizeof(double) * MM_EVAL_STATE_LEN);

		memcpy(copy, a, VARSIZE(a));
		a = copy;
		ea = (double *) ((char *) a + MM_STATE_OFFSET);
	}
	mm_eval_merge(ea, eb, scratch);
	PG_RETURN_BYTEA_P(a);
}

/* The checked least-squares state a training query returned (an aligned copy). */
void *
MmLsStateFromDatum(Datum datum)
{
	bytea	   *state = DatumGetByteaPCopy(datum);
	Size		len;
	void	   *ls = MmStatePayload(state, &len);

	ls_check(ls, len, true);
	return ls;
}

/* The metrics an evaluation query's state describes. */
void
MmEvalMetricsFromDatum(Datum datum, MmRegressionMetrics *out)
{
	mm_eval_metrics(eval_payload(DatumGetByteaPCopy(datum)), out);
}
