/*
 * test_svm_pass.c: the pass of the squared-hinge SVM's Newton steps
 * (svm_pass.h): what it counts, its merge, its sums equal to adding each
 * row in turn to the last bit whatever the blocks, and damaged args and
 * states refused before anything reads them.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "svm_pass.h"

/* An arg as the fit builds it: p = 2 with the intercept, three classes, two problems, three steps. */
static double *
sample_arg(size_t *len)
{
	static const double head[] = {2, 3, 3, 2, 3, 1.5};
	double	   *a = calloc(64, sizeof(double));
	size_t		n = 0,
				i;

	for (i = 0; i < 6; i++)
		a[n++] = head[i];
	a[n++] = 1;
	a[n++] = 2;
	a[n++] = 0.5;				/* class weights */
	a[n++] = 1;
	a[n++] = 0.5;
	a[n++] = 0.25;				/* steps */
	for (i = 0; i < 2; i++)
	{
		a[n++] = (double) i * 2;	/* positive class */
		a[n++] = 0.1;
		a[n++] = -0.2;
		a[n++] = 0.3;			/* w */
		a[n++] = 1;
		a[n++] = 0;
		a[n++] = -1;			/* s */
	}
	*len = n;
	return a;
}

static void
test_damaged_bytes(void **unused)
{
	const MmPass *pass = &mm_svm_newton_pass;
	size_t		n;
	double	   *a = sample_arg(&n);
	double		x[4] = {1, 2, -1, 0.5};
	int32_t		y[2] = {0, 2};
	MmRows		rows = {2, 2, x, y, NULL};
	double	   *state,
			   *other;
	size_t		size;
	const int	bad_at[] = {0, 1, 2, 3, 4, 5, 6, 9, 12, 13};
	const double bad_value[] = {3, 5, 1, 4, 21, 0, 0, 1.5, 3, NAN};
	int			i;

	assert_int_equal(pass->arg_size(2, a, SIZE_MAX), n * sizeof(double));
	/* short, or for another width */
	assert_int_equal(pass->arg_size(2, a, n * sizeof(double) - 1), 0);
	assert_int_equal(pass->arg_size(3, a, SIZE_MAX), 0);
	for (i = 0; i < (int) (sizeof(bad_at) / sizeof(bad_at[0])); i++)
	{
		double		keep = a[bad_at[i]];

		a[bad_at[i]] = bad_value[i];
		assert_int_equal(pass->arg_size(2, a, n * sizeof(double)), 0);
		a[bad_at[i]] = keep;
	}
	size = pass->state_size(2, a);
	state = malloc(size);
	other = malloc(size);
	pass->init(state, 2, a);
	pass->add(state, &rows, a);
	pass->init(other, 2, a);
	pass->merge(other, state, 2, a);
	assert_memory_equal(state, other, size);
	assert_true(pass->check(state, 2, a));
	/* two rows: one of class 0 and one of class 2 */
	assert_true(state[4] == 1 && state[5] == 0 && state[6] == 1 && state[7] == 0);
	state[0] = 2;
	assert_false(pass->check(state, 2, a));
	state[0] = 3;
	state[2] = 1;
	assert_false(pass->check(state, 2, a));
	state[2] = 2;
	state[5] = -1;
	assert_false(pass->check(state, 2, a));
	state[5] = 0.5;
	assert_false(pass->check(state, 2, a));
	state[5] = 0;
	assert_true(pass->check(state, 2, a));
	free(state);
	free(other);
	free(a);
}

/* The share of the rows added one at a time by the formulas of svm_pass.h, in the rows' order. */
static void
reference_state(double *s, const double *a, const double *x, const int32_t *y, int n, int p)
{
	int			d = (int) a[MM_SVM_A_D],
				k = (int) a[MM_SVM_A_K],
				problems = (int) a[MM_SVM_A_PROBLEMS],
				steps = (int) a[MM_SVM_A_STEPS],
				i,
				r,
				j,
				l;
	const double *cw = a + MM_SVM_A_HEAD,
			   *t = cw + k;
	double	   *per = s + MM_SVM_S_HEAD + k + 1;

	for (i = 0; i < n; i++)
	{
		const double *xi = x + (size_t) i * p;
		double		c = a[MM_SVM_A_C] * cw[y[i]];

		s[MM_SVM_S_HEAD + y[i]] += 1.0;
		for (r = 0; r < problems; r++)
		{
			const double *pr = t + steps + (size_t) r * (1 + 2 * d),
					   *w = pr + 1,
					   *dir = w + d;
			double	   *loss = per + (size_t) r * mm_svm_problem_len(d, steps),
					   *g = loss + steps,
					   *h = g + d;
			double		sign = y[i] == (int) pr[0] ? 1.0 : -1.0,
						z = d > p ? w[p] : 0.0,
						u = d > p ? dir[p] : 0.0,
						q;

			for (j = 0; j < p; j++)
			{
				z += w[j] * xi[j];
				u += dir[j] * xi[j];
			}
			for (j = 0; j < steps; j++)
			{
				double		m = 1.0 - sign * (z + t[j] * u);

				if (m > 0.0)
					loss[j] += c * m * m;
			}
			q = 1.0 - sign * (z + u);
			if (q <= 0.0)
				continue;
			for (j = 0; j < d; j++)
			{
				double		cx = 2.0 * c * (j < p ? xi[j] : 1.0);

				g[j] -= cx * q * sign;
				for (l = j; l < d; l++)
					*h++ += cx * (l < p ? xi[l] : 1.0);
			}
		}
	}
}

/*
 * n rows of p features in three classes, through the pass in blocks of
 * block rows, against the reference: the same bits.  Widths cover a batch
 * of whole panels and of a last half panel, with and without the
 * intercept, rows a batch holds fewer of, and rows added one at a time.
 */
static void
check_sums(int p, int intercept, int n, int block)
{
	const MmPass *pass = &mm_svm_newton_pass;
	int			d = p + intercept,
				k = 3,
				problems = p > 1000 ? 1 : 3,	/* a wide triangle is large */
				steps = 5,
				i,
				j;
	size_t		alen = mm_svm_arg_len(d, k, problems, steps),
				size,
				at = MM_SVM_A_HEAD;
	double	   *a = calloc(alen, sizeof(double)),
			   *x = malloc(sizeof(double) * (size_t) n * p),
			   *got,
			   *want;
	int32_t    *y = malloc(sizeof(int32_t) * n);
	uint64_t	seed = 0x9e3779b97f4a7c15u;

#define DRAW() (seed = seed * 6364136223846793005u + 1442695040888963407u, \
				(double) (seed >> 11) * 0x1.0p-53 - 0.5)
	a[MM_SVM_A_P] = p;
	a[MM_SVM_A_D] = d;
	a[MM_SVM_A_K] = k;
	a[MM_SVM_A_PROBLEMS] = problems;
	a[MM_SVM_A_STEPS] = steps;
	a[MM_SVM_A_C] = 0.7;
	a[at++] = 1.0;
	a[at++] = 2.5;
	a[at++] = 0.3;
	for (j = 0; j < steps; j++)
		a[at++] = ldexp(1.0, -j);
	for (i = 0; i < problems; i++)
	{
		a[at++] = i;
		/* w small enough that some rows violate their margin and some not */
		for (j = 0; j < 2 * d; j++)
			a[at++] = DRAW() * 4.0 / sqrt((double) p);
	}
	for (i = 0; i < n * p; i++)
		x[i] = DRAW() * 3.0;
	for (i = 0; i < n; i++)
		y[i] = (int32_t) ((DRAW() + 0.5) * 3.0);
#undef DRAW
	assert_int_equal(pass->arg_size(p, a, alen * sizeof(double)), alen * sizeof(double));
	size = pass->state_size(p, a);
	got = malloc(size);
	want = malloc(size);
	pass->init(got, p, a);
	pass->init(want, p, a);
	for (i = 0; i < n; i += block)
	{
		MmRows		rows = {n - i < block ? (size_t) (n - i) : (size_t) block, p, x + (size_t) i * p, y + i, NULL};

		pass->add(got, &rows, a);
	}
	reference_state(want, a, x, y, n, p);
	assert_memory_equal(got, want, size);
	/* the sums moved: some rows violated their margins */
	assert_true(want[MM_SVM_S_HEAD + k + 1 + steps + d] > 0.0);
	free(a);
	free(x);
	free(y);
	free(got);
	free(want);
}

static void
test_batched_sums(void **unused)
{
	check_sums(10, 1, 200, 200);
	check_sums(10, 1, 200, 7);
	check_sums(10, 1, 200, 1);
	check_sums(10, 0, 150, 45);
	check_sums(12, 0, 100, 100);
	check_sums(1, 1, 70, 70);
	check_sums(3, 0, 70, 33);
	check_sums(70, 1, 90, 90);
	check_sums(2100, 0, 4, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damaged_bytes),
		cmocka_unit_test(test_batched_sums),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
