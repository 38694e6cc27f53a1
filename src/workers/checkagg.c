/*
 * checkagg.c: a monitoring check's window counted by one aggregate,
 * mm_check_stats(check, x, c, y, label).
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
 * process reads them once per query and keeps them with the call site
 * (fn_extra); the header is the same on every row.  The features come in
 * two arrays in the model's order: numbers in x, categorical values as text
 * in c.  y is a regression label, label a classification's as text.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "aggstate.h"
#include "artifact.h"
#include "baseline.h"
#include "checkagg.h"
#include "checkbaseline.h"
#include "checkstate.h"
#include "mmcore.h"
#include "model.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_check_accum);
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
	double	   *x;
	uint8	   *xnull;
	void	  **view_watch;		/* p + 1 */
	const void *trusted_state;	/* the state returned for the last row, checked then */
} CheckInputs;

/* Reads a check header into in (allocated in the current memory context). */
static void
read_header(CheckInputs *in, const char *bytes, Size len)
{
	CheckHeader h;
	MmError		err;
	char	   *field;
	const char *what;
	int			j;
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
	in->view_watch = palloc(sizeof(void *) * (in->p + 1));
	return;

bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid check header"),
			 errdetail("mm_check_stats takes the header a monitoring check makes.")));
}

/*
 * The inputs of the header in argument 1, from this call site's memory when
 * the header is the one read before.
 */
static CheckInputs *
check_inputs(FunctionCallInfo fcinfo)
{
	CheckInputs *in = fcinfo->flinfo->fn_extra;
	bytea	   *header = PG_GETARG_BYTEA_PP(1);
	const char *bytes = VARDATA_ANY(header);
	Size		len = VARSIZE_ANY_EXHDR(header);
	MemoryContext old;

	if (in != NULL && in->header_datum == DatumGetPointer(PG_GETARG_DATUM(1)))
		return in;
	if (in != NULL && in->header_len == len && memcmp(in->header, bytes, len) == 0)
	{
		in->header_datum = DatumGetPointer(PG_GETARG_DATUM(1));
		return in;
	}
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	in = palloc0(sizeof(CheckInputs));
	read_header(in, bytes, len);
	MemoryContextSwitchTo(old);
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

/*
 * Counts one row: its values, its outcome, its label.  A row the model
 * cannot score (a NULL it does not impute) counts its values only.
 */
static void
count_row(CheckInputs *in, MmCheckStateView *v, FunctionCallInfo fcinfo)
{
	const MmModel *model = in->model;
	ArrayType  *xa = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *ca = PG_GETARG_ARRAYTYPE_P(3);
	Datum	   *texts = NULL;
	bool	   *text_nulls = NULL;
	bool		has_nulls = false;
	int			nx = 0,
				nc,
				j,
				xi = 0,
				ci = 0;
	MmError		err;
	double		outcome;

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

	v->head->rows++;
	for (j = 0; j < in->p; j++)
	{
		MmWatch    *w = &in->watch[j];

		if (!w->categorical)
		{
			double		value = has_nulls && in->xnull[xi] ? NAN : in->x[xi];

			xi++;
			mm_window_add(v->watch[j], &w->num, value);
			in->raw[j] = value;
		}
		else
		{
			MmCheckCategorical *cw = v->watch[j];

			if (text_nulls[ci])
			{
				cw->missing++;
				in->raw[j] = NAN;
			}
			else
			{
				text	   *t = DatumGetTextPP(texts[ci]);
				int			len = VARSIZE_ANY_EXHDR(t);
				int			pos = MmNameIndexFind(&w->index, VARDATA_ANY(t), len);

				cw->rows++;
				cw->count[pos >= 0 ? pos : w->cat.n]++;
				in->raw[j] = model->categories != NULL ?
					mm_category_code(&model->categories[j], VARDATA_ANY(t), len) : MM_CATEGORY_UNSEEN;
				if (in->raw[j] == MM_CATEGORY_UNSEEN)
					cw->unseen++;
			}
			ci++;
		}
	}
	if (mm_model_transform(model, in->raw, in->z, &err) != MM_OK)
	{
		v->head->unpredictable++;
		return;
	}
	outcome = MmModelOutcome(model, in->z, in->scratch);
	count_outcome(in, v->watch[in->p], outcome);

	if (in->quality == MM_CHECK_QUALITY_REGRESSION && !PG_ARGISNULL(4))
	{
		double		y = PG_GETARG_FLOAT8(4);

		if (isfinite(y))
			mm_check_state_regression(v->head, y, outcome);
	}
	else if (in->quality == MM_CHECK_QUALITY_CLASSES && !PG_ARGISNULL(5))
	{
		text	   *t = PG_GETARG_TEXT_PP(5);
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

/* mm_check_accum(state, check, x, c, y, label): one row of the window. */
Datum
mm_check_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CheckInputs *in;
	bytea	   *state;
	void	   *buf;
	MmCheckStateView view;

	/* the scan checks too, but callers may feed rows from a tight loop */
	CHECK_FOR_INTERRUPTS();
	MmRequireAggregate(fcinfo, "mm_check_accum", &aggcxt);
	MmRequireArg(fcinfo, 1, "check");
	MmRequireArg(fcinfo, 2, "x");
	MmRequireArg(fcinfo, 3, "c");
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
	}
	else
	{
		Size		len;

		state = PG_GETARG_BYTEA_P(0);
		buf = MmStateWritable(&state, &len);
		/* a state this call site returned for the last row was checked then */
		if (buf != in->trusted_state)
			require_state(buf, len, in);
	}
	mm_check_state_view(buf, &view, in->view_watch);
	count_row(in, &view, fcinfo);
	in->trusted_state = buf;
	PG_RETURN_BYTEA_P(state);
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
