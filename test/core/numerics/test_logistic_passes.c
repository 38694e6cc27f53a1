/*
 * test_logistic_passes.c: logistic regression's passes (logistic_passes.h)
 * and the Newton iteration that drives them (logistic.h).
 *
 * The same rows fitted through sources that split them differently must
 * give the same coefficients to 1e-9: the source in memory over the rows in
 * two orders, a source that runs each pass over uneven parts merged
 * forwards, backwards or as a tree, and one that runs each pass as the
 * aggregate over a relation does (passstate.h: the pass found again from
 * its header, rows offered one by one with their class as a number, states
 * merged from bytes).  Fits large enough to take their first steps on
 * sampled passes agree so too, and with the same rows fitted without them.
 * Damaged args and states are refused before use.
 */
#include "testutil.h"

#include <string.h>

#include "logistic.h"
#include "logistic_passes.h"
#include "passstate.h"
#include "rowhash.h"

#define P 4
#define TOLERANCE 1e-9

/* Rows of P features in k overlapping clusters (class = cluster), and their classes as numbers. */
typedef struct Rows
{
	int			n;
	double	   *x;
	int32_t    *y;
	double	   *t;
} Rows;

static Rows
make_rows(int n, int k, uint64_t seed)
{
	Rows		d;
	uint64_t	s = seed;
	int			i,
				j;

	d.n = n;
	d.x = malloc(sizeof(double) * n * P);
	d.y = malloc(sizeof(int32_t) * n);
	d.t = malloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		d.y[i] = (int32_t) (test_uniform(&s) * k);
		if (d.y[i] >= k)
			d.y[i] = k - 1;
		d.t[i] = d.y[i];
		for (j = 0; j < P; j++)
			d.x[i * P + j] = (test_uniform(&s) - 0.5) * 4.0 + (j % k == d.y[i] ? 1.0 : 0.0) + 0.5 * j;
	}
	return d;
}

/* The same rows in reverse order. */
static Rows
reversed(const Rows *d)
{
	Rows		r;
	int			i;

	r.n = d->n;
	r.x = malloc(sizeof(double) * d->n * P);
	r.y = malloc(sizeof(int32_t) * d->n);
	r.t = malloc(sizeof(double) * d->n);
	for (i = 0; i < d->n; i++)
	{
		memcpy(r.x + (size_t) i * P, d->x + (size_t) (d->n - 1 - i) * P, sizeof(double) * P);
		r.y[i] = d->y[d->n - 1 - i];
		r.t[i] = d->t[d->n - 1 - i];
	}
	return r;
}

static void
free_rows(Rows *d)
{
	free(d->x);
	free(d->y);
	free(d->t);
}

/* ---------------------------------------------------------------- sources */

/* How a split source merges its parts' states. */
typedef enum Order
{
	FORWARDS,
	BACKWARDS,
	TREE
} Order;

#define PARTS 5

/* A source over rows cut into PARTS uneven parts, each pass run part by part and merged in an order. */
typedef struct Split
{
	const Rows *rows;
	Order		order;
	int			as_relation;	/* run each part as the relation's aggregate does */
} Split;

/* The cut points of the parts: uneven, one of them empty. */
static int
cut(const Rows *d, int i)
{
	static const double at[PARTS + 1] = {0.0, 0.13, 0.13, 0.5, 0.77, 1.0};

	return (int) (at[i] * d->n);
}

/* One part's state of pass, run directly through the pass's functions. */
static void *
part_state(const Split *s, const MmPass *pass, const void *arg, int part)
{
	const Rows *d = s->rows;
	size_t		size = pass->state_size(P, arg);
	void	   *state = malloc(size);
	MmRows		rows;
	int			from = cut(d, part),
				to = cut(d, part + 1);

	pass->init(state, P, arg);
	rows.n = (size_t) (to - from);
	rows.p = P;
	rows.x = d->x + (size_t) from * P;
	rows.y = d->y + from;
	rows.t = NULL;
	/* in uneven blocks, as a relation's rows might arrive */
	while (rows.n > 0)
	{
		MmRows		block = rows;

		block.n = rows.n < 37 ? rows.n : 37;
		pass->add(state, &block, arg);
		rows.n -= block.n;
		rows.x += block.n * P;
		rows.y += block.n;
	}
	return state;
}

/* One part's pass state as the aggregate builds it: header, rows offered one by one with numeric classes. */
static void *
part_aggregate(const Split *s, const MmPass *pass, const void *arg, int part, size_t *len)
{
	const Rows *d = s->rows;
	int			found_id;
	int			index = mm_pass_index(ARTIFACT_ID("logistic_regression"), pass, &found_id);
	size_t		arg_len = pass->arg_size(P, arg, SIZE_MAX);
	MmPassSpec *spec = malloc(mm_pass_spec_size(arg_len));
	void	   *state;
	MmPassStateView v;
	MmError		err;
	int			i;

	assert_true(index >= 0);
	assert_int_equal(found_id, ARTIFACT_ID("logistic_regression"));
	/* the pass is found again from the two numbers its header carries */
	assert_ptr_equal(mm_pass_find(found_id, index), pass);
	mm_pass_spec_write(spec, found_id, index, P, MM_PASS_TARGET_NUMERIC, 0.0, mm_seed_salt(0), arg, arg_len);
	assert_int_equal(mm_pass_spec_check(spec, mm_pass_spec_size(arg_len), &err), MM_OK);
	*len = mm_pass_state_size(spec, pass, &err);
	assert_true(*len > 0);
	state = malloc(*len);
	mm_pass_state_init(state, spec, pass);
	free(spec);
	mm_pass_state_view(state, &v);
	for (i = cut(d, part); i < cut(d, part + 1); i++)
		mm_pass_state_add(&v, pass, d->x + (size_t) i * P, NULL, d->t[i], 0);
	return state;
}

/* Merges states into one of them in the split's order; returns the one holding the result. */
static void *
merge_all(const Split *s, const MmPass *pass, const void *arg, void **states, size_t len)
{
	int			into = s->order == BACKWARDS ? PARTS - 1 : 0;
	int			k;
	MmError		err;

#define MERGE(a, b) \
	do { \
		if (s->as_relation) \
		{ \
			assert_int_equal(mm_pass_state_check(states[b], len, pass, 1, &err), MM_OK); \
			assert_int_equal(mm_pass_state_merge(states[a], states[b], pass, &err), MM_OK); \
		} \
		else \
			pass->merge(states[a], states[b], P, arg); \
	} while (0)

	if (s->order == FORWARDS)
		for (k = 1; k < PARTS; k++)
			MERGE(0, k);
	else if (s->order == BACKWARDS)
		for (k = PARTS - 2; k >= 0; k--)
			MERGE(PARTS - 1, k);
	else
	{
		MERGE(0, 1);
		MERGE(2, 3);
		MERGE(2, 4);
		MERGE(0, 2);
	}
#undef MERGE
	return states[into];
}

static MmErrorCode
split_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	const Split *s = self->impl;
	void	   *states[PARTS];
	void	   *result;
	size_t		len = 0;
	int			k;

	for (k = 0; k < PARTS; k++)
		states[k] = s->as_relation ? part_aggregate(s, pass, arg, k, &len) : part_state(s, pass, arg, k);
	result = merge_all(s, pass, arg, states, len);
	if (s->as_relation)
	{
		MmPassStateView v;

		assert_int_equal(mm_pass_state_check(result, len, pass, 1, err), MM_OK);
		mm_pass_state_view(result, &v);
		mm_pass_state_finish(&v, pass);
		memcpy(state, v.pass_state, pass->state_size(P, arg));
	}
	else
		memcpy(state, result, pass->state_size(P, arg));
	for (k = 0; k < PARTS; k++)
		free(states[k]);
	return MM_OK;
}

static void
split_source(MmDataSource *src, Split *s)
{
	memset(src, 0, sizeof(*src));
	src->p = P;
	src->n_rows = (size_t) s->rows->n;
	src->run = split_run;
	src->impl = s;
}

/* ---------------------------------------------------------------- fits */

static MmLogisticOptions
options(double alpha, int balanced)
{
	MmLogisticOptions o;

	memset(&o, 0, sizeof(o));
	o.alpha = alpha;
	o.fit_intercept = 1;
	o.balanced = balanced;
	o.max_iter = 100;
	o.tol = 1e-4;
	return o;
}

static void
free_fit(MmClassifier *c)
{
	mm_free(c->intercept);
	mm_free(c->coef);
	mm_free(c->std_err);
	mm_free(c->stat);
	mm_free(c->p_value);
}

/* Two fits agree to TOLERANCE in every coefficient, and in their statistics where they have them. */
static void
assert_same_fit(const MmClassifier *a, const MmClassifier *b, int k)
{
	int			R = mm_logistic_rows(k),
				j;

	assert_int_equal(a->n_rows, b->n_rows);
	assert_int_equal(a->converged, b->converged);
	for (j = 0; j < R; j++)
		assert_close(a->intercept[j], b->intercept[j], TOLERANCE);
	for (j = 0; j < R * P; j++)
		assert_close(a->coef[j], b->coef[j], TOLERANCE);
	for (j = 0; j < R * (P + 1); j++)
	{
		assert_int_equal(isnan(a->std_err[j]), isnan(b->std_err[j]));
		if (!isnan(a->std_err[j]))
			assert_close(a->std_err[j], b->std_err[j], TOLERANCE);
	}
}

/* Fits the rows through every source and order; all agree with the source in memory. */
static void
assert_fits_agree(int n, int k, double alpha, int balanced)
{
	Rows		d = make_rows(n, k, 17 + (uint64_t) k),
				back = reversed(&d);
	MmLogisticOptions o = options(alpha, balanced);
	MmClassifier want,
				got;
	MmRows		rows = {(size_t) n, P, d.x, d.y, NULL},
				back_rows = {(size_t) n, P, back.x, back.y, NULL};
	MmDataSource src;
	MmError		err;
	int			as_relation,
				order;

	memset(&want, 0, sizeof(want));
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_logistic_fit_source(&src, k, &o, &want, &err), MM_OK);
	assert_true(want.converged);

	/* the rows in reverse order, in memory */
	memset(&got, 0, sizeof(got));
	mm_memory_source(&src, &back_rows);
	assert_int_equal(mm_logistic_fit_source(&src, k, &o, &got, &err), MM_OK);
	assert_same_fit(&want, &got, k);
	free_fit(&got);

	for (as_relation = 0; as_relation <= 1; as_relation++)
		for (order = FORWARDS; order <= TREE; order++)
		{
			Split		s = {as_relation ? &d : &back, (Order) order, as_relation};

			memset(&got, 0, sizeof(got));
			split_source(&src, &s);
			assert_int_equal(mm_logistic_fit_source(&src, k, &o, &got, &err), MM_OK);
			assert_same_fit(&want, &got, k);
			free_fit(&got);
		}
	free_fit(&want);
	free_rows(&d);
	free_rows(&back);
}

static void
test_binary_agrees(void **state)
{
	assert_fits_agree(3000, 2, 1.0, 0);
	assert_fits_agree(3000, 2, 0.0, 0);
	assert_fits_agree(3000, 2, 0.01, 1);
}

static void
test_multinomial_agrees(void **state)
{
	assert_fits_agree(3000, 3, 1.0, 0);
	assert_fits_agree(3000, 4, 0.0, 0);
	assert_fits_agree(3000, 3, 0.1, 1);
}

/* Rows over several of the memory source's chunks, in two orders, on one thread and two. */
static void
test_chunks_agree(void **state)
{
	int			n = 2 * MM_CHUNK_ROWS + 1234;
	Rows		d = make_rows(n, 2, 5),
				back = reversed(&d);
	MmLogisticOptions o = options(0.5, 0);
	MmClassifier a,
				b,
				c;
	MmRows		rows = {(size_t) n, P, d.x, d.y, NULL},
				back_rows = {(size_t) n, P, back.x, back.y, NULL};
	MmDataSource src;
	MmError		err;
	int			threads = mm_threads();

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	mm_memory_source(&src, &rows);
	mm_set_threads(1);
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &a, &err), MM_OK);
	mm_set_threads(2);
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &b, &err), MM_OK);
	/* the source's result does not depend on its threads: the same bits */
	assert_memory_equal(a.coef, b.coef, sizeof(double) * P);
	assert_memory_equal(a.intercept, b.intercept, sizeof(double));
	mm_memory_source(&src, &back_rows);
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &c, &err), MM_OK);
	assert_same_fit(&a, &c, 2);
	mm_set_threads(threads);
	free_fit(&a);
	free_fit(&b);
	free_fit(&c);
	free_rows(&d);
	free_rows(&back);
}

/* A source over rows in memory that counts the sampled Newton passes it runs. */
typedef struct Counting
{
	MmDataSource inner;
	int			sampled;
} Counting;

static MmErrorCode
counting_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	Counting   *c = self->impl;

	if (pass == &mm_logistic_newton_pass && ((const double *) arg)[MM_LOGISTIC_ARG_FULL] == MM_LOGISTIC_PASS_SAMPLED)
		c->sampled++;
	return c->inner.run(&c->inner, pass, arg, state, err);
}

/*
 * Fits of enough rows take their first steps on sampled passes, and still
 * reach the optimum a fit without them reaches (one started at zero, as a
 * warm start skips the sample), in any order and through any source.
 */
static void
test_sampled_steps_agree(void **state)
{
	int			n = 300000;
	Rows		d = make_rows(n, 2, 23);
	MmRows		rows = {(size_t) n, P, d.x, d.y, NULL};
	double		zero[P + 1] = {0.0};
	Counting	c;
	MmDataSource src;
	MmLogisticOptions o = options(1.0, 0);
	MmClassifier sampled,
				whole;
	MmError		err;

	memset(&c, 0, sizeof(c));
	mm_memory_source(&c.inner, &rows);
	src = c.inner;
	src.run = counting_run;
	src.impl = &c;
	memset(&sampled, 0, sizeof(sampled));
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &sampled, &err), MM_OK);
	assert_true(c.sampled > 0);
	assert_true(sampled.converged);

	c.sampled = 0;
	o.start = zero;
	memset(&whole, 0, sizeof(whole));
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &whole, &err), MM_OK);
	assert_int_equal(c.sampled, 0);
	assert_same_fit(&sampled, &whole, 2);
	free_fit(&sampled);
	free_fit(&whole);
	free_rows(&d);

	assert_fits_agree(n, 2, 1.0, 0);
	assert_fits_agree(n, 2, 0.0, 0);
	assert_fits_agree(n, 3, 0.1, 1);
}

/* A source over rows in memory that counts the class-count passes it runs. */
typedef struct CountingCounts
{
	MmDataSource inner;
	int			passes;
} CountingCounts;

static MmErrorCode
counts_counting_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state,
					MmError *err)
{
	CountingCounts *c = self->impl;

	if (pass == &mm_logistic_counts_pass)
		c->passes++;
	return c->inner.run(&c->inner, pass, arg, state, err);
}

/*
 * A source that knows its rows per class (as a relation's does once its
 * labels are found) spares the fit its class-count pass, and the fit is
 * the one that counts them itself, to the bit; a class the source counted
 * no rows of is refused as the pass would refuse it.
 */
static void
test_known_class_rows(void **state)
{
	int			n = 3000,
				k = 3,
				i;
	Rows		d = make_rows(n, k, 41);
	MmRows		rows = {(size_t) n, P, d.x, d.y, NULL};
	int64_t		class_rows[3] = {0, 0, 0};
	CountingCounts c;
	MmDataSource src;
	MmLogisticOptions o = options(0.5, 1);
	MmClassifier known,
				counted;
	MmError		err;

	for (i = 0; i < n; i++)
		class_rows[d.y[i]]++;
	memset(&c, 0, sizeof(c));
	mm_memory_source(&c.inner, &rows);
	src = c.inner;
	src.run = counts_counting_run;
	src.impl = &c;
	memset(&counted, 0, sizeof(counted));
	assert_int_equal(mm_logistic_fit_source(&src, k, &o, &counted, &err), MM_OK);
	assert_int_equal(c.passes, 1);

	c.passes = 0;
	src.class_rows = class_rows;
	src.n_classes = k;
	memset(&known, 0, sizeof(known));
	assert_int_equal(mm_logistic_fit_source(&src, k, &o, &known, &err), MM_OK);
	assert_int_equal(c.passes, 0);
	assert_same_fit(&known, &counted, k);
	free_fit(&known);
	free_fit(&counted);

	class_rows[1] = 0;
	memset(&known, 0, sizeof(known));
	assert_int_equal(mm_logistic_fit_source(&src, k, &o, &known, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "class 1 has no training rows"));
	assert_int_equal(c.passes, 0);
	free_rows(&d);
}

/* The sample is the same rows whatever their order, about the share asked for. */
static void
test_sample_by_content(void **state)
{
	int			n = 200000,
				i,
				kept = 0,
				kept_back = 0;
	Rows		d = make_rows(n, 2, 29),
				back = reversed(&d);

	for (i = 0; i < n; i++)
	{
		int			in = mm_logistic_sampled(d.x + (size_t) i * P, P, 0.1);

		kept += in;
		kept_back += mm_logistic_sampled(back.x + (size_t) (n - 1 - i) * P, P, 0.1);
		assert_int_equal(in, mm_logistic_sampled(back.x + (size_t) (n - 1 - i) * P, P, 0.1));
	}
	assert_int_equal(kept, kept_back);
	/* within five standard deviations of the binomial's mean */
	assert_true(fabs(kept - 0.1 * n) < 5.0 * sqrt(0.1 * 0.9 * n));
	free_rows(&d);
	free_rows(&back);
}

/* A numeric class outside [0, k) or not whole is counted, and the fit refused. */
static void
test_rows_without_class(void **state)
{
	Rows		d = make_rows(200, 2, 3);
	MmLogisticOptions o = options(1.0, 0);
	MmClassifier c;
	Split		s = {&d, FORWARDS, 1};
	MmDataSource src;
	MmError		err;

	d.t[10] = 2.0;
	d.t[20] = 0.5;
	memset(&c, 0, sizeof(c));
	split_source(&src, &s);
	assert_int_equal(mm_logistic_fit_source(&src, 2, &o, &c, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "2 training rows"));
	free_rows(&d);
}

/* More coefficients than the bound: refused with the counts, before any pass. */
static void
test_too_many_coefficients(void **state)
{
	MmLogisticOptions o = options(1.0, 0);
	MmClassifier c;
	MmDataSource src;
	MmError		err;
	double		x[1] = {0};
	int32_t		y[1] = {0};
	MmRows		rows = {1, 500, x, y, NULL};

	memset(&c, 0, sizeof(c));
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_logistic_fit_source(&src, 5, &o, &c, &err), MM_ERR_INVALID_INPUT);
	assert_non_null(strstr(err.message, "2505 coefficients"));
}

/* ---------------------------------------------------------------- damaged bytes */

/* A Newton arg for k classes over P columns with an intercept; the caller frees it. */
static double *
newton_arg(int k, int full)
{
	int			m = mm_logistic_rows(k) * (P + 1);
	double	   *a = calloc(mm_logistic_arg_len(k, m), sizeof(double));
	int			c;

	a[MM_LOGISTIC_ARG_K] = k;
	a[MM_LOGISTIC_ARG_D] = P + 1;
	a[MM_LOGISTIC_ARG_FULL] = full;
	for (c = 0; c < k; c++)
		a[MM_LOGISTIC_ARG_HEAD + c] = 1.0;
	return a;
}

static void
test_damaged_args_refused(void **state)
{
	const MmPass *pass = &mm_logistic_newton_pass;
	double	   *a = newton_arg(3, 1);
	size_t		len = sizeof(double) * mm_logistic_arg_len(3, 3 * (P + 1));
	double		k;

	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), len);
	assert_int_equal(pass->arg_size(P, a, len), len);
	assert_int_equal(pass->arg_size(P, a, len - 1), 0);
	assert_int_equal(pass->arg_size(P + 2, a, SIZE_MAX), 0);	/* d fits neither p nor p + 1 */
	a[MM_LOGISTIC_ARG_FULL] = 0.5;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[MM_LOGISTIC_ARG_FULL] = 1.0;
	a[MM_LOGISTIC_ARG_K] = 1.0;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[MM_LOGISTIC_ARG_K] = 3.5;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[MM_LOGISTIC_ARG_K] = 3.0;
	a[MM_LOGISTIC_ARG_HEAD + 1] = 0.0;	/* a class weight must be positive */
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[MM_LOGISTIC_ARG_HEAD + 1] = 1.0;
	a[MM_LOGISTIC_ARG_HEAD + 3 + 2] = NAN;	/* a coefficient */
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	free(a);

	/* a sampled pass's arg ends with the share, in (0, 1) */
	a = newton_arg(3, 1);
	a = realloc(a, len + sizeof(double));
	a[MM_LOGISTIC_ARG_FULL] = MM_LOGISTIC_PASS_SAMPLED;
	a[len / sizeof(double)] = 0.25;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), len + sizeof(double));
	assert_int_equal(pass->arg_size(P, a, len), 0);
	a[len / sizeof(double)] = 1.0;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[len / sizeof(double)] = NAN;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	a[len / sizeof(double)] = 0.25;
	a[MM_LOGISTIC_ARG_FULL] = 3.0;
	assert_int_equal(pass->arg_size(P, a, SIZE_MAX), 0);
	free(a);

	/* more coefficients than the bound */
	a = newton_arg(2, 1);
	a[MM_LOGISTIC_ARG_K] = 1000;
	a[MM_LOGISTIC_ARG_D] = 11;
	assert_int_equal(pass->arg_size(10, a, SIZE_MAX), 0);
	free(a);

	k = 4.0;
	assert_int_equal(mm_logistic_counts_pass.arg_size(P, &k, SIZE_MAX), sizeof(double));
	assert_int_equal(mm_logistic_counts_pass.arg_size(P, &k, 4), 0);
	k = 1.0;
	assert_int_equal(mm_logistic_counts_pass.arg_size(P, &k, SIZE_MAX), 0);
	k = NAN;
	assert_int_equal(mm_logistic_counts_pass.arg_size(P, &k, SIZE_MAX), 0);
}

/* A state of pass over rows d, as the aggregate leaves it, with its length. */
static void *
aggregate_state(const MmPass *pass, const void *arg, const Rows *d, size_t *len)
{
	Split		s = {d, FORWARDS, 1};
	void	   *states[PARTS];
	int			k;

	for (k = 0; k < PARTS; k++)
		states[k] = part_aggregate(&s, pass, arg, k, len);
	for (k = 1; k < PARTS; k++)
		free(states[k]);
	return states[0];
}

static void
test_damaged_states_refused(void **state)
{
	Rows		d = make_rows(100, 3, 8);
	double	   *a = newton_arg(3, 1);
	double		k = 3.0;
	size_t		len;
	void	   *s;
	double	   *own;
	MmPassStateView v;
	MmError		err;

	s = aggregate_state(&mm_logistic_newton_pass, a, &d, &len);
	assert_int_equal(mm_pass_state_check(s, len, &mm_logistic_newton_pass, 1, &err), MM_OK);
	mm_pass_state_view(s, &v);
	own = v.pass_state;
	own[MM_LOGISTIC_STATE_M] += 1.0;	/* another shape than the arg's */
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_newton_pass, 1, &err), MM_OK);
	own[MM_LOGISTIC_STATE_M] -= 1.0;
	own[MM_LOGISTIC_STATE_FULL] = 0.0;
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_newton_pass, 1, &err), MM_OK);
	own[MM_LOGISTIC_STATE_FULL] = 1.0;
	own[MM_LOGISTIC_STATE_ROWS] = -1.0;
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_newton_pass, 1, &err), MM_OK);
	own[MM_LOGISTIC_STATE_ROWS] = 0.0;
	own[MM_LOGISTIC_STATE_WRONG] = NAN;
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_newton_pass, 1, &err), MM_OK);
	free(s);

	s = aggregate_state(&mm_logistic_counts_pass, &k, &d, &len);
	assert_int_equal(mm_pass_state_check(s, len, &mm_logistic_counts_pass, 1, &err), MM_OK);
	mm_pass_state_view(s, &v);
	own = v.pass_state;
	own[0] = 2.0;				/* another count of classes than the arg's */
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_counts_pass, 1, &err), MM_OK);
	own[0] = 3.0;
	own[MM_LOGISTIC_COUNTS_HEAD + 1] = 0.5;
	assert_int_not_equal(mm_pass_state_check(s, len, &mm_logistic_counts_pass, 1, &err), MM_OK);
	free(s);
	free(a);
	free_rows(&d);
}

/* The algorithm's table lists both passes, so that other processes find them. */
static void
test_passes_listed(void **state)
{
	int			id = ARTIFACT_ID("logistic_regression"),
				found;

	assert_int_equal(mm_pass_index(id, &mm_logistic_counts_pass, &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(mm_pass_index(id, &mm_logistic_newton_pass, &found), 1);
	assert_ptr_equal(mm_pass_find(id, 1), &mm_logistic_newton_pass);
	assert_null(mm_pass_find(id, 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary_agrees),
		cmocka_unit_test(test_multinomial_agrees),
		cmocka_unit_test(test_chunks_agree),
		cmocka_unit_test(test_sampled_steps_agree),
		cmocka_unit_test(test_known_class_rows),
		cmocka_unit_test(test_sample_by_content),
		cmocka_unit_test(test_rows_without_class),
		cmocka_unit_test(test_too_many_coefficients),
		cmocka_unit_test(test_damaged_args_refused),
		cmocka_unit_test(test_damaged_states_refused),
		cmocka_unit_test(test_passes_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
