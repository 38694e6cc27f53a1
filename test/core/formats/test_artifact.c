/*
 * test_artifact.c: the binary model format of artifact.h.  A model built
 * by hand reads back bit for bit; the header and body are checked against
 * the layout written out here (with a CRC-32 computed bit by bit); damage,
 * truncation, a foreign version and bodies with impossible values are
 * refused without a crash and without a model.  Every model read is freed,
 * so that a run under valgrind also finds leaks.
 */
#include "testutil.h"

#include <string.h>

#include <zlib.h>

#include "artifact.h"
#include "artifact_sections.h"
#include "kmeans.h"
#include "model.h"
#include "pca.h"

/* ------------------------------------------------------------- helpers */

static double
bits_to_double(uint64_t bits)
{
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit. */
static uint32_t
crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	size_t		i;
	int			b;

	crc = ~crc;
	for (i = 0; i < n; i++)
	{
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* The checksum artifact.h specifies: bytes 0..19, then the compressed body. */
static uint32_t
artifact_crc_of(const uint8_t *a, size_t len)
{
	return crc32_update(crc32_update(0, a, 20), a + MM_ARTIFACT_HEADER, len - MM_ARTIFACT_HEADER);
}

/* ------------------------------------------------------------- models */

/* A model built with the core allocator, so that mm_model_free releases it. */
static MmModel *
model_new(int n)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));

	m->algorithm = ALGO("linear_regression");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_REGRESSION;
	m->n_features = n;
	m->n_design = n;
	m->feature_names = mm_alloc0(sizeof(char *) * n);
	m->feature_kinds = mm_alloc0(n);
	LIN(m)->coef = mm_alloc0(sizeof(double) * n);
	LIN(m)->std_err = mm_alloc0(sizeof(double) * (n + 1));
	LIN(m)->stat = mm_alloc0(sizeof(double) * (n + 1));
	LIN(m)->p_value = mm_alloc0(sizeof(double) * (n + 1));
	return m;
}

/*
 * Five features (two boolean, one name in UTF-8, and when asked one of the
 * longest name allowed), a target, coefficients with a negative zero, a
 * subnormal and a huge value, and statistics holding NaNs with distinct
 * payloads and signs.
 */
static MmModel *
sample_model_with(int longest_name)
{
	MmModel    *m = model_new(5);
	size_t		last = longest_name ? MM_ARTIFACT_MAX_NAME : 3;
	char	   *longest = mm_alloc(last + 1);
	size_t		i;

	for (i = 0; i < last; i++)
		longest[i] = (char) ('a' + i % 26);
	longest[last] = '\0';
	m->feature_names[0] = mm_strdup("living_area");
	m->feature_names[1] = mm_strdup("has_garage");
	m->feature_names[2] = mm_strdup("Distance (km)");
	m->feature_names[3] = mm_strdup("prix_m\xc2\xb2");
	m->feature_names[4] = longest;
	m->feature_kinds[0] = MM_FEATURE_NUMERIC;
	m->feature_kinds[1] = MM_FEATURE_BOOLEAN;
	m->feature_kinds[2] = MM_FEATURE_NUMERIC;
	m->feature_kinds[3] = MM_FEATURE_NUMERIC;
	m->feature_kinds[4] = MM_FEATURE_BOOLEAN;
	m->target = mm_strdup("price");
	LIN(m)->fit_intercept = 1;
	LIN(m)->alpha = 0.0;
	LIN(m)->intercept = 50268.20781234567;
	LIN(m)->coef[0] = 2797.7312345;
	LIN(m)->coef[1] = -0.0;
	LIN(m)->coef[2] = -4506.2278;
	LIN(m)->coef[3] = 5e-324;
	LIN(m)->coef[4] = 1.5e300;
	LIN(m)->rank = 4;
	LIN(m)->df_resid = 14889;
	LIN(m)->std_err[0] = 483.28;
	LIN(m)->std_err[1] = 2.03;
	LIN(m)->std_err[2] = bits_to_double(UINT64_C(0x7ff8000000000000));	/* the default NaN */
	LIN(m)->std_err[3] = bits_to_double(UINT64_C(0x7ff80000deadbeef));	/* with a payload */
	LIN(m)->std_err[4] = bits_to_double(UINT64_C(0xfff8000000000001));	/* negative, with a payload */
	LIN(m)->std_err[5] = 11.0;
	LIN(m)->stat[0] = 104.0;
	LIN(m)->stat[1] = 1378.1;
	LIN(m)->stat[2] = NAN;
	LIN(m)->stat[3] = bits_to_double(UINT64_C(0x7ffc00000000abcd));
	LIN(m)->stat[4] = -INFINITY;
	LIN(m)->stat[5] = -409.6;
	LIN(m)->p_value[0] = 0.0;
	LIN(m)->p_value[1] = 1e-300;
	LIN(m)->p_value[2] = NAN;
	LIN(m)->p_value[3] = bits_to_double(UINT64_C(0x7ff8000000000123));
	LIN(m)->p_value[4] = 1.0;
	LIN(m)->p_value[5] = 5e-324;
	return m;
}

static MmModel *
sample_model(void)
{
	return sample_model_with(1);
}

/* One feature, no target, no intercept, a ridge penalty and a NaN df. */
static MmModel *
small_model(void)
{
	MmModel    *m = model_new(1);

	m->task = MM_TASK_REGRESSION;
	m->feature_names[0] = mm_strdup("x");
	m->feature_kinds[0] = MM_FEATURE_NUMERIC;
	LIN(m)->fit_intercept = 0;
	LIN(m)->alpha = 0.25;
	LIN(m)->intercept = 0.0;
	LIN(m)->coef[0] = -3.5;
	LIN(m)->rank = 1;
	LIN(m)->df_resid = NAN;
	LIN(m)->std_err[0] = LIN(m)->std_err[1] = NAN;
	LIN(m)->stat[0] = LIN(m)->stat[1] = NAN;
	LIN(m)->p_value[0] = LIN(m)->p_value[1] = NAN;
	return m;
}

/* The most features a model may have. */
static MmModel *
widest_model(void)
{
	MmModel    *m = model_new(MM_MAX_FEATURES);
	int			i;

	for (i = 0; i < MM_MAX_FEATURES; i++)
	{
		char		name[16];

		snprintf(name, sizeof(name), "x%d", i);
		m->feature_names[i] = mm_strdup(name);
		m->feature_kinds[i] = i % 3 ? MM_FEATURE_NUMERIC : MM_FEATURE_BOOLEAN;
		LIN(m)->coef[i] = i * 0.001 - 0.3;
	}
	for (i = 0; i <= MM_MAX_FEATURES; i++)
		LIN(m)->std_err[i] = LIN(m)->stat[i] = LIN(m)->p_value[i] = i;
	LIN(m)->fit_intercept = 1;
	LIN(m)->intercept = 1;
	LIN(m)->rank = MM_MAX_FEATURES;
	LIN(m)->df_resid = 5;
	return m;
}

/* Every field of b is bit-identical to a's. */
static void
assert_same_model(const MmModel *a, const MmModel *b)
{
	int			n = a->n_features,
				i;

	assert_int_equal(b->algorithm, a->algorithm);
	assert_int_equal(b->task, a->task);
	assert_int_equal(b->n_features, n);
	for (i = 0; i < n; i++)
	{
		assert_int_equal(strlen(b->feature_names[i]), strlen(a->feature_names[i]));
		assert_string_equal(b->feature_names[i], a->feature_names[i]);
		assert_int_equal(b->feature_kinds[i], a->feature_kinds[i]);
	}
	if (a->target == NULL)
		assert_null(b->target);
	else
		assert_string_equal(b->target, a->target);
	assert_int_equal(LIN(b)->fit_intercept, LIN(a)->fit_intercept);
	assert_true(same_bits(LIN(b)->alpha, LIN(a)->alpha));
	assert_true(same_bits(LIN(b)->intercept, LIN(a)->intercept));
	assert_int_equal(LIN(b)->rank, LIN(a)->rank);
	assert_true(same_bits(LIN(b)->df_resid, LIN(a)->df_resid));
	assert_memory_equal(LIN(b)->coef, LIN(a)->coef, sizeof(double) * n);
	assert_memory_equal(LIN(b)->std_err, LIN(a)->std_err, sizeof(double) * (n + 1));
	assert_memory_equal(LIN(b)->stat, LIN(a)->stat, sizeof(double) * (n + 1));
	assert_memory_equal(LIN(b)->p_value, LIN(a)->p_value, sizeof(double) * (n + 1));
}

static uint8_t *
write_model(const MmModel *m, size_t *len)
{
	uint8_t    *bytes = NULL;
	MmError		err;

	assert_int_equal(mm_artifact_write(m, &bytes, len, &err), MM_OK);
	assert_non_null(bytes);
	return bytes;
}

/* Reads bytes that must be refused with one of two codes, and yields no model. */
static void
assert_refused(const uint8_t *bytes, size_t len, MmErrorCode code1, MmErrorCode code2)
{
	MmModel    *back = (MmModel *) &back;	/* anything but NULL */
	MmError		err;
	MmErrorCode rc = mm_artifact_read(bytes, len, &back, &err);

	if (rc != code1 && rc != code2)
	{
		print_error("read gave %d, expected %d or %d\n", (int) rc, (int) code1, (int) code2);
		mm_model_free(rc == MM_OK ? back : NULL);
		fail();
	}
	assert_int_equal(err.code, rc);
	assert_null(back);
}

/* ------------------------------------------------- the documented body */

/* A growable byte buffer for bodies built here. */
typedef struct Buf
{
	uint8_t    *p;
	size_t		len;
} Buf;

static void
buf_put(Buf *b, const void *src, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void
buf_u8(Buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static void
buf_u32(Buf *b, uint32_t v)
{
	uint8_t		x[4];

	put_le32(x, v);
	buf_put(b, x, 4);
}

static void
buf_f64(Buf *b, double v)
{
	uint64_t	bits;
	uint8_t		x[8];
	int			i;

	memcpy(&bits, &v, 8);
	for (i = 0; i < 8; i++)
		x[i] = (uint8_t) (bits >> (8 * i));
	buf_put(b, x, 8);
}

static void
buf_str(Buf *b, const char *s)
{
	buf_u32(b, (uint32_t) strlen(s));
	buf_put(b, s, strlen(s));
}

/*
 * Knobs for building bodies with one field changed; a negative value keeps
 * the model's own.
 */
typedef struct BodyEdit
{
	int64_t		task;
	int64_t		n_features;
	int64_t		name_len;		/* length written for feature 0's name */
	int			name_nul;		/* put a NUL inside feature 0's name */
	int64_t		kind;			/* feature 0's kind */
	int64_t		target_flag;
	int64_t		target_len;
	int64_t		fit_intercept;
	int64_t		rank;
	int			set_alpha,
				set_intercept,
				set_df,
				set_coef;
	double		alpha,
				intercept,
				df,
				coef;
	int			format1;		/* lay out format 1: no preprocessing flag */
	int			trailing;		/* bytes appended */
	int			drop;			/* bytes removed from the end */
} BodyEdit;

static BodyEdit
no_edit(void)
{
	BodyEdit	e;

	memset(&e, 0, sizeof(e));
	e.task = e.n_features = e.name_len = e.kind = -1;
	e.target_flag = e.target_len = e.fit_intercept = e.rank = -1;
	return e;
}

/*
 * The body as artifact.h lays it out: task and feature count (u32), each
 * feature's name (u32 length, bytes) and kind (u8), a target flag (u8) and
 * the target's name, a preprocessing flag (u8, 0: none; not in format 1),
 * then the linear part: fit_intercept (u8), alpha and
 * intercept (f64), rank (u32), df_resid (f64), the coefficients, and the
 * standard errors, statistics and p-values (intercept first); little-endian
 * throughout, doubles as their bits.
 */
static Buf
encode_body(const MmModel *m, const BodyEdit *e)
{
	Buf			b = {NULL, 0};
	const MmLinearModel *l = LIN(m);
	int			n = m->n_features,
				i;

	buf_u32(&b, e->task >= 0 ? (uint32_t) e->task : (uint32_t) m->task);
	buf_u32(&b, e->n_features >= 0 ? (uint32_t) e->n_features : (uint32_t) n);
	for (i = 0; i < n; i++)
	{
		const char *name = m->feature_names[i];

		if (i == 0 && (e->name_len >= 0 || e->name_nul))
		{
			size_t		len = strlen(name);

			buf_u32(&b, e->name_len >= 0 ? (uint32_t) e->name_len : (uint32_t) len);
			if (e->name_nul)
			{
				buf_put(&b, name, 1);
				buf_u8(&b, 0);
				buf_put(&b, name + 2, len - 2);
			}
			else
				buf_put(&b, name, len);
		}
		else
			buf_str(&b, name);
		buf_u8(&b, i == 0 && e->kind >= 0 ? (uint8_t) e->kind : m->feature_kinds[i]);
	}
	buf_u8(&b, e->target_flag >= 0 ? (uint8_t) e->target_flag : m->target != NULL);
	if (m->target != NULL)
	{
		if (e->target_len >= 0)
		{
			buf_u32(&b, (uint32_t) e->target_len);
			buf_put(&b, m->target, strlen(m->target));
		}
		else
			buf_str(&b, m->target);
	}
	if (!e->format1)
		buf_u8(&b, 0);
	buf_u8(&b, e->fit_intercept >= 0 ? (uint8_t) e->fit_intercept : (uint8_t) l->fit_intercept);
	buf_f64(&b, e->set_alpha ? e->alpha : l->alpha);
	buf_f64(&b, e->set_intercept ? e->intercept : l->intercept);
	buf_u32(&b, e->rank >= 0 ? (uint32_t) e->rank : (uint32_t) l->rank);
	buf_f64(&b, e->set_df ? e->df : l->df_resid);
	for (i = 0; i < n; i++)
		buf_f64(&b, i == 0 && e->set_coef ? e->coef : l->coef[i]);
	for (i = 0; i <= n; i++)
		buf_f64(&b, l->std_err[i]);
	for (i = 0; i <= n; i++)
		buf_f64(&b, l->stat[i]);
	for (i = 0; i <= n; i++)
		buf_f64(&b, l->p_value[i]);
	for (i = 0; i < e->trailing; i++)
		buf_u8(&b, 0);
	b.len -= (size_t) e->drop;
	return b;
}

/*
 * Wraps a body as artifact.h describes: magic, version, algorithm, flags,
 * lengths, CRC-32; raw_len is the body's length unless given.
 */
static uint8_t *
wrap_body(const uint8_t *body, size_t body_len, uint16_t version, uint16_t algorithm,
		  uint32_t flags, int64_t raw_len, size_t *len)
{
	uLongf		zlen = compressBound((uLong) body_len);
	uint8_t    *a = malloc(MM_ARTIFACT_HEADER + zlen);

	assert_int_equal(compress2(a + MM_ARTIFACT_HEADER, &zlen, body, (uLong) body_len, 9), Z_OK);
	memcpy(a, "MMDL", 4);
	a[4] = (uint8_t) version;
	a[5] = (uint8_t) (version >> 8);
	a[6] = (uint8_t) algorithm;
	a[7] = (uint8_t) (algorithm >> 8);
	put_le32(a + 8, flags);
	put_le32(a + 12, raw_len >= 0 ? (uint32_t) raw_len : (uint32_t) body_len);
	put_le32(a + 16, (uint32_t) zlen);
	*len = MM_ARTIFACT_HEADER + zlen;
	put_le32(a + 20, artifact_crc_of(a, *len));
	return a;
}

/* ---------------------------------------------------------------- tests */

/*
 * The checksum a written artifact carries, and mm_artifact_crc reports, is
 * the standard CRC-32 of its first 20 header bytes and its body: computed
 * here bit by bit (itself checked against the standard check value), not
 * with the library the writer uses.
 */
static void
test_crc_of_written_artifacts(void **state)
{
	MmModel    *models[3] = {sample_model(), small_model(), widest_model()};
	int			k;

	assert_int_equal(crc32_update(0, (const uint8_t *) "123456789", 9), 0xCBF43926u);
	for (k = 0; k < 3; k++)
	{
		size_t		len;
		uint8_t    *bytes = write_model(models[k], &len);

		assert_true(len > MM_ARTIFACT_HEADER);
		assert_int_equal(mm_artifact_crc(bytes, len), artifact_crc_of(bytes, len));
		/* any byte it covers changes it */
		bytes[len - 1] ^= 0x01;
		assert_int_not_equal(artifact_crc_of(bytes, len), mm_artifact_crc(bytes, len));
		assert_refused(bytes, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		mm_free(bytes);
		mm_model_free(models[k]);
	}
}

/*
 * Write then read: every field comes back bit-identical (NaN payloads,
 * negative zero and subnormals included), for a model with a target and
 * one without, and for the widest model; writing the read model again
 * gives the same bytes; predictions agree bit for bit.
 */
static void
test_roundtrip(void **state)
{
	MmModel    *models[3] = {sample_model(), small_model(), widest_model()};
	int			k;

	for (k = 0; k < 3; k++)
	{
		MmModel    *back = NULL;
		MmError		err;
		size_t		len,
					len2;
		uint8_t    *bytes = write_model(models[k], &len),
				   *again;
		double		x[MM_MAX_FEATURES];
		int			i;

		assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
		assert_non_null(back);
		assert_same_model(models[k], back);
		again = write_model(back, &len2);
		assert_int_equal(len2, len);
		assert_memory_equal(again, bytes, len);
		for (i = 0; i < models[k]->n_features; i++)
			x[i] = 1.25 * i - 3;
		assert_true(same_bits(mm_model_predict(back, x), mm_model_predict(models[k], x)));
		mm_model_free(back);
		mm_free(bytes);
		mm_free(again);
		mm_model_free(models[k]);
	}
}

/*
 * The header is the one artifact.h lays out, the body decompresses to the
 * documented layout byte for byte, and the CRC-32 at bytes 20..23 (which
 * mm_artifact_crc returns) is the one computed here.
 */
static void
test_layout(void **state)
{
	MmModel    *models[2] = {sample_model(), small_model()};
	int			k;

	for (k = 0; k < 2; k++)
	{
		size_t		len;
		uint8_t    *a = write_model(models[k], &len);
		BodyEdit	e = no_edit();
		Buf			want = encode_body(models[k], &e);
		uint8_t    *body = malloc(want.len + 16);
		uLongf		got = want.len + 16;

		assert_memory_equal(a, "MMDL", 4);
		assert_int_equal(a[4] | a[5] << 8, MM_ARTIFACT_FORMAT);
		assert_int_equal(MM_ARTIFACT_FORMAT, 2);
		assert_int_equal(a[6] | a[7] << 8, ARTIFACT_ID("linear_regression"));
		assert_int_equal(le32(a + 8), 0);
		assert_int_equal(le32(a + 12), want.len);
		assert_int_equal(le32(a + 16), len - MM_ARTIFACT_HEADER);
		assert_int_equal(le32(a + 20), artifact_crc_of(a, len));
		assert_int_equal(mm_artifact_crc(a, len), le32(a + 20));
		assert_int_equal(mm_artifact_crc(a, MM_ARTIFACT_HEADER), le32(a + 20));
		assert_int_equal(mm_artifact_crc(a, MM_ARTIFACT_HEADER - 1), 0);
		assert_int_equal(uncompress(body, &got, a + MM_ARTIFACT_HEADER, len - MM_ARTIFACT_HEADER), Z_OK);
		assert_int_equal(got, want.len);
		assert_memory_equal(body, want.p, want.len);
		free(body);
		free(want.p);
		mm_free(a);
		mm_model_free(models[k]);
	}
}

/*
 * Every single byte flipped (four patterns at every offset) gives
 * MM_ERR_CORRUPT, or MM_ERR_UNSUPPORTED for the version bytes (unless the
 * flip makes another version read, which the checksum refuses); every
 * truncation, and a byte appended, gives an error.
 */
static void
test_every_damage(void **state)
{
	MmModel    *m = sample_model();
	size_t		len,
				i;
	uint8_t    *bytes = write_model(m, &len);
	uint8_t    *copy = malloc(len + 1);
	uint8_t		patterns[4] = {0x01, 0x80, 0xff, 0x5a};
	int			k;

	for (i = 0; i < len; i++)
		for (k = 0; k < 4; k++)
		{
			memcpy(copy, bytes, len);
			copy[i] ^= patterns[k];
			/* a flip onto another version this build reads fails the checksum instead */
			if (i == 4 || i == 5)
				assert_refused(copy, len, MM_ERR_UNSUPPORTED, MM_ERR_CORRUPT);
			else
				assert_refused(copy, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		}
	for (i = 0; i < len; i++)
	{
		/* a fresh buffer of exactly i bytes, so that reading past it is caught */
		uint8_t    *cut = malloc(i + 1);

		memcpy(cut, bytes, i);
		assert_refused(cut, i, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		free(cut);
	}
	memcpy(copy, bytes, len);
	copy[len] = 0;
	assert_refused(copy, len + 1, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(copy);
	mm_free(bytes);
	mm_model_free(m);
}

/*
 * A format version other than 1 to 3 is MM_ERR_UNSUPPORTED, even when the
 * rest of the artifact (its CRC included) is consistent.
 */
static void
test_wrong_version(void **state)
{
	MmModel    *m = sample_model();
	BodyEdit	e = no_edit();
	Buf			body = encode_body(m, &e);
	uint16_t	versions[] = {0, 4, 0x0101, 0xffff};
	size_t		len;
	int			k;

	for (k = 0; k < 4; k++)
	{
		uint8_t    *a = wrap_body(body.p, body.len, versions[k], ARTIFACT_ID("linear_regression"), 0, -1, &len);

		assert_refused(a, len, MM_ERR_UNSUPPORTED, MM_ERR_UNSUPPORTED);
		free(a);
	}
	/* and format 1's layout with version 1 reads, as does format 2's with 2 */
	{
		MmModel    *back = NULL;
		MmError		err;
		BodyEdit	e1 = no_edit();
		Buf			body1;
		uint8_t    *a;

		e1.format1 = 1;
		body1 = encode_body(m, &e1);
		a = wrap_body(body1.p, body1.len, 1, ARTIFACT_ID("linear_regression"), 0, -1, &len);
		assert_int_equal(mm_artifact_read(a, len, &back, &err), MM_OK);
		assert_same_model(m, back);
		mm_model_free(back);
		free(a);
		a = wrap_body(body.p, body.len, 2, ARTIFACT_ID("linear_regression"), 0, -1, &len);
		assert_int_equal(mm_artifact_read(a, len, &back, &err), MM_OK);
		assert_same_model(m, back);
		mm_model_free(back);
		free(a);
		/* the layouts are not interchangeable */
		a = wrap_body(body1.p, body1.len, 2, ARTIFACT_ID("linear_regression"), 0, -1, &len);
		assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		free(a);
		free(body1.p);
	}
	free(body.p);
	mm_model_free(m);
}

/*
 * Consistent artifacts (correct lengths and CRC) whose header or body holds
 * an impossible value are MM_ERR_CORRUPT: the reader checks values, not
 * only the checksum.
 */
static void
test_impossible_values(void **state)
{
	MmModel    *m = sample_model();
	MmModel    *one = small_model();
	BodyEdit	e = no_edit();
	Buf			good = encode_body(m, &e);
	size_t		len;
	uint8_t    *a;
	int			k;

	/* header values */
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 1, -1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, 0, 0, -1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, unused_artifact_id(), 0, -1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, 0, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, (int64_t) good.len - 1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, (int64_t) good.len + 1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	a = wrap_body(good.p, good.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, (int64_t) MM_ARTIFACT_MAX_BODY + 1, &len);
	assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
	free(a);
	/* a body that is not a zlib stream */
	{
		uint8_t    *raw = malloc(MM_ARTIFACT_HEADER + good.len);

		memcpy(raw, "MMDL\x01\x00\x01\x00", 8);
		put_le32(raw + 8, 0);
		put_le32(raw + 12, (uint32_t) good.len);
		put_le32(raw + 16, (uint32_t) good.len);
		memcpy(raw + MM_ARTIFACT_HEADER, good.p, good.len);
		put_le32(raw + 20, artifact_crc_of(raw, MM_ARTIFACT_HEADER + good.len));
		assert_refused(raw, MM_ARTIFACT_HEADER + good.len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		free(raw);
	}

	/* body values, one at a time */
	for (k = 0;; k++)
	{
		BodyEdit	b = no_edit();
		const MmModel *base = m;
		Buf			body;

		switch (k)
		{
			case 0:
				b.task = 0;
				break;
			case 1:
				b.task = MM_TASK_DECOMPOSITION + 1;
				break;
			case 2:
				b.n_features = 0;
				break;
			case 3:
				b.n_features = MM_MAX_FEATURES + 1;
				break;
			case 4:
				b.n_features = 6;	/* more features than the body holds */
				break;
			case 5:
				b.n_features = 4;	/* fewer: the rest is misread */
				break;
			case 6:
				b.name_len = 0;
				break;
			case 7:
				b.name_len = 0xffffffff;
				break;
			case 8:
				b.name_nul = 1;
				break;
			case 9:
				b.kind = 0;
				break;
			case 10:
				b.kind = MM_FEATURE_BOOLEAN + 1;
				break;
			case 11:
				b.target_flag = 2;
				break;
			case 12:
				b.target_flag = 0;	/* a name follows that is not announced */
				break;
			case 13:
				b.target_len = 0;
				break;
			case 14:
				b.fit_intercept = 2;
				break;
			case 15:
				b.set_alpha = 1;
				b.alpha = -1.0;
				break;
			case 16:
				b.set_alpha = 1;
				b.alpha = NAN;
				break;
			case 17:
				b.set_alpha = 1;
				b.alpha = INFINITY;
				break;
			case 18:
				b.set_intercept = 1;
				b.intercept = NAN;
				break;
			case 19:
				b.set_intercept = 1;
				b.intercept = -INFINITY;
				break;
			case 20:
				b.rank = 0xffffffff;
				break;
			case 21:
				b.rank = 6;		/* above the feature count */
				break;
			case 22:
				b.set_df = 1;
				b.df = INFINITY;
				break;
			case 23:
				b.set_coef = 1;
				b.coef = NAN;
				break;
			case 24:
				b.set_coef = 1;
				b.coef = INFINITY;
				break;
			case 25:
				b.trailing = 1;
				break;
			case 26:
				b.drop = 1;
				break;
			case 27:
				b.drop = 8;
				break;
			case 28:			/* no intercept fitted, yet one stored */
				base = one;
				b.set_intercept = 1;
				b.intercept = 1.0;
				break;
			case 29:
				base = one;
				b.target_flag = 1;	/* a target announced that is not there */
				break;
			default:
				base = NULL;
				break;
		}
		if (base == NULL)
			break;
		body = encode_body(base, &b);
		a = wrap_body(body.p, body.len, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, -1, &len);
		{
			MmModel    *back = NULL;
			MmError		err;
			MmErrorCode rc = mm_artifact_read(a, len, &back, &err);

			/* the message says where the body went wrong */
			const char *part = k <= 3 ? "task or feature count" :
				(k >= 6 && k <= 9) ? "feature list" :
				(k == 11 || k == 13) ? "target" :
				(k >= 14 && k <= 24) ? "fitted model" :
				k == 25 ? "end, where bytes follow the model" : NULL;

			if (rc != MM_ERR_CORRUPT || back != NULL)
			{
				print_error("body edit %d: read gave %d\n", k, (int) rc);
				mm_model_free(back);
				fail();
			}
			if (part != NULL && strstr(err.message, part) == NULL)
				fail_msg("body edit %d: \"%s\" does not name its %s", k, err.message, part);
		}
		free(a);
		free(body.p);
	}
	free(good.p);
	mm_model_free(m);
	mm_model_free(one);
}

/* A small deterministic generator of integers below n. */
static size_t
pick(uint64_t *s, size_t n)
{
	return (size_t) (test_uniform(s) * (double) n);
}

/*
 * Thousands of random mutations of a valid artifact (bytes overwritten,
 * inserted or deleted, runs zeroed, truncated or extended) never crash and
 * never read as a model unless the bytes are unchanged, in which case the
 * model is the original.  Random bytes are never a model.
 */
static void
test_random_mutations(void **state)
{
	MmModel    *m = sample_model();
	size_t		len;
	uint8_t    *bytes = write_model(m, &len);
	uint64_t	s = 99;
	int			round,
				unchanged = 0;

	for (round = 0; round < 5000; round++)
	{
		size_t		cap = len + 64,
					n = len;
		uint8_t    *copy = malloc(cap);
		int			k,
					edits = 1 + (int) pick(&s, 6);

		memcpy(copy, bytes, len);
		for (k = 0; k < edits; k++)
		{
			size_t		at = pick(&s, n);

			switch (pick(&s, 6))
			{
				case 0:
				case 1:			/* overwrite one byte, possibly with its own value */
					copy[at] = (uint8_t) pick(&s, 256);
					break;
				case 2:			/* flip one bit */
					copy[at] ^= (uint8_t) (1u << pick(&s, 8));
					break;
				case 3:			/* insert a byte */
					if (n < cap)
					{
						memmove(copy + at + 1, copy + at, n - at);
						copy[at] = (uint8_t) pick(&s, 256);
						n++;
					}
					break;
				case 4:			/* delete a byte */
					if (n > 0)
					{
						memmove(copy + at, copy + at + 1, n - at - 1);
						n--;
					}
					break;
				default:		/* zero a short run */
					{
						size_t		run = 1 + pick(&s, 8);

						if (at + run > n)
							run = n - at;
						memset(copy + at, 0, run);
					}
					break;
			}
		}
		if (pick(&s, 5) == 0)
		{
			size_t		to = pick(&s, len + 32);

			if (to > n)
				memset(copy + n, (int) pick(&s, 256), to - n);
			n = to;
		}
		/* read from a buffer of exactly n bytes, so that overreads are caught */
		{
			uint8_t    *exact = malloc(n + 1);

			memcpy(exact, copy, n);
			if (n == len && memcmp(exact, bytes, len) == 0)
			{
				MmModel    *back = NULL;
				MmError		err;

				assert_int_equal(mm_artifact_read(exact, n, &back, &err), MM_OK);
				assert_same_model(m, back);
				mm_model_free(back);
				unchanged++;
			}
			else
				assert_refused(exact, n, MM_ERR_CORRUPT, MM_ERR_UNSUPPORTED);
			free(exact);
		}
		free(copy);
	}
	assert_true(unchanged < 5000 / 10);

	/* bytes that are not an artifact at all */
	for (round = 0; round < 200; round++)
	{
		size_t		n = pick(&s, 2 * len),
					i;
		uint8_t    *junk = malloc(n + 1);

		for (i = 0; i < n; i++)
			junk[i] = (uint8_t) pick(&s, 256);
		if (round % 2 && n >= 4)
			memcpy(junk, "MMDL", 4);
		assert_refused(junk, n, MM_ERR_CORRUPT, MM_ERR_UNSUPPORTED);
		free(junk);
	}
	mm_free(bytes);
	mm_model_free(m);
}

/*
 * Random damage behind a valid checksum: mutated bodies wrapped with
 * correct lengths and CRC.  The reader must not crash or leak; whatever it
 * accepts must be a well-formed model that writes and reads back the same.
 */
static void
test_random_bodies(void **state)
{
	MmModel    *m = sample_model_with(0);
	BodyEdit	e = no_edit();
	Buf			good = encode_body(m, &e);
	uint64_t	s = 2024;
	int			round,
				accepted = 0;

	for (round = 0; round < 3000; round++)
	{
		uint8_t    *body = malloc(good.len + 1);
		size_t		n = good.len,
					len,
					len2;
		int			k;
		uint8_t    *a;
		MmModel    *back = NULL;
		MmError		err;

		memcpy(body, good.p, good.len);
		for (k = 1 + (int) pick(&s, 3); k > 0; k--)
			body[pick(&s, n)] = (uint8_t) pick(&s, 256);
		if (pick(&s, 4) == 0)
			n = pick(&s, n + 1);
		a = wrap_body(body, n, MM_ARTIFACT_FORMAT, ARTIFACT_ID("linear_regression"), 0, -1, &len);
		if (n == 0)
			assert_refused(a, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		else if (mm_artifact_read(a, len, &back, &err) == MM_OK)
		{
			uint8_t    *again = write_model(back, &len2);
			MmModel    *back2 = NULL;
			int			i;

			accepted++;
			assert_true(back->n_features >= 1 && back->n_features <= MM_MAX_FEATURES);
			for (i = 0; i < back->n_features; i++)
				assert_true(isfinite(LIN(back)->coef[i]));
			assert_int_equal(mm_artifact_read(again, len2, &back2, &err), MM_OK);
			assert_same_model(back, back2);
			mm_model_free(back2);
			mm_model_free(back);
			mm_free(again);
		}
		else
			assert_null(back);
		free(a);
		free(body);
	}
	/* mostly refused, yet some changes (a coefficient's bits) are valid models */
	assert_true(accepted > 0 && accepted < 3000);
	free(good.p);
	mm_model_free(m);
}

/* A multinomial classifier over two preprocessed features, with text labels. */
static MmModel *
classifier_model(MmLabelKind kind)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	MmClassifier *c;
	int			k = kind == MM_LABEL_TEXT ? 3 : 2,
				rows = k == 2 ? 1 : k,
				i;

	m->algorithm = ALGO("logistic_regression");
	m->fit = test_payload(m->algorithm);
	c = CLS(m);
	m->task = MM_TASK_CLASSIFICATION;
	m->n_features = 2;
	m->n_design = 2;
	m->feature_names = mm_alloc0(sizeof(char *) * 2);
	m->feature_kinds = mm_alloc0(2);
	m->feature_names[0] = mm_strdup("petal_length");
	m->feature_names[1] = mm_strdup("wet");
	m->feature_kinds[0] = MM_FEATURE_NUMERIC;
	m->feature_kinds[1] = MM_FEATURE_BOOLEAN;
	m->target = mm_strdup("species");
	m->transform = mm_alloc0(sizeof(MmFeatureTransform) * 2);
	m->transform[0] = (MmFeatureTransform) {3.75, 1.0, 6.9, 3.758, 1.7644};
	m->transform[1] = (MmFeatureTransform) {NAN, -INFINITY, INFINITY, 0.0, 1.0};
	m->labels.label_kind = kind;
	m->labels.n_classes = k;
	m->labels.classes = mm_alloc0(sizeof(char *) * k);
	if (kind == MM_LABEL_TEXT)
	{
		m->labels.classes[0] = mm_strdup("");	/* the empty string is a label like any other */
		m->labels.classes[1] = mm_strdup("setosa");
		m->labels.classes[2] = mm_strdup("virginica");
	}
	else
	{
		m->labels.class_values = mm_alloc(sizeof(double) * k);
		m->labels.classes[0] = mm_strdup(kind == MM_LABEL_BOOLEAN ? "false" : "-3");
		m->labels.classes[1] = mm_strdup(kind == MM_LABEL_BOOLEAN ? "true" : "7");
		m->labels.class_values[0] = kind == MM_LABEL_BOOLEAN ? 0.0 : -3.0;
		m->labels.class_values[1] = kind == MM_LABEL_BOOLEAN ? 1.0 : 7.0;
	}
	c->n_rows = rows;
	c->intercept = mm_alloc(sizeof(double) * rows);
	c->coef = mm_alloc(sizeof(double) * rows * 2);
	c->std_err = mm_alloc(sizeof(double) * rows * 3);
	c->stat = mm_alloc(sizeof(double) * rows * 3);
	c->p_value = mm_alloc(sizeof(double) * rows * 3);
	for (i = 0; i < rows; i++)
		c->intercept[i] = 0.1 * i - 0.7;
	for (i = 0; i < rows * 2; i++)
		c->coef[i] = i % 2 ? -1.25 * i : 2.5e-3 * i;
	for (i = 0; i < rows * 3; i++)
	{
		c->std_err[i] = rows == 1 ? 0.5 + i : NAN;
		c->stat[i] = rows == 1 ? -2.0 * i : NAN;
		c->p_value[i] = rows == 1 ? 0.01 * i : NAN;
	}
	c->alpha = 1.0;
	c->fit_intercept = 1;
	c->balanced = kind == MM_LABEL_NUMBER;
	c->max_iter = 100;
	c->tol = 1e-4;
	c->n_iter = 7;
	c->converged = 1;
	return m;
}

/* Classifiers with preprocessing read back bit for bit and predict the same. */
static void
test_classifier_roundtrip(void **state)
{
	MmLabelKind kinds[3] = {MM_LABEL_TEXT, MM_LABEL_NUMBER, MM_LABEL_BOOLEAN};
	int			t;

	for (t = 0; t < 3; t++)
	{
		MmModel    *m = classifier_model(kinds[t]);
		MmModel    *back = NULL;
		MmError		err;
		size_t		len,
					len2;
		uint8_t    *bytes = write_model(m, &len),
				   *again;
		double		x[2] = {NAN, 1.0},
					z1[2],
					z2[2],
					p1[3],
					p2[3];
		int			i;

		assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
		assert_int_equal(back->labels.n_classes, m->labels.n_classes);
		assert_int_equal(back->labels.label_kind, m->labels.label_kind);
		for (i = 0; i < m->labels.n_classes; i++)
			assert_string_equal(back->labels.classes[i], m->labels.classes[i]);
		assert_memory_equal(back->transform, m->transform, sizeof(MmFeatureTransform) * 2);
		assert_memory_equal(CLS(back)->coef, CLS(m)->coef,
							sizeof(double) * 2 * CLS(m)->n_rows);
		assert_int_equal(CLS(back)->balanced, CLS(m)->balanced);
		assert_int_equal(CLS(back)->n_iter, 7);
		again = write_model(back, &len2);
		assert_int_equal(len2, len);
		assert_memory_equal(again, bytes, len);

		assert_int_equal(mm_model_transform(m, x, z1, &err), MM_OK);
		assert_int_equal(mm_model_transform(back, x, z2, &err), MM_OK);
		assert_memory_equal(z1, z2, sizeof(z1));
		classifier_proba(m, z1, p1);
		classifier_proba(back, z2, p2);
		assert_memory_equal(p1, p2, sizeof(double) * m->labels.n_classes);
		assert_true(same_bits(mm_model_predict(m, z1), mm_model_predict(back, z2)));
		if (kinds[t] == MM_LABEL_TEXT)
			assert_true(isnan(mm_model_predict(back, z2)));

		/* a missing value in a column that is not imputed is refused */
		x[1] = NAN;
		assert_int_equal(mm_model_transform(back, x, z2, &err), MM_ERR_INVALID_INPUT);
		assert_int_equal(err.item, 1);

		mm_model_free(back);
		mm_free(bytes);
		mm_free(again);

		/* duplicate classes and a zero scale are damage */
		mm_free(m->labels.classes[1]);
		m->labels.classes[1] = mm_strdup(m->labels.classes[0]);
		bytes = write_model(m, &len);
		assert_refused(bytes, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		mm_free(bytes);
		mm_free(m->labels.classes[1]);
		m->labels.classes[1] = mm_strdup("other");
		m->transform[0].scale = 0.0;
		bytes = write_model(m, &len);
		assert_refused(bytes, len, MM_ERR_CORRUPT, MM_ERR_CORRUPT);
		mm_free(bytes);
		mm_model_free(m);
	}
}

/*
 * The buffer the artifact and the document are written in: text stays a
 * string as it grows.  With every budget of allocations the writer either
 * succeeds or says it ran out of memory, leaving nothing allocated.
 */
static void
test_out_of_memory(void **state)
{
	MmBuffer	text = {0};
	MmModel    *m = sample_model_with(1);
	uint8_t    *bytes = NULL;
	size_t		len;
	MmError		err;
	int			i,
				budget;

	(void) state;
	for (i = 0; i < 1000; i++)
		mm_buffer_append(&text, "abc", 3);
	assert_false(text.failed);
	assert_int_equal(text.len, 3000);
	assert_int_equal(strlen(text.data), 3000);
	mm_free(text.data);

	for (budget = 0;; budget++)
	{
		MmErrorCode rc;

		test_alloc_budget = budget;
		mm_set_allocator(test_budget_alloc, NULL);
		rc = mm_artifact_write(m, &bytes, &len, &err);
		mm_set_allocator(NULL, NULL);
		if (rc == MM_OK)
			break;
		assert_int_equal(rc, MM_ERR_NO_MEMORY);
	}
	assert_true(budget >= 2);	/* the body's buffer grew, then the artifact */
	mm_free(bytes);
	mm_model_free(m);
}

/* k-means and PCA models read back bit for bit. */
static void
test_unsupervised_roundtrips(void **state)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	MmModel    *back = NULL;
	MmError		err;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2;
	double		z[2] = {0.25, -1.5},
				a[3],
				b[3];

	m->algorithm = ALGO("kmeans");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_CLUSTERING;
	m->n_features = 2;
	m->n_design = 2;
	m->feature_names = mm_alloc0(sizeof(char *) * 2);
	m->feature_kinds = mm_alloc0(2);
	m->feature_names[0] = mm_strdup("a");
	m->feature_names[1] = mm_strdup("b");
	m->feature_kinds[0] = m->feature_kinds[1] = MM_FEATURE_NUMERIC;
	KM(m)->k = 3;
	KM(m)->centers = mm_alloc(sizeof(double) * 6);
	for (len = 0; len < 6; len++)
		KM(m)->centers[len] = (double) len * 1.5 - 2;
	KM(m)->inertia = 12.5;
	KM(m)->max_iter = 300;
	KM(m)->tol = 1e-4;
	KM(m)->seed = -3;
	KM(m)->n_iter = 9;
	KM(m)->converged = 1;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_memory_equal(KM(back)->centers, KM(m)->centers, sizeof(double) * 6);
	assert_int_equal(KM(back)->seed, -3);
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	assert_int_equal(mm_model_project(m, z, a), 3);
	mm_model_project(back, z, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_true(mm_model_predict(back, z) == (double) mm_model_class(m, z));
	mm_free(bytes);
	mm_free(again);
	mm_model_free(back);

	/* a center that is not finite is damage */
	KM(m)->centers[4] = NAN;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	back = NULL;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	assert_null(back);
	mm_free(bytes);
	mm_free(KM(m)->centers);
	KM(m)->centers = NULL;

	m->algorithm = ALGO("pca");
	m->fit = test_payload(m->algorithm);
	m->task = MM_TASK_DECOMPOSITION;
	PCA(m)->n_components = 1;
	PCA(m)->mean = mm_alloc(sizeof(double) * 2);
	PCA(m)->components = mm_alloc(sizeof(double) * 2);
	PCA(m)->explained_variance = mm_alloc(sizeof(double));
	PCA(m)->explained_variance_ratio = mm_alloc(sizeof(double));
	PCA(m)->mean[0] = 1;
	PCA(m)->mean[1] = -1;
	PCA(m)->components[0] = 0.6;
	PCA(m)->components[1] = 0.8;
	PCA(m)->explained_variance[0] = 4;
	PCA(m)->explained_variance_ratio[0] = 0.9;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_int_equal(mm_model_project(back, z, a), 1);
	assert_close(a[0], (0.25 - 1) * 0.6 + (-1.5 + 1) * 0.8, 1e-15);
	assert_true(isnan(mm_model_predict(back, z)));
	mm_free(bytes);
	mm_model_free(back);
	/* a ratio above one is damage */
	PCA(m)->explained_variance_ratio[0] = 1.5;
	assert_int_equal(mm_artifact_write(m, &bytes, &len, &err), MM_OK);
	back = NULL;
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_ERR_CORRUPT);
	mm_free(bytes);
	mm_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_of_written_artifacts),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_every_damage),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_impossible_values),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_random_bodies),
		cmocka_unit_test(test_classifier_roundtrip),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_unsupervised_roundtrips),
	};

	return cmocka_run_group_tests_name("artifact", tests, NULL, NULL);
}
