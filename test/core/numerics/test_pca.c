/*
 * test_pca.c: principal components (pca.h) against closed forms.
 */
#include "testutil.h"

#include <string.h>

#include "model.h"
#include "pca.h"

/*
 * Points on the line through (3, 4) with a little noise across it: the first
 * component is (0.6, 0.8), its variance the sample variance along it, and
 * the two variances add up to the trace of the covariance.
 */
static void
test_pca_line(void **state)
{
	size_t		n = 1001,
				i;
	double	   *x = malloc(sizeof(double) * n * 2);
	MmPCA		pc;
	MmError		err;
	double		mt = 0.0,
				vt = 0.0,
				mx = 0.0,
				my = 0.0,
				vx = 0.0,
				vy = 0.0;

	for (i = 0; i < n; i++)
	{
		double		t = (double) i / 100.0 - 5.0,
					u = (i % 2 ? 0.01 : -0.01);

		x[2 * i] = 0.6 * t - 0.8 * u + 7;
		x[2 * i + 1] = 0.8 * t + 0.6 * u - 2;
		mt += t;
	}
	mt /= n;
	for (i = 0; i < n; i++)
	{
		double		t = (double) i / 100.0 - 5.0;

		vt += (t - mt) * (t - mt);
		mx += x[2 * i];
		my += x[2 * i + 1];
	}
	vt /= n - 1;
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++)
	{
		vx += (x[2 * i] - mx) * (x[2 * i] - mx);
		vy += (x[2 * i + 1] - my) * (x[2 * i + 1] - my);
	}
	vx /= n - 1;
	vy /= n - 1;
	memset(&pc, 0, sizeof(pc));
	assert_int_equal(mm_pca_fit(x, n, 2, 0, 0.99, &pc, &err), MM_OK);
	assert_int_equal(pc.n_components, 1);
	assert_close(pc.components[0], 0.6, 1e-6);
	assert_close(pc.components[1], 0.8, 1e-6);
	assert_close(pc.mean[0], mx, 1e-12);
	assert_close(pc.explained_variance[0], vt, 1e-5);
	mm_free(pc.mean);
	mm_free(pc.components);
	mm_free(pc.explained_variance);
	mm_free(pc.explained_variance_ratio);

	memset(&pc, 0, sizeof(pc));
	assert_int_equal(mm_pca_fit(x, n, 2, 2, 0.0, &pc, &err), MM_OK);
	assert_close(pc.explained_variance[0] + pc.explained_variance[1], vx + vy, 1e-10);
	assert_close(pc.explained_variance_ratio[0] + pc.explained_variance_ratio[1], 1.0, 1e-12);
	assert_true(pc.explained_variance[0] >= pc.explained_variance[1]);
	/* the second component is orthogonal, its largest loading positive: (0.8, -0.6) */
	assert_close(pc.components[0] * pc.components[2] + pc.components[1] * pc.components[3], 0.0, 1e-12);
	assert_close(pc.components[2], 0.8, 1e-6);
	assert_close(pc.components[3], -0.6, 1e-6);
	{
		MmModel		m;
		double		z[2],
					ratio[2];

		memset(&m, 0, sizeof(m));
		m.algorithm = ALGO("pca");
		m.task = MM_TASK_DECOMPOSITION;
		m.n_features = 2;
		m.n_design = 2;
		m.fit = &pc;
		assert_int_equal(mm_model_project(&m, x, z), 2);
		assert_close(z[0], (x[0] - mx) * 0.6 + (x[1] - my) * 0.8, 1e-6);
		/* on the rows it was fitted on, each component captures its own ratio */
		mm_pca_captured(&m, x, n, ratio);
		assert_close(ratio[0], pc.explained_variance_ratio[0], 1e-12);
		assert_close(ratio[1], pc.explained_variance_ratio[1], 1e-9);
	}
	mm_free(pc.mean);
	mm_free(pc.components);
	mm_free(pc.explained_variance);
	mm_free(pc.explained_variance_ratio);
	assert_int_equal(mm_pca_fit(x, 1, 2, 1, 0.0, &pc, &err), MM_ERR_TOO_FEW_ROWS);
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pca_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
