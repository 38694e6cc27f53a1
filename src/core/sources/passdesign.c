/*
 * passdesign.c: the design a pass applies to each row (see passdesign.h).
 */
#include "passdesign.h"

#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "rowhash.h"
#include "widevectors.h"

/* The fixed head of a design's bytes. */
typedef struct DesignHead
{
	uint32_t	magic;
	int32_t		raw_p;
	int32_t		n_kept;
	int32_t		raw;
	int32_t		label_kind;
	int32_t		n_labels;
	int32_t		has_transform;
	int32_t		has_categories;
	int32_t		keeps_missing;	/* a missing number reaches the algorithm as NaN */
} DesignHead;

/*
 * The algorithm a design's shell names when its fit takes missing values,
 * so that the shell's transform passes them on as the model's would: only
 * its missing_values is read.
 */
static const MmAlgorithm missing_taker = {.name = "design", .missing_values = 1};

/* The fixed head of a text feature's categories. */
typedef struct CategoryHead
{
	int32_t		encoding;
	int32_t		n;
	int32_t		n_other;
	int32_t		has_reference;
	int32_t		reference;
	int32_t		pad;
} CategoryHead;

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

static void
put(MmBuffer *b, const void *bytes, size_t n)
{
	static const char zeros[8] = {0};

	mm_buffer_append(b, bytes, n);
	if (pad8(n) > n)
		mm_buffer_append(b, zeros, pad8(n) - n);
}

/* Appends n strings, each a uint32 length then its bytes, the whole padded to 8. */
static void
put_strings(MmBuffer *b, char *const *names, int n)
{
	static const char zeros[8] = {0};
	size_t		start = b->len;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint32_t	len = (uint32_t) strlen(names[i]);

		mm_buffer_append(b, &len, sizeof(len));
		mm_buffer_append(b, names[i], len);
	}
	if (pad8(b->len - start) > b->len - start)
		mm_buffer_append(b, zeros, pad8(b->len - start) - (b->len - start));
}

/* True when the source feature j is text the design encodes through categories. */
static int
encodes_text(const MmPassDesign *d, int j)
{
	return !d->raw && d->kept[j] >= 0 && d->kinds[j] == MM_FEATURE_CATEGORICAL &&
		d->shell.categories != NULL;
}

MmErrorCode
mm_pass_design_write(const MmPassDesign *d, void **out, size_t *len, MmError *err)
{
	MmBuffer	b = {0};
	DesignHead	h;
	int			j;

	memset(&h, 0, sizeof(h));
	h.magic = MM_PASS_DESIGN_MAGIC;
	h.raw_p = d->raw_p;
	h.n_kept = d->raw ? d->raw_p : d->shell.n_features;
	h.raw = d->raw;
	h.label_kind = d->label_kind;
	h.n_labels = d->n_labels;
	h.has_transform = !d->raw && d->shell.transform != NULL;
	h.has_categories = !d->raw && d->shell.categories != NULL;
	h.keeps_missing = !d->raw && d->shell.algorithm != NULL && d->shell.algorithm->missing_values;
	put(&b, &h, sizeof(h));
	put(&b, d->kinds, sizeof(int32_t) * (size_t) d->raw_p);
	put(&b, d->kept, sizeof(int32_t) * (size_t) d->raw_p);
	if (h.has_transform)
		put(&b, d->shell.transform, sizeof(MmFeatureTransform) * (size_t) h.n_kept);
	for (j = 0; j < d->raw_p; j++)
		if (encodes_text(d, j))
		{
			const MmCategories *c = &d->shell.categories[d->kept[j]];
			CategoryHead ch;

			memset(&ch, 0, sizeof(ch));
			ch.encoding = (int32_t) c->encoding;
			ch.n = c->n;
			ch.n_other = c->n_other;
			ch.has_reference = c->has_reference;
			ch.reference = c->reference;
			put(&b, &ch, sizeof(ch));
			put_strings(&b, c->names, c->n);
			put_strings(&b, c->other, c->n_other);
		}
	if (d->n_labels > 0)
	{
		put(&b, d->label_values, sizeof(double) * (size_t) d->n_labels);
		put_strings(&b, d->labels, d->n_labels);
	}
	if (b.failed)
	{
		mm_free(b.data);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory writing a pass's design");
	}
	*out = b.data;
	*len = b.len;
	return MM_OK;
}

/* A reader over checked bytes. */
typedef struct Reader
{
	const char *at;
	size_t		left;
} Reader;

/* The next n bytes (and their padding), or NULL past the end. */
static const void *
take(Reader *r, size_t n)
{
	const void *p = r->at;

	if (pad8(n) > r->left || pad8(n) < n)
		return NULL;
	r->at += pad8(n);
	r->left -= pad8(n);
	return p;
}

/*
 * Reads n strings into names, NUL-terminated copies, each greater than the
 * one before when sorted (the order lookups rely on); false when the bytes
 * are not such strings.
 */
static int
take_strings(Reader *r, char **names, int n, int sorted)
{
	const char *start = r->at;
	size_t		used = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint32_t	len;

		if (r->left - used < sizeof(len))
			return 0;
		memcpy(&len, start + used, sizeof(len));
		used += sizeof(len);
		if (len > r->left - used || memchr(start + used, '\0', len) != NULL)
			return 0;
		names[i] = mm_alloc((size_t) len + 1);
		if (names[i] == NULL)
			return 0;
		memcpy(names[i], start + used, len);
		names[i][len] = '\0';
		used += len;
		if (sorted && i > 0 && strcmp(names[i - 1], names[i]) >= 0)
			return 0;
	}
	return take(r, used) != NULL;
}

/* Allocates n zeroed pointers, or NULL (n 0 gives one, so NULL means failure). */
static void *
alloc_array(size_t n, size_t size)
{
	return mm_alloc0((n > 0 ? n : 1) * size);
}

/* The four quantities of the transform a row of numbers applies, each contiguous (see columns). */
enum
{
	COL_CLIP_LO,
	COL_CLIP_HI,
	COL_CENTER,
	COL_SCALE,
	N_COLS
};

/*
 * Sets numbers_in_place (see passdesign.h) for a decoded design, with its
 * columns; false when out of memory.
 */
static int
numbers_in_place(MmPassDesign *d)
{
	int			j;

	d->numbers_in_place = 0;
	if (d->raw || d->shell.n_features != d->raw_p || d->shell.n_design != d->raw_p)
		return 1;
	for (j = 0; j < d->raw_p; j++)
		if (d->kept[j] != j || d->kinds[j] == MM_FEATURE_CATEGORICAL)
			return 1;
	if (d->shell.transform != NULL)
	{
		const MmFeatureTransform *t = d->shell.transform;

		d->columns = mm_alloc(sizeof(double) * N_COLS * (size_t) d->raw_p);
		if (d->columns == NULL)
			return 0;
		for (j = 0; j < d->raw_p; j++)
		{
			d->columns[COL_CLIP_LO * d->raw_p + j] = t[j].clip_lo;
			d->columns[COL_CLIP_HI * d->raw_p + j] = t[j].clip_hi;
			d->columns[COL_CENTER * d->raw_p + j] = t[j].center;
			d->columns[COL_SCALE * d->raw_p + j] = t[j].scale;
		}
	}
	d->numbers_in_place = 1;
	return 1;
}

MmErrorCode
mm_pass_design_read(const void *bytes, size_t len, MmPassDesign *d, MmError *err)
{
	Reader		r = {bytes, len};
	const DesignHead *h = take(&r, sizeof(DesignHead));
	const int32_t *kinds,
			   *kept;
	int32_t    *kinds_copy,
			   *kept_copy;
	uint8_t    *kept_kinds;
	int			j,
				k;

	memset(d, 0, sizeof(*d));
	if (h == NULL || h->magic != MM_PASS_DESIGN_MAGIC)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "not a pass design");
	if (h->raw_p < 1 || h->raw_p > MM_MAX_FEATURES || h->n_kept < 1 || h->n_kept > h->raw_p ||
		(h->raw != 0 && h->raw != 1) || (h->raw && (h->n_kept != h->raw_p || h->has_transform ||
													h->has_categories)) ||
		h->label_kind < 0 || h->label_kind > MM_LABEL_TEXT || h->n_labels < 0 ||
		h->n_labels > MM_MAX_CLASSES || (h->label_kind == 0 && h->n_labels > 0) ||
		(h->keeps_missing != 0 && h->keeps_missing != 1) || (h->raw && h->keeps_missing))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass design has impossible values");
	kinds = take(&r, sizeof(int32_t) * (size_t) h->raw_p);
	kept = take(&r, sizeof(int32_t) * (size_t) h->raw_p);
	if (kinds == NULL || kept == NULL)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "pass design is too short");
	d->raw_p = h->raw_p;
	d->raw = h->raw;
	d->label_kind = h->label_kind;
	d->n_labels = h->n_labels;
	kinds_copy = alloc_array((size_t) h->raw_p, sizeof(int32_t));
	kept_copy = alloc_array((size_t) h->raw_p, sizeof(int32_t));
	kept_kinds = alloc_array((size_t) h->n_kept, sizeof(uint8_t));
	d->kinds = kinds_copy;
	d->kept = kept_copy;
	d->shell.feature_kinds = kept_kinds;
	d->shell.n_features = h->n_kept;
	d->shell.algorithm = h->keeps_missing ? &missing_taker : NULL;
	if (kinds_copy == NULL || kept_copy == NULL || kept_kinds == NULL)
		goto no_memory;
	/* the kept features in the source's order, each once */
	for (j = 0, k = 0; j < h->raw_p; j++)
	{
		if (kinds[j] < MM_FEATURE_NUMERIC || kinds[j] > MM_FEATURE_DATE_PART ||
			(kept[j] != -1 && kept[j] != k))
			goto corrupt;
		kinds_copy[j] = kinds[j];
		kept_copy[j] = kept[j];
		if (kept[j] >= 0)
			kept_kinds[k++] = (uint8_t) kinds[j];
	}
	if (k != h->n_kept)
		goto corrupt;
	/* kept text encodes through categories, which a design without any cannot */
	for (j = 0; !h->raw && j < h->raw_p; j++)
		if (kept[j] >= 0 && kinds[j] == MM_FEATURE_CATEGORICAL && !h->has_categories)
			goto corrupt;
	if (h->has_transform)
	{
		const void *t = take(&r, sizeof(MmFeatureTransform) * (size_t) h->n_kept);

		d->shell.transform = alloc_array((size_t) h->n_kept, sizeof(MmFeatureTransform));
		if (t == NULL)
			goto corrupt;
		if (d->shell.transform == NULL)
			goto no_memory;
		memcpy(d->shell.transform, t, sizeof(MmFeatureTransform) * (size_t) h->n_kept);
	}
	if (h->has_categories)
	{
		d->shell.categories = alloc_array((size_t) h->n_kept, sizeof(MmCategories));
		if (d->shell.categories == NULL)
			goto no_memory;
		for (j = 0; j < h->raw_p; j++)
			if (encodes_text(d, j))
			{
				const CategoryHead *ch = take(&r, sizeof(CategoryHead));
				MmCategories *c = &d->shell.categories[d->kept[j]];

				if (ch == NULL || (ch->encoding != MM_ENCODE_ONEHOT && ch->encoding != MM_ENCODE_ORDINAL) ||
					ch->n < 0 || ch->n_other < 0 || ch->n > MM_MAX_CATEGORIES ||
					ch->n_other > MM_MAX_CATEGORIES - ch->n ||
					(ch->has_reference != 0 && ch->has_reference != 1) ||
					(ch->has_reference && (ch->reference < 0 || ch->reference >= ch->n)))
					goto corrupt;
				c->encoding = (MmEncoding) ch->encoding;
				c->has_reference = ch->has_reference;
				c->reference = ch->reference;
				c->names = alloc_array((size_t) ch->n, sizeof(char *));
				c->other = alloc_array((size_t) ch->n_other, sizeof(char *));
				if (c->names == NULL || c->other == NULL)
					goto no_memory;
				/* counted as they are read, so that freeing frees what was read */
				c->n = ch->n;
				c->n_other = ch->n_other;
				if (!take_strings(&r, c->names, ch->n, 1) || !take_strings(&r, c->other, ch->n_other, 1))
					goto corrupt;
			}
	}
	if (h->n_labels > 0)
	{
		const double *values = take(&r, sizeof(double) * (size_t) h->n_labels);

		d->label_values = alloc_array((size_t) h->n_labels, sizeof(double));
		d->labels = alloc_array((size_t) h->n_labels, sizeof(char *));
		if (values == NULL)
			goto corrupt;
		if (d->label_values == NULL || d->labels == NULL)
			goto no_memory;
		memcpy(d->label_values, values, sizeof(double) * (size_t) h->n_labels);
		for (k = 1; k < h->n_labels; k++)
			if (h->label_kind != MM_LABEL_TEXT && !(values[k - 1] < values[k]))
				goto corrupt;
		if (!take_strings(&r, d->labels, h->n_labels, h->label_kind == MM_LABEL_TEXT))
			goto corrupt;
	}
	if (r.left != 0)
		goto corrupt;
	d->shell.n_design = d->raw ? d->raw_p : mm_model_design_width(&d->shell);
	if (d->shell.n_design < 1 || d->shell.n_design > MM_MAX_DESIGN)
		goto corrupt;
	if (!numbers_in_place(d))
		goto no_memory;
	return MM_OK;

corrupt:
	mm_pass_design_free(d);
	return mm_fail(err, MM_ERR_CORRUPT, -1, "pass design is damaged");
no_memory:
	mm_pass_design_free(d);
	return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading a pass's design");
}

static void
free_strings(char **names, int n)
{
	int			i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		mm_free(names[i]);
	mm_free(names);
}

void
mm_pass_design_free(MmPassDesign *d)
{
	int			k;

	if (d->shell.categories != NULL)
		for (k = 0; k < d->shell.n_features; k++)
		{
			free_strings(d->shell.categories[k].names, d->shell.categories[k].n);
			free_strings(d->shell.categories[k].other, d->shell.categories[k].n_other);
		}
	mm_free(d->shell.categories);
	mm_free(d->shell.transform);
	mm_free((void *) d->shell.feature_kinds);
	mm_free((void *) d->kinds);
	mm_free((void *) d->kept);
	free_strings(d->labels, d->n_labels);
	mm_free(d->label_values);
	mm_free(d->columns);
	memset(d, 0, sizeof(*d));
}

/* FNV-1a over the bytes, then a strong mix: the header names its design by it. */
uint64_t
mm_pass_design_hash(const void *bytes, size_t len)
{
	const unsigned char *b = bytes;
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return mm_mix64(h ^ (uint64_t) len);
}

int
mm_pass_design_width(const MmPassDesign *d)
{
	return d->shell.n_design;
}

/* Labels up to this many are found by comparing each (see mm_pass_design_label). */
#define FEW_LABELS 8

int
mm_pass_design_label(const MmPassDesign *d, double value, const char *text, size_t len)
{
	int			lo = 0,
				hi = d->n_labels - 1;

	if (d->label_kind == MM_LABEL_TEXT)
		return mm_sorted_name_index(d->labels, d->n_labels, text, len);
	if (d->n_labels <= FEW_LABELS)
	{
		int			found = -1,
					i;

		/*
		 * every label compared, without a branch on the outcome: a search's
		 * branches on rows of random classes mispredict about every other row
		 */
		for (i = 0; i < d->n_labels; i++)
			found = value == d->label_values[i] ? i : found;
		return found;
	}
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = (value > d->label_values[mid]) - (value < d->label_values[mid]);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* A double's exponent bits: all set in NaN and the infinities alone. */
#define EXPONENT_BITS UINT64_C(0x7ff0000000000000)

/*
 * The numbers mm_model_transform gives (clipped, centered, scaled, in that
 * order and rounding), without its branches per value: the design row is
 * most of a pass's own work on a row of a few features.
 */
MM_WIDE_VECTORS int
mm_pass_design_numbers(const MmPassDesign *d, const double *x, double *z)
{
	const int	p = d->raw_p;
	uint64_t	bad = 0;
	int			j;

	if (d->columns == NULL)
		memcpy(z, x, sizeof(double) * (size_t) p);
	else
	{
		const double *lo = d->columns + COL_CLIP_LO * p,
				   *hi = d->columns + COL_CLIP_HI * p,
				   *center = d->columns + COL_CENTER * p,
				   *scale = d->columns + COL_SCALE * p;

		for (j = 0; j < p; j++)
		{
			double		v = x[j];

			v = v < lo[j] ? lo[j] : v > hi[j] ? hi[j] : v;
			z[j] = (v - center[j]) / scale[j];
		}
	}
	for (j = 0; j < p; j++)
	{
		uint64_t	bits;

		memcpy(&bits, &z[j], sizeof(bits));
		bad |= (bits & EXPONENT_BITS) == EXPONENT_BITS;
	}
	return bad == 0;
}

MmErrorCode
mm_pass_design_row(const MmPassDesign *d, const MmPassRawRow *row, double *work, double *z,
				   MmError *err)
{
	int			j;
	MmErrorCode rc;

	if (d->raw)
	{
		for (j = 0; j < d->raw_p; j++)
			z[j] = row->isnull[j] || d->kinds[j] == MM_FEATURE_CATEGORICAL ? NAN : row->x[j];
		return MM_OK;
	}
	for (j = 0; j < d->raw_p; j++)
	{
		int			k = d->kept[j];

		if (k < 0)
			continue;
		if (row->isnull[j])
			work[k] = NAN;
		else if (encodes_text(d, j))
			work[k] = mm_category_code(&d->shell.categories[k], row->text[j], row->text_len[j]);
		else
			work[k] = row->x[j];
	}
	rc = mm_model_transform(&d->shell, work, z, err);
	if (rc != MM_OK)
	{
		/* the transform names a kept feature; the caller names source features */
		for (j = 0; j < d->raw_p; j++)
			if (d->kept[j] == err->item)
			{
				err->item = j;
				break;
			}
	}
	return rc;
}
