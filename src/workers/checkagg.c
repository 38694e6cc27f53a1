/*
 * checkagg.c: a monitoring check's window counted by one aggregate,
 * mm_check_stats(check, x, c, y, label), or in its variadic form
 * mm_check_stats(check, y, label, VARIADIC values).
 *
 * The check's per-row work (each value counted against the baseline's
 * profile, the row scored by the model and its prediction profiled, the
 * prediction scored against the label where one arrived) is an aggregate
 * with a fixed signature and a bytea state (core/metrics/checkstate.h)
 * with a combine function, so that PostgreSQL's parallel workers share a
 * window and a distributed database runs it on its shards, sending back
 * counts instead of rows.
 *
 * It is not a pass of the fit's pass machinery (passstate.h): a pass skips
 * rows with a NULL or non-finite value and splits the rest into training
 * and held-out rows, while a check counts every row, NULLs included, as
 * missing values, and scores rows with any model, which a pass's design
 * (a linear transform) cannot.
 *
 * The check header (the first argument) carries what a shard cannot read
 * from the catalog, which lives on the coordinator: the version's artifact
 * and its baseline profile, as check.c made them (MmCheckHeader).  Each
 * process reads them once per transaction (check_inputs) and keeps them
 * with the call site (fn_extra); the header is the same on every row.  In
 * the array form the features come in two arrays in the model's order:
 * numbers in x, categorical values as text in c.  A distributed database
 * pushes down only aggregates whose argument types are exact, so its
 * tables get that form; any other relation's check hands each row's
 * values as separate arguments in the model's order (float8 numbers, text
 * categories), which builds no array per row.  Both forms read a row into the same buffers and count it
 * with the same code, so they fill the same state.  y is a regression
 * label, label a classification's as text.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "artifact.h"
#include "baseline.h"
#include "checkagg.h"
#include "checkbaseline.h"
#include "checkstate.h"
#include "mmcore.h"
#include "model.h"
#include "txnkeep.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_check_accum);
PG_FUNCTION_INFO_V1(mm_check_accum_any);
PG_FUNCTION_INFO_V1(mm_check_combine);
PG_FUNCTION_INFO_V1(mm_check_final);

#define CHECK_HEADER_MAGIC 0x4d4d4348	/* "MMCH" */

/* The check header: then artifact_len bytes of artifact, baseline_len of the baseline's JSON. */
typedef struct CheckHeader
{
	uint32		magic;
	int32		quality;		/* MmCheckQuality */
	uint64		artifact_len;
	uint64		baseline_len;
} CheckHeader;

bytea *
MmCheckHeader(const bytea *artifact, const char *baseline_json, MmCheckQuality quality)
{
	CheckHeader h;
	Size		alen = VARSIZE_ANY_EXHDR(artifact),
				blen = strlen(baseline_json);
	bytea	   *out = palloc(VARHDRSZ + sizeof(h) + alen + blen);
	char	   *at = VARDATA(out);

	SET_VARSIZE(out, VARHDRSZ + sizeof(h) + alen + blen);
	memset(&h, 0, sizeof(h));
	h.magic = CHECK_HEADER_MAGIC;
	h.quality = (int32) quality;
	h.artifact_len = alen;
	h.baseline_len = blen;
	memcpy(at, &h, sizeof(h));
	memcpy(at + sizeof(h), VARDATA_ANY(artifact), alen);
	memcpy(at + sizeof(h) + alen, baseline_json, blen);
	return out;
}

/* What a check header says, read once per query in each process. */
typedef struct CheckInputs
{
	char	   *header;			/* a copy of the header's bytes */
	Size		header_len;
	const void *header_datum;	/* the argument the copy was last compared with */
	uint64		check_id;		/* a hash of the header */
	MmModel    *model;
	int			p;
	MmWatch    *watch;			/* p features */
	MmWatch		prediction;
	int		   *outcome_pos;	/* categorical outcomes: the prediction profile's bin */
	MmCheckQuality quality;
	MmNameIndex classes;
	int			n_numeric;		/* features in x */
	int			n_text;			/* features in c */
	int32	   *shape;			/* p + 1 watches */
	double	   *raw;
	double	   *z;
	double	   *scratch;
	int		   *numeric;		/* n_numeric: the numeric features, in order */
	int		   *categorical;	/* n_text: the categorical ones */
	const MmNumericProfile **num_profile;	/* n_numeric: their profiles */
	/* a row as a form of the aggregate read it: */
	double	   *x;				/* n_numeric: the numbers, NaN when missing */
	uint8	   *xnull;
	const char **text;			/* p: each categorical value, NULL when missing */
	int		   *text_len;
	bool		types_checked;	/* the variadic form's argument types */
	void	  **view_watch;		/* p + 1 */
	bytea	   *trusted_state;	/* the state returned for the last row, checked then */
	MmCheckStateView view;		/* into trusted_state */
	MmNumericWindow **num_window;	/* n_numeric: the numeric features' windows in it */
} CheckInputs;

/* Reads a check header into in (allocated in the current memory context). */
static void
read_header(CheckInputs *in, const char *bytes, Size len)
{
	CheckHeader h;
	MmError		err;
	char	   *field;
	const char *what;
	int			j,
				k,
				c;
	Jsonb	   *baseline;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, bytes, sizeof(h));
	if (h.magic != CHECK_HEADER_MAGIC || h.artifact_len > len - sizeof(h) ||
		h.baseline_len != len - sizeof(h) - h.artifact_len ||
		(h.quality != MM_CHECK_QUALITY_NONE && h.quality != MM_CHECK_QUALITY_REGRESSION &&
		 h.quality != MM_CHECK_QUALITY_CLASSES))
		goto bad;
	in->header = palloc(len);
	memcpy(in->header, bytes, len);
	in->header_len = len;
	in->check_id = hash_bytes_extended((const unsigned char *) bytes, len, 0);
	in->quality = (MmCheckQuality) h.quality;

	/* an aligned copy of the artifact, which the reader takes as bytes */
	{
		uint8	   *artifact = palloc(Max(h.artifact_len, 1));

		memcpy(artifact, bytes + sizeof(h), h.artifact_len);
		if (mm_artifact_read(artifact, h.artifact_len, &in->model, &err) != MM_OK)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the model of a check is damaged"),
					 errdetail("Its artifact failed a check: %s.", err.message)));
	}
	if (in->quality == MM_CHECK_QUALITY_REGRESSION ? in->model->task != MM_TASK_REGRESSION :
		in->quality == MM_CHECK_QUALITY_CLASSES ? in->model->task != MM_TASK_CLASSIFICATION : false)
		goto bad;
	in->p = in->model->n_features;
	in->watch = palloc0(sizeof(MmWatch) * Max(in->p, 1));
	baseline = MmJsonbFromString(pnstrdup(bytes + sizeof(h) + h.artifact_len, h.baseline_len));
	if (!MmReadBaseline(baseline, in->model, in->watch, &in->prediction, &field, &what))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the baseline profile of a check is damaged"),
				 errdetail("Field \"%s\" %s.", field, what)));

	in->shape = palloc(sizeof(int32) * (in->p + 1));
	for (j = 0; j <= in->p; j++)
	{
		MmWatch    *w = j < in->p ? &in->watch[j] : &in->prediction;

		in->shape[j] = w->categorical ? w->cat.n : -1;
		if (j < in->p && w->categorical)
			in->n_text++;
		else if (j < in->p)
			in->n_numeric++;
	}
	in->numeric = palloc(sizeof(int) * Max(in->n_numeric, 1));
	in->categorical = palloc(sizeof(int) * Max(in->n_text, 1));
	in->num_profile = palloc(sizeof(MmNumericProfile *) * Max(in->n_numeric, 1));
	in->num_window = palloc0(sizeof(MmNumericWindow *) * Max(in->n_numeric, 1));
	for (j = 0, k = 0, c = 0; j < in->p; j++)
	{
		if (in->watch[j].categorical)
			in->categorical[c++] = j;
		else
		{
			in->num_profile[k] = &in->watch[j].num;
			in->numeric[k++] = j;
		}
	}
	if (in->prediction.categorical)
	{
		int			n = MmOutcomeCount(in->model),
					k;

		in->outcome_pos = palloc(sizeof(int) * n);
		for (k = 0; k < n; k++)
		{
			const char *name = MmOutcomeName(in->model, k);
			int			pos = MmNameIndexFind(&in->prediction.index, name, strlen(name));

			in->outcome_pos[k] = pos >= 0 ? pos : in->prediction.cat.n;
		}
	}
	if (in->quality == MM_CHECK_QUALITY_CLASSES)
		MmNameIndexInit(&in->classes, in->model->labels.classes, in->model->labels.n_classes);
	in->raw = palloc(sizeof(double) * Max(in->p, 1));
	in->z = palloc(sizeof(double) * Max(in->model->n_design, 1));
	in->scratch = palloc(sizeof(double) * Max(in->model->n_features + in->model->n_design, 1));
	in->x = palloc(sizeof(double) * Max(in->n_numeric, 1));
	in->xnull = palloc(Max(in->n_numeric, 1));
	in->text = palloc0(sizeof(char *) * Max(in->p, 1));
	in->text_len = palloc0(sizeof(int) * Max(in->p, 1));
	in->view_watch = palloc(sizeof(void *) * (in->p + 1));
	return;

bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid check header"),
			 errdetail("mm_check_stats takes the header a monitoring check makes.")));
}

/*
 * Headers read in this transaction, by their bytes.  A distributed
 * database's shard query may call the transition through a new FmgrInfo
 * for every row (Citus' worker_partial_agg does), so a call site's
 * fn_extra alone would read the header, artifact and baseline again per
 * row.  The entries live until the transaction ends, past any query whose
 * call sites point at them; a transaction that meets more headers reads
 * the rest per call site, so memory stays bounded.
 */
static MmTxnKeeper headers;

/* A header read before in this transaction, or NULL. */
static CheckInputs *
kept_header(const char *bytes, Size len)
{
	int			i;

	for (i = 0; i < headers.n; i++)
	{
		CheckInputs *in = headers.kept[i];

		if (in->header_len == len && memcmp(in->header, bytes, len) == 0)
			return in;
	}
	return NULL;
}

/*
 * The inputs of the header in argument 1, from this call site's memory when
 * the header is the one read before, else from the transaction's.  What a
 * call site proved of its own arguments (their types, the state it
 * returned) is not taken from another's.
 */
static CheckInputs *
check_inputs(FunctionCallInfo fcinfo)
{
	CheckInputs *in = fcinfo->flinfo->fn_extra;
	bytea	   *header;
	const char *bytes;
	Size		len;
	MemoryContext mcxt,
				old;

	/* the same Datum as on the last row: nothing to read, not even its length */
	if (in != NULL && in->header_datum == DatumGetPointer(PG_GETARG_DATUM(1)))
		return in;
	header = PG_GETARG_BYTEA_PP(1);
	bytes = VARDATA_ANY(header);
	len = VARSIZE_ANY_EXHDR(header);
	if (in != NULL && in->header_len == len && memcmp(in->header, bytes, len) == 0)
	{
		in->header_datum = DatumGetPointer(PG_GETARG_DATUM(1));
		return in;
	}
	in = kept_header(bytes, len);
	if (in == NULL)
	{
		MemoryContext keep = MmTxnKeepMemory(&headers);

		mcxt = keep != NULL ? keep : fcinfo->flinfo->fn_mcxt;
		old = MemoryContextSwitchTo(mcxt);
		in = palloc0(sizeof(CheckInputs));
		read_header(in, bytes, len);
		MemoryContextSwitchTo(old);
		if (keep != NULL)
			MmTxnKeep(&headers, in);
	}
	in->types_checked = false;
	in->trusted_state = NULL;
	in->header_datum = DatumGetPointer(PG_GETARG_DATUM(1));
	fcinfo->flinfo->fn_extra = in;
	return in;
}

/* Counts a numeric outcome, or a categorical one in its bin. */
static void
count_outcome(CheckInputs *in, void *window, double outcome)
{
	if (!in->prediction.categorical)
		mm_window_add(window, &in->prediction.num, outcome);
	else
	{
		MmCheckCategorical *cw = window;

		cw->rows++;
		cw->count[in->outcome_pos[(int) outcome]]++;
	}
}

/* The elements of a one-dimensional array argument (none for an empty one). */
static int
text_elements(ArrayType *c, Datum **values, bool **nulls)
{
	int			n;

	if (ARR_NDIM(c) == 0)
		return 0;
	if (ARR_NDIM(c) != 1 || ARR_ELEMTYPE(c) != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("c must be a one-dimensional text array")));
	deconstruct_array(c, TEXTOID, -1, false, TYPALIGN_INT, values, nulls, &n);
	return n;
}

/* Reads a categorical value (a text Datum) into feature j of the row. */
static inline void
read_text(CheckInputs *in, int j, Datum d)
{
	text	   *t = DatumGetTextPP(d);

	in->text[j] = VARDATA_ANY(t);
	in->text_len[j] = VARSIZE_ANY_EXHDR(t);
}

/* How a form of the aggregate reads a row's features into in->x and in->text. */
typedef void (*RowReader) (CheckInputs *in, FunctionCallInfo fcinfo);

/* The array form's row: numbers in x (argument 2), categories in c (argument 3). */
static void
read_array_row(CheckInputs *in, FunctionCallInfo fcinfo)
{
	ArrayType  *xa = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *ca = PG_GETARG_ARRAYTYPE_P(3);
	Datum	   *texts = NULL;
	bool	   *text_nulls = NULL;
	bool		has_nulls = false;
	int			nx = 0,
				nc,
				i;

	if (ARR_NDIM(xa) != 0)
		nx = MmFloat8ArrayLength(xa, "x");
	nc = text_elements(ca, &texts, &text_nulls);
	if (nx != in->n_numeric || nc != in->n_text)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rows have %d numeric and %d text features here and the check reads %d and %d",
						nx, nc, in->n_numeric, in->n_text)));
	if (nx > 0)
		has_nulls = MmFloat8ArrayValues(xa, in->x, in->xnull);
	for (i = 0; has_nulls && i < nx; i++)
		if (in->xnull[i])
			in->x[i] = NAN;
	for (i = 0; i < nc; i++)
	{
		if (text_nulls[i])
			in->text[in->categorical[i]] = NULL;
		else
			read_text(in, in->categorical[i], texts[i]);
	}
}

/* The variadic form's first value: state, check, y and label come before it. */
#define FIRST_VALUE 4

/*
 * Errors unless the variadic form's values are what the check reads: one
 * per feature, a float8 for a number and text for a category.  Checked once
 * per call site, as the argument types of a call cannot change.
 */
static void
check_value_types(CheckInputs *in, FunctionCallInfo fcinfo)
{
	int			j;

	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("mm_check_stats takes a row's values as separate arguments, not as a VARIADIC array"),
				 errhint("Call mm_check_stats(check, x, c, y, label) with arrays.")));
	if (PG_NARGS() - FIRST_VALUE != in->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rows have %d values here and the check reads %d",
						PG_NARGS() - FIRST_VALUE, in->p)));
	for (j = 0; j < in->p; j++)
	{
		Oid			want = in->watch[j].categorical ? TEXTOID : FLOAT8OID;

		if (get_fn_expr_argtype(fcinfo->flinfo, FIRST_VALUE + j) != want)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("value %d of a row of mm_check_stats must be %s", j + 1,
							want == TEXTOID ? "text" : "float8")));
	}
	in->types_checked = true;
}

/* The variadic form's row: each feature's value in an argument of its own. */
static void
read_separate_row(CheckInputs *in, FunctionCallInfo fcinfo)
{
	int			j,
				xi = 0;

	if (!in->types_checked)
		check_value_types(in, fcinfo);
	for (j = 0; j < in->p; j++)
	{
		bool		isnull = PG_ARGISNULL(FIRST_VALUE + j);

		if (!in->watch[j].categorical)
			in->x[xi++] = isnull ? NAN : PG_GETARG_FLOAT8(FIRST_VALUE + j);
		else if (isnull)
			in->text[j] = NULL;
		else
			read_text(in, j, PG_GETARG_DATUM(FIRST_VALUE + j));
	}
}

/*
 * Counts the row a reader read: its values, its outcome, and its label, a
 * regression's in argument y_arg and a classification's after it.  A row
 * the model cannot score (a NULL it does not impute) counts its values only.
 */
static void
count_row(CheckInputs *in, MmCheckStateView *v, FunctionCallInfo fcinfo, int y_arg)
{
	const MmModel *model = in->model;
	int			i;
	MmError		err;
	double		outcome;

	v->head->rows++;
	mm_window_add_values(in->num_window, in->num_profile, in->x, in->n_numeric);
	for (i = 0; i < in->n_numeric; i++)
		in->raw[in->numeric[i]] = in->x[i];
	for (i = 0; i < in->n_text; i++)
	{
		int			j = in->categorical[i];
		MmWatch    *w = &in->watch[j];
		MmCheckCategorical *cw = v->watch[j];

		if (in->text[j] == NULL)
		{
			cw->missing++;
			in->raw[j] = NAN;
		}
		else
		{
			int			pos = MmNameIndexFind(&w->index, in->text[j], in->text_len[j]);

			cw->rows++;
			cw->count[pos >= 0 ? pos : w->cat.n]++;
			in->raw[j] = model->categories != NULL ?
				mm_category_code(&model->categories[j], in->text[j], in->text_len[j]) :
				MM_CATEGORY_UNSEEN;
			if (in->raw[j] == MM_CATEGORY_UNSEEN)
				cw->unseen++;
		}
	}
	if (mm_model_transform(model, in->raw, in->z, &err) != MM_OK)
	{
		v->head->unpredictable++;
		return;
	}
	outcome = MmModelOutcome(model, in->z, in->scratch);
	count_outcome(in, v->watch[in->p], outcome);

	if (in->quality == MM_CHECK_QUALITY_REGRESSION && !PG_ARGISNULL(y_arg))
	{
		double		y = PG_GETARG_FLOAT8(y_arg);

		if (isfinite(y))
			mm_check_state_regression(v->head, y, outcome);
	}
	else if (in->quality == MM_CHECK_QUALITY_CLASSES && !PG_ARGISNULL(y_arg + 1))
	{
		text	   *t = PG_GETARG_TEXT_PP(y_arg + 1);
		int			k = MmNameIndexFind(&in->classes, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		int			n = in->classes.n;

		v->head->label_rows++;
		v->confusion[(k >= 0 ? k : n) * n + (int) outcome]++;
	}
}

/*
 * A state's core bytes, checked, and that they belong to the check of in:
 * its header's hash, and the shape the rows are counted into, which an
 * aggregate of someone's making could hand in with a matching hash.
 */
static void
require_state(const void *buf, Size len, const CheckInputs *in)
{
	const MmCheckStateHead *head = buf;
	MmError		err;

	if (mm_check_state_check(buf, len, &err) != MM_OK)
		MmReportCoreError(&err, "invalid check state");
	if (head->check_id != in->check_id || head->watches != in->p + 1 || head->quality != (int32) in->quality ||
		head->classes != (in->quality == MM_CHECK_QUALITY_CLASSES ? in->classes.n : 0) ||
		memcmp((const char *) buf + sizeof(MmCheckStateHead), in->shape, sizeof(int32) * (in->p + 1)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the check header of mm_check_stats changed between rows"),
				 errdetail("A check runs with one header, the same on every row.")));
}

/* Points the view kept for the trusted state, and its numeric windows, into buf. */
static void
trust_view(CheckInputs *in, void *buf)
{
	int			i;

	mm_check_state_view(buf, &in->view, in->view_watch);
	for (i = 0; i < in->n_numeric; i++)
		in->num_window[i] = in->view_watch[in->numeric[i]];
}

/*
 * One row of the window in a form of the aggregate, read by reader, the
 * labels from argument y_arg on.  The state this call site returned for
 * the last row, handed back unchanged, was checked then and its view is
 * kept: a row then costs its reading and counting only.
 */
static Datum
accum_row(FunctionCallInfo fcinfo, RowReader reader, int y_arg)
{
	MemoryContext aggcxt;
	CheckInputs *in;
	bytea	   *state;
	void	   *buf;

	/* the scan checks too, but callers may feed rows from a tight loop */
	CHECK_FOR_INTERRUPTS();
	MmRequireAggregate(fcinfo, "mm_check_accum", &aggcxt);
	MmRequireArg(fcinfo, 1, "check");
	in = check_inputs(fcinfo);

	if (PG_ARGISNULL(0))
	{
		Size		size = mm_check_state_size(in->p + 1, in->shape, in->quality,
											   in->quality == MM_CHECK_QUALITY_CLASSES ? in->classes.n : 0);

		if (size == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the check of a model of %d features and %d classes is too large", in->p,
							in->classes.n)));
		state = MmStateAlloc(aggcxt, size);
		buf = (char *) state + MM_STATE_OFFSET;
		mm_check_state_init(buf, in->check_id, in->p + 1, in->shape, in->quality,
							in->quality == MM_CHECK_QUALITY_CLASSES ? in->classes.n : 0);
		trust_view(in, buf);
	}
	else if (DatumGetPointer(PG_GETARG_DATUM(0)) == (Pointer) in->trusted_state)
		state = in->trusted_state;
	else
	{
		Size		len;

		state = PG_GETARG_BYTEA_P(0);
		buf = MmStateWritable(&state, &len);
		require_state(buf, len, in);
		trust_view(in, buf);
	}
	reader(in, fcinfo);
	count_row(in, &in->view, fcinfo, y_arg);
	in->trusted_state = state;
	PG_RETURN_BYTEA_P(state);
}

/* mm_check_accum(state, check, x, c, y, label): one row of the window, its features in two arrays. */
Datum
mm_check_accum(PG_FUNCTION_ARGS)
{
	MmRequireArg(fcinfo, 2, "x");
	MmRequireArg(fcinfo, 3, "c");
	return accum_row(fcinfo, read_array_row, 4);
}

/*
 * mm_check_accum(state, check, y, label, VARIADIC values "any"): one row of
 * the window, each feature's value an argument of its own (a NULL one is
 * missing), in the model's order.
 */
Datum
mm_check_accum_any(PG_FUNCTION_ARGS)
{
	return accum_row(fcinfo, read_separate_row, 2);
}

/* mm_check_combine(a, b): merges two states of one check (strict). */
Datum
mm_check_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *a = PG_GETARG_BYTEA_P(0),
			   *b = PG_GETARG_BYTEA_P(1);
	void	   *pa,
			   *pb;
	Size		alen,
				blen;
	MmError		err;

	MmRequireAggregate(fcinfo, "mm_check_combine", &aggcxt);
	pa = MmStateWritable(&a, &alen);
	pb = MmStatePayload(b, &blen);
	if (mm_check_state_check(pa, alen, &err) != MM_OK ||
		mm_check_state_check(pb, blen, &err) != MM_OK)
		MmReportCoreError(&err, "invalid check state");
	if (mm_check_state_merge(pa, pb, &err) != MM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("cannot combine the states of two different checks")));
	PG_RETURN_BYTEA_P(a);
}

/* mm_check_final(state): the state, checked (strict). */
Datum
mm_check_final(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_P(0);
	void	   *buf;
	Size		len;
	MmError		err;

	buf = MmStatePayload(state, &len);
	if (mm_check_state_check(buf, len, &err) != MM_OK)
		MmReportCoreError(&err, "invalid check state");
	PG_RETURN_BYTEA_P(state);
}

/*
 * The state a check's query returned, checked, as an aligned copy in the
 * current memory context, into which view points (watch has room for the
 * model's features and its predictions).  NULL (no row) is a state of
 * nothing counted.
 */
void
MmCheckStateRead(Datum result, bool isnull, uint64 expect_watches, MmCheckStateView *view,
				 void **watch)
{
	bytea	   *state;
	Size		len;
	void	   *buf;
	MmError		err;

	if (isnull)
	{
		view->head = NULL;
		return;
	}
	state = DatumGetByteaP(result);
	buf = MmStatePayload(state, &len);
	if (buf == (char *) state + MM_STATE_OFFSET)
	{
		buf = palloc(len);
		memcpy(buf, (char *) state + MM_STATE_OFFSET, len);
	}
	if (mm_check_state_check(buf, len, &err) != MM_OK)
		MmReportCoreError(&err, "invalid check state");
	if ((uint64) ((MmCheckStateHead *) buf)->watches != expect_watches)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid check state"),
				 errdetail("It counts %d watches, not " UINT64_FORMAT ".",
						   ((MmCheckStateHead *) buf)->watches, expect_watches)));
	mm_check_state_view(buf, view, watch);
}
