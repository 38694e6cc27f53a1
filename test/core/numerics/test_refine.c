/*
 * test_refine.c: least squares on the five linear data sets of NIST's
 * Statistical Reference Datasets (test/fixtures/nist), fitted from the
 * factor the training aggregate builds and, where the factor is
 * ill-conditioned, refined by the compensated residual sums of refine.c.
 *
 * Each set is fed in several row orders, batch sizes and merge trees (the
 * shapes parallel workers and chunked sources give), and every result must
 * have its coefficients right to 7 significant digits and its standard
 * errors to 6 (a certified zero within 1e-6).  The digits (log relative
 * errors, the StRD measure) are printed per set, the worst over the shapes,
 * before and after refinement.
 */
#include "testutil.h"

#include <string.h>

#include <jansson.h>

#include "linfit.h"
#include "moments.h"
#include "refine.h"

#define FIXTURES "test/fixtures/nist/"
#define MAX_ROWS 128
#define MAX_P 10

/* A data set and its certified values (intercept first). */
typedef struct NistSet
{
	const char *name;
	int			n,
				p;
	double		y[MAX_ROWS];
	double		x[MAX_ROWS][MAX_P];
	double		coef[MAX_P + 1];
	double		std_err[MAX_P + 1];
} NistSet;

/* How the rows reach the factor. */
typedef struct Shape
{
	uint64_t	order_seed;		/* 0: as in the file; 1: reversed; else shuffled */
	int			batch;			/* rows per merged batch; 1: row by row */
	int			parts;			/* partial states, as parallel workers make */
	int			tree;			/* merge the parts pairwise, not left to right */
} Shape;

static const Shape shapes[] = {
	{0, 256, 1, 0}, {1, 256, 1, 0}, {0, 1, 1, 0}, {0, 32, 1, 0}, {0, 7, 2, 0},
	{11, 32, 3, 0}, {12, 5, 4, 1}, {13, 64, 2, 1}, {14, 1, 3, 1}, {15, 3, 5, 1},
	{16, 32, 1, 0}, {17, 11, 2, 0},
};
#define N_SHAPES ((int) (sizeof(shapes) / sizeof(shapes[0])))

static void
load_set(NistSet *s, const char *name, const char *file)
{
	char		path[256],
				line[4096];
	FILE	   *f;
	json_t	   *root,
			   *cert;
	json_error_t jerr;
	int			j;

	memset(s, 0, sizeof(*s));
	s->name = name;
	snprintf(path, sizeof(path), FIXTURES "%s", file);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	for (j = 0; line[j]; j++)
		if (line[j] == ',')
			s->p++;
	while (fgets(line, sizeof(line), f) != NULL && s->n < MAX_ROWS)
	{
		char	   *c = line,
				   *end;

		s->y[s->n] = strtod(c, &end);
		for (j = 0; j < s->p; j++)
		{
			c = end + 1;
			s->x[s->n][j] = strtod(c, &end);
		}
		s->n++;
	}
	fclose(f);

	root = json_load_file(FIXTURES "certified.json", 0, &jerr);
	assert_non_null(root);
	cert = json_object_get(json_object_get(root, name), "certified");
	assert_non_null(cert);
	for (j = 0; j <= s->p; j++)
	{
		char		key[16];
		json_t	   *e;

		if (j == 0)
			snprintf(key, sizeof(key), "intercept");
		else
			snprintf(key, sizeof(key), "x%d", j);
		e = json_object_get(cert, key);
		assert_non_null(e);
		s->coef[j] = json_number_value(json_object_get(e, "coef"));
		s->std_err[j] = json_number_value(json_object_get(e, "std_err"));
	}
	json_decref(root);
}

/* The row order of a shape: a permutation of 0 .. n-1. */
static void
row_order(const Shape *sh, int n, int *order)
{
	uint64_t	st = sh->order_seed;
	int			i;

	for (i = 0; i < n; i++)
		order[i] = sh->order_seed == 1 ? n - 1 - i : i;
	if (sh->order_seed > 1)
		for (i = n - 1; i > 0; i--)
		{
			int			k = (int) (test_uniform(&st) * (i + 1)),
						t = order[i];

			order[i] = order[k];
			order[k] = t;
		}
}

/* The moments of rows order[from .. to) in batches of the shape's size. */
static void
part_moments(const NistSet *s, const int *order, int from, int to, int batch, double *block)
{
	int			d = s->p + 1,
				i,
				j;
	double		cols[256 * (MAX_P + 1)],
				scratch[2 * (MAX_P + 1) * (MAX_P + 2)];

	memset(block, 0, sizeof(double) * mm_moments_len(d));
	for (i = from; i < to; i += batch)
	{
		int			m = to - i < batch ? to - i : batch,
					r;

		if (batch == 1)
		{
			double		row[MAX_P + 1];

			for (j = 0; j < s->p; j++)
				row[j] = s->x[order[i]][j];
			row[s->p] = s->y[order[i]];
			mm_moments_add(block, d, row, scratch);
			continue;
		}
		for (r = 0; r < m; r++)
		{
			for (j = 0; j < s->p; j++)
				cols[j * m + r] = s->x[order[i + r]][j];
			cols[s->p * m + r] = s->y[order[i + r]];
		}
		mm_moments_merge_batch(block, d, cols, m, scratch);
	}
}

/* The moments of all rows as a shape builds them. */
static void
shape_moments(const NistSet *s, const Shape *sh, const int *order, double *out)
{
	int			d = s->p + 1,
				len = mm_moments_len(d),
				k,
				step;
	double		parts[8][1 + (MAX_P + 1) + (MAX_P + 1) * (MAX_P + 2) / 2];
	double		scratch[MAX_P + 1];

	for (k = 0; k < sh->parts; k++)
		part_moments(s, order, s->n * k / sh->parts, s->n * (k + 1) / sh->parts, sh->batch, parts[k]);
	if (sh->tree)
	{
		for (step = 1; step < sh->parts; step *= 2)
			for (k = 0; k + step < sh->parts; k += 2 * step)
				mm_moments_merge(parts[k], parts[k + step], d, scratch);
	}
	else
		for (k = 1; k < sh->parts; k++)
			mm_moments_merge(parts[0], parts[k], d, scratch);
	memcpy(out, parts[0], sizeof(double) * len);
}

#ifndef NIST_ONE_PASS_ONLY
/* The refined fit: residual sums over the shape's parts, merged. */
static void
refine(const NistSet *s, const Shape *sh, const int *order, const double *moments,
	   MmLinearModel *m)
{
	double		acc[8][2 * (MAX_P + 2)],
				sums[MAX_P + 2];
	MmResidualModel rm = {s->p, m->intercept, m->coef, moments + 1};
	MmLinearModel refined;
	MmError		err;
	int			k,
				i;

	for (k = 0; k < sh->parts; k++)
	{
		memset(acc[k], 0, sizeof(acc[k]));
		for (i = s->n * k / sh->parts; i < s->n * (k + 1) / sh->parts; i++)
			mm_residual_sums_add(acc[k], &rm, s->x[order[i]], s->y[order[i]]);
		if (k > 0)
			mm_residual_sums_merge(acc[0], acc[k], s->p);
	}
	mm_residual_sums_value(acc[0], s->p, sums);
	assert_int_equal(mm_linear_refine(moments, s->p, 1, sums, &refined, NULL, &err), MM_OK);
	free(m->coef);
	free(m->std_err);
	free(m->stat);
	free(m->p_value);
	*m = refined;
}
#endif

/* Log relative error, the digits right, capped at 15. */
static double
lre(double got, double want)
{
	double		e = want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);

	if (!isfinite(got))
		return 0.0;
	return e == 0.0 ? 15.0 : fmin(15.0, -log10(e));
}

/* The worst digits of a fit's coefficients and standard errors. */
static void
digits(const NistSet *s, const MmLinearModel *m, double *coef_digits, double *se_digits,
	   double *zero_se)
{
	int			j;

	*coef_digits = *se_digits = 15.0;
	*zero_se = 0.0;
	for (j = 0; j <= s->p; j++)
	{
		double		c = j == 0 ? m->intercept : m->coef[j - 1];

		*coef_digits = fmin(*coef_digits, lre(c, s->coef[j]));
		if (s->std_err[j] == 0.0)
			*zero_se = fmax(*zero_se, isfinite(m->std_err[j]) ? fabs(m->std_err[j]) : INFINITY);
		else
			*se_digits = fmin(*se_digits, lre(m->std_err[j], s->std_err[j]));
	}
}

static void
check_set(const char *name, const char *file)
{
	static NistSet s;
	double		worst[2][2] = {{15, 15}, {15, 15}},
				worst_zero = 0.0;
	int			order[MAX_ROWS],
				refined_shapes = 0,
				t;

	load_set(&s, name, file);
	for (t = 0; t < N_SHAPES; t++)
	{
		double		moments[1 + (MAX_P + 1) + (MAX_P + 1) * (MAX_P + 2) / 2];
		MmLinearModel m;
		MmError		err;
		double		cd,
					sd,
					zero;
		int			needs_refinement;

		row_order(&shapes[t], s.n, order);
		shape_moments(&s, &shapes[t], order, moments);
		assert_int_equal(mm_linear_fit(moments, s.p, 0.0, 1, &m, NULL, &needs_refinement, &err), MM_OK);
		digits(&s, &m, &cd, &sd, &zero);
		worst[0][0] = fmin(worst[0][0], cd);
		worst[0][1] = fmin(worst[0][1], sd);
#ifndef NIST_ONE_PASS_ONLY
		if (needs_refinement)
		{
			refine(&s, &shapes[t], order, moments, &m);
			refined_shapes++;
			digits(&s, &m, &cd, &sd, &zero);
		}
		if (cd < 7.0 || sd < 6.0 || zero > 1e-6)
		{
			print_error("%s, shape %d: coefficients %.2f digits, standard errors %.2f, zero %.3g\n",
						name, t, cd, sd, zero);
			fail();
		}
#endif
		worst[1][0] = fmin(worst[1][0], cd);
		worst[1][1] = fmin(worst[1][1], sd);
		worst_zero = fmax(worst_zero, zero);
		free(m.coef);
		free(m.std_err);
		free(m.stat);
		free(m.p_value);
	}
	print_message("nist %-8s one pass: coef %5.2f se %5.2f | final: coef %5.2f se %5.2f "
				  "| zero se %.1e | refined in %d of %d shapes\n",
				  name, worst[0][0], worst[0][1], worst[1][0], worst[1][1], worst_zero,
				  refined_shapes, N_SHAPES);
}

static void
test_norris(void **state)
{
	check_set("Norris", "norris.csv");
}

static void
test_longley(void **state)
{
	check_set("Longley", "longley.csv");
}

static void
test_wampler1(void **state)
{
	check_set("Wampler1", "wampler1.csv");
}

static void
test_wampler3(void **state)
{
	check_set("Wampler3", "wampler3.csv");
}

static void
test_filip(void **state)
{
	check_set("Filip", "filip.csv");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_norris),
		cmocka_unit_test(test_longley),
		cmocka_unit_test(test_wampler1),
		cmocka_unit_test(test_wampler3),
		cmocka_unit_test(test_filip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
