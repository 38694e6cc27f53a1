/*
 * passstate.c: a pass as a flat, mergeable aggregate state (see passstate.h).
 */
#include "passstate.h"

#include <math.h>
#include <string.h>

#include "lsq.h"
#include "passdesign.h"
#include "rowhash.h"
#include "widevectors.h"

#define BYTE_ORDER_MARK 0x0102

/* n rounded up to a multiple of 8. */
static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

/* The reference of a header with a design, read from after its arg (which may be unaligned). */
static int
header_ref(const MmPassSpec *s, MmPassDesignRef *ref)
{
	if (s->layout != MM_PASS_LAYOUT_DESIGN)
		return 0;
	memcpy(ref, (const char *) s + sizeof(MmPassSpec) + s->arg_len, sizeof(MmPassDesignRef));
	return 1;
}

/* The reference a state with a design keeps after its head, or NULL. */
static MmPassDesignRef *
state_ref(const MmPassStateHeader *h)
{
	return h->spec.layout == MM_PASS_LAYOUT_DESIGN ?
		(MmPassDesignRef *) ((char *) h + sizeof(MmPassStateHeader)) : NULL;
}

/* Bytes of the label counts of a state whose reference has that labels_counted. */
static size_t
labels_size(int labels)
{
	return labels == 1 ? pad8(sizeof(MmLabelCounts)) : labels == 2 ? pad8(sizeof(MmTextCounts)) : 0;
}

/*
 * Bytes of a state of p columns, counting c features, with that arg, a
 * design reference or not, and that pass state.
 */
static size_t
total_size(int p, int c, size_t arg_len, int with_ref, size_t pass_size, int parts, int labels,
		   int texts)
{
	return sizeof(MmPassStateHeader)
		+ (with_ref ? sizeof(MmPassDesignRef) : 0)
		+ sizeof(int64_t) * (size_t) c
		+ sizeof(int64_t) * (size_t) (c + 1)
		+ pad8(arg_len)
		+ sizeof(double) * (size_t) MM_PASS_BLOCK * (size_t) (p + 1)
		+ pad8(sizeof(int32_t) * MM_PASS_BLOCK)
		+ pad8(pass_size) * (size_t) parts
		+ labels_size(labels)
		+ pad8(sizeof(MmTextCounts)) * (size_t) texts;
}

/* The pass states a state keeps: one per part for a design over both, else one. */
static int
parts_of(const MmPassDesignRef *ref)
{
	return ref != NULL && ref->part == MM_PASS_PARTS_BOTH ? 2 : 1;
}

/* What labels a state of that reference counts: 0 none, 1 numbers, 2 text. */
static int
labels_of(const MmPassDesignRef *ref)
{
	return ref != NULL ? ref->labels_counted : 0;
}

/* The text features a state of that reference counts the values of. */
static int
texts_of(const MmPassDesignRef *ref)
{
	return ref != NULL ? ref->texts_counted : 0;
}

/* Bytes of a state whose head is in place. */
static size_t
state_total(const MmPassStateHeader *h)
{
	const MmPassDesignRef *ref = state_ref(h);

	return total_size(h->spec.p, ref ? ref->raw_p : h->spec.p, h->spec.arg_len, ref != NULL,
					  h->pass_size, parts_of(ref), labels_of(ref), texts_of(ref));
}

/* Pointers into a state whose header (and reference) is in place. */
static void
layout(void *buf, MmPassStateView *v)
{
	char	   *c = buf;
	MmPassStateHeader *h = buf;
	int			p = h->spec.p;

	v->head = h;
	v->design = state_ref(h);
	v->p = p;
	v->counts_p = v->design ? v->design->raw_p : p;
	c += sizeof(MmPassStateHeader);
	if (v->design)
		c += sizeof(MmPassDesignRef);
	v->null_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) v->counts_p;
	v->nonfinite_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) (v->counts_p + 1);
	v->arg = h->spec.arg_len > 0 ? c : NULL;
	c += pad8(h->spec.arg_len);
	v->x = (double *) c;
	c += sizeof(double) * (size_t) MM_PASS_BLOCK * (size_t) p;
	v->t = (double *) c;
	c += sizeof(double) * (size_t) MM_PASS_BLOCK;
	v->y = (int32_t *) c;
	c += pad8(sizeof(int32_t) * MM_PASS_BLOCK);
	v->pass_state = c;
	v->pass_state_test = parts_of(v->design) == 2 ? c + pad8(h->pass_size) : NULL;
	c += pad8(h->pass_size) * (size_t) parts_of(v->design);
	v->labels = labels_of(v->design) == 1 ? (MmLabelCounts *) c : NULL;
	v->text_labels = labels_of(v->design) == 2 ? (MmTextCounts *) c : NULL;
	c += labels_size(labels_of(v->design));
	v->n_texts = texts_of(v->design);
	v->texts = v->n_texts > 0 ? (MmTextCounts *) c : NULL;
}

/* Bytes of a pass header with arg_len bytes of arg. */
size_t
mm_pass_spec_size(size_t arg_len)
{
	return sizeof(MmPassSpec) + arg_len;
}

/* Writes a pass header (see passstate.h). */
void
mm_pass_spec_write(void *buf, int artifact_id, int index, int p, MmPassTarget target,
				   double test_size, uint64_t salt, const void *arg, size_t arg_len)
{
	MmPassSpec	spec;

	memset(&spec, 0, sizeof(spec));
	spec.magic = MM_PASS_SPEC_MAGIC;
	spec.layout = MM_PASS_LAYOUT;
	spec.byte_order = BYTE_ORDER_MARK;
	spec.artifact_id = artifact_id;
	spec.index = index;
	spec.p = p;
	spec.target = (int32_t) target;
	spec.test_size = test_size;
	spec.salt = salt;
	spec.arg_len = arg_len;
	memcpy(buf, &spec, sizeof(spec));
	if (arg_len > 0)
		memcpy((char *) buf + sizeof(spec), arg, arg_len);
}

/* Bytes of a pass header with an arg and a design. */
size_t
mm_pass_spec_design_size(size_t arg_len, size_t design_len)
{
	return sizeof(MmPassSpec) + arg_len + sizeof(MmPassDesignRef) + design_len;
}

/* Gives a written header a design (see passstate.h). */
void
mm_pass_spec_set_design(void *buf, int raw_p, int part, const void *design, size_t design_len)
{
	MmPassSpec	spec;
	MmPassDesignRef ref;

	memcpy(&spec, buf, sizeof(spec));
	spec.layout = MM_PASS_LAYOUT_DESIGN;
	memcpy(buf, &spec, sizeof(spec));
	memset(&ref, 0, sizeof(ref));
	ref.raw_p = raw_p;
	ref.part = part;
	ref.design_len = design_len;
	ref.design_hash = mm_pass_design_hash(design, design_len);
	ref.untransformed_feature = -1;
	memcpy((char *) buf + sizeof(spec) + spec.arg_len, &ref, sizeof(ref));
	memcpy((char *) buf + sizeof(spec) + spec.arg_len + sizeof(ref), design, design_len);
}

/* Copies out the design reference of a written header (which may sit unaligned); returns where it sits. */
static char *
written_ref(void *buf, MmPassDesignRef *ref)
{
	MmPassSpec	spec;
	char	   *at;

	memcpy(&spec, buf, sizeof(spec));
	at = (char *) buf + sizeof(spec) + spec.arg_len;
	memcpy(ref, at, sizeof(*ref));
	return at;
}

/* Gives a header with a design a fold's parts (see passstate.h). */
void
mm_pass_spec_set_folds(void *buf, int folds, int fold)
{
	MmPassDesignRef ref;
	char	   *at = written_ref(buf, &ref);

	ref.folds = folds;
	ref.fold = folds > 0 ? fold : 0;
	memcpy(at, &ref, sizeof(ref));
}

/* Makes a header's states count its labels as kind (1 numbers, 2 text) and texts text features. */
static void
set_counted(void *buf, int kind, int texts)
{
	MmPassDesignRef ref;
	char	   *at = written_ref(buf, &ref);

	if (kind >= 0)
		ref.labels_counted = kind;
	if (texts >= 0)
		ref.texts_counted = texts;
	memcpy(at, &ref, sizeof(ref));
}

/* Makes a header's states count labels (see passstate.h). */
void
mm_pass_spec_count_labels(void *buf)
{
	set_counted(buf, 1, -1);
}

/* Makes a header's states count text labels (see passstate.h). */
void
mm_pass_spec_count_text_labels(void *buf)
{
	set_counted(buf, 2, -1);
}

/* Makes a header's states count text values (see passstate.h). */
void
mm_pass_spec_count_texts(void *buf, int texts)
{
	set_counted(buf, -1, texts);
}

/* Copies a checked header's design reference (see passstate.h). */
int
mm_pass_spec_ref(const MmPassSpec *spec, MmPassDesignRef *ref)
{
	return header_ref(spec, ref);
}

/* The design bytes of a checked header, or NULL when it has none. */
const void *
mm_pass_spec_design(const MmPassSpec *spec)
{
	return spec->layout == MM_PASS_LAYOUT_DESIGN ?
		(const char *) spec + sizeof(MmPassSpec) + spec->arg_len + sizeof(MmPassDesignRef) : NULL;
}

/* Checks a design reference's fields against its header's. */
static int
ref_valid(const MmPassSpec *s, const MmPassDesignRef *r)
{
	return r->raw_p >= 1 && r->raw_p <= MM_MAX_FEATURES &&
		(r->part == 0 || r->part == 1 || r->part == MM_PASS_PARTS_BOTH) &&
		r->design_len > 0 && r->design_len <= MM_PASS_MAX_ARG && s->p <= MM_MAX_DESIGN &&
		r->untransformed_feature >= -1 && r->untransformed_feature < r->raw_p &&
		r->rows_untransformed >= 0 && r->rows_outside >= 0 &&
		(r->labels_counted == 0 ||
		 ((r->labels_counted == 1 || r->labels_counted == 2) && s->target == MM_PASS_TARGET_CLASS)) &&
		r->texts_counted >= 0 && r->texts_counted <= r->raw_p &&
		((r->folds == 0 && r->fold == 0) ||
		 (r->folds >= 2 && r->folds <= MM_PASS_MAX_FOLDS && r->fold >= 0 && r->fold < r->folds));
}

/* Checks the fields of a header, wherever it sits. */
static MmErrorCode
spec_fields_check(const MmPassSpec *s, MmError *err)
{
	int			design = s->layout == MM_PASS_LAYOUT_DESIGN;

	if ((s->layout != MM_PASS_LAYOUT && !design) || s->byte_order != BYTE_ORDER_MARK)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "pass of layout %d from another build or machine", (int) s->layout);
	if (s->artifact_id < 0 || s->artifact_id > 255 || s->index < 0 ||
		s->p < 1 || s->p > (design ? MM_MAX_DESIGN : MM_MAX_FEATURES) ||
		(s->target != MM_PASS_TARGET_NUMERIC && s->target != MM_PASS_TARGET_NONE &&
		 s->target != MM_PASS_TARGET_CLASS) ||
		!(s->test_size >= 0.0 && s->test_size < 1.0) || s->arg_len > MM_PASS_MAX_ARG ||
		(s->target == MM_PASS_TARGET_CLASS && !design))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header has impossible values");
	return MM_OK;
}

/* Checks that len bytes at buf are a well-formed pass header. */
MmErrorCode
mm_pass_spec_check(const void *buf, size_t len, MmError *err)
{
	const MmPassSpec *s = buf;
	MmErrorCode rc;

	if (len < sizeof(MmPassSpec) || s->magic != MM_PASS_SPEC_MAGIC)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "not a pass header");
	if ((rc = spec_fields_check(s, err)) != MM_OK)
		return rc;
	if (s->layout == MM_PASS_LAYOUT_DESIGN)
	{
		MmPassDesignRef ref;

		if (len < mm_pass_spec_design_size(s->arg_len, 0))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header has the wrong length");
		header_ref(s, &ref);
		if (!ref_valid(s, &ref) || ref.rows_untransformed != 0 || ref.rows_outside != 0)
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header has an impossible design reference");
		if (len != mm_pass_spec_design_size(s->arg_len, ref.design_len))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header has the wrong length");
		if (mm_pass_design_hash(mm_pass_spec_design(s), ref.design_len) != ref.design_hash)
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header's design does not match its hash");
		return MM_OK;
	}
	if (len != mm_pass_spec_size(s->arg_len))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass header has the wrong length");
	return MM_OK;
}

/* The arg bytes of a checked header, or NULL when it has none. */
const void *
mm_pass_spec_arg(const MmPassSpec *spec)
{
	return spec->arg_len > 0 ? (const char *) spec + sizeof(MmPassSpec) : NULL;
}

/* True when arg_len bytes at arg are an arg of pass over p columns (none when it takes none). */
static int
arg_valid(const MmPass *pass, int p, const void *arg, uint64_t arg_len)
{
	if (pass->arg_size == NULL)
		return arg_len == 0;
	if (arg_len == 0)
		return pass->arg_optional;
	return pass->arg_size(p, arg, (size_t) arg_len) == arg_len;
}

/* Bytes of the state of pass over a checked header, or 0 when too large. */
size_t
mm_pass_state_size(const MmPassSpec *spec, const MmPass *pass, MmError *err)
{
	size_t		pass_size;

	if (!arg_valid(pass, spec->p, mm_pass_spec_arg(spec), spec->arg_len))
	{
		mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the %zu bytes of arg are not an arg of pass \"%s\"",
				(size_t) spec->arg_len, pass->name);
		return 0;
	}
	pass_size = pass->state_size(spec->p, mm_pass_spec_arg(spec));

	if (pass_size > MM_PASS_MAX_STATE)
	{
		mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the state of pass \"%s\" over %d columns takes %zu bytes",
				pass->name, spec->p, pass_size);
		return 0;
	}
	{
		MmPassDesignRef ref;
		int			with_ref = header_ref(spec, &ref);

		return total_size(spec->p, with_ref ? ref.raw_p : spec->p, spec->arg_len, with_ref,
						  pass_size, parts_of(with_ref ? &ref : NULL),
						  labels_of(with_ref ? &ref : NULL), texts_of(with_ref ? &ref : NULL));
	}
}

/* Initializes a state of mm_pass_state_size bytes in buf. */
void
mm_pass_state_init(void *buf, const MmPassSpec *spec, const MmPass *pass)
{
	MmPassStateHeader *h = buf;
	MmPassStateView v;
	const void *arg = mm_pass_spec_arg(spec);
	size_t		pass_size = pass->state_size(spec->p, arg);

	MmPassDesignRef ref;
	int			with_ref = header_ref(spec, &ref),
				j;

	memset(buf, 0, total_size(spec->p, with_ref ? ref.raw_p : spec->p, spec->arg_len, with_ref,
							  pass_size, parts_of(with_ref ? &ref : NULL),
							  labels_of(with_ref ? &ref : NULL), texts_of(with_ref ? &ref : NULL)));
	h->spec = *spec;
	h->spec.magic = MM_PASS_STATE_MAGIC;
	h->pass_size = pass_size;
	if (with_ref)
		memcpy((char *) buf + sizeof(MmPassStateHeader), &ref, sizeof(ref));
	layout(buf, &v);
	if (spec->arg_len > 0)
		memcpy((void *) v.arg, arg, spec->arg_len);
	pass->init(v.pass_state, spec->p, v.arg);
	if (v.pass_state_test != NULL)
		pass->init(v.pass_state_test, spec->p, v.arg);
	if (v.labels != NULL)
		mm_label_counts_init(v.labels);
	if (v.text_labels != NULL)
		mm_text_counts_init(v.text_labels);
	for (j = 0; j < v.n_texts; j++)
		mm_text_counts_init(&v.texts[j]);
}

/* Checks the head of a state and says which pass it belongs to. */
MmErrorCode
mm_pass_state_identify(const void *buf, size_t len, int *artifact_id, int *index, MmError *err)
{
	const MmPassStateHeader *h = buf;
	MmErrorCode rc;

	if (len < sizeof(MmPassStateHeader) || h->spec.magic != MM_PASS_STATE_MAGIC)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "not a pass state");
	if ((rc = spec_fields_check(&h->spec, err)) != MM_OK)
		return rc;
	*artifact_id = h->spec.artifact_id;
	*index = h->spec.index;
	return MM_OK;
}

/*
 * True when the row counts are not negative and add up to the rows seen,
 * with outside the rows a fold's passes leave in neither part.
 */
static int
counts_add_up(const MmPassStateHeader *h, int64_t outside)
{
	const int64_t parts[6] = {h->rows_null_target, h->rows_bad_features, h->rows_bad_target,
	h->rows_test, h->rows_train, outside};
	int64_t		left = h->rows_seen;
	int			i;

	if (left < 0)
		return 0;
	/* subtracting counts each at most what is left cannot overflow, as a sum of damaged ones could */
	for (i = 0; i < 6; i++)
	{
		if (parts[i] < 0 || parts[i] > left)
			return 0;
		left -= parts[i];
	}
	return left == 0;
}

/* Checks that len bytes at buf are a well-formed state of pass (see passstate.h). */
MmErrorCode
mm_pass_state_check(const void *buf, size_t len, const MmPass *pass, int full, MmError *err)
{
	const MmPassStateHeader *h = buf;
	MmPassStateView v;
	int			artifact_id,
				index,
				j;
	MmErrorCode rc;

	if ((rc = mm_pass_state_identify(buf, len, &artifact_id, &index, err)) != MM_OK)
		return rc;
	{
		const MmPassDesignRef *ref = state_ref(h);
		int64_t		part_rows = ref == NULL || ref->part == 0 ? h->rows_train :
			ref->part == 1 ? h->rows_test : h->rows_train + h->rows_test;

		if (ref != NULL && (len < sizeof(MmPassStateHeader) + sizeof(MmPassDesignRef) ||
							!ref_valid(&h->spec, ref) || ref->rows_untransformed > part_rows))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has an impossible design reference");
		if (h->pass_size > MM_PASS_MAX_STATE || h->buffered < 0 || h->buffered_test < 0 ||
			h->buffered + h->buffered_test >= MM_PASS_BLOCK ||
			part_rows < h->buffered + h->buffered_test ||
			!counts_add_up(h, ref != NULL ? ref->rows_outside : 0) ||
			(h->buffered_test > 0 && parts_of(ref) != 2))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible header values");
	}
	if (len != state_total(h))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has the wrong length");
	layout((void *) buf, &v);
	for (j = 0; full && j < v.counts_p; j++)
		if (v.null_count[j] < 0 || v.null_count[j] > h->rows_seen)
			return mm_fail(err, MM_ERR_CORRUPT, j, "pass state has an impossible null count");
	for (j = 0; full && j <= v.counts_p; j++)
		if (v.nonfinite_count[j] < 0 || v.nonfinite_count[j] > h->rows_seen)
			return mm_fail(err, MM_ERR_CORRUPT, j, "pass state has an impossible non-finite count");
	/* the pass's state must be the size the pass gives its arg (so the pass reads inside it) */
	if (!arg_valid(pass, v.p, v.arg, h->spec.arg_len))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has an arg not of pass \"%s\"", pass->name);
	if (h->pass_size != pass->state_size(v.p, v.arg))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state does not have the size of pass \"%s\"",
					   pass->name);
	if (pass->check != NULL && (!pass->check(v.pass_state, v.p, v.arg) ||
								(v.pass_state_test != NULL &&
								 !pass->check(v.pass_state_test, v.p, v.arg))))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible values for pass \"%s\"",
					   pass->name);
	if (v.labels != NULL && !mm_label_counts_check(v.labels, h->rows_train + h->rows_test))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible label counts");
	if (v.text_labels != NULL && !mm_text_counts_check(v.text_labels, h->rows_train + h->rows_test))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible label counts");
	for (j = 0; j < v.n_texts; j++)
		if (!mm_text_counts_check(&v.texts[j], h->rows_train + h->rows_test))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible text value counts");
	return MM_OK;
}

/* Fills view with pointers into a checked state. */
void
mm_pass_state_view(void *buf, MmPassStateView *view)
{
	layout(buf, view);
}

/* The rows from slot first on, n of them, to the pass state part. */
static void
add_rows(MmPassStateView *v, const MmPass *pass, int first, int n, void *part)
{
	MmRows		rows;

	rows.n = (size_t) n;
	rows.p = v->p;
	rows.x = v->x + (size_t) first * v->p;
	rows.y = v->head->spec.target == MM_PASS_TARGET_CLASS ? v->y + first : NULL;
	rows.t = v->head->spec.target == MM_PASS_TARGET_NUMERIC ? v->t + first : NULL;
	pass->add(part, &rows, v->arg);
}

/* Swaps the rows in slots a and b of the buffer. */
static void
swap_rows(MmPassStateView *v, int a, int b)
{
	double	   *xa = v->x + (size_t) a * v->p,
			   *xb = v->x + (size_t) b * v->p,
				t = v->t[a];
	int32_t		y = v->y[a];
	int			j;

	for (j = 0; j < v->p; j++)
	{
		double		x = xa[j];

		xa[j] = xb[j];
		xb[j] = x;
	}
	v->t[a] = v->t[b];
	v->t[b] = t;
	v->y[a] = v->y[b];
	v->y[b] = y;
}

/*
 * Hands what waits in the buffer to the pass state of its part: the
 * training rows at the front, then the held-out rows at the back, turned
 * back into the order they came in.
 */
static void
flush(MmPassStateView *v, const MmPass *pass)
{
	MmPassStateHeader *h = v->head;
	int			n = h->buffered_test,
				first = MM_PASS_BLOCK - n,
				i;

	if (h->buffered > 0)
		add_rows(v, pass, 0, h->buffered, v->pass_state);
	if (n > 0)
	{
		for (i = 0; i < n / 2; i++)
			swap_rows(v, first + i, MM_PASS_BLOCK - 1 - i);
		add_rows(v, pass, first, n, v->pass_state_test);
	}
	h->buffered = 0;
	h->buffered_test = 0;
}

/*
 * The slot for the next row of part (its pass state's: 0 unless the design
 * sees both), handed back by keep_row once it is written: a training row's
 * at the buffer's front, a held-out row's at its back.
 */
static inline int
next_slot(const MmPassStateView *v, int part)
{
	return part ? MM_PASS_BLOCK - 1 - v->head->buffered_test : v->head->buffered;
}

/* Keeps the row written at next_slot(v, part), handing the buffer on once it is full. */
static inline void
keep_row(MmPassStateView *v, const MmPass *pass, int part, double y, int32_t label)
{
	MmPassStateHeader *h = v->head;
	int			r = next_slot(v, part);

	v->t[r] = y;
	v->y[r] = label;
	h->buffered_test += part;
	h->buffered += 1 - part;
	if (h->buffered + h->buffered_test == MM_PASS_BLOCK)
		flush(v, pass);
}

/* Appends a row of part to the buffer (see next_slot). */
static void
buffer_row(MmPassStateView *v, const MmPass *pass, const double *x, double y, int32_t label,
		   int part)
{
	memcpy(v->x + (size_t) next_slot(v, part) * v->p, x, sizeof(double) * (size_t) v->p);
	keep_row(v, pass, part, y, label);
}

/* Offers one row (see passstate.h). */
void
mm_pass_state_add(MmPassStateView *view, const MmPass *pass, const double *x,
				  const uint8_t *isnull, double y, int y_isnull)
{
	MmPassStateHeader *h = view->head;
	int			p = view->p,
				j,
				bad_feature = 0;
	double		check = 0.0;
	uint64_t	hash,
				draw;

	h->rows_seen++;
	if (y_isnull)
	{
		h->rows_null_target++;
		return;
	}
	if (isnull != NULL)
		for (j = 0; j < p; j++)
			if (isnull[j])
			{
				view->null_count[j]++;
				bad_feature = 1;
			}
	/* the common case, every value finite, without a branch per value */
	for (j = 0; j < p; j++)
		if (isnull == NULL || !isnull[j])
			check += x[j] * 0.0;
	if (check != 0.0)			/* NaN: some value was NaN or infinite */
		for (j = 0; j < p; j++)
			if ((isnull == NULL || !isnull[j]) && !isfinite(x[j]))
			{
				view->nonfinite_count[j]++;
				bad_feature = 1;
			}
	if (!isfinite(y))
		view->nonfinite_count[p]++;
	if (bad_feature)
	{
		h->rows_bad_features++;
		return;
	}
	if (!isfinite(y))
	{
		h->rows_bad_target++;
		return;
	}

	/*
	 * The split of the least-squares state (lsq.c) and of rows read into
	 * memory (dataset.c): the hash of the features then the target, so that
	 * a seed holds out the same rows whichever way a model trains.
	 */
	{
		double		row[MM_MAX_FEATURES + 1];

		memcpy(row, x, sizeof(double) * (size_t) p);
		row[p] = y;
		hash = mm_row_hash(row, p + 1);
	}
	h->fingerprint += hash;
	draw = mm_row_draw(hash, h->spec.salt);
	if (mm_draw_is_test(draw, h->spec.test_size))
	{
		h->rows_test++;
		return;
	}
	h->rows_train++;
	buffer_row(view, pass, x, y, 0, 0);
}

/* A double's exponent bits: all set in NaN and the infinities alone. */
#define EXPONENT_BITS UINT64_C(0x7ff0000000000000)

/*
 * The bits feature j of a raw row hashes as, as dataset.c hashes a row it
 * reads: a text value's own hash in place of its code, NaN where NULL.
 */
static inline uint64_t
raw_value_bits(const MmPassDesign *d, const MmPassRawRow *row, int j)
{
	uint64_t	bits;

	if (row->isnull[j])
	{
		double		missing = NAN;

		memcpy(&bits, &missing, sizeof(bits));
	}
	else if (d->kinds[j] == MM_FEATURE_CATEGORICAL)
		bits = row->text_hash[j];
	else
		memcpy(&bits, &row->x[j], sizeof(bits));
	return bits;
}

/*
 * The hash of a raw row whose features' shares of mm_row_hash sum (with
 * the count it starts from) to acc: the target, or 0 in its place, adds
 * the last share; a label's hash is mixed in after.  Its share of the
 * fingerprint goes to *fingerprint.
 */
static inline uint64_t
raw_row_finish(int target, const MmPassDesign *d, const MmPassRawRow *row, uint64_t acc,
			   uint64_t *fingerprint)
{
	double		t = target == MM_PASS_TARGET_NUMERIC ? row->target : 0.0;
	uint64_t	bits,
				h;

	memcpy(&bits, &t, sizeof(bits));
	h = mm_mix64(acc + mm_row_hash_share(bits, d->raw_p));
	if (target != MM_PASS_TARGET_CLASS)
	{
		*fingerprint = h;
		return h;
	}
	h = mm_mix64(h ^ row->label_hash);
	*fingerprint = mm_mix64(h ^ MM_HASH_SPLIT);
	return h;
}

/*
 * For a row of p numbers: adds their shares of the row hash to *acc (from
 * the count it starts from) and returns true when none is NULL and every
 * one is finite; otherwise the caller sweeps the row again, counting.  The
 * shares are summed modulo 2^64, in any order, so four values at a time
 * give the same hash.
 */
MM_WIDE_VECTORS static int
numbers_row_hash(int p, const double *x, const uint8_t *isnull, uint64_t *acc)
{
	uint64_t	sum = (uint64_t) (p + 1),
				bad = 0;
	int			j;

	for (j = 0; j < p; j++)
	{
		uint64_t	bits;

		memcpy(&bits, &x[j], sizeof(bits));
		bad |= ((bits & EXPONENT_BITS) == EXPONENT_BITS) | isnull[j];
		sum += mm_row_hash_share(bits, j);
	}
	*acc = sum;
	return bad == 0;
}

/* The hash of a raw row (mm_row_hash of its features, then its target; see raw_row_finish). */
static uint64_t
raw_row_hash(int target, const MmPassDesign *d, const MmPassRawRow *row, uint64_t *fingerprint)
{
	uint64_t	acc = (uint64_t) (d->raw_p + 1);
	int			j;

	for (j = 0; j < d->raw_p; j++)
		acc += mm_row_hash_share(raw_value_bits(d, row, j), j);
	return raw_row_finish(target, d, row, acc, fingerprint);
}

/* Counts a row of the pass's part that the design's transform refused, as err says. */
static void
refuse_row(MmPassDesignRef *ref, const MmError *err)
{
	ref->rows_untransformed++;
	if (ref->untransformed_feature < 0 || err->item < ref->untransformed_feature)
		ref->untransformed_feature = err->item;
}

/*
 * The end of mm_pass_state_offer for a row of numbers, none missing, in
 * part of the split: the row goes through the design straight into its
 * slot of the buffer.  While the pass sees one part, a row of either part
 * goes into the front's next slot and is kept there only when it is in the
 * pass's part: which part a row falls in is a coin the processor cannot
 * predict, and a branch on it would cost more than the design of the rows
 * the pass does not see.
 */
static MmErrorCode
offer_numbers(MmPassStateView *v, const MmPass *pass, const MmPassDesign *d,
			  const MmPassRawRow *row, double *work, int part, double y, int32_t label,
			  MmError *err)
{
	MmPassStateHeader *h = v->head;
	int			both = v->design->part == MM_PASS_PARTS_BOTH,
				keep = both || part == v->design->part,
				r = next_slot(v, both ? part : 0);
	double	   *slot = v->x + (size_t) r * v->p;

	h->rows_test += part;
	h->rows_train += 1 - part;
	if (!mm_pass_design_numbers(d, row->x, slot))
	{
		if (!keep)
			return MM_OK;
		/* the design's own path names what it refuses */
		if (mm_pass_design_row(d, row, work, work + d->raw_p + 1, err) != MM_OK)
		{
			refuse_row(v->design, err);
			return MM_OK;
		}
		memcpy(slot, work + d->raw_p + 1, sizeof(double) * (size_t) v->p);
	}
	if (both)
	{
		keep_row(v, pass, part, y, label);
		return MM_OK;
	}
	v->t[r] = y;
	v->y[r] = label;
	h->buffered = r + keep;
	if (h->buffered == MM_PASS_BLOCK)
		flush(v, pass);
	return MM_OK;
}

/*
 * Counts the values of the first n_texts text features of a row in part
 * (textcount.h): those of the design's first text features, in order.
 */
static void
count_texts(MmPassStateView *v, const MmPassDesign *d, const MmPassRawRow *row, int part)
{
	int			j,
				t = 0;

	for (j = 0; j < d->raw_p && t < v->n_texts; j++)
	{
		if (d->kinds[j] != MM_FEATURE_CATEGORICAL)
			continue;
		if (row->isnull[j])
			mm_text_counts_add_null(&v->texts[t], part);
		else
			mm_text_counts_add(&v->texts[t], row->text[j], row->text_len[j], row->text_hash[j], part);
		t++;
	}
}

/* Offers one row through a design (see passstate.h). */
MmErrorCode
mm_pass_state_offer(MmPassStateView *view, const MmPass *pass, const MmPassDesign *d,
					const MmPassRawRow *row, double *work, MmError *err)
{
	MmPassStateHeader *h = view->head;
	int			p = d->raw_p,
				target = h->spec.target,
				bad_feature = 0,
				label = 0,
				part,
				numbers,
				j;
	uint64_t	hash,
				share,
				draw,
				acc;

	h->rows_seen++;
	if (target != MM_PASS_TARGET_NONE && row->target_null)
	{
		h->rows_null_target++;
		return MM_OK;
	}
	if (target == MM_PASS_TARGET_CLASS || target == MM_PASS_TARGET_NUMERIC)
	{
		/* a text label is never NaN; a number or boolean label is read as a double */
		if ((target == MM_PASS_TARGET_NUMERIC || d->label_kind != MM_LABEL_TEXT) &&
			!isfinite(row->target))
		{
			view->nonfinite_count[p]++;
			h->rows_bad_target++;
			return MM_OK;
		}
	}
	if (target == MM_PASS_TARGET_CLASS && d->n_labels > 0)
	{
		label = mm_pass_design_label(d, row->target, row->label, row->label_len);
		/* a fold's design knows the split's training labels: a held-out row may have another */
		if (label < 0 && view->design->folds == 0)
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "a row's label is not one of the pass's labels");
	}
	/* a row of numbers, none missing: hashed and checked without a branch per value */
	numbers = d->numbers_in_place && numbers_row_hash(p, row->x, row->isnull, &acc);
	if (!numbers)
	{
		/* summed in a local of its own: acc's address is taken above, so it would live in memory */
		uint64_t	sum = (uint64_t) (p + 1);

		/* one sweep counts the missing and the non-finite values and hashes the row */
		for (j = 0; j < p; j++)
		{
			uint64_t	bits = raw_value_bits(d, row, j);

			if (row->isnull[j])
				view->null_count[j]++;
			else if (d->kinds[j] != MM_FEATURE_CATEGORICAL &&
					 (bits & EXPONENT_BITS) == EXPONENT_BITS)
			{
				view->nonfinite_count[j]++;
				bad_feature = 1;
			}
			sum += mm_row_hash_share(bits, j);
		}
		acc = sum;
	}
	if (bad_feature)
	{
		h->rows_bad_features++;
		return MM_OK;
	}
	hash = raw_row_finish(target, d, row, acc, &share);
	h->fingerprint += share;
	draw = mm_row_draw(hash, h->spec.salt);
	part = h->spec.test_size > 0.0 && mm_draw_is_test(draw, h->spec.test_size);
	if (view->design->folds > 0)
	{
		/* a fold's passes: the split's held-out rows are in neither part */
		if (part)
		{
			view->design->rows_outside++;
			return MM_OK;
		}
		if (label < 0)
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "a row's label is not one of the pass's labels");
		part = mm_fold_of_draw(draw, view->design->folds) == view->design->fold;
	}
	if (view->labels != NULL)
	{
		/* a text label is counted by the queries: its value is no double */
		if (d->label_kind == MM_LABEL_TEXT)
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "a pass counts only number and boolean labels");
		mm_label_counts_add(view->labels, row->target, part);
	}
	if (view->text_labels != NULL)
	{
		if (d->label_kind != MM_LABEL_TEXT)
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "a pass counts text labels only of a text label");
		mm_text_counts_add(view->text_labels, row->label, row->label_len, row->label_hash, part);
	}
	if (view->texts != NULL)
		count_texts(view, d, row, part);
	if (numbers)
		return offer_numbers(view, pass, d, row, work, part,
							 target == MM_PASS_TARGET_NUMERIC ? row->target : 0.0, label, err);
	if (part)
		h->rows_test++;
	else
		h->rows_train++;
	if (view->design->part != MM_PASS_PARTS_BOTH && part != view->design->part)
		return MM_OK;
	if (!(numbers && mm_pass_design_numbers(d, row->x, work + p + 1)) &&
		mm_pass_design_row(d, row, work, work + p + 1, err) != MM_OK)
	{
		refuse_row(view->design, err);
		return MM_OK;
	}
	/* a design over one part keeps one pass state, the buffer's part 0 */
	buffer_row(view, pass, work + p + 1, target == MM_PASS_TARGET_NUMERIC ? row->target : 0.0, label,
			   view->design->part == MM_PASS_PARTS_BOTH ? part : 0);
	return MM_OK;
}

/* The part of the split a raw row falls in (see passstate.h). */
int
mm_pass_row_part(const MmPassSpec *spec, const MmPassDesignRef *ref, const MmPassDesign *d,
				 const MmPassRawRow *row, double *work)
{
	uint64_t	share,
				draw;
	int			j,
				part;

	(void) work;				/* the hash sums as it reads: callers' room is spare */
	if (spec->target != MM_PASS_TARGET_NONE && row->target_null)
		return -1;
	if ((spec->target == MM_PASS_TARGET_NUMERIC ||
		 (spec->target == MM_PASS_TARGET_CLASS && d->label_kind != MM_LABEL_TEXT)) &&
		!isfinite(row->target))
		return -1;
	for (j = 0; j < d->raw_p; j++)
		if (!row->isnull[j] && d->kinds[j] != MM_FEATURE_CATEGORICAL && !isfinite(row->x[j]))
			return -1;
	draw = mm_row_draw(raw_row_hash(spec->target, d, row, &share), spec->salt);
	part = spec->test_size > 0.0 && mm_draw_is_test(draw, spec->test_size);
	if (ref == NULL || ref->folds == 0)
		return part;
	return part ? -1 : mm_fold_of_draw(draw, ref->folds) == ref->fold;
}

/* True when two checked states are of the same pass, arg and split. */
int
mm_pass_state_compatible(const void *a, const void *b)
{
	const MmPassStateHeader *ha = a,
			   *hb = b;
	MmPassStateView va,
				vb;

	if (memcmp(&ha->spec, &hb->spec, sizeof(MmPassSpec)) != 0 || ha->pass_size != hb->pass_size)
		return 0;
	layout((void *) a, &va);
	layout((void *) b, &vb);
	/* the same design and part: the fields before the counts of refused rows */
	if (va.design != NULL &&
		(memcmp(va.design, vb.design, offsetof(MmPassDesignRef, rows_untransformed)) != 0 ||
		 va.design->labels_counted != vb.design->labels_counted ||
		 va.design->texts_counted != vb.design->texts_counted))
		return 0;
	return ha->spec.arg_len == 0 || memcmp(va.arg, vb.arg, ha->spec.arg_len) == 0;
}

/* Merges checked state src into dst (see passstate.h). */
MmErrorCode
mm_pass_state_merge(void *dst, const void *src, const MmPass *pass, MmError *err)
{
	MmPassStateView d,
				s;
	int			j,
				r;

	if (!mm_pass_state_compatible(dst, src))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "cannot merge states of different passes or splits");
	layout(dst, &d);
	layout((void *) src, &s);
	d.head->rows_seen += s.head->rows_seen;
	d.head->rows_null_target += s.head->rows_null_target;
	d.head->rows_bad_features += s.head->rows_bad_features;
	d.head->rows_bad_target += s.head->rows_bad_target;
	d.head->rows_test += s.head->rows_test;
	d.head->rows_train += s.head->rows_train;
	d.head->fingerprint += s.head->fingerprint;
	if (d.design != NULL)
	{
		d.design->rows_untransformed += s.design->rows_untransformed;
		d.design->rows_outside += s.design->rows_outside;
		if (s.design->untransformed_feature >= 0 &&
			(d.design->untransformed_feature < 0 ||
			 s.design->untransformed_feature < d.design->untransformed_feature))
			d.design->untransformed_feature = s.design->untransformed_feature;
	}
	for (j = 0; j < d.counts_p; j++)
		d.null_count[j] += s.null_count[j];
	for (j = 0; j <= d.counts_p; j++)
		d.nonfinite_count[j] += s.nonfinite_count[j];
	/* src's waiting rows join dst's, in the order they came, so that the pass still sees full blocks */
	for (r = 0; r < s.head->buffered; r++)
		buffer_row(&d, pass, s.x + (size_t) r * s.p, s.t[r], s.y[r], 0);
	for (r = MM_PASS_BLOCK - 1; r >= MM_PASS_BLOCK - s.head->buffered_test; r--)
		buffer_row(&d, pass, s.x + (size_t) r * s.p, s.t[r], s.y[r], 1);
	pass->merge(d.pass_state, s.pass_state, d.p, d.arg);
	if (d.pass_state_test != NULL)
		pass->merge(d.pass_state_test, s.pass_state_test, d.p, d.arg);
	if (d.labels != NULL)
		mm_label_counts_merge(d.labels, s.labels);
	if (d.text_labels != NULL)
		mm_text_counts_merge(d.text_labels, s.text_labels);
	for (j = 0; j < d.n_texts; j++)
		mm_text_counts_merge(&d.texts[j], &s.texts[j]);
	return MM_OK;
}

/* Hands the rows waiting in the buffer to the pass, before the state is read. */
void
mm_pass_state_finish(MmPassStateView *view, const MmPass *pass)
{
	flush(view, pass);
}
