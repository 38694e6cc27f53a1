/*
 * test_ksvm_predict.c: the core's kernel SVM prediction against libsvm's
 * own.  A model mm_ksvm_fit fits, and libsvm's model of the same problem
 * (a classifier's rows grouped by class, in the order of their contents but
 * for the sigmoid kernel without probabilities; every column present, the
 * same seed), give on
 * new rows the decision values of svm_predict_values up to the rounding of
 * the core's order of summation and its exp (see ksvm.h): within a few
 * ulps of the decision's largest term, which the test bounds by
 * MAX_ULPS_OF_LARGEST.  The class of svm_predict is the same, and the
 * probabilities of svm_predict_probability agree to 1e-12.  Every kernel,
 * two and more classes, with and without probabilities, and regression;
 * with 240 training rows the support vectors fill several blocks, and
 * groups start and end inside them.
 */
#include "testutil.h"

#include <float.h>
#include <string.h>

#include <libsvm/svm.h>

#include "ksvm.h"
#include "ksvm_fit.h"
#include "roworder.h"

#define N 240
#define P 3

/*
 * How far a decision value may be from libsvm's, in units of the rounding
 * (DBL_EPSILON) of the sum of its terms' magnitudes: the two add the same
 * terms in different orders (libsvm's error grows with the number of
 * terms), and the rbf kernel's exp may be an ulp off.
 */
#define MAX_EPS_OF_MAGNITUDE 4.0

typedef struct Problem
{
	double		x[N * P];
	int32_t		y[N];
	double		t[N];
	MmRows		rows;
} Problem;

/* Overlapping classes from the first two features; a smooth target with noise. */
static void
make_problem(Problem *pb, int k, uint64_t seed)
{
	MmRandom	r = mm_random(seed);
	int			i,
				j;

	for (i = 0; i < N; i++)
	{
		for (j = 0; j < P; j++)
			pb->x[i * P + j] = mm_random_uniform(&r) * 2.0 - 1.0;
		pb->y[i] = (int32_t) ((pb->x[i * P] + pb->x[i * P + 1] + 2.0 + mm_random_uniform(&r)) / 5.0 * k);
		if (pb->y[i] >= k)
			pb->y[i] = k - 1;
		pb->t[i] = sin(2.0 * pb->x[i * P]) + pb->x[i * P + 1] * pb->x[i * P + 2] + 0.1 * mm_random_uniform(&r);
	}
	pb->rows.n = N;
	pb->rows.p = P;
	pb->rows.x = pb->x;
	pb->rows.y = pb->y;
	pb->rows.t = pb->t;
}

static void
silent(const char *s)
{
	(void) s;
}

/* libsvm's own model of the problem, as mm_ksvm_fit hands it over. */
static struct svm_model *
library_fit(const Problem *pb, int k, const MmKsvmOptions *o, struct svm_problem *prob,
			struct svm_node *nodes)
{
	struct svm_parameter param;
	int			c,
				i,
				r,
				j,
				at = 0;

	/* the rows in the order of their contents, as mm_ksvm_fit gives them, but for the sigmoid kernel's */
	int			by_contents = o->kernel != MM_KERNEL_SIGMOID || (o->probability && !o->regression);
	size_t	   *contents = by_contents ?
		mm_row_order(pb->x, o->regression ? NULL : pb->y, o->regression ? pb->t : NULL, N, P) : NULL;

	prob->l = N;
	assert_true(!by_contents || contents != NULL);
	for (c = 0; c < (o->regression ? 1 : k); c++)
		for (r = 0; r < N; r++)
		{
			i = contents != NULL ? (int) contents[r] : r;
			if (!o->regression && pb->y[i] != c)
				continue;
			for (j = 0; j < P; j++)
			{
				nodes[at * (P + 1) + j].index = j + 1;
				nodes[at * (P + 1) + j].value = pb->x[i * P + j];
			}
			nodes[at * (P + 1) + P].index = -1;
			prob->x[at] = nodes + at * (P + 1);
			prob->y[at] = o->regression ? pb->t[i] : (double) c;
			at++;
		}
	mm_free(contents);
	memset(&param, 0, sizeof(param));
	param.svm_type = o->regression ? EPSILON_SVR : C_SVC;
	param.kernel_type = o->kernel;
	param.degree = o->degree;
	param.gamma = o->gamma;
	param.coef0 = o->coef0;
	param.cache_size = o->cache_size;
	param.eps = o->tol;
	param.C = o->C;
	param.nu = 0.5;
	param.p = o->epsilon;
	param.shrinking = o->shrinking;
	param.probability = o->probability;
	svm_set_print_string_function(silent);
	srand((unsigned int) o->seed);
	return svm_train(prob, &param);
}

/* Fails unless got is within tol of want, in absolute terms. */
static void
assert_within(double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%.17g, expected %.17g within %g", got, want, tol);
}

/* The kernel as libsvm's k_function computes it, libm's exp and tanh included. */
static double
library_kernel(const MmKsvmOptions *o, const double *x, const double *y)
{
	double		dot = 0,
				dist = 0,
				base,
				ret = 1;
	int			j,
				t;

	for (j = 0; j < P; j++)
	{
		dot += x[j] * y[j];
		dist += (x[j] - y[j]) * (x[j] - y[j]);
	}
	switch (o->kernel)
	{
		case MM_KERNEL_POLY:
			base = o->gamma * dot + o->coef0;
			for (t = o->degree; t > 0; t /= 2)
			{
				if (t % 2 == 1)
					ret *= base;
				base *= base;
			}
			return ret;
		case MM_KERNEL_RBF:
			return exp(-o->gamma * dist);
		case MM_KERNEL_SIGMOID:
			return tanh(o->gamma * dot + o->coef0);
	}
	return dot;
}

/*
 * Each decision's terms at z summed in magnitude, |rho| included: what
 * bounds the rounding of a sum of them in any order.  Pair (i, j) takes
 * group i's support vectors with coefficient row j - 1, group j's with row
 * i (libsvm's layout); regression takes every one with row 0.
 */
static void
magnitudes(const MmKernelSvm *m, const MmKsvmOptions *o, const double *z, double *mag)
{
	int			n_dec = mm_ksvm_n_decisions(m),
				start_i = 0,
				i,
				j,
				s,
				d = 0;

	if (m->regression)
	{
		mag[0] = fabs(m->rho[0]);
		for (s = 0; s < m->n_sv; s++)
			mag[0] += fabs(m->sv_coef[s] * library_kernel(o, z, m->sv + (size_t) s * P));
		return;
	}
	for (i = 0; i < m->n_groups; i++)
	{
		int			start_j = start_i + m->group_sv[i];

		for (j = i + 1; j < m->n_groups; j++)
		{
			mag[d] = fabs(m->rho[d]);
			for (s = start_i; s < start_i + m->group_sv[i]; s++)
				mag[d] += fabs(m->sv_coef[(size_t) (j - 1) * m->n_sv + s] *
							   library_kernel(o, z, m->sv + (size_t) s * P));
			for (s = start_j; s < start_j + m->group_sv[j]; s++)
				mag[d] += fabs(m->sv_coef[(size_t) i * m->n_sv + s] *
							   library_kernel(o, z, m->sv + (size_t) s * P));
			start_j += m->group_sv[j];
			d++;
		}
		start_i += m->group_sv[i];
	}
	assert_int_equal(d, n_dec);
}

static void
compare(int k, int kernel, int regression, int probability)
{
	Problem		pb;
	MmKsvmOptions o = {0};
	MmKernelSvm *m;
	MmError		err;
	struct svm_problem prob;
	struct svm_node *nodes = malloc(sizeof(struct svm_node) * N * (P + 1));
	struct svm_model *lm;
	MmRandom	r = mm_random(99);
	int			n_dec,
				row;
	double		worst = 0;

	make_problem(&pb, k, 7 + k);
	prob.x = malloc(sizeof(struct svm_node *) * N);
	prob.y = malloc(sizeof(double) * N);
	o.regression = regression;
	o.kernel = kernel;
	o.degree = 3;
	o.gamma = mm_ksvm_gamma_scale(pb.x, N, P);
	o.coef0 = kernel == MM_KERNEL_SIGMOID ? -0.5 : 1.0;
	o.C = 2.0;
	o.epsilon = 0.1;
	o.tol = 1e-3;
	o.cache_size = 10;
	o.shrinking = 1;
	o.probability = probability;
	o.seed = 1234;
	assert_int_equal(mm_ksvm_fit(&pb.rows, regression ? 0 : k, &o, &m, &err), MM_OK);
	lm = library_fit(&pb, k, &o, &prob, nodes);
	assert_int_equal(m->n_sv, lm->l);
	n_dec = mm_ksvm_n_decisions(m);
	for (row = 0; row < 200; row++)
	{
		double		z[P];
		struct svm_node q[P + 1];
		double		want[64],
					got[64],
					want_prob[8],
					got_prob[8];
		double		label,
					mag[64];
		int			j;

		for (j = 0; j < P; j++)
		{
			z[j] = mm_random_uniform(&r) * 2.4 - 1.2;
			q[j].index = j + 1;
			q[j].value = z[j];
		}
		q[P].index = -1;
		label = svm_predict_values(lm, q, want);
		mm_ksvm_decision_values(m, P, z, got);
		magnitudes(m, &o, z, mag);
		for (j = 0; j < n_dec; j++)
		{
			assert_within(got[j], want[j], MAX_EPS_OF_MAGNITUDE * DBL_EPSILON * mag[j]);
			worst = fmax(worst, fabs(got[j] - want[j]) / (DBL_EPSILON * mag[j]));
		}
		if (regression)
			assert_within(got[0], label, MAX_EPS_OF_MAGNITUDE * DBL_EPSILON * mag[0]);
		else
			assert_int_equal(m->group_class[mm_ksvm_vote(m, got)], (int) label);
		if (probability)
		{
			(void) svm_predict_probability(lm, q, want_prob);
			mm_ksvm_probabilities(m, got, got_prob);
			for (j = 0; j < m->n_groups; j++)
				assert_within(got_prob[j], want_prob[j], 1e-12);
		}
	}
	if (getenv("MM_KSVM_REPORT") != NULL)
		fprintf(stderr, "k %d kernel %d regression %d: worst %.3f epsilons of the summed magnitudes\n",
				k, kernel, regression, worst);
	svm_free_and_destroy_model(&lm);
	mm_ksvm_free(m);
	free(prob.x);
	free(prob.y);
	free(nodes);
}

static void
test_binary_kernels(void **state)
{
	int			kernel;

	for (kernel = MM_KERNEL_LINEAR; kernel <= MM_KERNEL_SIGMOID; kernel++)
		compare(2, kernel, 0, 0);
}

static void
test_multiclass_kernels(void **state)
{
	int			kernel;

	for (kernel = MM_KERNEL_LINEAR; kernel <= MM_KERNEL_SIGMOID; kernel++)
		compare(4, kernel, 0, 0);
}

static void
test_probabilities(void **state)
{
	compare(2, MM_KERNEL_RBF, 0, 1);
	compare(3, MM_KERNEL_RBF, 0, 1);
	compare(5, MM_KERNEL_POLY, 0, 1);
}

static void
test_regression_kernels(void **state)
{
	int			kernel;

	for (kernel = MM_KERNEL_LINEAR; kernel <= MM_KERNEL_SIGMOID; kernel++)
		compare(0, kernel, 1, 0);
}

/* gamma "scale": 1 / (p Var(X)) over every entry, as scikit-learn's X.var(); 1 without spread. */
static void
test_gamma_scale(void **state)
{
	const double x[6] = {1, 2, 3, 4, 5, 6};
	const double flat[4] = {2, 2, 2, 2};

	/* the entries' variance is 35 / 12 */
	assert_close(mm_ksvm_gamma_scale(x, 2, 3), 1.0 / (3 * 35.0 / 12.0), 1e-15);
	assert_true(mm_ksvm_gamma_scale(flat, 2, 2) == 1.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary_kernels),
		cmocka_unit_test(test_multiclass_kernels),
		cmocka_unit_test(test_probabilities),
		cmocka_unit_test(test_regression_kernels),
		cmocka_unit_test(test_gamma_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
