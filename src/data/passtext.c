/*
 * passtext.c: the pass aggregate over rows with text features and class
 * labels, and the split of such a row.
 *
 * mm_pass(pass, y, x, c) runs a pass whose header carries a design
 * (core/sources/passdesign.h): x holds the source's features as numbers (a
 * text feature's slot NULL), c the text features in the source's order and,
 * for a text label, the label last; y is the number to predict, or a number
 * or boolean label as a number.  The argument types are fixed, as a
 * distributed database needs them to push the aggregate down, and the state
 * is the same bytea the numeric form keeps, merged by mm_pass_combine.
 *
 * Each row is split exactly as the rows read into memory are (dataset.c):
 * text values and labels are hashed as PostgreSQL hashes them there, so the
 * same seed holds out the same rows whichever way a model trains.  The rows
 * of the pass's part go through the design (text as category codes, then
 * the fitted transform prediction applies) before the pass sees them.
 *
 * mm_pass_part(pass, y, x, c) is that split alone, for the queries that
 * count categories and labels per part with GROUP BY.
 *
 * The design is decoded once per query and kept with the function call,
 * named by the hash the header carries; the header's bytes are checked
 * against that hash once per state.  A distributed database's shard query
 * may call the transition through a new FmgrInfo for every row (Citus'
 * worker_partial_agg does), which would decode the design again per row:
 * so the first designs a transaction decodes are kept until it ends, and
 * a call site without a cache of its own takes the decoded design and the
 * room for a row from there.  What a call site proves of its own arguments
 * (their types) is not taken from another's; the state it returned for the
 * row before is found through the kept design, and trusted only when its
 * address, length and stamp are that state's (passagg.c), a trust
 * forgotten when the state's memory goes.
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
#include "mmcore.h"
#include "model.h"
#include "passagg.h"
#include "passdesign.h"
#include "passstate.h"
#include "source.h"
#include "txnkeep.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_pass_accum_text);
PG_FUNCTION_INFO_V1(mm_pass_accum_any);
PG_FUNCTION_INFO_V1(mm_pass_part);

/* What one call site keeps between rows: the decoded design and room for a row. */
typedef struct TextRowCache
{
	uint64		design_hash;
	uint64		design_len;
	MmPassDesign design;
	int			n_text;			/* text features */
	double	   *x;
	uint8	   *isnull;
	const char **text;
	size_t	   *text_len;
	uint64	   *text_hash;
	double	   *work;			/* raw_p + 1 + the design's width */
	Datum	   *c_values;
	bool	   *c_nulls;
	MmPassSpec	spec;			/* mm_pass_part's header, checked */
	MmPassDesignRef ref;
	Size		header_len;
	MmPassTrust trust;			/* mm_pass_accum's last state, checked */
	const Node *types_checked;	/* the call whose variadic argument types were checked */
	bool		shared;			/* the design and room are a kept entry's (never freed here) */
	struct TextRowCache *kept;	/* that entry, which holds the last trust of any site */
	MemoryContext trust_cxt;	/* a kept entry's: the aggregate memory its trusted state is in */
	struct TextRowCache *spare; /* a kept entry's: the site it hands to sites without one */
} TextRowCache;

/*
 * What forgets a kept entry's trust when the memory of the state it names
 * is reset or deleted, so that the trust never outlives its state: another
 * state made later at that address (an initial condition's bytes, whose
 * author may have read the stamp of the state gone) is checked in full.
 */
typedef struct TrustWatch
{
	TextRowCache *kept;
	MemoryContext cxt;
	uint64		generation;		/* the keeper's when the watch began */
	MemoryContextCallback cb;
} TrustWatch;

/* Designs decoded in this transaction (see the file comment). */
static MmTxnKeeper designs;

static void
forget_trust(void *arg)
{
	TrustWatch *w = arg;

	/* an entry of a transaction gone, or trusting a state of other memory now, is left alone */
	if (w->generation != designs.generation || w->kept->trust_cxt != w->cxt)
		return;
	memset(&w->kept->trust, 0, sizeof(w->kept->trust));
	w->kept->trust_cxt = NULL;
}

/* Makes trust, of a state in aggregate memory aggcxt, the kept entry's, watched as above. */
static void
share_trust(TextRowCache *kept, const MmPassTrust *trust, MemoryContext aggcxt)
{
	if (kept->trust_cxt != aggcxt)
	{
		TrustWatch *w = MemoryContextAlloc(aggcxt, sizeof(TrustWatch));

		w->kept = kept;
		w->cxt = aggcxt;
		w->generation = designs.generation;
		w->cb.func = forget_trust;
		w->cb.arg = w;
		MemoryContextRegisterResetCallback(aggcxt, &w->cb);
		kept->trust_cxt = aggcxt;
	}
	else if (MmPassSameTrust(&kept->trust, trust))
		return;
	kept->trust = *trust;
}

/*
 * A call site's cache over a design kept in this transaction, named by its
 * hash and length, or NULL: the decoded design and the room for a row are
 * shared (rows are read one at a time), the rest is the site's own.  The
 * site starts from the last state any site of the entry trusted: a shard
 * query whose every row comes through a new function handle so finds the
 * state it returned for the row before, and a state is trusted only when
 * its address, length and stamp say it is that very state (passagg.c).
 *
 * The site is the entry's spare, made once: a new handle per row (a
 * distributed database's partial aggregate makes one) would otherwise cost
 * a copy of the entry per row.  A site whose handle lasts shares the spare
 * for its first row only (own_site), and safely: the argument types checked
 * are those of one call (and forgotten here), so a site checks its own
 * before its first row, and a trust that is another site's is not its
 * state's, so its state is checked in full.
 */
static TextRowCache *
kept_design(FunctionCallInfo fcinfo, uint64 design_hash, uint64 design_len)
{
	TextRowCache *kept,
			   *rc;
	int			i;

	for (i = 0; i < designs.n; i++)
		if (((TextRowCache *) designs.kept[i])->design_hash == design_hash &&
			((TextRowCache *) designs.kept[i])->design_len == design_len)
			break;
	if (i == designs.n)
		return NULL;
	kept = designs.kept[i];
	rc = kept->spare;
	if (rc == NULL)
	{
		rc = MemoryContextAlloc(GetMemoryChunkContext(kept), sizeof(TextRowCache));
		*rc = *kept;
		rc->shared = true;
		rc->kept = kept;
		rc->spare = NULL;
		rc->trust_cxt = NULL;
		kept->spare = rc;
	}
	else if (!MmPassSameTrust(&rc->trust, &kept->trust))
		rc->trust = kept->trust;
	rc->header_len = 0;
	rc->types_checked = NULL;
	fcinfo->flinfo->fn_extra = rc;
	return rc;
}

/*
 * The cache of a call site whose handle came back with the spare of a kept
 * entry (kept_design): a site that keeps its handle, which from its second
 * row on has a copy of its own, as sharing the spare with other such sites
 * (the folds of a search, reading together) would cost each of them the
 * full check of its state on every row.  Any other cache is the site's.
 */
static TextRowCache *
own_site(FunctionCallInfo fcinfo, TextRowCache *rc)
{
	TextRowCache *own;

	if (rc == NULL || rc->kept == NULL || rc != rc->kept->spare)
		return rc;
	own = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(TextRowCache));
	*own = *rc;
	fcinfo->flinfo->fn_extra = own;
	return own;
}

/*
 * The kept design the header in argument 1 names, for a call site without
 * a cache, or NULL: read from the header's fixed part alone, the bytes being
 * checked against the state before the design is used (MmPassAccumState).
 */
static TextRowCache *
kept_for_header(FunctionCallInfo fcinfo)
{
	bytea	   *arg;
	MmPassSpec	spec;
	MmPassDesignRef ref;

	if (designs.n == 0 || PG_ARGISNULL(1))
		return NULL;
	arg = PG_GETARG_BYTEA_PP(1);
	if (VARSIZE_ANY_EXHDR(arg) < sizeof(MmPassSpec))
		return NULL;
	memcpy(&spec, VARDATA_ANY(arg), sizeof(spec));
	if (spec.layout != MM_PASS_LAYOUT_DESIGN ||
		VARSIZE_ANY_EXHDR(arg) < mm_pass_spec_design_size(spec.arg_len, 0))
		return NULL;
	memcpy(&ref, VARDATA_ANY(arg) + sizeof(MmPassSpec) + spec.arg_len, sizeof(ref));
	return kept_design(fcinfo, ref.design_hash, ref.design_len);
}

/*
 * Errors unless design fits the widths and target of the header spec with
 * reference ref, the labels it counts, if any, are of the kind it counts
 * them as, and the text features it counts are the design's.
 */
static void
require_fit(const MmPassSpec *spec, const MmPassDesignRef *ref, const MmPassDesign *design,
			int texts)
{
	if (design->raw_p != ref->raw_p || mm_pass_design_width(design) != spec->p ||
		(spec->target == MM_PASS_TARGET_CLASS) != (design->label_kind != 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid pass header: its design does not fit its widths or target")));
	if ((ref->labels_counted == 1 && design->label_kind == MM_LABEL_TEXT) ||
		(ref->labels_counted == 2 && design->label_kind != MM_LABEL_TEXT))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid pass header: it asks for labels to be counted as another kind"),
				 errdetail("A pass state counts number and boolean labels as numbers, text labels as text.")));
	if (ref->texts_counted > texts)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid pass header: it asks for %d text features to be counted, of %d",
						ref->texts_counted, texts)));
}

/* The text features of a design. */
static int
design_texts(const MmPassDesign *design)
{
	int			j,
				texts = 0;

	for (j = 0; j < design->raw_p; j++)
		texts += design->kinds[j] == MM_FEATURE_CATEGORICAL;
	return texts;
}

/* The cache for the header spec (checked) with its design bytes, made once per query. */
static TextRowCache *
row_cache(FunctionCallInfo fcinfo, const MmPassSpec *spec)
{
	TextRowCache *rc = fcinfo->flinfo->fn_extra,
			   *kept;
	MemoryContext keep,
				mcxt,
				old;
	MmError		err;
	int			p;

	MmPassDesignRef ref;

	if (!mm_pass_spec_ref(spec, &ref))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mm_pass with text columns needs a pass header with a design")));
	if (rc != NULL && rc->design_hash == ref.design_hash && rc->design_len == ref.design_len)
		return rc;
	if ((rc == NULL || rc->shared) &&
		(kept = kept_design(fcinfo, ref.design_hash, ref.design_len)) != NULL)
	{
		require_fit(spec, &ref, &kept->design, kept->n_text);
		return kept;
	}
	keep = MmTxnKeepMemory(&designs);
	mcxt = keep != NULL ? keep : fcinfo->flinfo->fn_mcxt;
	old = MemoryContextSwitchTo(mcxt);
	/* a kept entry lives in the transaction's memory whole; a call site's own is reused */
	if (rc != NULL && !rc->shared && keep == NULL)
		mm_pass_design_free(&rc->design);
	else
		rc = palloc0(sizeof(TextRowCache));
	if (mm_pass_design_read(mm_pass_spec_design(spec), ref.design_len, &rc->design, &err) != MM_OK)
		MmReportCoreError(&err, "invalid pass header");
	p = rc->design.raw_p;
	rc->n_text = design_texts(&rc->design);
	require_fit(spec, &ref, &rc->design, rc->n_text);
	rc->x = palloc(sizeof(double) * p);
	rc->isnull = palloc(p);
	rc->text = palloc0(sizeof(char *) * p);
	rc->text_len = palloc0(sizeof(size_t) * p);
	rc->text_hash = palloc0(sizeof(uint64) * p);
	rc->work = palloc(sizeof(double) * (p + 1 + spec->p));
	rc->design_hash = ref.design_hash;
	rc->design_len = ref.design_len;
	rc->header_len = 0;
	memset(&rc->trust, 0, sizeof(rc->trust));
	rc->types_checked = NULL;
	rc->shared = false;
	rc->kept = NULL;
	rc->trust_cxt = NULL;
	rc->spare = NULL;
	MemoryContextSwitchTo(old);
	if (keep != NULL)
	{
		MmTxnKeep(&designs, rc);
		return kept_design(fcinfo, ref.design_hash, ref.design_len);
	}
	fcinfo->flinfo->fn_extra = rc;
	return rc;
}

/* A text value's bytes and hash, as dataset.c hashes it, so the split is the same. */
static void
read_text(Datum value, const char **bytes, size_t *len, uint64 *hash)
{
	text	   *t = DatumGetTextPP(value);

	*bytes = VARDATA_ANY(t);
	*len = VARSIZE_ANY_EXHDR(t);
	*hash = hash_bytes_extended((const unsigned char *) *bytes, (int) *len, 0);
}

/* The target, or a number or boolean label and its hash, from argument y. */
static void
read_target(FunctionCallInfo fcinfo, int y, const MmPassSpec *spec, const MmPassDesign *d,
			MmPassRawRow *row)
{
	row->target_null = PG_ARGISNULL(y);
	row->target = row->target_null ? 0.0 : PG_GETARG_FLOAT8(y);
	if (spec->target == MM_PASS_TARGET_CLASS && !row->target_null && isfinite(row->target))
	{
		if (d->label_kind == MM_LABEL_BOOLEAN)
			row->label_hash = row->target != 0.0 ? 1 : 0;
		else
		{
			/* as dataset.c hashes a number label: a bigint's hash */
			int64		whole = (int64) row->target;

			row->label_hash = hash_bytes_uint32_extended((uint32) whole, (uint64) (whole >> 32));
		}
	}
}

/*
 * Reads the row in arguments y, x and c (numbered from first) into rc's
 * raw row: numbers, text and its hashes, the target or label and its hash.
 */
static void
read_row(FunctionCallInfo fcinfo, int first, const MmPassSpec *spec, TextRowCache *rc,
		 MmPassRawRow *row)
{
	const MmPassDesign *d = &rc->design;
	int			p = d->raw_p,
				text_label = spec->target == MM_PASS_TARGET_CLASS && d->label_kind == MM_LABEL_TEXT,
				n_c = rc->n_text + text_label,
				k = 0,
				j;
	ArrayType  *x;

	memset(row, 0, sizeof(*row));
	if (PG_ARGISNULL(first + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("x must not be null")));
	x = PG_GETARG_ARRAYTYPE_P(first + 1);
	if (MmFloat8ArrayLength(x, "x") != p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rows have %d features here and the pass reads %d",
						MmFloat8ArrayLength(x, "x"), p)));
	if (!MmFloat8ArrayValues(x, rc->x, rc->isnull))
		memset(rc->isnull, 0, p);
	if (n_c > 0)
	{
		ArrayType  *c;
		int			nc;

		if (PG_ARGISNULL(first + 2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("c must not be null when the pass reads text")));
		c = PG_GETARG_ARRAYTYPE_P(first + 2);
		if (ARR_ELEMTYPE(c) != TEXTOID || ARR_NDIM(c) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("c must be a one-dimensional text array")));
		deconstruct_array(c, TEXTOID, -1, false, TYPALIGN_INT, &rc->c_values, &rc->c_nulls, &nc);
		if (nc != n_c)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("rows have %d text values here and the pass reads %d", nc, n_c)));
	}
	for (j = 0; j < p; j++)
	{
		if (d->kinds[j] != MM_FEATURE_CATEGORICAL)
			continue;
		rc->isnull[j] = rc->c_nulls[k];
		if (!rc->c_nulls[k])
			read_text(rc->c_values[k], &rc->text[j], &rc->text_len[j], &rc->text_hash[j]);
		k++;
	}
	row->x = rc->x;
	row->isnull = rc->isnull;
	row->text = rc->text;
	row->text_len = rc->text_len;
	row->text_hash = rc->text_hash;
	if (text_label)
	{
		row->target_null = rc->c_nulls[k];
		if (!row->target_null)
			read_text(rc->c_values[k], &row->label, &row->label_len, &row->label_hash);
		return;
	}
	read_target(fcinfo, first, spec, d, row);
}

/* The header in argument 1, checked, aligned in the current memory context. */
static MmPassSpec *
checked_header(FunctionCallInfo fcinfo)
{
	bytea	   *arg = PG_GETARG_BYTEA_PP(1);
	Size		len = VARSIZE_ANY_EXHDR(arg);
	MmPassSpec *spec = palloc(Max(len, sizeof(MmPassSpec)));
	MmError		err;

	memcpy(spec, VARDATA_ANY(arg), len);
	if (mm_pass_spec_check(spec, len, &err) != MM_OK)
		MmReportCoreError(&err, "invalid pass header");
	return spec;
}

/*
 * Errors unless the variadic form's arguments from first on are what the
 * design reads: each source feature a float8 (text for a text feature),
 * then a text label.  Checked once per call site.
 */
static void
check_separate_arguments(FunctionCallInfo fcinfo, int first, const MmPassSpec *spec,
						 TextRowCache *rc)
{
	const MmPassDesign *d = &rc->design;
	int			text_label = spec->target == MM_PASS_TARGET_CLASS && d->label_kind == MM_LABEL_TEXT,
				j;

	if (rc->types_checked != NULL && rc->types_checked == fcinfo->flinfo->fn_expr)
		return;
	if (PG_NARGS() - first != d->raw_p + text_label)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rows have %d values here and the pass reads %d",
						PG_NARGS() - first, d->raw_p + text_label)));
	for (j = 0; j < d->raw_p + text_label; j++)
	{
		Oid			want = j == d->raw_p || d->kinds[j] == MM_FEATURE_CATEGORICAL ? TEXTOID : FLOAT8OID;

		if (get_fn_expr_argtype(fcinfo->flinfo, first + j) != want)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("value %d of a row of mm_pass must be %s", j + 1,
							want == TEXTOID ? "text" : "float8")));
	}
	rc->types_checked = fcinfo->flinfo->fn_expr;
}

/* read_row for the variadic form: the target in argument first (y), the values after it. */
static void
read_separate_row(FunctionCallInfo fcinfo, int first, const MmPassSpec *spec, TextRowCache *rc,
				  MmPassRawRow *row)
{
	const MmPassDesign *d = &rc->design;
	int			p = d->raw_p,
				j;

	check_separate_arguments(fcinfo, first + 1, spec, rc);
	memset(row, 0, sizeof(*row));
	if (rc->n_text == 0)
	{
		/* numbers only: each value and its flag straight from the call's arguments, in one loop */
		const NullableDatum *args = fcinfo->args + first + 1;
		double	   *x = rc->x;
		uint8	   *isnull = rc->isnull;

		for (j = 0; j < p; j++)
		{
			isnull[j] = args[j].isnull;
			x[j] = args[j].isnull ? 0.0 : DatumGetFloat8(args[j].value);
		}
	}
	for (j = 0; rc->n_text > 0 && j < p; j++)
	{
		rc->isnull[j] = PG_ARGISNULL(first + 1 + j);
		if (rc->isnull[j])
			continue;
		if (d->kinds[j] == MM_FEATURE_CATEGORICAL)
			read_text(PG_GETARG_DATUM(first + 1 + j), &rc->text[j], &rc->text_len[j],
					  &rc->text_hash[j]);
		else
			rc->x[j] = PG_GETARG_FLOAT8(first + 1 + j);
	}
	row->x = rc->x;
	row->isnull = rc->isnull;
	row->text = rc->text;
	row->text_len = rc->text_len;
	row->text_hash = rc->text_hash;
	if (spec->target == MM_PASS_TARGET_CLASS && d->label_kind == MM_LABEL_TEXT)
	{
		row->target_null = PG_ARGISNULL(first + 1 + p);
		if (!row->target_null)
			read_text(PG_GETARG_DATUM(first + 1 + p), &row->label, &row->label_len,
					  &row->label_hash);
		return;
	}
	read_target(fcinfo, first, spec, d, row);
}

/* How a form of the aggregate reads a row, y in argument first. */
typedef void (*RowReader) (FunctionCallInfo fcinfo, int first, const MmPassSpec *spec,
						   TextRowCache *rc, MmPassRawRow *row);

/*
 * One row of a form of mm_pass through the header's design, read by
 * reader.  Rows are counted as the numeric form counts them; see
 * passstate.h.
 */
static Datum
accum_through_design(FunctionCallInfo fcinfo, RowReader reader)
{
	MemoryContext aggcxt;
	bytea	   *state;
	void	   *buf;
	const MmPass *pass;
	MmPassStateView room,
			   *view;
	TextRowCache *rc;
	MmPassRawRow row;
	MmError		err;

	CHECK_FOR_INTERRUPTS();
	MmRequireAggregate(fcinfo, "mm_pass_accum", &aggcxt);
	MmRequireArg(fcinfo, 1, "pass");
	rc = own_site(fcinfo, fcinfo->flinfo->fn_extra);
	if (rc == NULL)
		rc = kept_for_header(fcinfo);
	state = MmPassAccumState(fcinfo, aggcxt, rc != NULL ? &rc->trust : NULL, &buf, &pass, &room, &view);
	if (view->design == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mm_pass with text columns needs a pass header with a design")));
	if (rc == NULL || rc->design_hash != view->design->design_hash ||
		rc->design_len != view->design->design_len)
	{
		/* the cache the trusted view is kept in may be remade below */
		if (view != &room)
			room = *view;
		view = &room;
		/* a design this transaction decoded, else the header's bytes checked against the hash, then decoded */
		rc = kept_design(fcinfo, view->design->design_hash, view->design->design_len);
		if (rc == NULL)
		{
			MmPassSpec *spec = checked_header(fcinfo);

			rc = row_cache(fcinfo, spec);
			pfree(spec);
		}
	}
	/* a kept design may have been decoded for another header naming the same one */
	if (rc->shared)
		require_fit(&view->head->spec, view->design, &rc->design, rc->n_text);
	reader(fcinfo, 2, &view->head->spec, rc, &row);
	if (mm_pass_state_offer(view, pass, &rc->design, &row, rc->work, &err) != MM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("a row's label is not one of the labels of the pass"),
				 errdetail("The labels were read before the pass; the rows changed since.")));
	MmPassTrustState(fcinfo, &rc->trust, state, buf, pass, view);
	if (rc->kept != NULL)
		share_trust(rc->kept, &rc->trust, aggcxt);
	PG_RETURN_BYTEA_P(state);
}

/* mm_pass_accum(state, pass, y, x, c): one row through the header's design. */
Datum
mm_pass_accum_text(PG_FUNCTION_ARGS)
{
	return accum_through_design(fcinfo, read_row);
}

/*
 * mm_pass_accum(state, pass, y, VARIADIC values "any"): mm_pass_accum_text
 * with the row's values as separate arguments, which build no array per
 * row.  A distributed database pushes down only the fixed-signature forms,
 * so this one serves relations no such database distributes.
 */
Datum
mm_pass_accum_any(PG_FUNCTION_ARGS)
{
	return accum_through_design(fcinfo, read_separate_row);
}

/*
 * mm_pass_part(pass, y, x, c): the part of the header's split the row falls
 * in (0 training, 1 held out), or NULL for a row in neither (a NULL or
 * non-finite target, a non-finite feature).
 */
Datum
mm_pass_part(PG_FUNCTION_ARGS)
{
	TextRowCache *rc = own_site(fcinfo, fcinfo->flinfo->fn_extra);
	bytea	   *arg;
	Size		len;
	MmPassRawRow row;
	int			part;

	MmRequireArg(fcinfo, 0, "pass");
	arg = PG_GETARG_BYTEA_PP(0);
	len = VARSIZE_ANY_EXHDR(arg);

	/*
	 * The header is the same on every row: checked in full when first seen,
	 * then recognized by its fixed part, which names the design by its hash.
	 */
	if (rc == NULL || len != rc->header_len ||
		memcmp(VARDATA_ANY(arg), &rc->spec, sizeof(MmPassSpec)) != 0 ||
		memcmp(VARDATA_ANY(arg) + sizeof(MmPassSpec) + rc->spec.arg_len, &rc->ref,
			   offsetof(MmPassDesignRef, rows_untransformed)) != 0)
	{
		MmPassSpec *spec = palloc(Max(len, sizeof(MmPassSpec)));
		MmError		err;

		memcpy(spec, VARDATA_ANY(arg), len);
		if (mm_pass_spec_check(spec, len, &err) != MM_OK)
			MmReportCoreError(&err, "invalid pass header");
		rc = row_cache(fcinfo, spec);
		rc->spec = *spec;
		(void) mm_pass_spec_ref(spec, &rc->ref);
		rc->header_len = len;
		pfree(spec);
	}
	read_row(fcinfo, 1, &rc->spec, rc, &row);
	part = mm_pass_row_part(&rc->spec, &rc->ref, &rc->design, &row, rc->work);
	if (part < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(part);
}
