/*
 * test_regmetrics.c: regression metrics from a part's moments and sample,
 * and from evaluation states merged in pieces, against the metrics
 * computed directly from the rows: each row's residual under the model,
 * then r2 = 1 - SSE/Syy, rmse = sqrt(SSE/n), explained variance =
 * 1 - Var(e)/Var(y) and mae = mean |e|, with two-pass sums.
 */
#include "testutil.h"

#include <string.h>

#include "lsq.h"
#include "moments.h"
#include "regmetrics.h"

#define P 3
#define D (P + 1)
#define N 2000

/* A model: intercept, coefficients, whether it has an intercept. */
typedef struct Model
{
	double		coef[P];
	MmLinearModel m;
} Model;

static void
model_init(Model *mod, double intercept, double b0, double b1, double b2, int fit_intercept)
{
	memset(mod, 0, sizeof(*mod));
	mod->coef[0] = b0;
	mod->coef[1] = b1;
	mod->coef[2] = b2;
	mod->m.coef = mod->coef;
	mod->m.intercept = intercept;
	mod->m.fit_intercept = fit_intercept;
}

/* The model's prediction for a row, written out here. */
static double
predict(const Model *mod, const double *row)
{
	return mod->m.intercept + mod->coef[0] * row[0] + mod->coef[1] * row[1] + mod->coef[2] * row[2];
}

/* Metrics of the model on rows [0, n) computed directly. */
static void
direct(const double (*rows)[D], int n, const Model *mod, MmRegressionMetrics *out)
{
	double		ybar = 0,
				ebar = 0,
				sse = 0,
				sae = 0,
				syy = 0,
				see = 0;
	double	   *e = malloc(sizeof(double) * (n + 1));
	int			r;

	for (r = 0; r < n; r++)
	{
		e[r] = rows[r][P] - predict(mod, rows[r]);
		ybar += rows[r][P];
		ebar += e[r];
	}
	ybar /= n;
	ebar /= n;
	for (r = 0; r < n; r++)
	{
		syy += (rows[r][P] - ybar) * (rows[r][P] - ybar);
		see += (e[r] - ebar) * (e[r] - ebar);
		sse += e[r] * e[r];
		sae += fabs(e[r]);
	}
	out->rows = n;
	out->mae_rows = n;
	out->r2 = 1 - sse / syy;
	out->rmse = sqrt(sse / n);
	out->mae = sae / n;
	out->explained_variance = 1 - see / syy;
	free(e);
}

static void
assert_metrics(const MmRegressionMetrics *got, const MmRegressionMetrics *want, double rtol)
{
	assert_true(got->rows == want->rows);
	assert_true(got->mae_rows == want->mae_rows);
	assert_close(got->r2, want->r2, rtol);
	assert_close(got->rmse, want->rmse, rtol);
	assert_close(got->explained_variance, want->explained_variance, rtol);
	assert_close(got->mae, want->mae, rtol);
}

/*
 * Rows with a price-like target: three features of different scales (one
 * far from zero), a target near 1e5 that the models below fit imperfectly.
 */
static void
make_rows(double (*rows)[D], int n, uint64_t seed)
{
	uint64_t	s = seed;
	int			r;

	for (r = 0; r < n; r++)
	{
		rows[r][0] = 500 + 3000 * test_uniform(&s);
		rows[r][1] = (double) (int) (1 + 4 * test_uniform(&s));
		rows[r][2] = 1e6 + 50 * test_uniform(&s);
		rows[r][3] = 2e4 + 40 * rows[r][0] + 9000 * rows[r][1] - 300 * (rows[r][2] - 1e6)
			+ 20000 * (test_uniform(&s) - 0.5);
	}
}

/* Models: near the truth, biased (residual mean far from zero), without intercept. */
static void
make_models(Model *mods)
{
	model_init(&mods[0], 2e4 + 300.2e6, 40.5, 8800, -300.2, 1);
	model_init(&mods[1], -5e3, 38, 9500, 0.01, 1);
	model_init(&mods[2], 0.0, 45, 7000, 0.015, 0);
}

/* Moments of rows given one at a time. */
static void
moments_of(const double (*rows)[D], int n, double *block)
{
	double		scratch[2 * D];
	int			r;

	memset(block, 0, sizeof(double) * mm_moments_len(D));
	for (r = 0; r < n; r++)
		mm_moments_add(block, D, rows[r], scratch);
}

/*
 * From moments and a sample holding every row: r2, rmse, explained
 * variance and mae equal the direct computation to 1e-10, for a model near
 * the least-squares fit, a biased one (r2 below the explained variance),
 * and one without intercept; also on the MADlib houses data with its
 * published least-squares coefficients.
 */
static void
test_from_moments(void **state)
{
	static double rows[N][D];
	double		block[32];
	Model		mods[3];
	MmRegressionMetrics want,
				got;
	int			k;

	make_rows(rows, N, 7);
	make_models(mods);
	moments_of((const double (*)[D]) rows, N, block);
	for (k = 0; k < 3; k++)
	{
		direct((const double (*)[D]) rows, N, &mods[k], &want);
		mm_regression_metrics_linear(block, P, mods[k].m.intercept, mods[k].m.coef, &rows[0][0], N, &got);
		assert_metrics(&got, &want, 1e-10);
	}
	/* the biased model: its residuals do not average zero */
	direct((const double (*)[D]) rows, N, &mods[1], &want);
	assert_true(want.explained_variance - want.r2 > 0.01);

	/* houses: price ~ tax + bath + size with MADlib's coefficients */
	{
		static double h[15][D];
		Model		ols;
		int			r;

		for (r = 0; r < 15; r++)
		{
			h[r][0] = houses_tax[r];
			h[r][1] = houses_bath[r];
			h[r][2] = houses_size[r];
			h[r][3] = houses_price[r];
		}
		model_init(&ols, -12849.4168959872, 28.9613922651765, 10181.6290712648, 50.516894915354, 1);
		moments_of((const double (*)[D]) h, 15, block);
		direct((const double (*)[D]) h, 15, &ols, &want);
		mm_regression_metrics_linear(block, P, ols.m.intercept, ols.m.coef, &h[0][0], 15, &got);
		assert_metrics(&got, &want, 1e-10);
		/* MADlib's r2 for this fit */
		assert_close(got.r2, 0.768577580597443, 1e-9);
	}
}

/*
 * The parts of a training state, as training reads them.  With a sample
 * cap above the part sizes each part's sample is all its rows, and every
 * metric equals the direct one over them.  With a cap of 150, r2, rmse and
 * explained variance still equal the direct ones over the whole part (its
 * rows as the first run listed them), and the mae that over the sampled
 * rows.
 */
static void
test_training_parts(void **state)
{
	static double rows[N][D];
	Model		mods[3];
	int			caps[2] = {N, 150};
	double	   *part_rows[2] = {NULL, NULL};
	int			part_n[2] = {0, 0};
	int			c,
				k,
				part,
				r;

	make_rows(rows, N, 11);
	make_models(mods);
	for (c = 0; c < 2; c++)
	{
		void	   *buf = malloc(mm_ls_size(P, 0));
		MmLsView	v;
		MmError		err;

		mm_ls_init(buf, P, 0.3, 17, caps[c], 0, 0);
		for (r = 0; r < N; r++)
		{
			int			grow = mm_ls_grow_needed(buf);

			if (grow)
			{
				void	   *grown = malloc(mm_ls_size(P, grow));

				mm_ls_copy_resized(grown, buf, grow);
				free(buf);
				buf = grown;
			}
			mm_ls_view(buf, &v);
			mm_ls_add(&v, rows[r], NULL);
		}
		mm_ls_view(buf, &v);
		mm_ls_finish(&v);
		assert_int_equal(mm_ls_check(buf, mm_ls_size(P, v.head->sample_alloc), 1, &err), MM_OK);
		for (part = 0; part < 2; part++)
		{
			int			count = v.head->sample_count[part];
			int			n = (int) v.part[part][0];
			const double (*sample)[D] = (const double (*)[D]) v.sample_row[part];

			assert_true(n > 100);
			if (c == 0)
			{
				/* the sample is the whole part: keep its rows */
				assert_int_equal(count, n);
				part_n[part] = n;
				part_rows[part] = malloc(sizeof(double) * D * n);
				memcpy(part_rows[part], v.sample_row[part], sizeof(double) * D * n);
			}
			else
			{
				assert_int_equal(count, caps[c]);
				assert_int_equal(n, part_n[part]);
			}
			for (k = 0; k < 3; k++)
			{
				MmRegressionMetrics want,
							got,
							on_sample;

				mm_regression_metrics_linear(v.part[part], P, mods[k].m.intercept, mods[k].m.coef, v.sample_row[part], count, &got);
				direct((const double (*)[D]) part_rows[part], n, &mods[k], &want);
				if (c == 0)
					assert_metrics(&got, &want, 1e-10);
				else
				{
					assert_true(got.rows == n);
					assert_true(got.mae_rows == count);
					assert_close(got.r2, want.r2, 1e-10);
					assert_close(got.rmse, want.rmse, 1e-10);
					assert_close(got.explained_variance, want.explained_variance, 1e-10);
					direct(sample, count, &mods[k], &on_sample);
					assert_close(got.mae, on_sample.mae, 1e-10);
				}
			}
		}
		free(buf);
	}
	free(part_rows[0]);
	free(part_rows[1]);
}

/*
 * Degenerate parts: no rows gives NaN everywhere; a constant target gives
 * NaN r2 and explained variance but the right rmse and mae; a model that
 * fits every row exactly gives r2 = 1 and rmse = 0.
 */
static void
test_degenerate(void **state)
{
	double		rows[4][D] = {{1, 2, 3, 10}, {2, 0, 1, 10}, {5, 1, 1, 10}, {0, 0, 7, 10}};
	double		block[32];
	Model		mod;
	MmRegressionMetrics got;
	int			r;

	model_init(&mod, 9, 0, 0, 0.5, 1);
	memset(block, 0, sizeof(block));
	mm_regression_metrics_linear(block, P, mod.m.intercept, mod.m.coef, NULL, 0, &got);
	assert_true(got.rows == 0);
	assert_true(isnan(got.r2) && isnan(got.rmse) && isnan(got.mae) && isnan(got.explained_variance));

	/* residuals 10 - 9 - 0.5 x2: -0.5, 0.5, 0.5, -2.5 */
	moments_of((const double (*)[D]) rows, 4, block);
	mm_regression_metrics_linear(block, P, mod.m.intercept, mod.m.coef, &rows[0][0], 4, &got);
	assert_true(isnan(got.r2) && isnan(got.explained_variance));
	assert_close(got.rmse, sqrt((0.25 + 0.25 + 0.25 + 6.25) / 4), 1e-14);
	assert_close(got.mae, (0.5 + 0.5 + 0.5 + 2.5) / 4, 1e-14);

	/* an exact fit: y = 1 + 2 x0 - x1 + 0.5 x2 */
	for (r = 0; r < 4; r++)
		rows[r][3] = 1 + 2 * rows[r][0] - rows[r][1] + 0.5 * rows[r][2];
	model_init(&mod, 1, 2, -1, 0.5, 1);
	moments_of((const double (*)[D]) rows, 4, block);
	mm_regression_metrics_linear(block, P, mod.m.intercept, mod.m.coef, &rows[0][0], 4, &got);
	assert_close(got.r2, 1.0, 1e-14);
	assert_close(got.explained_variance, 1.0, 1e-14);
	assert_true(got.rmse < 1e-6);
	assert_true(got.mae == 0.0);
}

/*
 * Evaluation states: rows added one by one into pieces of many sizes
 * (empty ones included), merged in three different orders; the metrics
 * equal the direct ones to 1e-10.  An empty state gives NaN; merging an
 * empty state in either direction changes nothing.
 */
static void
test_evaluation_states(void **state)
{
	static double rows[N][D];
	Model		mods[3];
	int			cuts[] = {0, 0, 1, 8, 8, 40, 73, 500, 501, 1200, N};
	const int	npieces = 10;
	double		scratch[4];
	int			k,
				order,
				i,
				r;

	make_rows(rows, N, 23);
	make_models(mods);
	for (k = 0; k < 3; k++)
	{
		MmRegressionMetrics want,
					got;

		direct((const double (*)[D]) rows, N, &mods[k], &want);
		for (order = 0; order < 3; order++)
		{
			double		pieces[10][MM_EVAL_STATE_LEN];
			double	   *result;

			for (i = 0; i < npieces; i++)
			{
				mm_eval_init(pieces[i]);
				for (r = cuts[i]; r < cuts[i + 1]; r++)
					mm_eval_add(pieces[i], rows[r][P], predict(&mods[k], rows[r]), scratch);
			}
			if (order == 0)
			{
				for (i = 1; i < npieces; i++)
					mm_eval_merge(pieces[0], pieces[i], scratch);
				result = pieces[0];
			}
			else if (order == 1)
			{
				for (i = npieces - 2; i >= 0; i--)
					mm_eval_merge(pieces[npieces - 1], pieces[i], scratch);
				result = pieces[npieces - 1];
			}
			else
			{
				int			step;

				for (step = 1; step < npieces; step *= 2)
					for (i = 0; i + step < npieces; i += 2 * step)
						mm_eval_merge(pieces[i], pieces[i + step], scratch);
				result = pieces[0];
			}
			mm_eval_metrics(result, &got);
			assert_metrics(&got, &want, 1e-10);
		}
	}

	/* empty states */
	{
		double		a[MM_EVAL_STATE_LEN],
					empty[MM_EVAL_STATE_LEN],
					copy[MM_EVAL_STATE_LEN];
		MmRegressionMetrics got;

		mm_eval_init(empty);
		mm_eval_metrics(empty, &got);
		assert_true(got.rows == 0);
		assert_true(isnan(got.r2) && isnan(got.rmse) && isnan(got.mae) && isnan(got.explained_variance));

		mm_eval_init(a);
		for (r = 0; r < 10; r++)
			mm_eval_add(a, rows[r][P], predict(&mods[0], rows[r]), scratch);
		memcpy(copy, a, sizeof(a));
		mm_eval_merge(a, empty, scratch);
		assert_memory_equal(a, copy, sizeof(a));
		mm_eval_merge(empty, a, scratch);
		assert_memory_equal(empty, copy, sizeof(a));
	}

	/* a constant target: r2 and explained variance undefined, the errors not */
	{
		double		a[MM_EVAL_STATE_LEN];
		MmRegressionMetrics got;

		mm_eval_init(a);
		for (r = 0; r < 10; r++)
			mm_eval_add(a, 5.0, 4.0 + r % 2, scratch);
		mm_eval_metrics(a, &got);
		assert_true(isnan(got.r2) && isnan(got.explained_variance));
		assert_close(got.mae, 0.5, 1e-15);
		assert_close(got.rmse, sqrt(0.5), 1e-15);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_moments),
		cmocka_unit_test(test_training_parts),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_evaluation_states),
	};

	return cmocka_run_group_tests_name("regmetrics", tests, NULL, NULL);
}
