/*
 * test_kmeans_passes.c: k-means as passes (kmeans_passes.h, kmeans_seed.h).
 *
 * The same rows in two orders, through the source in memory (chunks on
 * threads, merged in chunk order) and through the pass state an aggregate
 * carries (passstate.h: blocks of rows, uneven parts merged in several
 * orders), reach the same seeds and the same fixed point: the same centers
 * to 1e-9 and every row in the same cluster.  A row halfway between two
 * candidates weighs the first whatever its last bits.  Damaged states and
 * args are refused, and the fit reports its passes.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "kmeans.h"
#include "kmeans_passes.h"
#include "kmeans_seed.h"
#include "model.h"
#include "passstate.h"
#include "rowhash.h"

#define P 3
#define K 6

/* Rows around K centers with some spread, some of them duplicated. */
static double *
make_rows(size_t n, uint64_t seed)
{
	double	   *x = malloc(sizeof(double) * n * P);
	uint64_t	s = seed;
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		int			c = (int) (test_uniform(&s) * K);

		for (j = 0; j < P; j++)
			x[i * P + j] = 3.0 * ((c >> j) & 1) + (c == 5 ? 6.0 : 0.0) + 1.5 * (test_uniform(&s) - 0.5);
		if (i % 97 == 5)
			memcpy(x + i * P, x + (i - 1) * P, sizeof(double) * P);
	}
	return x;
}

/* The rows in another order: a Fisher-Yates shuffle. */
static double *
shuffled(const double *x, size_t n, uint64_t seed)
{
	double	   *y = malloc(sizeof(double) * n * P);
	uint64_t	s = seed;
	size_t		i;

	memcpy(y, x, sizeof(double) * n * P);
	for (i = n - 1; i > 0; i--)
	{
		size_t		r = (size_t) (test_uniform(&s) * (double) (i + 1));
		double		t[P];

		memcpy(t, y + i * P, sizeof(t));
		memcpy(y + i * P, y + r * P, sizeof(t));
		memcpy(y + r * P, t, sizeof(t));
	}
	return y;
}

/*
 * A source whose passes run as an aggregate's would: the rows cut into
 * parts of uneven sizes, each part a pass state fed row by row, the parts
 * merged in an order that changes with every pass (backwards, or as a tree
 * of pairs), then the pass's own state read out of the result.
 */
typedef struct StateSource
{
	const double *x;
	size_t		n;
	int			passes;
} StateSource;

#define PARTS 7

static MmErrorCode
state_run(MmDataSource *self, const MmPass *pass, const void *arg, void *out, MmError *err)
{
	StateSource *s = self->impl;
	int			found,
				index = mm_pass_index(ARTIFACT_ID("kmeans"), pass, &found),
				k;
	size_t		arg_len = pass->arg_size(P, arg, SIZE_MAX),
				len,
				cut[PARTS + 1];
	MmPassSpec *spec = malloc(mm_pass_spec_size(arg_len));
	void	   *part[PARTS];
	void	   *acc;
	MmPassStateView v;

	assert_true(index >= 0 && found == ARTIFACT_ID("kmeans") && arg_len > 0);
	mm_pass_spec_write(spec, found, index, P, MM_PASS_TARGET_NONE, 0.0, mm_seed_salt(1), arg, arg_len);
	assert_int_equal(mm_pass_spec_check(spec, mm_pass_spec_size(arg_len), err), MM_OK);
	assert_ptr_equal(mm_pass_find(spec->artifact_id, spec->index), pass);
	len = mm_pass_state_size(spec, pass, err);
	assert_true(len > 0);
	for (k = 0; k <= PARTS; k++)
		cut[k] = k == PARTS ? s->n : s->n * (size_t) (k * k) / (PARTS * PARTS) + (k > 0 ? 13 : 0);
	for (k = 0; k < PARTS; k++)
	{
		size_t		r;

		part[k] = malloc(len);
		mm_pass_state_init(part[k], spec, pass);
		mm_pass_state_view(part[k], &v);
		for (r = cut[k]; r < cut[k + 1]; r++)
			mm_pass_state_add(&v, pass, s->x + r * P, NULL, 0.0, 0);
	}
	if (s->passes++ % 2 == 0)
	{
		for (k = PARTS - 2; k >= 0; k--)
			assert_int_equal(mm_pass_state_merge(part[PARTS - 1], part[k], pass, err), MM_OK);
		acc = part[PARTS - 1];
	}
	else
	{
		for (k = 0; k + 1 < PARTS; k += 2)
			assert_int_equal(mm_pass_state_merge(part[k], part[k + 1], pass, err), MM_OK);
		assert_int_equal(mm_pass_state_merge(part[4], part[6], pass, err), MM_OK);
		assert_int_equal(mm_pass_state_merge(part[2], part[4], pass, err), MM_OK);
		assert_int_equal(mm_pass_state_merge(part[0], part[2], pass, err), MM_OK);
		acc = part[0];
	}
	assert_int_equal(mm_pass_state_check(acc, len, pass, 1, err), MM_OK);
	mm_pass_state_view(acc, &v);
	mm_pass_state_finish(&v, pass);
	memcpy(out, v.pass_state, pass->state_size(P, arg));
	for (k = 0; k < PARTS; k++)
		free(part[k]);
	free(spec);
	return MM_OK;
}

static void
state_source(MmDataSource *source, StateSource *s, const double *x, size_t n)
{
	memset(source, 0, sizeof(*source));
	memset(s, 0, sizeof(*s));
	s->x = x;
	s->n = n;
	source->p = P;
	source->run = state_run;
	source->impl = s;
}

/* A fitted model's shell, to assign rows as prediction does. */
static MmModel
model_of(MmKMeans *km)
{
	MmModel		m;

	memset(&m, 0, sizeof(m));
	m.algorithm = ALGO("kmeans");
	m.task = MM_TASK_CLUSTERING;
	m.n_features = P;
	m.n_design = P;
	m.fit = km;
	return m;
}

/* Two fits agree: centers to 1e-9, every row of x in the same cluster, the same record. */
static void
assert_same_fit(MmKMeans *a, MmKMeans *b, const int64_t *sa, const int64_t *sb, const double *x,
				size_t n)
{
	MmModel		ma = model_of(a),
				mb = model_of(b);
	size_t		i;
	int			c;

	for (c = 0; c < K * P; c++)
		assert_true(fabs(a->centers[c] - b->centers[c]) <= 1e-9);
	for (i = 0; i < n; i++)
		assert_int_equal(mm_model_class(&ma, x + i * P), mm_model_class(&mb, x + i * P));
	assert_memory_equal(sa, sb, sizeof(int64_t) * K);
	assert_int_equal(a->n_iter, b->n_iter);
	assert_int_equal(a->converged, b->converged);
	assert_close(a->inertia, b->inertia, 1e-12);
}

/*
 * The same fixed point from the same seed, whatever the row order, the
 * chunks in memory or the parts and merges of aggregate states.
 */
static void
test_same_fixed_point(void **state)
{
	size_t		n = 2 * MM_CHUNK_ROWS + 4321,
				small = 5000;
	double	   *x = make_rows(n, 11),
			   *y = shuffled(x, n, 12);
	MmKMeansOptions o = {K, 300, 0.0, 17};
	MmKMeans	a,
				b,
				c,
				d;
	int64_t		sa[K],
				sb[K],
				sc[K],
				sd[K];
	MmKMeansStats stats;
	MmRows		rows;
	MmDataSource src;
	StateSource ss;
	MmError		err;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	/* in memory: one order on one thread, the other on three */
	mm_set_threads(1);
	assert_int_equal(mm_kmeans_fit(x, n, P, &o, &a, sa, &err), MM_OK);
	mm_set_threads(3);
	assert_int_equal(mm_kmeans_fit(y, n, P, &o, &b, sb, &err), MM_OK);
	mm_set_threads(1);
	assert_true(a.converged);
	assert_same_fit(&a, &b, sa, sb, x, n);

	/* a smaller set of rows, in memory against aggregate states in the other order */
	memset(&rows, 0, sizeof(rows));
	rows.n = small;
	rows.p = P;
	rows.x = x;
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &c, sc, &stats, &err), MM_OK);
	{
		double	   *z = shuffled(x, small, 13);

		state_source(&src, &ss, z, small);
		assert_int_equal(mm_kmeans_fit_source(&src, &o, &d, sd, &stats, &err), MM_OK);
		assert_int_equal(ss.passes, stats.seeding_passes + stats.lloyd_passes);
		free(z);
	}
	assert_same_fit(&c, &d, sc, sd, x, small);
	mm_free(a.centers);
	mm_free(b.centers);
	mm_free(c.centers);
	mm_free(d.centers);
	free(x);
	free(y);
}

/* On rows without clusters, where many rows lie near a boundary, the same holds. */
static void
test_same_fixed_point_uniform(void **state)
{
	size_t		n = 20000,
				i;
	double	   *x = malloc(sizeof(double) * n * P),
			   *y;
	uint64_t	s = 99;
	MmKMeansOptions o = {K, 1000, 0.0, 5};
	MmKMeans	a,
				b;
	int64_t		sa[K],
				sb[K];
	MmRows		rows;
	MmDataSource src;
	StateSource ss;
	MmError		err;

	for (i = 0; i < n * P; i++)
		x[i] = test_uniform(&s);
	y = shuffled(x, n, 98);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.p = P;
	rows.x = x;
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &a, sa, NULL, &err), MM_OK);
	state_source(&src, &ss, y, n);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &b, sb, NULL, &err), MM_OK);
	assert_true(a.converged);
	assert_same_fit(&a, &b, sa, sb, x, n);
	mm_free(a.centers);
	mm_free(b.centers);
	free(x);
	free(y);
}

/*
 * A fit counts its passes: the start, the rounds of k-means|| and the
 * weights, then one per Lloyd iteration and one for the final assignment
 * (none when the last pass found no row changing cluster).
 */
static void
test_pass_count(void **state)
{
	size_t		n = 20000;
	double	   *x = make_rows(n, 21);
	MmKMeansOptions o = {K, 300, 1e-4, 3};
	MmKMeans	km;
	MmKMeansStats stats;
	MmRows		rows;
	MmDataSource src;
	MmError		err;

	memset(&km, 0, sizeof(km));
	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.p = P;
	rows.x = x;
	mm_memory_source(&src, &rows);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &km, NULL, &stats, &err), MM_OK);
	assert_int_equal(stats.rounds, MM_KMEANS_ROUNDS);
	assert_int_equal(stats.seeding_passes, 2 + stats.rounds);
	assert_int_equal(stats.candidates, 1 + MM_KMEANS_ROUNDS * MM_KMEANS_OVERSAMPLING * K);
	assert_true(stats.lloyd_passes == km.n_iter + 1 || stats.lloyd_passes == km.n_iter);
	assert_true(stats.n_rows == (double) n);
	mm_free(km.centers);

	/* few distinct rows: the rounds stop once every row is a candidate */
	memset(&km, 0, sizeof(km));
	rows.n = 40;
	for (size_t i = 0; i < rows.n; i++)
		for (int j = 0; j < P; j++)
			x[i * P + j] = (double) (i % 9) * (j + 1);
	assert_int_equal(mm_kmeans_fit_source(&src, &o, &km, NULL, &stats, &err), MM_OK);
	assert_int_equal(stats.rounds, 1);
	assert_int_equal(stats.candidates, 9);
	mm_free(km.centers);
	free(x);
}

/* Asserts that the weight pass over rows with candidates pts counts 3 rows for the first, 2 for the second. */
static void
assert_weights_3_2(const double *pts, const MmRows *rows)
{
	size_t		len;
	MmKMeansArg *a = mm_kmeans_arg_new(P, pts, 2, 0, 0, &len);
	double	   *s = malloc(mm_kmeans_weight_pass.state_size(P, a));
	const double *w;

	mm_kmeans_weight_pass.init(s, P, a);
	mm_kmeans_weight_pass.add(s, rows, a);
	w = mm_kmeans_weights(s);
	assert_true(w[0] == 3.0 && w[1] == 2.0);
	free(s);
	mm_free(a);
}

/*
 * The weights count a row halfway between two candidates for the first of
 * them, whichever way its last bits lean (as preprocessing fitted over
 * other shards may leave them), and a row nearer by more than a tie's
 * margin for the nearer.
 */
static void
test_weight_ties(void **state)
{
	double		pts[2 * P] = {0, 0, 0, 2, 0, 0};
	double		rows_x[5 * P] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1.000001, 0, 0, 1.5, 0, 0};
	MmRows		rows = {5, P, rows_x, NULL, NULL};

	rows_x[P] = nextafter(1.0, 2.0);
	rows_x[2 * P] = nextafter(1.0, 0.0);
	assert_weights_3_2(pts, &rows);

	/* the same candidates the other way round: the first is now the other one */
	memcpy(pts, (double[]) {2, 0, 0, 0, 0, 0}, sizeof(pts));
	rows_x[3 * P] = 0.999999;
	rows_x[4 * P] = 0.5;
	assert_weights_3_2(pts, &rows);
}

/* Args of another shape, width or with non-finite points are not the passes'. */
static void
test_damaged_args(void **state)
{
	double		pts[2 * P] = {0, 1, 2, 3, 4, 5};
	size_t		len;
	MmKMeansArg *a = mm_kmeans_arg_new(P, pts, 2, 2, 9, &len);

	assert_int_equal(mm_kmeans_lloyd_pass.arg_size(P, a, SIZE_MAX), len);
	assert_int_equal(mm_kmeans_lloyd_pass.arg_size(P, a, len - 1), 0);
	assert_int_equal(mm_kmeans_lloyd_pass.arg_size(P + 1, a, SIZE_MAX), 0);
	assert_int_equal(mm_kmeans_round_pass.arg_size(P, a, SIZE_MAX), len);
	assert_int_equal(mm_kmeans_weight_pass.arg_size(P, a, SIZE_MAX), 0);
	assert_int_equal(mm_kmeans_start_pass.arg_size(P, a, SIZE_MAX), 0);
	a->slots = MM_KMEANS_MAX_SLOTS + 1;
	assert_int_equal(mm_kmeans_round_pass.arg_size(P, a, SIZE_MAX), 0);
	a->slots = 2;
	a->m = -1;
	assert_int_equal(mm_kmeans_lloyd_pass.arg_size(P, a, SIZE_MAX), 0);
	a->m = 2;
	((double *) (a + 1))[3] = NAN;
	assert_int_equal(mm_kmeans_lloyd_pass.arg_size(P, a, SIZE_MAX), 0);
	mm_free(a);
}

/* A state whose sample count or cluster counts do not fit its arg is refused before any merge. */
static void
test_damaged_states(void **state)
{
	double		pts[2 * P] = {0, 1, 2, 3, 4, 5};
	double		row[P] = {1, 1, 1};
	size_t		len;
	MmKMeansArg *a = mm_kmeans_arg_new(P, pts, 2, 2, 9, &len);
	size_t		size = mm_kmeans_lloyd_pass.state_size(P, a);
	double	   *s = malloc(size);
	MmRows		rows = {1, P, row, NULL, NULL};
	MmKMeansLloyd l;
	double	   *count;

	mm_kmeans_lloyd_pass.init(s, P, a);
	mm_kmeans_lloyd_pass.add(s, &rows, a);
	assert_true(mm_kmeans_lloyd_pass.check(s, P, a));
	mm_kmeans_lloyd_read(s, P, 2, &l);
	assert_true(l.counts[0] == 1.0 && l.counts[1] == 0.0);
	count = (double *) l.farthest;
	assert_true(*count == 1.0);
	*count = 3.0;				/* more rows than its two slots */
	assert_false(mm_kmeans_lloyd_pass.check(s, P, a));
	*count = 0.5;
	assert_false(mm_kmeans_lloyd_pass.check(s, P, a));
	*count = 1.0;
	((double *) l.counts)[1] = -1.0;
	assert_false(mm_kmeans_lloyd_pass.check(s, P, a));
	free(s);

	a->slots = 4;
	s = malloc(mm_kmeans_round_pass.state_size(P, a));
	mm_kmeans_round_pass.init(s, P, a);
	mm_kmeans_round_pass.add(s, &rows, a);
	assert_true(mm_kmeans_round_pass.check(s, P, a));
	assert_int_equal((int) mm_kmeans_round_sample(s)[0], 1);
	((double *) mm_kmeans_round_sample(s))[0] = 5.0;
	assert_false(mm_kmeans_round_pass.check(s, P, a));
	free(s);
	mm_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_fixed_point),
		cmocka_unit_test(test_same_fixed_point_uniform),
		cmocka_unit_test(test_pass_count),
		cmocka_unit_test(test_weight_ties),
		cmocka_unit_test(test_damaged_args),
		cmocka_unit_test(test_damaged_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
