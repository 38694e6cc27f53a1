/*
 * test_svm_primal.c: the squared-hinge SVM by Newton steps over passes
 * (svm_primal.h).
 *
 * The reference is the dual coordinate descent of svm.c on the same
 * problem: both must reach its one optimum, where the primal gradient
 * vanishes.  The passes must give the same fit however the rows are split
 * and ordered: in memory, over blocks merged in other orders, and through
 * the aggregate's pass states (passstate.h), found again by the table.
 */
#include "testutil.h"

#include <string.h>

#include "model.h"
#include "passstate.h"
#include "rowhash.h"
#include "svm.h"
#include "svm_pass.h"
#include "svm_primal.h"

typedef struct Data
{
	int			n,
				p,
				k;
	double	   *x;
	int32_t    *y;
} Data;

/* n rows of p features in k overlapping classes, each class shifted along its own column. */
static Data
make_data(int n, int p, int k, uint64_t seed)
{
	Data		d;
	int			i,
				j;

	d.n = n;
	d.p = p;
	d.k = k;
	d.x = malloc(sizeof(double) * n * p);
	d.y = malloc(sizeof(int32_t) * n);
	for (i = 0; i < n; i++)
	{
		/* unequal classes, so that weights matter */
		d.y[i] = (int32_t) (test_uniform(&seed) < 0.3 ? 0 : 1 + (i % (k - 1)));
		for (j = 0; j < p; j++)
			d.x[i * p + j] = 3.0 * test_uniform(&seed) + (j % k == d.y[i] ? 1.2 : 0.0) + j;
	}
	return d;
}

static void
free_data(Data *d)
{
	free(d->x);
	free(d->y);
}

static MmSvmOptions
options(double C, int balanced)
{
	MmSvmOptions o;

	memset(&o, 0, sizeof(o));
	o.C = C;
	o.squared_hinge = 1;
	o.fit_intercept = 1;
	o.balanced = balanced;
	o.max_iter = 100;
	o.tol = 1e-12;
	o.seed = 1;
	return o;
}

static void
free_classifier(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
	memset(c, 0, sizeof(*c));
}

static MmErrorCode
fit_source(MmDataSource *src, int k, const MmSvmOptions *o, MmClassifier *c, MmError *err)
{
	memset(c, 0, sizeof(*c));
	return mm_svm_primal_fit(src, k, o, c, err);
}

static MmErrorCode
fit_memory(const Data *d, const MmSvmOptions *o, MmClassifier *c, MmError *err)
{
	MmRows		rows = {(size_t) d->n, d->p, d->x, d->y, NULL};
	MmDataSource src;

	mm_memory_source(&src, &rows);
	return fit_source(&src, d->k, o, c, err);
}

/* |gradient| of a problem's objective at its coefficients, relative to |w|. */
static double
relative_gradient(const Data *d, const MmClassifier *c, int r, int positive, const double *row_c)
{
	int			p = d->p,
				i,
				j;
	double	   *g = calloc((size_t) p + 1, sizeof(double));
	double		gn = 0.0,
				wn = 0.0;

	for (j = 0; j < p; j++)
		g[j] = c->coef[r * p + j];
	g[p] = c->intercept[r];
	for (j = 0; j <= p; j++)
		wn += g[j] * g[j];
	for (i = 0; i < d->n; i++)
	{
		double		sign = d->y[i] == positive ? 1.0 : -1.0,
					z = c->intercept[r],
					q;

		for (j = 0; j < p; j++)
			z += c->coef[r * p + j] * d->x[i * p + j];
		q = 1.0 - sign * z;
		if (q <= 0.0)
			continue;
		for (j = 0; j < p; j++)
			g[j] -= 2.0 * row_c[d->y[i]] * q * sign * d->x[i * p + j];
		g[p] -= 2.0 * row_c[d->y[i]] * q * sign;
	}
	for (j = 0; j <= p; j++)
		gn += g[j] * g[j];
	free(g);
	return sqrt(gn / wn);
}

static void
assert_same_fit(const MmClassifier *a, const MmClassifier *b, int p, double rtol)
{
	int			r,
				j;

	assert_int_equal(a->n_rows, b->n_rows);
	for (r = 0; r < a->n_rows; r++)
	{
		assert_close(a->intercept[r], b->intercept[r], rtol);
		for (j = 0; j < p; j++)
			assert_close(a->coef[r * p + j], b->coef[r * p + j], rtol);
	}
}

/* Binary and three classes, weighted or not: the dual's optimum, the gradient zero. */
static void
test_primal_matches_dual(void **unused)
{
	const int	ks[2] = {2, 3};
	int			t,
				balanced;

	for (t = 0; t < 2; t++)
		for (balanced = 0; balanced < 2; balanced++)
		{
			Data		d = make_data(400, 3, ks[t], 11 + t);
			MmSvmOptions o = options(0.7, balanced);
			MmClassifier primal,
						dual;
			MmError		err;
			double		row_c[3],
						count[3] = {0, 0, 0};
			int			r,
						i;

			assert_int_equal(fit_memory(&d, &o, &primal, &err), MM_OK);
			assert_true(primal.converged);
			assert_true(primal.n_iter >= 2 && primal.n_iter < 30);
			assert_int_equal(primal.variant, 1);
			o.max_iter = 100000;
			o.tol = 1e-9;
			memset(&dual, 0, sizeof(dual));
			assert_int_equal(mm_svm_fit(d.x, d.y, d.n, d.p, d.k, &o, &dual, &err), MM_OK);
			assert_true(dual.converged);
			assert_same_fit(&primal, &dual, d.p, 1e-7);
			for (i = 0; i < d.n; i++)
				count[d.y[i]] += 1;
			for (i = 0; i < d.k; i++)
				row_c[i] = o.C * (balanced ? d.n / (d.k * count[i]) : 1.0);
			for (r = 0; r < primal.n_rows; r++)
				assert_true(relative_gradient(&d, &primal, r, primal.n_rows == 1 ? 1 : r, row_c) < 1e-9);
			free_classifier(&primal);
			free_classifier(&dual);
			free_data(&d);
		}
}

/*
 * A source over the rows in the order perm gives, in blocks of block rows,
 * each block its own state, merged last to first: another split and
 * another order of addition than the memory source's.
 */
typedef struct Blocks
{
	const Data *d;
	const int  *perm;
	int			block;
} Blocks;

static MmErrorCode
blocks_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	const Blocks *b = self->impl;
	const Data *d = b->d;
	size_t		size = pass->state_size(d->p, arg);
	int			nb = (d->n + b->block - 1) / b->block,
				k,
				i;
	char	   *states = malloc(size * nb);
	double	   *x = malloc(sizeof(double) * b->block * d->p);
	int32_t    *y = malloc(sizeof(int32_t) * b->block);

	for (k = 0; k < nb; k++)
	{
		MmRows		rows;
		int			n = 0;

		for (i = k * b->block; i < d->n && i < (k + 1) * b->block; i++, n++)
		{
			memcpy(x + n * d->p, d->x + b->perm[i] * d->p, sizeof(double) * d->p);
			y[n] = d->y[b->perm[i]];
		}
		rows.n = (size_t) n;
		rows.p = d->p;
		rows.x = x;
		rows.y = y;
		rows.t = NULL;
		pass->init(states + k * size, d->p, arg);
		pass->add(states + k * size, &rows, arg);
	}
	for (k = nb - 2; k >= 0; k--)
		pass->merge(states + (nb - 1) * size, states + k * size, d->p, arg);
	memcpy(state, states + (nb - 1) * size, size);
	free(states);
	free(x);
	free(y);
	return MM_OK;
}

static void
blocks_source(MmDataSource *src, Blocks *b)
{
	memset(src, 0, sizeof(*src));
	src->p = b->d->p;
	src->n_rows = (size_t) b->d->n;
	src->run = blocks_run;
	src->impl = b;
}

/*
 * The pass through the aggregate's states: the rows split in three parts,
 * the class index as the numeric target, merged as a tree, the pass found
 * again from the linear SVM's artifact id and its index.
 */
static MmErrorCode
states_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	const Data *d = self->impl;
	const int	cuts[4] = {0, d->n / 3, d->n / 3 + 1, d->n};
	int			svm = ARTIFACT_ID("linear_svm"),
				found = -1,
				index = mm_pass_index(svm, pass, &found),
				part,
				i;
	size_t		arg_len = pass->arg_size(d->p, arg, SIZE_MAX);
	MmPassSpec *spec = malloc(mm_pass_spec_size(arg_len));
	void	   *parts[3];
	size_t		len;
	MmPassStateView v;

	assert_int_equal(found, svm);
	assert_true(mm_pass_find(svm, index) == pass);
	mm_pass_spec_write(spec, svm, index, d->p, MM_PASS_TARGET_NUMERIC, 0.0, mm_seed_salt(1), arg,
					   arg_len);
	assert_int_equal(mm_pass_spec_check(spec, mm_pass_spec_size(arg_len), err), MM_OK);
	len = mm_pass_state_size(spec, pass, err);
	assert_true(len > 0);
	for (part = 0; part < 3; part++)
	{
		parts[part] = malloc(len);
		mm_pass_state_init(parts[part], spec, pass);
		mm_pass_state_view(parts[part], &v);
		for (i = cuts[part]; i < cuts[part + 1]; i++)
			mm_pass_state_add(&v, pass, d->x + i * d->p, NULL, (double) d->y[i], 0);
	}
	assert_int_equal(mm_pass_state_merge(parts[1], parts[2], pass, err), MM_OK);
	assert_int_equal(mm_pass_state_merge(parts[0], parts[1], pass, err), MM_OK);
	assert_int_equal(mm_pass_state_check(parts[0], len, pass, 1, err), MM_OK);
	mm_pass_state_view(parts[0], &v);
	mm_pass_state_finish(&v, pass);
	assert_int_equal(v.head->rows_train, d->n);
	memcpy(state, v.pass_state, pass->state_size(d->p, arg));
	for (part = 0; part < 3; part++)
		free(parts[part]);
	free(spec);
	return MM_OK;
}

/* The same fit in memory (one and four threads), over reordered blocks and through pass states. */
static void
test_splits_and_orders(void **unused)
{
	const int	ks[2] = {2, 4};
	int			t;

	for (t = 0; t < 2; t++)
	{
		Data		d = make_data(500, 4, ks[t], 3 + t);
		MmSvmOptions o = options(2.0, t);
		MmClassifier ref,
					other;
		MmError		err;
		int		   *perm = malloc(sizeof(int) * d.n);
		int			i,
					v;

		for (i = 0; i < d.n; i++)
			perm[i] = d.n - 1 - i;
		mm_set_threads(1);
		assert_int_equal(fit_memory(&d, &o, &ref, &err), MM_OK);
		assert_true(ref.converged);
		mm_set_threads(4);
		assert_int_equal(fit_memory(&d, &o, &other, &err), MM_OK);
		assert_same_fit(&ref, &other, d.p, 0.0);
		free_classifier(&other);
		for (v = 0; v < 2; v++)
		{
			Blocks		b = {&d, perm, v == 0 ? 7 : 128};
			MmDataSource src;

			if (v == 1)
			{
				/* a shuffle rather than the reversal */
				uint64_t	s = 77;

				for (i = d.n - 1; i > 0; i--)
				{
					int			j = (int) (test_uniform(&s) * (i + 1));
					int			tmp = perm[i];

					perm[i] = perm[j];
					perm[j] = tmp;
				}
			}
			blocks_source(&src, &b);
			assert_int_equal(fit_source(&src, d.k, &o, &other, &err), MM_OK);
			assert_same_fit(&ref, &other, d.p, 1e-9);
			free_classifier(&other);
		}
		{
			MmDataSource src;

			memset(&src, 0, sizeof(src));
			src.p = d.p;
			src.n_rows = (size_t) d.n;
			src.run = states_run;
			src.impl = &d;
			assert_int_equal(fit_source(&src, d.k, &o, &other, &err), MM_OK);
			assert_same_fit(&ref, &other, d.p, 1e-9);
			free_classifier(&other);
		}
		mm_set_threads(1);
		free(perm);
		free_classifier(&ref);
		free_data(&d);
	}
}

/* Stopping at max_iter says so in the record; a looser tol stops sooner, converged. */
static void
test_not_converged(void **unused)
{
	Data		d = make_data(300, 3, 3, 9);
	MmSvmOptions o = options(10.0, 0);
	MmClassifier c;
	MmError		err;

	o.max_iter = 1;
	assert_int_equal(fit_memory(&d, &o, &c, &err), MM_OK);
	assert_false(c.converged);
	assert_int_equal(c.n_iter, 1);
	assert_int_equal(c.max_iter, 1);
	free_classifier(&c);
	o.max_iter = 100;
	o.tol = 1e-4;
	assert_int_equal(fit_memory(&d, &o, &c, &err), MM_OK);
	assert_true(c.converged);
	assert_true(c.n_iter >= 1 && c.n_iter <= 100);
	free_classifier(&c);
	free_data(&d);
}

/* Rows without a class, a class without rows and one class are errors. */
static void
test_refusals(void **unused)
{
	Data		d = make_data(50, 2, 3, 4);
	MmSvmOptions o = options(1.0, 0);
	MmRows		rows = {(size_t) d.n, d.p, d.x, NULL, NULL};
	MmDataSource src;
	MmClassifier c;
	MmError		err;
	int			i;

	mm_memory_source(&src, &rows);
	assert_int_equal(fit_source(&src, 3, &o, &c, &err), MM_ERR_INVALID_INPUT);
	free_classifier(&c);
	for (i = 0; i < d.n; i++)
		if (d.y[i] == 2)
			d.y[i] = 1;
	assert_int_equal(fit_memory(&d, &o, &c, &err), MM_ERR_INVALID_INPUT);
	assert_int_equal(err.item, 2);
	free_classifier(&c);
	d.k = 1;
	assert_int_equal(fit_memory(&d, &o, &c, &err), MM_ERR_CONSTANT_TARGET);
	free_classifier(&c);
	free_data(&d);
}

/* A source over rows in memory that counts the passes it runs. */
typedef struct PassCount
{
	MmDataSource inner;
	int			passes;
} PassCount;

static MmErrorCode
pass_count_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	PassCount  *c = self->impl;

	c->passes++;
	return c->inner.run(&c->inner, pass, arg, state, err);
}

/*
 * Balanced weights need the rows per class before the first step: a
 * source that counted them (a relation's, as its labels were found) spares
 * the counting pass, and the fit is the one that counts them, to the bit;
 * a class the source has no rows of is refused as the pass refuses it.
 */
static void
test_known_class_rows(void **unused)
{
	Data		d = make_data(900, 3, 3, 17);
	MmRows		rows = {(size_t) d.n, d.p, d.x, d.y, NULL};
	MmSvmOptions o = options(0.7, 1);
	int64_t		class_rows[3] = {0, 0, 0};
	PassCount	c;
	MmDataSource src;
	MmClassifier counted,
				known;
	MmError		err;
	int			i,
				passes;

	for (i = 0; i < d.n; i++)
		class_rows[d.y[i]]++;
	memset(&c, 0, sizeof(c));
	mm_memory_source(&c.inner, &rows);
	src = c.inner;
	src.run = pass_count_run;
	src.impl = &c;
	assert_int_equal(fit_source(&src, d.k, &o, &counted, &err), MM_OK);
	passes = c.passes;

	c.passes = 0;
	src.class_rows = class_rows;
	src.n_classes = d.k;
	assert_int_equal(fit_source(&src, d.k, &o, &known, &err), MM_OK);
	assert_int_equal(c.passes, passes - 1);
	assert_memory_equal(known.coef, counted.coef, sizeof(double) * known.n_rows * d.p);
	assert_memory_equal(known.intercept, counted.intercept, sizeof(double) * known.n_rows);
	free_classifier(&known);
	free_classifier(&counted);

	class_rows[2] = 0;
	assert_int_equal(fit_source(&src, d.k, &o, &known, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "class 2 has no training rows"));
	free_data(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primal_matches_dual),
		cmocka_unit_test(test_splits_and_orders),
		cmocka_unit_test(test_not_converged),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_known_class_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
