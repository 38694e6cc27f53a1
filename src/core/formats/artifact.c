/*
 * artifact.c: the binary format of a stored model (see artifact.h).
 */
#include "artifact.h"

#include <math.h>
#include <string.h>

#include <zlib.h>

#include "algorithm.h"
#include "artifact_io.h"
#include "artifact_sections.h"

static const uint8_t artifact_magic[4] = {'M', 'M', 'D', 'L'};

typedef MmArtifactReader Reader;

void
mm_put_u8(MmBuffer *w, uint8_t v)
{
	mm_buffer_append(w, &v, 1);
}

void
mm_put_u32(MmBuffer *w, uint32_t v)
{
	uint8_t		b[4];
	int			i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t) (v >> (8 * i));
	mm_buffer_append(w, b, 4);
}

void
mm_put_f64(MmBuffer *w, double v)
{
	uint64_t	bits;
	uint8_t		b[8];
	int			i;

	memcpy(&bits, &v, 8);
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t) (bits >> (8 * i));
	mm_buffer_append(w, b, 8);
}

void
mm_put_f64_array(MmBuffer *w, const double *v, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		mm_put_f64(w, v[i]);
}

void
mm_put_str(MmBuffer *w, const char *s)
{
	size_t		n = strlen(s);

	mm_put_u32(w, (uint32_t) n);
	mm_buffer_append(w, s, n);
}

static const uint8_t *
get_bytes(Reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->failed || n > r->left)
	{
		r->failed = 1;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

uint8_t
mm_get_u8(Reader *r)
{
	const uint8_t *p = get_bytes(r, 1);

	return p ? p[0] : 0;
}

static uint32_t
read_le32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

uint32_t
mm_get_u32(Reader *r)
{
	const uint8_t *p = get_bytes(r, 4);

	return p ? read_le32(p) : 0;
}

double
mm_get_f64(Reader *r)
{
	const uint8_t *p = get_bytes(r, 8);
	uint64_t	bits = 0;
	double		v;
	int			i;

	if (p == NULL)
		return 0.0;
	for (i = 0; i < 8; i++)
		bits |= (uint64_t) p[i] << (8 * i);
	memcpy(&v, &bits, 8);
	return v;
}

/* Reads a string of up to MM_ARTIFACT_MAX_NAME bytes with no NUL inside. */
char *
mm_get_string(Reader *r, int allow_empty)
{
	uint32_t	n = mm_get_u32(r);
	const uint8_t *p;
	char	   *s;

	if (r->failed || (n == 0 && !allow_empty) || n > MM_ARTIFACT_MAX_NAME)
	{
		r->failed = 1;
		return NULL;
	}
	p = get_bytes(r, n);
	if (p == NULL || (n > 0 && memchr(p, 0, n) != NULL))
	{
		r->failed = 1;
		return NULL;
	}
	s = mm_alloc((size_t) n + 1);
	if (s == NULL)
	{
		r->failed = 1;
		return NULL;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* A name: a string of at least one byte. */
static char *
get_str(Reader *r)
{
	return mm_get_string(r, 0);
}

/* Reads n doubles into a new array. */
double *
mm_get_f64_array(Reader *r, size_t n)
{
	double	   *a;
	size_t		i;

	if (r->failed || n > r->left / 8)
	{
		r->failed = 1;
		return NULL;
	}
	a = mm_alloc(sizeof(double) * (n > 0 ? n : 1));
	if (a == NULL)
	{
		r->failed = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		a[i] = mm_get_f64(r);
	return a;
}

int
mm_all_finite(const double *v, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Format 3: a reference-coded feature (MmCategories.has_reference) writes
 * this in place of its encoding byte, and the code of its reference after
 * its other group.  It cannot be a section at the end of the body like
 * other optional parts: the reference narrows the design, and the
 * algorithm's payload, which comes before the end, is read at the design's
 * width.  Models without reference coding keep format 2 and its bytes.
 */
#define ENCODE_ONEHOT_REFERENCE 3
/* the first format with reference coding */
#define FORMAT_REFERENCE 3

/*
 * The format a model is written in: 3 when it has a reference-coded feature
 * or needs a section (artifact_sections.h), else 2, byte for byte as
 * before either existed.  A format 3 body without sections simply ends
 * after the algorithm's part.
 */
static int
artifact_format(const MmModel *model)
{
	int			j;

	for (j = 0; model->categories != NULL && j < model->n_features; j++)
		if (model->feature_kinds[j] == MM_FEATURE_CATEGORICAL && model->categories[j].has_reference)
			return FORMAT_REFERENCE;
	return mm_artifact_needs_sections(model) ? MM_ARTIFACT_FORMAT_SECTIONS : MM_ARTIFACT_FORMAT;
}

/* Writes the categories of each text feature, in feature order. */
static void
write_categories(MmBuffer *w, const MmModel *model)
{
	int			j,
				i;

	for (j = 0; j < model->n_features; j++)
	{
		const MmCategories *c;

		if (model->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			continue;
		c = &model->categories[j];
		mm_put_u8(w, c->has_reference ? ENCODE_ONEHOT_REFERENCE : (uint8_t) c->encoding);
		mm_put_u32(w, (uint32_t) c->n);
		for (i = 0; i < c->n; i++)
			mm_put_str(w, c->names[i]);
		mm_put_u32(w, (uint32_t) c->n_other);
		for (i = 0; i < c->n_other; i++)
			mm_put_str(w, c->other[i]);
		if (c->has_reference)
			mm_put_u32(w, (uint32_t) c->reference);
	}
}

/* Reads n category names, which must be in strictly increasing byte order. */
static char **
read_names(Reader *r, int n)
{
	char	  **names = mm_alloc0(sizeof(char *) * (n > 0 ? n : 1));
	int			i;

	if (names == NULL)
	{
		r->failed = 1;
		return NULL;
	}
	for (i = 0; i < n && !r->failed; i++)
	{
		names[i] = mm_get_string(r, 1);
		if (names[i] != NULL && i > 0 && strcmp(names[i - 1], names[i]) >= 0)
			r->failed = 1;
	}
	return names;
}

/* Reads and checks the categories of each text feature. */
static int
read_categories(Reader *r, MmModel *model)
{
	int			j,
				any = 0;

	for (j = 0; j < model->n_features; j++)
		any |= model->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
	if (!any)
		return 1;
	model->categories = mm_alloc0(sizeof(MmCategories) * model->n_features);
	if (model->categories == NULL)
		return 0;
	for (j = 0; j < model->n_features; j++)
	{
		MmCategories *c = &model->categories[j];
		uint32_t	n,
					n_other;
		uint8_t		enc;

		if (model->feature_kinds[j] != MM_FEATURE_CATEGORICAL)
			continue;
		enc = mm_get_u8(r);
		n = mm_get_u32(r);
		if (r->failed || (enc != MM_ENCODE_ONEHOT && enc != MM_ENCODE_ORDINAL &&
						  (enc != ENCODE_ONEHOT_REFERENCE || r->format < FORMAT_REFERENCE)) ||
			n < 1 || n > MM_MAX_CATEGORIES)
			return 0;
		c->has_reference = enc == ENCODE_ONEHOT_REFERENCE;
		c->encoding = c->has_reference ? MM_ENCODE_ONEHOT : (MmEncoding) enc;
		c->n = (int) n;
		c->names = read_names(r, c->n);
		n_other = mm_get_u32(r);
		if (r->failed || n_other > (uint32_t) (MM_MAX_CATEGORIES - c->n))
			return 0;
		c->n_other = (int) n_other;
		c->other = read_names(r, c->n_other);
		if (r->failed)
			return 0;
		if (c->has_reference)
		{
			uint32_t	ref = mm_get_u32(r);

			/* a kept category, and one column at least left beside it */
			if (r->failed || ref >= n || n + (n_other > 0 ? 1 : 0) < 2)
				return 0;
			c->reference = (int) ref;
		}
	}
	return 1;
}

/* Writes the preprocessing: a flag, then five doubles per feature. */
static void
write_transform(MmBuffer *w, const MmModel *model)
{
	int			i;

	mm_put_u8(w, model->transform != NULL);
	if (model->transform == NULL)
		return;
	for (i = 0; i < model->n_features; i++)
	{
		const MmFeatureTransform *t = &model->transform[i];

		mm_put_f64(w, t->impute);
		mm_put_f64(w, t->clip_lo);
		mm_put_f64(w, t->clip_hi);
		mm_put_f64(w, t->center);
		mm_put_f64(w, t->scale);
	}
}

/* Reads and checks the preprocessing. */
static int
read_transform(Reader *r, MmModel *model)
{
	uint8_t		present = mm_get_u8(r);
	int			i;

	if (r->failed || present > 1)
		return 0;
	if (!present)
		return 1;
	model->transform = mm_alloc0(sizeof(MmFeatureTransform) * model->n_features);
	if (model->transform == NULL)
		return 0;
	for (i = 0; i < model->n_features; i++)
	{
		MmFeatureTransform *t = &model->transform[i];

		t->impute = mm_get_f64(r);
		t->clip_lo = mm_get_f64(r);
		t->clip_hi = mm_get_f64(r);
		t->center = mm_get_f64(r);
		t->scale = mm_get_f64(r);
		if (r->failed || isinf(t->impute) || isnan(t->clip_lo) || isnan(t->clip_hi) ||
			t->clip_lo > t->clip_hi || !isfinite(t->center) || !isfinite(t->scale) ||
			!(t->scale > 0.0))
			return 0;
		if (model->feature_kinds[i] == MM_FEATURE_CATEGORICAL)
		{
			const MmCategories *c = &model->categories[i];

			/* a category is imputed by its code, and nothing else applies */
			if (!isinf(t->clip_lo) || !isinf(t->clip_hi) || t->center != 0.0 || t->scale != 1.0 ||
				(!isnan(t->impute) && (t->impute != floor(t->impute) || t->impute < 0.0 ||
									   t->impute > (double) c->n - (c->n_other > 0 ? 0 : 1))))
				return 0;
		}
	}
	return 1;
}

/* Serializes a model (see artifact.h). */
MmErrorCode
mm_artifact_write(const MmModel *given, uint8_t **out, size_t *len, MmError *err)
{
	MmModel		copy = *given;
	const MmModel *model = &copy;
	MmBuffer	body = {0};
	uint8_t    *buf;
	uLongf		zlen;
	uint32_t	crc;
	int			i,
				rc,
				format = artifact_format(given);

	copy.n_design = mm_model_design_width(given);
	mm_put_u32(&body, (uint32_t) model->task);
	mm_put_u32(&body, (uint32_t) model->n_features);
	for (i = 0; i < model->n_features; i++)
	{
		mm_put_str(&body, model->feature_names[i]);
		mm_put_u8(&body, model->feature_kinds[i]);
	}
	mm_put_u8(&body, model->target != NULL);
	if (model->target != NULL)
		mm_put_str(&body, model->target);
	write_categories(&body, model);
	write_transform(&body, model);
	model->algorithm->write(&body, model);
	mm_artifact_write_sections(&body, model);
	if (body.failed)
	{
		mm_free(body.data);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory serializing a model");
	}
	if (body.len > MM_ARTIFACT_MAX_BODY)
	{
		mm_free(body.data);
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1, "model of %zu bytes exceeds the artifact limit",
					   body.len);
	}

	zlen = compressBound((uLong) body.len);
	buf = mm_alloc(MM_ARTIFACT_HEADER + zlen);
	if (buf == NULL)
	{
		mm_free(body.data);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory serializing a model");
	}
	rc = compress2(buf + MM_ARTIFACT_HEADER, &zlen, (const Bytef *) body.data, (uLong) body.len, Z_BEST_COMPRESSION);
	if (rc != Z_OK)
	{
		mm_free(body.data);
		mm_free(buf);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "could not compress a model (zlib %d)", rc);
	}
	memcpy(buf, artifact_magic, 4);
	buf[4] = (uint8_t) (format & 0xff);
	buf[5] = (uint8_t) (format >> 8);
	buf[6] = model->algorithm->artifact_id;
	buf[7] = 0;
	for (i = 0; i < 4; i++)
	{
		buf[8 + i] = 0;
		buf[12 + i] = (uint8_t) (body.len >> (8 * i));
		buf[16 + i] = (uint8_t) (zlen >> (8 * i));
	}
	crc = (uint32_t) crc32(0L, buf, 20);
	crc = (uint32_t) crc32(crc, buf + MM_ARTIFACT_HEADER, (uInt) zlen);
	for (i = 0; i < 4; i++)
		buf[20 + i] = (uint8_t) (crc >> (8 * i));
	mm_free(body.data);
	*out = buf;
	*len = MM_ARTIFACT_HEADER + zlen;
	return MM_OK;
}

/* The CRC-32 stored in an artifact's header (0 if too short to have one). */
uint32_t
mm_artifact_crc(const uint8_t *data, size_t len)
{
	return len < MM_ARTIFACT_HEADER ? 0 : read_le32(data + 20);
}

/* Reads an artifact back into a model (see artifact.h). */
MmErrorCode
mm_artifact_read(const uint8_t *data, size_t len, MmModel **model_out, MmError *err)
{
	uint32_t	format,
				algorithm,
				flags,
				raw_len,
				z_len,
				crc;
	uint8_t    *body;
	uLongf		got;
	Reader		r;
	MmModel    *model;
	uint32_t	task,
				nfeat;
	int			i,
				ok;
	const char *part = "start";

	*model_out = NULL;
	if (len < MM_ARTIFACT_HEADER)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "it is shorter than a header (%zu of %d bytes)", len, MM_ARTIFACT_HEADER);
	if (memcmp(data, artifact_magic, 4) != 0)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "it does not start with the artifact magic");
	format = (uint32_t) data[4] | ((uint32_t) data[5] << 8);
	algorithm = (uint32_t) data[6] | ((uint32_t) data[7] << 8);
	flags = read_le32(data + 8);
	raw_len = read_le32(data + 12);
	z_len = read_le32(data + 16);
	if (format < 1 || format > MM_ARTIFACT_FORMAT_MAX)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "format version %u is not supported (this build reads versions 1 to %d)",
					   format, MM_ARTIFACT_FORMAT_MAX);
	if ((size_t) z_len != len - MM_ARTIFACT_HEADER)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "it is %zu bytes long but its header says %u",
					   len, z_len + MM_ARTIFACT_HEADER);
	crc = (uint32_t) crc32(0L, data, 20);
	crc = (uint32_t) crc32(crc, data + MM_ARTIFACT_HEADER, (uInt) z_len);
	if (crc != read_le32(data + 20))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "the checksum does not match");
	if (flags != 0 || mm_algorithm_by_artifact_id((int) algorithm) == NULL ||
		raw_len == 0 || raw_len > MM_ARTIFACT_MAX_BODY)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "its header has impossible values");

	body = mm_alloc(raw_len);
	if (body == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading a model");
	got = raw_len;
	if (uncompress(body, &got, data + MM_ARTIFACT_HEADER, z_len) != Z_OK || got != raw_len)
	{
		mm_free(body);
		return mm_fail(err, MM_ERR_CORRUPT, -1, "its body does not decompress");
	}

	model = mm_alloc0(sizeof(MmModel));
	if (model == NULL)
	{
		mm_free(body);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory reading a model");
	}
	r.p = body;
	r.left = raw_len;
	r.failed = 0;
	r.format = (int) format;
	model->algorithm = mm_algorithm_by_artifact_id((int) algorithm);
	part = "task or feature count";
	task = mm_get_u32(&r);
	nfeat = mm_get_u32(&r);
	ok = !r.failed && task >= MM_TASK_REGRESSION && task <= MM_TASK_DECOMPOSITION &&
		nfeat >= 1 && nfeat <= MM_MAX_FEATURES;
	if (ok)
	{
		part = "feature list";
		model->task = (MmTask) task;
		model->n_features = (int) nfeat;
		model->feature_names = mm_alloc0(sizeof(char *) * nfeat);
		model->feature_kinds = mm_alloc0(nfeat);
		ok = model->feature_names != NULL && model->feature_kinds != NULL;
		for (i = 0; ok && i < (int) nfeat; i++)
		{
			model->feature_names[i] = get_str(&r);
			model->feature_kinds[i] = mm_get_u8(&r);
			ok = !r.failed && (model->feature_kinds[i] == MM_FEATURE_NUMERIC ||
							   model->feature_kinds[i] == MM_FEATURE_BOOLEAN ||
							   (format >= 2 && model->feature_kinds[i] == MM_FEATURE_CATEGORICAL) ||
							   (format >= MM_ARTIFACT_FORMAT_SECTIONS &&
								model->feature_kinds[i] == MM_FEATURE_DATE_PART));
		}
	}
	if (ok)
	{
		uint8_t		has_target;

		part = "target";
		has_target = mm_get_u8(&r);

		ok = !r.failed && has_target <= 1;
		if (ok && has_target)
			ok = (model->target = get_str(&r)) != NULL;
	}
	/* format 1 predates preprocessing: its models read their inputs as they are */
	if (ok && format >= 2)
	{
		part = "categories";
		ok = read_categories(&r, model);
		if (ok)
		{
			part = "preprocessing";
			ok = read_transform(&r, model);
		}
	}
	if (ok)
	{
		part = "design width";
		model->n_design = mm_model_design_width(model);
		ok = model->n_design >= 1 && model->n_design <= MM_MAX_DESIGN;
	}
	if (ok)
	{
		part = "fitted model";
		ok = model->task == model->algorithm->task &&
			model->algorithm->read(&r, model) == MM_OK;
	}
	if (ok)
	{
		part = "sections";
		ok = mm_artifact_read_sections(&r, model);
	}
	if (ok && !r.failed && r.left != 0)
		part = "end, where bytes follow the model";
	ok = ok && !r.failed && r.left == 0;
	mm_free(body);
	if (!ok)
	{
		mm_model_free(model);
		return mm_fail(err, MM_ERR_CORRUPT, -1, "its body is malformed (at its %s)", part);
	}
	*model_out = model;
	return MM_OK;
}
