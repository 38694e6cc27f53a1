/*
 * test_moments.c: mergeable moments (row by row, merged from arbitrary
 * splits, and in batches) against a naive two-pass mean and co-moment
 * computation over the same rows.
 *
 * Work space is allocated on the heap at exactly the sizes moments.h
 * documents, so that a run under valgrind catches any write beyond them.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "moments.h"
#include "numerics/refblock.h"

#define D 3
#define N 1000

/* A data set: N rows of D values, and the tolerance it supports. */
typedef struct Data
{
	double		rows[N][D];
	double		rtol;
} Data;

/* Heap work space of the documented sizes. */
typedef struct Work
{
	double	   *add_scratch;	/* 2 d */
	double	   *merge_scratch;	/* d */
	double	   *batch_scratch;	/* mm_moments_len(d) + d */
	double	   *cols;			/* d columns of up to N values */
} Work;

static Work
work_new(void)
{
	Work		w;

	w.add_scratch = malloc(sizeof(double) * 2 * D);
	w.merge_scratch = malloc(sizeof(double) * D);
	w.batch_scratch = malloc(sizeof(double) * (mm_moments_len(D) + D));
	w.cols = malloc(sizeof(double) * D * N);
	return w;
}

static void
work_free(Work *w)
{
	free(w->add_scratch);
	free(w->merge_scratch);
	free(w->batch_scratch);
	free(w->cols);
}

static double *
block_new(void)
{
	return calloc(mm_moments_len(D), sizeof(double));
}

/*
 * The reference: count, means by a first pass, and the co-moments
 * sum (x_i - mean_i)(x_j - mean_j) by a second, in the packed order that
 * moments.h describes (the upper triangle row by row).
 */
static void
two_pass(const Data *data, int from, int to, double *block)
{
	int			n = to - from,
				i,
				j,
				r,
				k = 0;

	memset(block, 0, sizeof(double) * mm_moments_len(D));
	block[0] = n;
	for (j = 0; j < D; j++)
	{
		double		s = 0.0;

		for (r = from; r < to; r++)
			s += data->rows[r][j];
		block[1 + j] = s / n;
	}
	for (i = 0; i < D; i++)
		for (j = i; j < D; j++, k++)
		{
			double		s = 0.0;

			for (r = from; r < to; r++)
				s += (data->rows[r][i] - block[1 + i]) * (data->rows[r][j] - block[1 + j]);
			block[1 + D + k] = s;
		}
}

/*
 * Compares a block with the reference.  The count must be exact.  A mean is
 * compared relative to its magnitude or the column's standard deviation,
 * whichever is larger; a co-moment relative to sqrt(C_ii C_jj), its natural
 * scale (which is C_ii itself on the diagonal).
 */
static void
assert_block(const double *got, const double *want, double rtol)
{
	int			i,
				j;

	assert_true(got[0] == want[0]);
	for (i = 0; i < D; i++)
	{
		double		sd = sqrt(ref_co(want, D, i, i) / want[0]);
		double		scale = fabs(want[1 + i]) > sd ? fabs(want[1 + i]) : sd;

		if (!(fabs(got[1 + i] - want[1 + i]) <= rtol * scale))
		{
			print_error("mean %d = %.17g, expected %.17g (rtol %g)\n", i, got[1 + i], want[1 + i], rtol);
			fail();
		}
	}
	for (i = 0; i < D; i++)
		for (j = i; j < D; j++)
		{
			double		g = mm_moments_co(got, D, i, j),
						w = ref_co(want, D, i, j),
						scale = sqrt(ref_co(want, D, i, i) * ref_co(want, D, j, j));

			if (!(fabs(g - w) <= rtol * scale))
			{
				print_error("co-moment (%d, %d) = %.17g, expected %.17g (rtol %g)\n", i, j, g, w, rtol);
				fail();
			}
		}
}

/* Ordinary data: three correlated columns of different scales and signs. */
static void
make_ordinary(Data *data)
{
	uint64_t	s = 12345;
	int			r;

	for (r = 0; r < N; r++)
	{
		data->rows[r][0] = 10 * test_uniform(&s) - 3;
		data->rows[r][1] = -2 * data->rows[r][0] + 1e3 * test_uniform(&s);
		data->rows[r][2] = 1e-3 * test_uniform(&s) + 1e-4 * data->rows[r][0];
	}
	data->rtol = 1e-12;
}

/*
 * A large offset: 1e9 plus values below 1e6 (and a column near -5e8), where
 * the textbook one-pass formula (sum of squares minus n mean^2) loses about
 * nine of the sixteen digits.
 */
static void
make_offset(Data *data)
{
	uint64_t	s = 777;
	int			r;

	for (r = 0; r < N; r++)
	{
		double		u = 1e6 * test_uniform(&s);

		data->rows[r][0] = 1e9 + u;
		data->rows[r][1] = 1e9 + 0.5 * u + 5e5 * test_uniform(&s);
		data->rows[r][2] = -5e8 - 3e5 * test_uniform(&s);
	}
	data->rtol = 1e-12;
}

/*
 * An extreme offset: 1e9 plus values below 1.  Neighbouring doubles near 1e9
 * are 1.2e-7 apart, so every streaming update of a mean rounds at that
 * resolution; relative to a spread of 1 that leaves about 1e-7, the
 * tolerance here.  The one-pass formula loses everything (checked below).
 */
static void
make_extreme(Data *data)
{
	uint64_t	s = 4242;
	int			r;

	for (r = 0; r < N; r++)
	{
		data->rows[r][0] = 1e9 + test_uniform(&s);
		data->rows[r][1] = 1e9 + 3 * (data->rows[r][0] - 1e9) + test_uniform(&s);
		data->rows[r][2] = 1e9 - test_uniform(&s);
	}
	data->rtol = 1e-6;
}

/* Adds rows [from, to) one at a time. */
static void
add_rows(double *block, const Data *data, int from, int to, Work *w)
{
	int			r;

	for (r = from; r < to; r++)
		mm_moments_add(block, D, data->rows[r], w->add_scratch);
}

/* Merges rows [from, to) as one batch, given column by column. */
static void
add_batch(double *block, const Data *data, int from, int to, Work *w)
{
	int			m = to - from,
				j,
				r;

	for (j = 0; j < D; j++)
		for (r = 0; r < m; r++)
			w->cols[j * m + r] = data->rows[from + r][j];
	mm_moments_merge_batch(block, D, w->cols, m, w->batch_scratch);
}

/* Row by row: mm_moments_add over every row equals the two-pass result. */
static void
check_row_by_row(const Data *data)
{
	Work		w = work_new();
	double	   *want = block_new(),
			   *got = block_new();

	two_pass(data, 0, N, want);
	add_rows(got, data, 0, N, &w);
	assert_block(got, want, data->rtol);
	/* and for every prefix of a few lengths */
	{
		int			lens[] = {1, 2, 3, 10, 99};
		int			t;

		for (t = 0; t < 5; t++)
		{
			memset(got, 0, sizeof(double) * mm_moments_len(D));
			add_rows(got, data, 0, lens[t], &w);
			two_pass(data, 0, lens[t], want);
			if (lens[t] == 1)
			{
				/* one row: its values, and no co-moment at all */
				int			k;

				for (k = 0; k < D; k++)
					assert_true(got[1 + k] == data->rows[0][k]);
				for (k = 1 + D; k < mm_moments_len(D); k++)
					assert_true(got[k] == 0.0);
			}
			else
				assert_block(got, want, data->rtol);
		}
	}
	free(want);
	free(got);
	work_free(&w);
}

/*
 * Arbitrary splits: the rows cut at random points into 2 to 8 blocks, each
 * built row by row or in one batch, then merged left to right, right to
 * left, and pairwise as a tree; all equal the two-pass result.
 */
static void
check_splits(const Data *data)
{
	Work		w = work_new();
	double	   *want = block_new();
	uint64_t	s = 99;
	int			round;

	two_pass(data, 0, N, want);
	for (round = 0; round < 60; round++)
	{
		int			nblocks = 2 + round % 7,
					cut[9],
					b,
					order;
		double	   *blocks[8];

		/* cut points 0 = cut[0] <= cut[1] <= ... <= cut[nblocks] = N; blocks may be empty */
		cut[0] = 0;
		cut[nblocks] = N;
		for (b = 1; b < nblocks; b++)
			cut[b] = (int) (test_uniform(&s) * (N + 1));
		for (b = 1; b < nblocks; b++)
		{
			int			c;

			for (c = b + 1; c < nblocks; c++)
				if (cut[c] < cut[b])
				{
					int			t = cut[b];

					cut[b] = cut[c];
					cut[c] = t;
				}
		}
		for (order = 0; order < 3; order++)
		{
			double	   *got;

			for (b = 0; b < nblocks; b++)
			{
				blocks[b] = block_new();
				if ((round + b) % 2 == 0 || cut[b + 1] == cut[b])
					add_rows(blocks[b], data, cut[b], cut[b + 1], &w);
				else
					add_batch(blocks[b], data, cut[b], cut[b + 1], &w);
			}
			if (order == 0)
			{
				for (b = 1; b < nblocks; b++)
					mm_moments_merge(blocks[0], blocks[b], D, w.merge_scratch);
				got = blocks[0];
			}
			else if (order == 1)
			{
				for (b = nblocks - 2; b >= 0; b--)
					mm_moments_merge(blocks[nblocks - 1], blocks[b], D, w.merge_scratch);
				got = blocks[nblocks - 1];
			}
			else
			{
				int			step;

				for (step = 1; step < nblocks; step *= 2)
					for (b = 0; b + step < nblocks; b += 2 * step)
						mm_moments_merge(blocks[b], blocks[b + step], D, w.merge_scratch);
				got = blocks[0];
			}
			assert_block(got, want, data->rtol);
			for (b = 0; b < nblocks; b++)
				free(blocks[b]);
		}
	}
	free(want);
	work_free(&w);
}

/*
 * Batches: every row merged in batches of 1, 7, 32 and 33 rows (the last
 * batch shorter), and in a mixed sequence of sizes; all equal the two-pass
 * result.
 */
static void
check_batches(const Data *data)
{
	Work		w = work_new();
	double	   *want = block_new();
	int			sizes[] = {1, 7, 32, 33};
	int			mixed[] = {33, 1, 32, 7, 2, 64, 5};
	int			t,
				r;

	two_pass(data, 0, N, want);
	for (t = 0; t < 4; t++)
	{
		double	   *got = block_new();

		for (r = 0; r < N; r += sizes[t])
			add_batch(got, data, r, r + sizes[t] <= N ? r + sizes[t] : N, &w);
		assert_block(got, want, data->rtol);
		free(got);
	}
	{
		double	   *got = block_new();

		for (r = 0, t = 0; r < N; t++)
		{
			int			m = mixed[t % 7];
			int			to = r + m <= N ? r + m : N;

			add_batch(got, data, r, to, &w);
			r = to;
		}
		assert_block(got, want, data->rtol);
		free(got);
	}
	/* batches into a block that already holds rows added one at a time */
	{
		double	   *got = block_new();

		add_rows(got, data, 0, 100, &w);
		for (r = 100; r < N; r += 33)
			add_batch(got, data, r, r + 33 <= N ? r + 33 : N, &w);
		assert_block(got, want, data->rtol);
		free(got);
	}
	free(want);
	work_free(&w);
}

static void
check_all(const Data *data)
{
	check_row_by_row(data);
	check_splits(data);
	check_batches(data);
}

/* Ordinary data, to 1e-12. */
static void
test_ordinary_data(void **state)
{
	static Data data;

	make_ordinary(&data);
	check_all(&data);
}

/*
 * 1e9 plus values below 1e6, to 1e-12; the same data through the one-pass
 * formula misses by far more, which shows the cancellation is there.
 */
static void
test_large_offset(void **state)
{
	static Data data;
	double		want[16];
	double		sum = 0.0,
				sumsq = 0.0,
				one_pass;
	int			r;

	make_offset(&data);
	check_all(&data);

	two_pass(&data, 0, N, want);
	for (r = 0; r < N; r++)
	{
		sum += data.rows[r][0];
		sumsq += data.rows[r][0] * data.rows[r][0];
	}
	one_pass = sumsq - sum * sum / N;
	assert_true(fabs(one_pass - want[1 + D]) > 1e3 * 1e-12 * want[1 + D]);
}

/*
 * 1e9 plus values below 1, to the 1e-6 that the resolution of doubles near
 * 1e9 allows a streaming update; the one-pass formula is off by more than
 * the variance itself.
 */
static void
test_extreme_offset(void **state)
{
	static Data data;
	double		want[16];
	double		sum = 0.0,
				sumsq = 0.0;
	int			r;

	make_extreme(&data);
	check_all(&data);

	two_pass(&data, 0, N, want);
	for (r = 0; r < N; r++)
	{
		sum += data.rows[r][0];
		sumsq += data.rows[r][0] * data.rows[r][0];
	}
	assert_true(fabs((sumsq - sum * sum / N) - want[1 + D]) > 0.1 * want[1 + D]);
}

/*
 * Merging with an empty block is a no-op in both directions (bit for bit),
 * as is an empty batch; empty into empty stays empty.
 */
static void
test_empty_merge(void **state)
{
	static Data data;
	Work		w = work_new();
	double	   *a = block_new(),
			   *empty = block_new(),
			   *copy = block_new();
	size_t		bytes = sizeof(double) * mm_moments_len(D);
	int			k;

	make_offset(&data);
	add_rows(a, &data, 0, 17, &w);
	memcpy(copy, a, bytes);

	mm_moments_merge(a, empty, D, w.merge_scratch);
	assert_memory_equal(a, copy, bytes);

	mm_moments_merge(empty, a, D, w.merge_scratch);
	assert_memory_equal(empty, copy, bytes);

	mm_moments_merge_batch(a, D, w.cols, 0, w.batch_scratch);
	assert_memory_equal(a, copy, bytes);

	memset(empty, 0, bytes);
	memset(a, 0, bytes);
	mm_moments_merge(a, empty, D, w.merge_scratch);
	for (k = 0; k < mm_moments_len(D); k++)
		assert_true(a[k] == 0.0);

	free(a);
	free(empty);
	free(copy);
	work_free(&w);
}

/*
 * The packed layout: mm_tri_index enumerates the upper triangle row by row,
 * and mm_moments_co reads (i, j) and (j, i) alike.  Two rows give the
 * co-moment (x1 - x2)(y1 - y2) / 2 in closed form.
 */
/*
 * The residual sum of squares of a nearly exact linear relation, from the
 * factor, against the residuals summed directly: expanding the quadratic
 * form from the co-moments would leave nothing of it (its terms are 1e12
 * times larger), the factor keeps it to a few digits of rounding.
 */
static void
test_residual_ss(void **state)
{
	Work		w = work_new();
	double	   *block = block_new();
	double		coef[D - 1] = {3.0, -0.5},
				direct = 0.0,
				got;
	int			r;

	for (r = 0; r < N; r++)
	{
		double		v[D];

		v[0] = r + 1.0;
		v[1] = ((r * 7919) % 1000) / 10.0;
		v[2] = 1.0 + coef[0] * v[0] + coef[1] * v[1] + 1e-9 * sin(r);
		mm_moments_add(block, D, v, w.add_scratch);
	}
	{
		double		mx0 = block[1],
					mx1 = block[2],
					my = block[3];

		for (r = 0; r < N; r++)
		{
			double		x0 = r + 1.0,
						x1 = ((r * 7919) % 1000) / 10.0,
						y = 1.0 + coef[0] * x0 + coef[1] * x1 + 1e-9 * sin(r),
						e = (y - my) - coef[0] * (x0 - mx0) - coef[1] * (x1 - mx1);

			direct += e * e;
		}
	}
	got = mm_moments_residual_ss(block, D - 1, coef);
	assert_true(direct > 0.0);
	if (fabs(got - direct) > 1e-3 * direct)
		fail_msg("residual sum of squares %.17g, directly %.17g", got, direct);
	free(block);
	work_free(&w);
}

static void
test_layout(void **state)
{
	Work		w = work_new();
	double	   *block = block_new();
	double		row1[D] = {1, 2, 3},
				row2[D] = {2, 5, 1};
	int			i,
				j,
				k = 0;

	assert_int_equal(mm_moments_len(D), 1 + D + D * (D + 1) / 2);
	for (i = 0; i < D; i++)
		for (j = i; j < D; j++)
			assert_int_equal(mm_tri_index(D, i, j), k++);

	mm_moments_add(block, D, row1, w.add_scratch);
	mm_moments_add(block, D, row2, w.add_scratch);
	for (i = 0; i < D; i++)
		for (j = 0; j < D; j++)
		{
			assert_true(mm_moments_co(block, D, i, j) == mm_moments_co(block, D, j, i));
			assert_close(mm_moments_co(block, D, i, j),
						 (row1[i] - row2[i]) * (row1[j] - row2[j]) / 2, 1e-15);
		}
	free(block);
	work_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_data),
		cmocka_unit_test(test_large_offset),
		cmocka_unit_test(test_extreme_offset),
		cmocka_unit_test(test_empty_merge),
		cmocka_unit_test(test_residual_ss),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests_name("moments", tests, NULL, NULL);
}
