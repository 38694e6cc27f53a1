/*
 * artifact.c: the binary format of a stored model (see artifact.h).
 */
#include "artifact.h"

#include <math.h>
#include <string.h>

#include <zlib.h>

static const uint8_t artifact_magic[4] = {'M', 'M', 'D', 'L'};

/* A bounded input cursor; failed is set on the first read past the end. */
typedef struct Reader
{
	const uint8_t *p;
	size_t		left;
	int			failed;
} Reader;

static void
put_u8(MmBuffer *w, uint8_t v)
{
	mm_buffer_append(w, &v, 1);
}

static void
put_u32(MmBuffer *w, uint32_t v)
{
	uint8_t		b[4];
	int			i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t) (v >> (8 * i));
	mm_buffer_append(w, b, 4);
}

static void
put_f64(MmBuffer *w, double v)
{
	uint64_t	bits;
	uint8_t		b[8];
	int			i;

	memcpy(&bits, &v, 8);
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t) (bits >> (8 * i));
	mm_buffer_append(w, b, 8);
}

static void
put_str(MmBuffer *w, const char *s)
{
	size_t		n = strlen(s);

	put_u32(w, (uint32_t) n);
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

static uint8_t
get_u8(Reader *r)
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

static uint32_t
get_u32(Reader *r)
{
	const uint8_t *p = get_bytes(r, 4);

	return p ? read_le32(p) : 0;
}

static double
get_f64(Reader *r)
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
static char *
get_string(Reader *r, int allow_empty)
{
	uint32_t	n = get_u32(r);
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
	return get_string(r, 0);
}

/* Reads n doubles into a new array. */
static double *
get_f64_array(Reader *r, int n)
{
	double	   *a;
	int			i;

	if (r->failed || (size_t) n * 8 > r->left)
	{
		r->failed = 1;
		return NULL;
	}
	a = mm_alloc(sizeof(double) * (size_t) n);
	if (a == NULL)
	{
		r->failed = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		a[i] = get_f64(r);
	return a;
}

/* Writes the algorithm's part of the body. */
static void
write_linear(MmBuffer *w, const MmModel *model)
{
	const MmLinearModel *m = &model->linear;
	int			i;

	put_u8(w, (uint8_t) (m->fit_intercept ? 1 : 0));
	put_f64(w, m->alpha);
	put_f64(w, m->intercept);
	put_u32(w, (uint32_t) m->rank);
	put_f64(w, m->df_resid);
	for (i = 0; i < model->n_design; i++)
		put_f64(w, m->coef[i]);
	for (i = 0; i <= model->n_design; i++)
		put_f64(w, m->std_err[i]);
	for (i = 0; i <= model->n_design; i++)
		put_f64(w, m->stat[i]);
	for (i = 0; i <= model->n_design; i++)
		put_f64(w, m->p_value[i]);
}

/* Reads and checks the algorithm's part of the body. */
static int
read_linear(Reader *r, MmModel *model)
{
	MmLinearModel *m = &model->linear;
	int			n = model->n_design;
	uint8_t		fi = get_u8(r);
	int			i;

	m->fit_intercept = fi;
	m->alpha = get_f64(r);
	m->intercept = get_f64(r);
	m->rank = (int) get_u32(r);
	m->df_resid = get_f64(r);
	m->coef = get_f64_array(r, n);
	m->std_err = get_f64_array(r, n + 1);
	m->stat = get_f64_array(r, n + 1);
	m->p_value = get_f64_array(r, n + 1);
	if (r->failed || fi > 1 || !(m->alpha >= 0.0) || !isfinite(m->alpha) ||
		!isfinite(m->intercept) || m->rank < 0 || m->rank > n || isinf(m->df_resid))
		return 0;
	if (!fi && m->intercept != 0.0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isfinite(m->coef[i]))
			return 0;
	return 1;
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
		put_u8(w, (uint8_t) c->encoding);
		put_u32(w, (uint32_t) c->n);
		for (i = 0; i < c->n; i++)
			put_str(w, c->names[i]);
		put_u32(w, (uint32_t) c->n_other);
		for (i = 0; i < c->n_other; i++)
			put_str(w, c->other[i]);
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
		names[i] = get_string(r, 1);
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
		enc = get_u8(r);
		n = get_u32(r);
		if (r->failed || (enc != MM_ENCODE_ONEHOT && enc != MM_ENCODE_ORDINAL) ||
			n < 1 || n > MM_MAX_CATEGORIES)
			return 0;
		c->encoding = (MmEncoding) enc;
		c->n = (int) n;
		c->names = read_names(r, c->n);
		n_other = get_u32(r);
		if (r->failed || n_other > (uint32_t) (MM_MAX_CATEGORIES - c->n))
			return 0;
		c->n_other = (int) n_other;
		c->other = read_names(r, c->n_other);
		if (r->failed)
			return 0;
	}
	return 1;
}

/* Writes the preprocessing: a flag, then five doubles per feature. */
static void
write_transform(MmBuffer *w, const MmModel *model)
{
	int			i;

	put_u8(w, model->transform != NULL);
	if (model->transform == NULL)
		return;
	for (i = 0; i < model->n_features; i++)
	{
		const MmFeatureTransform *t = &model->transform[i];

		put_f64(w, t->impute);
		put_f64(w, t->clip_lo);
		put_f64(w, t->clip_hi);
		put_f64(w, t->center);
		put_f64(w, t->scale);
	}
}

/* Reads and checks the preprocessing. */
static int
read_transform(Reader *r, MmModel *model)
{
	uint8_t		present = get_u8(r);
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

		t->impute = get_f64(r);
		t->clip_lo = get_f64(r);
		t->clip_hi = get_f64(r);
		t->center = get_f64(r);
		t->scale = get_f64(r);
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

/* Writes a classifier's part of the body. */
static void
write_classifier(MmBuffer *w, const MmModel *model)
{
	const MmClassifier *c = &model->classifier;
	int			p = model->n_design;
	int			i;

	put_u8(w, (uint8_t) c->label_kind);
	put_u32(w, (uint32_t) c->n_classes);
	for (i = 0; i < c->n_classes; i++)
	{
		put_str(w, c->classes[i]);
		if (c->label_kind != MM_LABEL_TEXT)
			put_f64(w, c->class_values[i]);
	}
	put_u32(w, (uint32_t) c->n_rows);
	for (i = 0; i < c->n_rows; i++)
		put_f64(w, c->intercept[i]);
	for (i = 0; i < c->n_rows * p; i++)
		put_f64(w, c->coef[i]);
	for (i = 0; i < c->n_rows * (p + 1); i++)
		put_f64(w, c->std_err[i]);
	for (i = 0; i < c->n_rows * (p + 1); i++)
		put_f64(w, c->stat[i]);
	for (i = 0; i < c->n_rows * (p + 1); i++)
		put_f64(w, c->p_value[i]);
	put_f64(w, c->alpha);
	put_u8(w, (uint8_t) (c->fit_intercept ? 1 : 0));
	put_u8(w, (uint8_t) (c->balanced ? 1 : 0));
	put_u32(w, (uint32_t) c->max_iter);
	put_f64(w, c->tol);
	put_u32(w, (uint32_t) c->n_iter);
	put_u8(w, (uint8_t) (c->converged ? 1 : 0));
	put_u8(w, (uint8_t) c->variant);
}

/* Reads and checks a classifier's part of the body. */
static int
read_classifier(Reader *r, MmModel *model)
{
	MmClassifier *c = &model->classifier;
	int			p = model->n_design;
	uint8_t		kind = get_u8(r);
	uint32_t	k = get_u32(r);
	uint32_t	rows;
	uint8_t		fi,
				bal,
				conv;
	int			i,
				j;

	if (r->failed || kind < MM_LABEL_NUMBER || kind > MM_LABEL_TEXT || k < 2 || k > MM_MAX_CLASSES)
		return 0;
	c->label_kind = (MmLabelKind) kind;
	c->n_classes = (int) k;
	c->classes = mm_alloc0(sizeof(char *) * k);
	if (c->classes == NULL)
		return 0;
	if (kind != MM_LABEL_TEXT && (c->class_values = mm_alloc(sizeof(double) * k)) == NULL)
		return 0;
	for (i = 0; i < (int) k; i++)
	{
		if ((c->classes[i] = get_string(r, kind == MM_LABEL_TEXT)) == NULL)
			return 0;
		if (kind != MM_LABEL_TEXT && !isfinite(c->class_values[i] = get_f64(r)))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(c->classes[j], c->classes[i]) == 0)
				return 0;
	}
	rows = get_u32(r);
	if (r->failed || rows != (k == 2 ? 1u : k))
		return 0;
	c->n_rows = (int) rows;
	c->intercept = get_f64_array(r, c->n_rows);
	c->coef = get_f64_array(r, c->n_rows * p);
	c->std_err = get_f64_array(r, c->n_rows * (p + 1));
	c->stat = get_f64_array(r, c->n_rows * (p + 1));
	c->p_value = get_f64_array(r, c->n_rows * (p + 1));
	c->alpha = get_f64(r);
	fi = get_u8(r);
	bal = get_u8(r);
	c->max_iter = (int) get_u32(r);
	c->tol = get_f64(r);
	c->n_iter = (int) get_u32(r);
	conv = get_u8(r);
	c->variant = get_u8(r);
	if (r->failed || fi > 1 || bal > 1 || conv > 1 || c->variant > 1 ||
		(c->variant && model->algorithm != MM_ALGO_LINEAR_SVM) ||
		!(c->alpha >= 0.0) || !isfinite(c->alpha) ||
		c->max_iter < 1 || c->n_iter < 0 || c->n_iter > c->max_iter || !(c->tol > 0.0) ||
		!isfinite(c->tol))
		return 0;
	c->fit_intercept = fi;
	c->balanced = bal;
	c->converged = conv;
	for (i = 0; i < c->n_rows; i++)
		if (!isfinite(c->intercept[i]) || (!fi && c->intercept[i] != 0.0))
			return 0;
	for (i = 0; i < c->n_rows * p; i++)
		if (!isfinite(c->coef[i]))
			return 0;
	return 1;
}

/* Writes k-means' part of the body. */
static void
write_kmeans(MmBuffer *w, const MmModel *model)
{
	const MmKMeans *km = &model->kmeans;
	int			i;

	put_u32(w, (uint32_t) km->k);
	for (i = 0; i < km->k * model->n_design; i++)
		put_f64(w, km->centers[i]);
	put_f64(w, km->inertia);
	put_u32(w, (uint32_t) km->max_iter);
	put_f64(w, km->tol);
	put_u32(w, (uint32_t) km->seed);
	put_u32(w, (uint32_t) km->n_iter);
	put_u8(w, (uint8_t) (km->converged ? 1 : 0));
}

/* Reads and checks k-means' part of the body. */
static int
read_kmeans(Reader *r, MmModel *model)
{
	MmKMeans   *km = &model->kmeans;
	uint32_t	k = get_u32(r);
	uint8_t		conv;
	int			i;

	if (r->failed || k < 1 || k > MM_MAX_CLUSTERS)
		return 0;
	km->k = (int) k;
	if ((size_t) km->k * (size_t) model->n_design * 8 > r->left)
		return 0;
	km->centers = get_f64_array(r, km->k * model->n_design);
	km->inertia = get_f64(r);
	km->max_iter = (int) get_u32(r);
	km->tol = get_f64(r);
	km->seed = (int32_t) get_u32(r);
	km->n_iter = (int) get_u32(r);
	conv = get_u8(r);
	if (r->failed || conv > 1 || !(km->inertia >= 0.0) || !isfinite(km->inertia) ||
		km->max_iter < 1 || km->n_iter < 0 || km->n_iter > km->max_iter ||
		!(km->tol >= 0.0) || !isfinite(km->tol))
		return 0;
	km->converged = conv;
	for (i = 0; i < km->k * model->n_design; i++)
		if (!isfinite(km->centers[i]))
			return 0;
	return 1;
}

/* Writes PCA's part of the body. */
static void
write_pca(MmBuffer *w, const MmModel *model)
{
	const MmPCA *pc = &model->pca;
	int			i;

	put_u32(w, (uint32_t) pc->n_components);
	for (i = 0; i < model->n_design; i++)
		put_f64(w, pc->mean[i]);
	for (i = 0; i < pc->n_components * model->n_design; i++)
		put_f64(w, pc->components[i]);
	for (i = 0; i < pc->n_components; i++)
		put_f64(w, pc->explained_variance[i]);
	for (i = 0; i < pc->n_components; i++)
		put_f64(w, pc->explained_variance_ratio[i]);
}

/* Reads and checks PCA's part of the body. */
static int
read_pca(Reader *r, MmModel *model)
{
	MmPCA	   *pc = &model->pca;
	int			n = model->n_design;
	uint32_t	nc = get_u32(r);
	int			i;

	if (r->failed || nc < 1 || nc > (uint32_t) n)
		return 0;
	pc->n_components = (int) nc;
	pc->mean = get_f64_array(r, n);
	pc->components = get_f64_array(r, pc->n_components * n);
	pc->explained_variance = get_f64_array(r, pc->n_components);
	pc->explained_variance_ratio = get_f64_array(r, pc->n_components);
	if (r->failed)
		return 0;
	for (i = 0; i < n; i++)
		if (!isfinite(pc->mean[i]))
			return 0;
	for (i = 0; i < pc->n_components * n; i++)
		if (!isfinite(pc->components[i]))
			return 0;
	for (i = 0; i < pc->n_components; i++)
		if (!(pc->explained_variance[i] >= 0.0) || !isfinite(pc->explained_variance[i]) ||
			!(pc->explained_variance_ratio[i] >= 0.0) || !(pc->explained_variance_ratio[i] <= 1.0))
			return 0;
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
				rc;

	copy.n_design = mm_model_design_width(given);
	put_u32(&body, (uint32_t) model->task);
	put_u32(&body, (uint32_t) model->n_features);
	for (i = 0; i < model->n_features; i++)
	{
		put_str(&body, model->feature_names[i]);
		put_u8(&body, model->feature_kinds[i]);
	}
	put_u8(&body, model->target != NULL);
	if (model->target != NULL)
		put_str(&body, model->target);
	write_categories(&body, model);
	write_transform(&body, model);
	switch (model->algorithm)
	{
		case MM_ALGO_LINEAR_REGRESSION:
			write_linear(&body, model);
			break;
		case MM_ALGO_LOGISTIC_REGRESSION:
		case MM_ALGO_LINEAR_SVM:
			write_classifier(&body, model);
			break;
		case MM_ALGO_KMEANS:
			write_kmeans(&body, model);
			break;
		case MM_ALGO_PCA:
			write_pca(&body, model);
			break;
	}
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
	buf[4] = MM_ARTIFACT_FORMAT & 0xff;
	buf[5] = MM_ARTIFACT_FORMAT >> 8;
	buf[6] = (uint8_t) (model->algorithm & 0xff);
	buf[7] = (uint8_t) (model->algorithm >> 8);
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
	if (format < 1 || format > MM_ARTIFACT_FORMAT)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "format version %u is not supported (this build reads versions 1 to %d)",
					   format, MM_ARTIFACT_FORMAT);
	if ((size_t) z_len != len - MM_ARTIFACT_HEADER)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "it is %zu bytes long but its header says %u",
					   len, z_len + MM_ARTIFACT_HEADER);
	crc = (uint32_t) crc32(0L, data, 20);
	crc = (uint32_t) crc32(crc, data + MM_ARTIFACT_HEADER, (uInt) z_len);
	if (crc != read_le32(data + 20))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "the checksum does not match");
	if (flags != 0 || algorithm < 1 || algorithm > MM_ALGO_LAST ||
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
	model->algorithm = (MmAlgorithm) algorithm;
	part = "task or feature count";
	task = get_u32(&r);
	nfeat = get_u32(&r);
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
			model->feature_kinds[i] = get_u8(&r);
			ok = !r.failed && (model->feature_kinds[i] == MM_FEATURE_NUMERIC ||
							   model->feature_kinds[i] == MM_FEATURE_BOOLEAN ||
							   (format >= 2 && model->feature_kinds[i] == MM_FEATURE_CATEGORICAL));
		}
	}
	if (ok)
	{
		uint8_t		has_target;

		part = "target";
		has_target = get_u8(&r);

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
		switch (model->algorithm)
		{
			case MM_ALGO_LINEAR_REGRESSION:
				ok = model->task == MM_TASK_REGRESSION && read_linear(&r, model);
				break;
			case MM_ALGO_LOGISTIC_REGRESSION:
			case MM_ALGO_LINEAR_SVM:
				ok = model->task == MM_TASK_CLASSIFICATION && format >= 2 &&
					read_classifier(&r, model);
				break;
			case MM_ALGO_KMEANS:
				ok = model->task == MM_TASK_CLUSTERING && format >= 2 && read_kmeans(&r, model);
				break;
			case MM_ALGO_PCA:
				ok = model->task == MM_TASK_DECOMPOSITION && format >= 2 && read_pca(&r, model);
				break;
		}
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
