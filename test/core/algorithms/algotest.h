/*
 * algotest.h: what the tests of the algorithm tables share.  Rows drawn in
 * memory, a fit context over them, the model shell a trainer fills before
 * calling fit, a source that holds no rows, and the whole model a fitted
 * shell becomes, which the artifact and the document must carry so that it
 * predicts the same bits once read back.
 */
#ifndef MM_ALGOTEST_H
#define MM_ALGOTEST_H

#include "testutil.h"

#include <string.h>

#include "artifact.h"
#include "document.h"

/* n rows of p uniform features, a numeric target and k classes (from the first feature). */
typedef struct Data
{
	size_t		n;
	int			p;
	double	   *x;
	double	   *t;
	int32_t    *y;
	MmRows		rows;
} Data;

static inline Data
make_data(size_t n, int p, int k, uint64_t seed)
{
	Data		d;
	MmRandom	r = mm_random(seed);
	size_t		i;
	int			j;

	d.n = n;
	d.p = p;
	d.x = malloc(sizeof(double) * n * p);
	d.t = malloc(sizeof(double) * n);
	d.y = malloc(sizeof(int32_t) * n);
	for (i = 0; i < n; i++)
	{
		double		s = 0.0;

		for (j = 0; j < p; j++)
		{
			d.x[i * p + j] = mm_random_uniform(&r) * 4.0 - 2.0;
			s += (j + 1) * d.x[i * p + j];
		}
		d.t[i] = s + mm_random_uniform(&r);
		/* classes overlap, so that every fit has a finite optimum */
		d.y[i] = (int32_t) ((d.x[i * p] + 2.0 + mm_random_uniform(&r)) / 5.0 * k);
		if (d.y[i] >= k)
			d.y[i] = k - 1;
	}
	d.rows.n = n;
	d.rows.p = p;
	d.rows.x = d.x;
	d.rows.y = d.y;
	d.rows.t = d.t;
	return d;
}

static inline void
free_data(Data *d)
{
	free(d->x);
	free(d->t);
	free(d->y);
}

/* A context over the rows with the algorithm's default params. */
static inline void
context(MmFitContext *ctx, MmDataSource *src, MmParams *params, const MmAlgorithm *a, Data *d,
		int k)
{
	memset(ctx, 0, sizeof(*ctx));
	mm_memory_source(src, &d->rows);
	mm_params_defaults(a, params);
	ctx->data = src;
	ctx->params = params;
	ctx->seed = 42;
	ctx->n_classes = k;
}

/* A model shell as a trainer fills it before calling fit. */
static inline MmModel
shell(const MmAlgorithm *a, int p)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = a;
	m.task = a->task;
	m.n_features = p;
	m.n_design = p;
	return m;
}

static inline int
same(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, sizeof(double) * n) == 0;
}

/* The arrays a classifier fit allocates, for a reference fit the test made itself. */
static inline void
free_classifier(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
}

/* A source that runs passes elsewhere and holds no rows. */
static inline MmErrorCode
no_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	return mm_fail(err, MM_ERR_UNSUPPORTED, -1, "no passes here");
}

/*
 * An algorithm that needs the rows in memory refuses a source that only
 * runs passes elsewhere (a relation's aggregate), saying so.
 */
static inline void
assert_fit_needs_rows(const char *name)
{
	const MmAlgorithm *a = ALGO(name);
	MmDataSource src;
	MmFitContext ctx;
	MmParams	params;
	MmModel		m = shell(a, 2);
	MmError		err;

	memset(&src, 0, sizeof(src));
	src.p = 2;
	src.n_rows = 10;
	src.run = no_run;
	memset(&ctx, 0, sizeof(ctx));
	mm_params_defaults(a, &params);
	ctx.data = &src;
	ctx.params = &params;
	ctx.n_classes = 2;
	assert_int_equal(a->fit(&ctx, &m, &err), MM_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.message, "in memory"));
	if (m.fit)
		a->free(m.fit);
}

/*
 * The fitted shell as training leaves a whole model: named numeric
 * features, a target for supervised tasks, and for a classifier the labels
 * 0 .. n_classes - 1 as numbers.  The model takes the shell's payload; free
 * it with mm_model_free.
 */
static inline MmModel *
whole_model(const MmModel *fitted, int n_classes)
{
	MmModel    *m = mm_alloc0(sizeof(MmModel));
	int			j;

	*m = *fitted;
	m->feature_names = mm_alloc(sizeof(char *) * m->n_features);
	m->feature_kinds = mm_alloc(m->n_features);
	for (j = 0; j < m->n_features; j++)
	{
		char		name[16];

		snprintf(name, sizeof(name), "x%d", j + 1);
		m->feature_names[j] = mm_strdup(name);
		m->feature_kinds[j] = MM_FEATURE_NUMERIC;
	}
	if (m->task == MM_TASK_REGRESSION || m->task == MM_TASK_CLASSIFICATION)
		m->target = mm_strdup("y");
	if (n_classes > 0)
	{
		m->labels.n_classes = n_classes;
		m->labels.label_kind = MM_LABEL_NUMBER;
		m->labels.classes = mm_alloc(sizeof(char *) * n_classes);
		m->labels.class_values = mm_alloc(sizeof(double) * n_classes);
		for (j = 0; j < n_classes; j++)
		{
			char		label[16];

			snprintf(label, sizeof(label), "%d", j);
			m->labels.classes[j] = mm_strdup(label);
			m->labels.class_values[j] = j;
		}
	}
	return m;
}

/*
 * What the table's operations give for one design row, each as the bits
 * of its doubles: the scores, the prediction, the probabilities and the
 * coordinates where the algorithm has them.
 */
static inline void
assert_same_predictions(const MmModel *a, const MmModel *b, const double *z)
{
	double		sa[MM_MAX_CLASSES],
				sb[MM_MAX_CLASSES],
				pa,
				pb;
	int			n = mm_model_n_scores(a);

	assert_int_equal(mm_model_n_scores(b), n);
	mm_model_scores(a, z, sa);
	mm_model_scores(b, z, sb);
	assert_true(same(sa, sb, n));
	pa = mm_model_decide(a, sa);
	pb = mm_model_decide(b, sb);
	assert_true(same(&pa, &pb, 1));
	pa = mm_model_predict(a, z);
	pb = mm_model_predict(b, z);
	assert_true(same(&pa, &pb, 1));
	assert_int_equal(mm_model_has_proba(b), mm_model_has_proba(a));
	if (mm_model_has_proba(a))
	{
		assert_int_equal(mm_model_proba(a, sa, sa), a->labels.n_classes);
		assert_int_equal(mm_model_proba(b, sb, sb), a->labels.n_classes);
		assert_true(same(sa, sb, a->labels.n_classes));
	}
	n = mm_model_n_coordinates(a);
	assert_int_equal(mm_model_n_coordinates(b), n);
	if (n > 0)
	{
		assert_int_equal(mm_model_project(a, z, sa), n);
		assert_int_equal(mm_model_project(b, z, sb), n);
		assert_true(same(sa, sb, n));
	}
}

/*
 * A fitted model through the table's codecs: the artifact reads back to a
 * model that writes the same bytes and predicts every row of d the same,
 * bit for bit; the document reads back to a model that writes the same
 * artifact.
 */
static inline void
assert_codecs_carry(const MmModel *model, const Data *d)
{
	MmModel    *back = NULL,
			   *from_doc = NULL;
	uint8_t    *bytes,
			   *again;
	size_t		len,
				len2,
				i;
	char	   *doc;
	MmError		err;

	assert_int_equal(mm_artifact_write(model, &bytes, &len, &err), MM_OK);
	assert_int_equal(mm_artifact_read(bytes, len, &back, &err), MM_OK);
	assert_ptr_equal(back->algorithm, model->algorithm);
	assert_int_equal(back->task, model->task);
	assert_int_equal(mm_artifact_write(back, &again, &len2, &err), MM_OK);
	assert_int_equal(len2, len);
	assert_memory_equal(again, bytes, len);
	mm_free(again);
	for (i = 0; i < d->n; i++)
		assert_same_predictions(model, back, d->x + i * d->p);

	assert_int_equal(mm_document_write(model, NULL, &doc, &err), MM_OK);
	assert_int_equal(mm_document_read(doc, strlen(doc), &from_doc, NULL, &err), MM_OK);
	assert_int_equal(mm_artifact_write(from_doc, &again, &len2, &err), MM_OK);
	assert_int_equal(len2, len);
	assert_memory_equal(again, bytes, len);
	mm_free(again);
	mm_free(doc);
	mm_free(bytes);
	mm_model_free(from_doc);
	mm_model_free(back);
}

#endif							/* MM_ALGOTEST_H */
