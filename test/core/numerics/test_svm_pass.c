/*
 * test_svm_pass.c: the pass of the squared-hinge SVM's Newton steps
 * (svm_pass.h): what it counts, its merge, and damaged args and states
 * refused before anything reads them.
 */
#include "testutil.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damaged_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
