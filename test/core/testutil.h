/*
 * testutil.h: helpers shared by the core unit tests.
 */
#ifndef MM_TESTUTIL_H
#define MM_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "algorithm.h"
#include "random.h"

/* An algorithm's payload in a model, by kind. */
#define LIN(m) ((MmLinearModel *) (m)->fit)
#define CLS(m) ((MmClassifier *) (m)->fit)
#define KM(m) ((MmKMeans *) (m)->fit)
#define PCA(m) ((MmPCA *) (m)->fit)

/* An algorithm's table, and the id its artifacts carry. */
#define ALGO(name) mm_algorithm_by_name(name)
#define ARTIFACT_ID(name) (mm_algorithm_by_name(name)->artifact_id)

/* A zeroed payload of the algorithm's kind, for a model a test builds by hand. */
static inline void *
test_payload(const MmAlgorithm *algorithm)
{
	switch (algorithm->task)
	{
		case MM_TASK_REGRESSION:
			return mm_alloc0(sizeof(MmLinearModel));
		case MM_TASK_CLASSIFICATION:
			return mm_alloc0(sizeof(MmClassifier));
		case MM_TASK_CLUSTERING:
			return mm_alloc0(sizeof(MmKMeans));
		case MM_TASK_DECOMPOSITION:
			return mm_alloc0(sizeof(MmPCA));
	}
	return NULL;
}

/* An artifact id no algorithm has. */
static inline int
unused_artifact_id(void)
{
	int			count,
				i,
				top = 0;
	const MmAlgorithm *const *all = mm_algorithms(&count);

	for (i = 0; i < count; i++)
		if (all[i]->artifact_id > top)
			top = all[i]->artifact_id;
	return top + 1;
}

/* A classifier's probabilities for a transformed row, into proba[n_classes]. */
static inline void
classifier_proba(const MmModel *model, const double *z, double *proba)
{
	mm_model_scores(model, z, proba);
	mm_model_proba(model, proba, proba);
}

/* Fails unless actual is within rtol of expected, relative to |expected|. */
#define assert_close(actual, expected, rtol) \
	assert_close_impl((actual), (expected), (rtol), #actual, __FILE__, __LINE__)

static inline void
assert_close_impl(double actual, double expected, double rtol, const char *what,
				  const char *file, int line)
{
	double		scale = fabs(expected) > 1.0 ? fabs(expected) : 1.0;

	if (!(fabs(actual - expected) <= rtol * scale))
	{
		print_error("%s = %.17g, expected %.17g (rtol %g)\n", what, actual, expected, rtol);
		_fail(file, line);
	}
}

/* qsort's comparison of doubles, ascending. */
static inline int
test_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Test data from the project's generator (random.h), its state kept by the caller. */
static inline double
test_uniform(uint64_t *state)
{
	MmRandom	r = {*state};
	double		u = mm_random_uniform(&r);

	*state = r.state;
	return u;
}

/* The n indexes at order in another order (a Fisher-Yates shuffle), drawn from *state. */
static inline void
test_shuffle(int *order, int n, uint64_t *state)
{
	int			r;

	for (r = n - 1; r > 0; r--)
	{
		int			s = (int) (test_uniform(state) * (r + 1)),
					t = order[r];

		order[r] = order[s];
		order[s] = t;
	}
}

/*
 * An allocator for the core (mm_set_allocator) that fails once it has made
 * test_alloc_budget allocations, to walk a writer through every failure.
 */
static int	test_alloc_budget;

static inline void *
test_budget_alloc(size_t size)
{
	if (test_alloc_budget <= 0)
		return NULL;
	test_alloc_budget--;
	return malloc(size);
}

/*
 * MADlib's houses example (test/fixtures/madlib/houses.csv): tax, bath,
 * size and price of 15 houses, and bedroom.
 */
static const double houses_tax[15] = {590, 1050, 20, 870, 1320, 1350, 2790, 680, 1840, 3680, 1660, 1620, 3100, 2070, 650};
static const double houses_bath[15] = {1, 2, 1, 2, 2, 1, 2.5, 1, 2, 2, 1, 2, 2, 3, 1.5};
static const double houses_size[15] = {770, 1410, 1060, 1300, 1500, 820, 2130, 1170, 1500, 2790, 1030, 1250, 1760, 1550, 1450};
static const double houses_price[15] = {50000, 85000, 22500, 90000, 133000, 90500, 260000, 142500, 160000, 240000, 87000, 118600, 140000, 148000, 65000};
static const double houses_bedroom[15] = {2, 3, 3, 2, 3, 2, 3, 2, 3, 4, 3, 3, 3, 2, 3};

#endif
