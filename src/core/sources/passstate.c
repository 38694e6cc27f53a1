/*
 * passstate.c: a pass as a flat, mergeable aggregate state (see passstate.h).
 */
#include "passstate.h"

#include <math.h>
#include <string.h>

#include "rowhash.h"

#define BYTE_ORDER_MARK 0x0102

/* n rounded up to a multiple of 8. */
static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

/* Bytes of everything before the buffer, for a header with that arg length. */
static size_t
prefix_size(int p, size_t arg_len)
{
	return sizeof(MmPassStateHeader)
		+ sizeof(int64_t) * (size_t) p
		+ sizeof(int64_t) * (size_t) (p + 1)
		+ pad8(arg_len);
}

/* Bytes of a state of p columns with that arg and pass state. */
static size_t
total_size(int p, size_t arg_len, size_t pass_size)
{
	return prefix_size(p, arg_len)
		+ sizeof(double) * (size_t) MM_PASS_BLOCK * (size_t) (p + 1)
		+ pad8(pass_size);
}

/* Pointers into a state whose header is in place. */
static void
layout(void *buf, MmPassStateView *v)
{
	char	   *c = buf;
	MmPassStateHeader *h = buf;
	int			p = h->spec.p;

	v->head = h;
	v->p = p;
	c += sizeof(MmPassStateHeader);
	v->null_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) p;
	v->nonfinite_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) (p + 1);
	v->arg = h->spec.arg_len > 0 ? c : NULL;
	c += pad8(h->spec.arg_len);
	v->x = (double *) c;
	c += sizeof(double) * (size_t) MM_PASS_BLOCK * (size_t) p;
	v->t = (double *) c;
	c += sizeof(double) * (size_t) MM_PASS_BLOCK;
	v->pass_state = c;
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

/* Checks the fields of a header, wherever it sits. */
static MmErrorCode
spec_fields_check(const MmPassSpec *s, MmError *err)
{
	if (s->layout != MM_PASS_LAYOUT || s->byte_order != BYTE_ORDER_MARK)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "pass of layout %d from another build or machine", (int) s->layout);
	if (s->artifact_id < 0 || s->artifact_id > 255 || s->index < 0 ||
		s->p < 1 || s->p > MM_MAX_FEATURES ||
		(s->target != MM_PASS_TARGET_NUMERIC && s->target != MM_PASS_TARGET_NONE) ||
		!(s->test_size >= 0.0 && s->test_size < 1.0) || s->arg_len > MM_PASS_MAX_ARG)
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
	return arg_len > 0 && pass->arg_size(p, arg, (size_t) arg_len) == arg_len;
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
	return total_size(spec->p, spec->arg_len, pass_size);
}

/* Initializes a state of mm_pass_state_size bytes in buf. */
void
mm_pass_state_init(void *buf, const MmPassSpec *spec, const MmPass *pass)
{
	MmPassStateHeader *h = buf;
	MmPassStateView v;
	const void *arg = mm_pass_spec_arg(spec);
	size_t		pass_size = pass->state_size(spec->p, arg);

	memset(buf, 0, total_size(spec->p, spec->arg_len, pass_size));
	h->spec = *spec;
	h->spec.magic = MM_PASS_STATE_MAGIC;
	h->pass_size = pass_size;
	layout(buf, &v);
	if (spec->arg_len > 0)
		memcpy((void *) v.arg, arg, spec->arg_len);
	pass->init(v.pass_state, spec->p, v.arg);
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

/* True when the row counts are not negative and add up to the rows seen. */
static int
counts_add_up(const MmPassStateHeader *h)
{
	const int64_t parts[5] = {h->rows_null_target, h->rows_bad_features, h->rows_bad_target,
	h->rows_test, h->rows_train};
	int64_t		left = h->rows_seen;
	int			i;

	if (left < 0)
		return 0;
	/* subtracting counts each at most what is left cannot overflow, as a sum of damaged ones could */
	for (i = 0; i < 5; i++)
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
	if (h->pass_size > MM_PASS_MAX_STATE || h->buffered < 0 || h->buffered >= MM_PASS_BLOCK ||
		h->rows_train < h->buffered || !counts_add_up(h))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible header values");
	if (len != total_size(h->spec.p, h->spec.arg_len, h->pass_size))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has the wrong length");
	layout((void *) buf, &v);
	for (j = 0; full && j < v.p; j++)
		if (v.null_count[j] < 0 || v.null_count[j] > h->rows_seen)
			return mm_fail(err, MM_ERR_CORRUPT, j, "pass state has an impossible null count");
	for (j = 0; full && j <= v.p; j++)
		if (v.nonfinite_count[j] < 0 || v.nonfinite_count[j] > h->rows_seen)
			return mm_fail(err, MM_ERR_CORRUPT, j, "pass state has an impossible non-finite count");
	/* the pass's state must be the size the pass gives its arg (so the pass reads inside it) */
	if (!arg_valid(pass, v.p, v.arg, h->spec.arg_len))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has an arg not of pass \"%s\"", pass->name);
	if (h->pass_size != pass->state_size(v.p, v.arg))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state does not have the size of pass \"%s\"",
					   pass->name);
	if (pass->check != NULL && !pass->check(v.pass_state, v.p, v.arg))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass state has impossible values for pass \"%s\"",
					   pass->name);
	return MM_OK;
}

/* Fills view with pointers into a checked state. */
void
mm_pass_state_view(void *buf, MmPassStateView *view)
{
	layout(buf, view);
}

/* Hands the full buffer, or what waits in it, to the pass. */
static void
flush(MmPassStateView *v, const MmPass *pass)
{
	MmRows		rows;

	if (v->head->buffered == 0)
		return;
	rows.n = (size_t) v->head->buffered;
	rows.p = v->p;
	rows.x = v->x;
	rows.y = NULL;
	rows.t = v->head->spec.target == MM_PASS_TARGET_NUMERIC ? v->t : NULL;
	pass->add(v->pass_state, &rows, v->arg);
	v->head->buffered = 0;
}

/* Appends a training row to the buffer, handing a full one to the pass. */
static void
buffer_row(MmPassStateView *v, const MmPass *pass, const double *x, double y)
{
	int			r = v->head->buffered;

	memcpy(v->x + (size_t) r * v->p, x, sizeof(double) * (size_t) v->p);
	v->t[r] = y;
	v->head->buffered = r + 1;
	if (r + 1 == MM_PASS_BLOCK)
		flush(v, pass);
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
	buffer_row(view, pass, x, y);
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
	for (j = 0; j < d.p; j++)
		d.null_count[j] += s.null_count[j];
	for (j = 0; j <= d.p; j++)
		d.nonfinite_count[j] += s.nonfinite_count[j];
	/* src's waiting rows join dst's, so that the pass still sees full blocks */
	for (r = 0; r < s.head->buffered; r++)
		buffer_row(&d, pass, s.x + (size_t) r * s.p, s.t[r]);
	pass->merge(d.pass_state, s.pass_state, d.p, d.arg);
	return MM_OK;
}

/* Hands the rows waiting in the buffer to the pass, before the state is read. */
void
mm_pass_state_finish(MmPassStateView *view, const MmPass *pass)
{
	flush(view, pass);
}
