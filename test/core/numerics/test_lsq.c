/*
 * test_lsq.c: the mergeable least-squares training state, against facts
 * established independently of it: two-pass moments of each part's rows,
 * binomial bounds on the split, the bottom-k of sample keys recomputed
 * from rowhash.h, and counts of the rows fed in.
 *
 * States live in malloc'd buffers of mm_ls_size bytes that grow exactly
 * as mm_ls_grow_needed and mm_ls_merge_grow_needed say, through
 * mm_ls_copy_resized, as the server's aggregate does.
 */
#include "testutil.h"

#include <string.h>

#include "lsq.h"
#include "moments.h"
#include "numerics/refblock.h"
#include "rowhash.h"

#define MAXD 4

/* ---------------------------------------------------------------- states */

typedef struct State
{
	void	   *buf;
} State;

static MmLsHeader *
head(const State *s)
{
	return (MmLsHeader *) s->buf;
}

static size_t
state_len(const State *s)
{
	return mm_ls_size(head(s)->nfeatures, head(s)->sample_alloc);
}

static void
state_check(const State *s)
{
	MmError		err;

	assert_int_equal(mm_ls_check(s->buf, state_len(s), 1, &err), MM_OK);
}

static State
state_new(int p, double test_size, int64_t seed, int cap, double expected)
{
	State		s;

	s.buf = malloc(mm_ls_size(p, 0));
	mm_ls_init(s.buf, p, test_size, seed, cap, expected, 0);
	state_check(&s);
	return s;
}

/*
 * Grows a state to alloc rows per part.  The copy keeps the header (but
 * for the allocation), the counts, moments and batches, and each part's
 * sample entries and rows.
 */
static void
state_resize(State *s, int alloc)
{
	MmLsHeader	before = *head(s);
	void	   *grown = malloc(mm_ls_size(before.nfeatures, alloc));
	MmLsView	a,
				b;
	size_t		prefix;
	int			part;

	assert_true(alloc > before.sample_alloc);
	mm_ls_copy_resized(grown, s->buf, alloc);
	mm_ls_view(s->buf, &a);
	mm_ls_view(grown, &b);
	assert_int_equal(b.head->sample_alloc, alloc);
	b.head->sample_alloc = before.sample_alloc;
	assert_memory_equal(b.head, &before, sizeof(MmLsHeader));
	b.head->sample_alloc = alloc;
	prefix = (size_t) ((char *) a.sample_entry[0] - (char *) a.head);
	assert_int_equal(prefix, (size_t) ((char *) b.sample_entry[0] - (char *) b.head));
	assert_memory_equal((char *) b.head + sizeof(MmLsHeader), (char *) a.head + sizeof(MmLsHeader),
						prefix - sizeof(MmLsHeader));
	for (part = 0; part < 2; part++)
	{
		int			count = before.sample_count[part];

		if (count == 0)
			continue;
		assert_memory_equal(b.sample_entry[part], a.sample_entry[part], sizeof(MmLsSampleEntry) * count);
		assert_memory_equal(b.sample_row[part], a.sample_row[part], sizeof(double) * a.d * count);
	}
	free(s->buf);
	s->buf = grown;
	state_check(s);
}

static void
state_add(State *s, const double *row, const uint8_t *isnull)
{
	MmLsView	v;
	int			grow = mm_ls_grow_needed(s->buf);

	if (grow)
		state_resize(s, grow);
	mm_ls_view(s->buf, &v);
	mm_ls_add(&v, row, isnull);
}

static void
state_merge(State *dst, const State *src)
{
	MmError		err;
	int			grow = mm_ls_merge_grow_needed(dst->buf, src->buf);

	if (grow)
		state_resize(dst, grow);
	assert_int_equal(mm_ls_merge(dst->buf, src->buf, &err), MM_OK);
	state_check(dst);
}

static MmLsView
state_finish(State *s)
{
	MmLsView	v;

	mm_ls_view(s->buf, &v);
	mm_ls_finish(&v);
	state_check(s);
	assert_int_equal(head(s)->damaged, 0);
	return v;
}

/* ------------------------------------------------------------ row facts */

/* The row's draw for a seed, recomputed from rowhash.h. */
static uint64_t
draw_of(const double *row, int d, int64_t seed)
{
	return mm_row_draw(mm_row_hash(row, d), mm_seed_salt(seed));
}

static int
part_of(const double *row, int d, int64_t seed, double test_size)
{
	return mm_draw_is_test(draw_of(row, d, seed), test_size);
}

static uint64_t
key_of(const double *row, int d, int64_t seed)
{
	return mm_draw_sample_key(draw_of(row, d, seed));
}

/* A set of rows of d values. */
typedef struct Rows
{
	int			n;
	int			d;
	double	   *v;				/* n * d */
} Rows;

static double *
row_at(const Rows *r, int i)
{
	return r->v + (size_t) i * r->d;
}

static Rows
rows_new(int n, int d)
{
	Rows		r;

	r.n = n;
	r.d = d;
	r.v = malloc(sizeof(double) * n * d);
	return r;
}

/*
 * Two features on a 97-wide grid and a noisy linear target, with every
 * 16th row a copy of the row 15 before it (duplicates tie in the sample).
 */
static Rows
grid_rows(int n)
{
	Rows		r = rows_new(n, 3);
	int			i;

	for (i = 0; i < n; i++)
	{
		int			b = i % 16 == 15 ? i - 15 : i;
		double	   *row = row_at(&r, i);

		row[0] = b % 97;
		row[1] = b / 97;
		row[2] = 3 + 0.5 * row[0] - row[1] + (b % 7) * 0.01;
	}
	return r;
}

/* Mean and co-moments of the rows of one part by two passes. */
static void
two_pass_part(const Rows *r, int64_t seed, double test_size, int part, double *block)
{
	int			d = r->d,
				i,
				j,
				k,
				t,
				n = 0;

	memset(block, 0, sizeof(double) * mm_moments_len(d));
	for (t = 0; t < r->n; t++)
		if (part_of(row_at(r, t), d, seed, test_size) == part)
		{
			n++;
			for (j = 0; j < d; j++)
				block[1 + j] += row_at(r, t)[j];
		}
	block[0] = n;
	if (n == 0)
		return;
	for (j = 0; j < d; j++)
		block[1 + j] /= n;
	k = 0;
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++, k++)
			for (t = 0; t < r->n; t++)
				if (part_of(row_at(r, t), d, seed, test_size) == part)
					block[1 + d + k] += (row_at(r, t)[i] - block[1 + i]) * (row_at(r, t)[j] - block[1 + j]);
}

/* Each variable's minimum and maximum over the rows of one part, directly. */
static void
range_part(const Rows *r, int64_t seed, double test_size, int part, double *range)
{
	int			d = r->d,
				j,
				t;

	for (j = 0; j < d; j++)
	{
		range[j] = INFINITY;
		range[d + j] = -INFINITY;
	}
	for (t = 0; t < r->n; t++)
		if (part_of(row_at(r, t), d, seed, test_size) == part)
			for (j = 0; j < d; j++)
			{
				range[j] = fmin(range[j], row_at(r, t)[j]);
				range[d + j] = fmax(range[d + j], row_at(r, t)[j]);
			}
}

/*
 * Moments blocks agree to rtol: the count exactly, a mean relative to its
 * magnitude or its column's standard deviation (the larger), a co-moment
 * relative to sqrt(C_ii C_jj).  want is a reference block (two_pass_part)
 * when reference is set, else another state's moments block.
 */
static void
assert_moments(const double *got, const double *want, int d, double rtol, int reference)
{
	int			i,
				j;

	assert_true(got[0] == want[0]);
	if (want[0] == 0.0)
		return;
	for (i = 0; i < d; i++)
	{
		double		sd = sqrt((reference ? ref_co : mm_moments_co)(want, d, i, i) / want[0]);
		double		scale = fabs(want[1 + i]) > sd ? fabs(want[1 + i]) : sd;

		if (!(fabs(got[1 + i] - want[1 + i]) <= rtol * scale))
		{
			print_error("mean %d = %.17g, expected %.17g\n", i, got[1 + i], want[1 + i]);
			fail();
		}
	}
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++)
		{
			double		scale = sqrt((reference ? ref_co : mm_moments_co)(want, d, i, i) * (reference ? ref_co : mm_moments_co)(want, d, j, j));
			double		g = mm_moments_co(got, d, i, j),
						w = (reference ? ref_co : mm_moments_co)(want, d, i, j);

			if (!(fabs(g - w) <= rtol * scale))
			{
				print_error("co-moment (%d, %d) = %.17g, expected %.17g\n", i, j, g, w);
				fail();
			}
		}
}

/* ---------------------------------------------------------------- samples */

/* One sampled row: its key and its values. */
typedef struct Kept
{
	uint64_t	key;
	double		row[MAXD];
} Kept;

static int
cmp_kept(const void *a, const void *b)
{
	const Kept *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return memcmp(x->row, y->row, sizeof(x->row));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/*
 * A finished part's sample, sorted by key, after checking that its slots
 * are distinct and in 0 .. count-1 and that every stored row belongs to
 * the part and has the key stored with it.
 */
static Kept *
sample_of(const MmLsView *v, int part, int64_t seed, double test_size, int *count)
{
	int			n = v->head->sample_count[part],
				d = v->d,
				i;
	Kept	   *k = calloc(n + 1, sizeof(Kept));
	uint8_t    *seen = calloc(n + 1, 1);

	for (i = 0; i < n; i++)
	{
		int64_t		slot = v->sample_entry[part][i].slot;
		const double *row;

		assert_true(slot >= 0 && slot < n);
		assert_false(seen[slot]);
		seen[slot] = 1;
		row = v->sample_row[part] + slot * d;
		assert_int_equal(part_of(row, d, seed, test_size), part);
		assert_true(key_of(row, d, seed) == v->sample_entry[part][i].key);
		k[i].key = v->sample_entry[part][i].key;
		memcpy(k[i].row, row, sizeof(double) * d);
	}
	qsort(k, n, sizeof(Kept), cmp_kept);
	free(seen);
	*count = n;
	return k;
}

/* Two finished states hold the same counts, fingerprint, samples and moments. */
static void
assert_same_state(const MmLsView *a, const MmLsView *b, int64_t seed, double test_size)
{
	int			part;

	assert_true(a->head->fingerprint == b->head->fingerprint);
	assert_int_equal(a->head->rows_seen, b->head->rows_seen);
	for (part = 0; part < 2; part++)
	{
		int			na,
					nb;
		Kept	   *ka = sample_of(a, part, seed, test_size, &na),
				   *kb = sample_of(b, part, seed, test_size, &nb);

		assert_true(a->part[part][0] == b->part[part][0]);
		assert_moments(a->part[part], b->part[part], a->d, 1e-12, 0);
		assert_memory_equal(a->range[part], b->range[part], sizeof(double) * 2 * a->d);
		assert_int_equal(na, nb);
		assert_memory_equal(ka, kb, sizeof(Kept) * na);
		free(ka);
		free(kb);
	}
}

/* ------------------------------------------------------------------ (a) */

/*
 * The same rows in another order, or split into two or three states merged
 * in different orders (finished or not, into empty and tiny states too),
 * give identical part counts, fingerprint, ranges and sample keys and moments
 * equal to 1e-12; all agree with a two-pass computation over each part's rows and
 * with the fingerprint summed from rowhash.h.
 */
static void
test_order_and_merge_independence(void **state)
{
	const int	n = 5000,
				cap = 100;
	const double ts = 0.3;
	const int64_t seed = 11;
	Rows		rows = grid_rows(n);
	State		ref = state_new(2, ts, seed, cap, 0);
	MmLsView	vref;
	double		want[16];
	uint64_t	fingerprint = 0;
	int			variant,
				i,
				part;

	for (i = 0; i < n; i++)
	{
		state_add(&ref, row_at(&rows, i), NULL);
		fingerprint += mm_row_hash(row_at(&rows, i), 3);
	}
	vref = state_finish(&ref);
	assert_true(vref.head->fingerprint == fingerprint);
	assert_int_equal(vref.head->rows_seen, n);
	for (part = 0; part < 2; part++)
	{
		double		range[6];

		two_pass_part(&rows, seed, ts, part, want);
		assert_moments(vref.part[part], want, 3, 1e-12, 1);
		range_part(&rows, seed, ts, part, range);
		assert_memory_equal(vref.range[part], range, sizeof(range));
		assert_int_equal(vref.head->sample_count[part], cap);
	}

	for (variant = 0; variant < 9; variant++)
	{
		State		s[3];
		State		result;
		MmLsView	v;
		int			k;

		for (k = 0; k < 3; k++)
			s[k] = state_new(2, ts, seed, cap, 0);
		for (i = 0; i < n; i++)
		{
			int			reverse = n - 1 - i,
						shuffled = (int) (((int64_t) i * 7919) % n);

			switch (variant)
			{
				case 0:			/* reversed */
					state_add(&s[0], row_at(&rows, reverse), NULL);
					break;
				case 1:			/* shuffled */
					state_add(&s[0], row_at(&rows, shuffled), NULL);
					break;
				case 2:			/* two halves, second into first */
				case 3:			/* two halves, first into second */
					state_add(&s[i < n / 2 ? 0 : 1], row_at(&rows, shuffled), NULL);
					break;
				case 4:			/* three interleaved pieces */
				case 5:
				case 6:
					state_add(&s[i % 3], row_at(&rows, shuffled), NULL);
					break;
				case 7:			/* all rows in one, a few in another, none in the third */
				case 8:
					state_add(&s[i < 5 ? 1 : 0], row_at(&rows, i), NULL);
					break;
			}
		}
		switch (variant)
		{
			case 0:
			case 1:
				result = s[0];
				break;
			case 2:
				state_merge(&s[0], &s[1]);
				result = s[0];
				break;
			case 3:
				state_merge(&s[1], &s[0]);
				result = s[1];
				break;
			case 4:				/* (0 + 1) + 2 */
				state_merge(&s[0], &s[1]);
				state_merge(&s[0], &s[2]);
				result = s[0];
				break;
			case 5:				/* 2 + (1 + 0), the inner one finished first */
				state_merge(&s[1], &s[0]);
				state_finish(&s[1]);
				state_merge(&s[2], &s[1]);
				result = s[2];
				break;
			case 6:				/* 1 + (2 + 0), pieces finished before merging */
				state_finish(&s[0]);
				state_finish(&s[2]);
				state_merge(&s[2], &s[0]);
				state_merge(&s[1], &s[2]);
				result = s[1];
				break;
			case 7:				/* the large state into the empty one, then the tiny one */
				state_merge(&s[2], &s[0]);
				state_merge(&s[2], &s[1]);
				result = s[2];
				break;
			default:			/* the finished large state into the tiny one, then the empty one in */
				state_finish(&s[0]);
				state_merge(&s[1], &s[0]);
				state_merge(&s[1], &s[2]);
				result = s[1];
				break;
		}
		v = state_finish(&result);
		assert_same_state(&v, &vref, seed, ts);
		for (k = 0; k < 3; k++)
			free(s[k].buf);
	}
	free(ref.buf);
	free(rows.v);
}

/* ------------------------------------------------------------------ (b) */

/*
 * The part of each row as a state assigns it: with a sample cap above the
 * row count every row is kept, so each part's sample lists its rows.  Rows
 * are told apart by index_of, which maps a row's values to its index.
 */
static void
assign_parts(const Rows *r, int index_of(const double *), double ts, int64_t seed, int8_t *part)
{
	State		s = state_new(r->d - 1, ts, seed, r->n, 0);
	MmLsView	v;
	int			i,
				p;

	for (i = 0; i < r->n; i++)
		part[i] = -1;
	for (i = 0; i < r->n; i++)
		state_add(&s, row_at(r, i), NULL);
	v = state_finish(&s);
	for (p = 0; p < 2; p++)
		for (i = 0; i < v.head->sample_count[p]; i++)
		{
			const double *row = v.sample_row[p] + v.sample_entry[p][i].slot * v.d;
			int			idx = index_of(row);

			assert_true(idx >= 0 && idx < r->n);
			assert_int_equal(part[idx], -1);
			part[idx] = (int8_t) p;
		}
	assert_int_equal((int) v.part[1][0] + (int) v.part[0][0], r->n);
	for (i = 0; i < r->n; i++)
		assert_true(part[i] == 0 || part[i] == 1);
	free(s.buf);
}

/* |count - n ts| within z binomial standard deviations. */
static void
assert_binomial(int count, int n, double ts, double z)
{
	double		sd = sqrt(n * ts * (1 - ts));

	if (!(fabs(count - n * ts) <= z * sd))
	{
		print_error("%d of %d held out, expected %g +- %g\n", count, n, n * ts, z * sd);
		fail();
	}
}

#define LINE_N 20000
#define GRID_K 120

static int
line_index(const double *row)
{
	return (int) row[0] - 1;
}

static int
grid_index(const double *row)
{
	return ((int) row[0] - 1) * GRID_K + (int) row[1] - 1;
}

/*
 * Checks a split of structured rows: the held-out share is close to ts
 * overall, among the rows of each residue of the index mod 10, and in
 * every slice of consecutive rows; and the slices' deviations add up as a
 * chi-square of one degree of freedom per slice should, neither too large
 * (structure leaks into the split) nor too small (the split follows a
 * pattern).
 */
static void
check_split_shares(const int8_t *part, int n, double ts, int slices)
{
	int			i,
				s,
				total = 0,
				mod[10] = {0},
				count_mod[10] = {0};
	double		chi2 = 0.0;
	int			size = n / slices;

	for (i = 0; i < n; i++)
	{
		total += part[i];
		mod[i % 10] += part[i];
		count_mod[i % 10]++;
	}
	assert_binomial(total, n, ts, 5);
	for (s = 0; s < 10; s++)
		assert_binomial(mod[s], count_mod[s], ts, 5);
	for (s = 0; s < slices; s++)
	{
		int			c = 0;

		for (i = s * size; i < (s + 1) * size; i++)
			c += part[i];
		assert_binomial(c, size, ts, 5.5);
		chi2 += (c - size * ts) * (c - size * ts) / (size * ts * (1 - ts));
	}
	/* chi-square with k = slices degrees of freedom: mean k, sd sqrt(2k) */
	assert_true(chi2 < slices + 6 * sqrt(2.0 * slices));
	assert_true(chi2 > slices - 5 * sqrt(2.0 * slices));
}

/*
 * Integers 1..N in one column (a constant target), and a grid over two
 * columns: the held-out share is close to test_size for several sizes,
 * in every slice; the parts are those rowhash.h gives.
 */
static void
test_split_fraction(void **state)
{
	double		sizes[] = {0.1, 0.25, 0.5, 0.8};
	Rows		line = rows_new(LINE_N, 2),
				grid = rows_new(GRID_K * GRID_K, 3);
	int8_t	   *part = malloc(LINE_N > GRID_K * GRID_K ? LINE_N : GRID_K * GRID_K);
	int			i,
				t;

	for (i = 0; i < LINE_N; i++)
	{
		row_at(&line, i)[0] = i + 1;
		row_at(&line, i)[1] = 0.0;
	}
	for (i = 0; i < GRID_K * GRID_K; i++)
	{
		row_at(&grid, i)[0] = i / GRID_K + 1;
		row_at(&grid, i)[1] = i % GRID_K + 1;
		row_at(&grid, i)[2] = row_at(&grid, i)[0] + row_at(&grid, i)[1];
	}
	for (t = 0; t < 4; t++)
	{
		assign_parts(&line, line_index, sizes[t], 42, part);
		check_split_shares(part, LINE_N, sizes[t], 100);
		for (i = 0; i < LINE_N; i++)
			assert_int_equal(part[i], part_of(row_at(&line, i), 2, 42, sizes[t]));

		assign_parts(&grid, grid_index, sizes[t], 42, part);
		/* slices of the grid: its rows (first column fixed) */
		check_split_shares(part, GRID_K * GRID_K, sizes[t], GRID_K);
		for (i = 0; i < GRID_K * GRID_K; i++)
			assert_int_equal(part[i], part_of(row_at(&grid, i), 3, 42, sizes[t]));
	}
	free(part);
	free(line.v);
	free(grid.v);
}

/*
 * Different seeds give different (independent) splits: two seeds disagree
 * on about 2 ts (1 - ts) of the rows; the same seed agrees on every row.
 * test_size 0 holds out nothing.
 */
static void
test_split_seeds(void **state)
{
	int64_t		seeds[] = {0, 1, 2, -1, 12345, INT32_MAX, INT64_MIN};
	const int	nseeds = 7;
	const double ts = 0.25;
	Rows		line = rows_new(LINE_N, 2);
	int8_t	   *parts[7];
	int8_t	   *again = malloc(LINE_N);
	int			a,
				b,
				i;

	for (i = 0; i < LINE_N; i++)
	{
		row_at(&line, i)[0] = i + 1;
		row_at(&line, i)[1] = 0.0;
	}
	for (a = 0; a < nseeds; a++)
	{
		parts[a] = malloc(LINE_N);
		assign_parts(&line, line_index, ts, seeds[a], parts[a]);
		{
			int			held = 0;

			for (i = 0; i < LINE_N; i++)
				held += parts[a][i];
			assert_binomial(held, LINE_N, ts, 5);
		}
	}
	for (a = 0; a < nseeds; a++)
		for (b = a + 1; b < nseeds; b++)
		{
			int			differ = 0;

			for (i = 0; i < LINE_N; i++)
				differ += parts[a][i] != parts[b][i];
			assert_binomial(differ, LINE_N, 2 * ts * (1 - ts), 5);
		}
	assign_parts(&line, line_index, ts, seeds[3], again);
	assert_memory_equal(again, parts[3], LINE_N);

	assign_parts(&line, line_index, 0.0, 7, again);
	for (i = 0; i < LINE_N; i++)
		assert_int_equal(again[i], 0);

	for (a = 0; a < nseeds; a++)
		free(parts[a]);
	free(again);
	free(line.v);
}

/*
 * The same row always lands in the same part: fed twice in different
 * orders every row's two copies share a part; fed alone (five times) to a
 * fresh state it lands where it did among all the rows; -0.0 lands with 0.0.
 */
static void
test_split_stable(void **state)
{
	const int	n = 3000;
	const double ts = 0.4;
	const int64_t seed = 5;
	Rows		rows = rows_new(n, 3);
	int8_t	   *part = malloc(n);
	State		twice = state_new(2, ts, seed, 2 * n, 0);
	MmLsView	v;
	int		   *copies[2];
	int			i,
				p,
				held = 0;

	for (i = 0; i < n; i++)
	{
		/* index = first column - 1; the second column is a zero for every 7th row */
		row_at(&rows, i)[0] = i + 1;
		row_at(&rows, i)[1] = i % 7 == 0 ? 0.0 : (i % 13) * 0.5;
		row_at(&rows, i)[2] = (double) (i % 11);
	}
	assign_parts(&rows, line_index, ts, seed, part);

	for (i = 0; i < n; i++)
	{
		state_add(&twice, row_at(&rows, i), NULL);
		state_add(&twice, row_at(&rows, (int) (((int64_t) i * 1777) % n)), NULL);
	}
	v = state_finish(&twice);
	for (p = 0; p < 2; p++)
		copies[p] = calloc(n, sizeof(int));
	for (p = 0; p < 2; p++)
		for (i = 0; i < v.head->sample_count[p]; i++)
			copies[p][line_index(v.sample_row[p] + v.sample_entry[p][i].slot * 3)]++;
	for (i = 0; i < n; i++)
	{
		assert_int_equal(copies[part[i]][i], 2);
		assert_int_equal(copies[1 - part[i]][i], 0);
		held += part[i];
	}
	assert_true(v.part[1][0] == 2.0 * held);
	assert_true(v.part[0][0] == 2.0 * (n - held));

	for (i = 0; i < n; i += 17)
	{
		State		alone = state_new(2, ts, seed, 0, 0);
		double		neg[3];
		int			k;

		for (k = 0; k < 5; k++)
			state_add(&alone, row_at(&rows, i), NULL);
		memcpy(neg, row_at(&rows, i), sizeof(neg));
		if (neg[1] == 0.0)
		{
			neg[1] = -0.0;
			state_add(&alone, neg, NULL);
			k++;
		}
		v = state_finish(&alone);
		assert_true(v.part[part[i]][0] == k);
		assert_true(v.part[1 - part[i]][0] == 0);
		free(alone.buf);
	}
	for (p = 0; p < 2; p++)
		free(copies[p]);
	free(twice.buf);
	free(part);
	free(rows.v);
}

/* ------------------------------------------------------------------ (c) */

/*
 * The expected sample of a part: the keys (recomputed from rowhash.h) of
 * its rows below the threshold an expected_rows hint sets, the cap
 * smallest of them.  The threshold is the one lsq.h describes: the share
 * of keys that admits MM_LS_ADMIT times the cap of the part's expected rows.
 */
static uint64_t *
expected_sample(const Rows *r, int64_t seed, double ts, int part, int cap,
				double hint, int *count)
{
	uint64_t   *keys = malloc(sizeof(uint64_t) * (r->n + 1));
	uint64_t	below = UINT64_MAX;
	int			i,
				m = 0;

	if (hint > 0)
	{
		double		admit = MM_LS_ADMIT * cap / (hint * (part ? ts : 1 - ts));

		if (admit < 1.0)
			below = (uint64_t) (admit * 0x1.0p64);
	}
	for (i = 0; i < r->n; i++)
	{
		const double *row = row_at(r, i);

		if (part_of(row, r->d, seed, ts) == part && key_of(row, r->d, seed) < below)
			keys[m++] = key_of(row, r->d, seed);
	}
	qsort(keys, m, sizeof(uint64_t), cmp_u64);
	*count = m < cap ? m : cap;
	return keys;
}

/*
 * After mm_ls_finish each part's sample is exactly the rows with the cap
 * smallest keys, for caps from 1 up to more than the part holds, without a
 * hint and with an accurate one, in one state or merged from three; with a
 * hint ten times too high it is every row below the initial threshold,
 * fewer than the cap.
 */
static void
test_bottom_k(void **state)
{
	const int	n = 3000;
	const double ts = 0.25;
	const int64_t seed = 3;
	int			caps[] = {1, 2, 3, 10, 50, 333, 5000};
	double		hints[] = {0, 3000, 30000};
	Rows		rows = grid_rows(n);
	int			c,
				h,
				pieces,
				i,
				part;

	for (c = 0; c < 7; c++)
		for (h = 0; h < 3; h++)
			for (pieces = 1; pieces <= 3; pieces += 2)
			{
				State		s[3];
				MmLsView	v;
				int			k;

				for (k = 0; k < pieces; k++)
					s[k] = state_new(2, ts, seed, caps[c], hints[h]);
				for (i = 0; i < n; i++)
					state_add(&s[i % pieces], row_at(&rows, i), NULL);
				for (k = 1; k < pieces; k++)
					state_merge(&s[0], &s[k]);
				v = state_finish(&s[0]);
				for (part = 0; part < 2; part++)
				{
					int			got_n,
								want_n;
					Kept	   *got = sample_of(&v, part, seed, ts, &got_n);
					uint64_t   *want = expected_sample(&rows, seed, ts, part, caps[c], hints[h], &want_n);

					assert_int_equal(got_n, want_n);
					for (i = 0; i < got_n; i++)
						assert_true(got[i].key == want[i]);
					if (hints[h] == 0 || hints[h] == n)
					{
						/* the full sample, or the whole part when it is smaller */
						int			part_rows = (int) v.part[part][0];

						if (hints[h] == 0 || caps[c] >= 50)
							assert_int_equal(got_n, caps[c] < part_rows ? caps[c] : part_rows);
					}
					else if (caps[c] >= 10)
						assert_true(got_n < caps[c]);
					free(got);
					free(want);
				}
				for (k = 0; k < pieces; k++)
					free(s[k].buf);
			}
	free(rows.v);
}

/*
 * Random shapes: random row counts (with duplicate rows), caps, test sizes
 * and hints, rows dealt at random to up to five states that are merged in
 * a random order, some finished before merging; the sample is always the
 * bottom-k recomputed from rowhash.h.
 */
static void
test_bottom_k_random_merges(void **state)
{
	uint64_t	rng = 777;
	int			round;

	for (round = 0; round < 1500; round++)
	{
		int			n = 1 + (int) (test_uniform(&rng) * 800);
		int			cap = 1 + (int) (test_uniform(&rng) * (round % 2 ? 5 : 120));
		double		ts = 0.9 * test_uniform(&rng);
		double		hint = round % 3 == 0 ? 0 : n * (round % 3 == 1 ? 1 : 10) * (0.5 + test_uniform(&rng));
		int			pieces = 1 + (int) (test_uniform(&rng) * 5);
		int64_t		seed = round;
		Rows		rows = rows_new(n, 2);
		State		s[5];
		MmLsView	v;
		int			alive = pieces,
					i,
					k,
					part;

		for (i = 0; i < n; i++)
		{
			int			b = test_uniform(&rng) < 0.2 ? (int) (test_uniform(&rng) * (i + 1)) : i;

			row_at(&rows, i)[0] = b % 13;
			row_at(&rows, i)[1] = b;
		}
		for (k = 0; k < pieces; k++)
			s[k] = state_new(1, ts, seed, cap, hint);
		for (i = 0; i < n; i++)
			state_add(&s[(int) (test_uniform(&rng) * pieces)], row_at(&rows, i), NULL);
		while (alive > 1)
		{
			int			a = (int) (test_uniform(&rng) * alive),
						b = (int) (test_uniform(&rng) * alive);

			if (a == b)
				continue;
			if (test_uniform(&rng) < 0.3)
				state_finish(&s[a]);
			if (test_uniform(&rng) < 0.3)
				state_finish(&s[b]);
			state_merge(&s[a], &s[b]);
			free(s[b].buf);
			s[b] = s[--alive];
		}
		v = state_finish(&s[0]);
		assert_int_equal(v.head->rows_seen, n);
		for (part = 0; part < 2; part++)
		{
			int			got_n,
						want_n;
			Kept	   *got = sample_of(&v, part, seed, ts, &got_n);
			uint64_t   *want = expected_sample(&rows, seed, ts, part, cap, hint, &want_n);

			assert_int_equal(got_n, want_n);
			for (i = 0; i < got_n; i++)
				assert_true(got[i].key == want[i]);
			free(got);
			free(want);
		}
		free(s[0].buf);
		free(rows.v);
	}
}

/* ------------------------------------------------------------------ (d) */

/*
 * NULL features, NaN and infinite features and targets: each counted in
 * its column, each such row counted once and skipped.  The moments and the
 * fingerprint are those of the clean rows alone, also after a merge.
 */
static void
test_skipped_rows(void **state)
{
	const int64_t seed = 9;
	const double ts = 0.5;
	Rows		clean = rows_new(40, 3);
	double		want[16];
	uint64_t	fingerprint = 0;
	State		s[2];
	MmLsView	v;
	uint8_t		none[2] = {0, 0},
				null0[2] = {1, 0},
				null1[2] = {0, 1},
				null01[2] = {1, 1};
	int			i,
				k,
				part;

	struct
	{
		double		v[3];
		const uint8_t *isnull;
	}			bad[] =
	{
		{{NAN, 1, 2}, NULL},	/* NaN feature 0 */
		{{1, INFINITY, 2}, NULL},	/* +Inf feature 1 */
		{{-INFINITY, 1, 2}, none},	/* -Inf feature 0 */
		{{1, 2, NAN}, NULL},	/* NaN target */
		{{1, 2, -INFINITY}, NULL},	/* -Inf target */
		{{0, 1, 2}, null0},		/* NULL feature 0 */
		{{NAN, 1, 2}, null0},	/* NULL feature 0 whose slot holds a NaN: NULL only */
		{{0, 0, 2}, null01},	/* both NULL */
		{{1, NAN, 2}, null0},	/* NULL feature 0 and NaN feature 1 */
		{{NAN, 1, INFINITY}, NULL},	/* NaN feature and infinite target: a bad-feature row */
		{{1, 0, NAN}, null1},	/* NULL feature 1 and NaN target */
	};
	const int	nbad = (int) (sizeof(bad) / sizeof(bad[0]));

	for (i = 0; i < clean.n; i++)
	{
		row_at(&clean, i)[0] = i;
		row_at(&clean, i)[1] = (i * 7) % 5;
		row_at(&clean, i)[2] = 2 * i - 1;
		fingerprint += mm_row_hash(row_at(&clean, i), 3);
	}
	for (k = 0; k < 2; k++)
		s[k] = state_new(2, ts, seed, 100, 0);
	for (i = 0; i < clean.n; i++)
	{
		state_add(&s[i % 2], row_at(&clean, i), i % 3 ? NULL : none);
		if (i < nbad)
			state_add(&s[(i + 1) % 2], bad[i].v, bad[i].isnull);
		if (i % 10 == 0)
		{
			mm_ls_view(s[i % 2].buf, &v);
			mm_ls_add_null_target(&v);
		}
	}
	state_merge(&s[0], &s[1]);
	v = state_finish(&s[0]);

	assert_int_equal(v.head->rows_seen, clean.n + nbad + 4);
	assert_int_equal(v.head->rows_null_target, 4);
	assert_int_equal(v.head->rows_bad_features, 9);
	assert_int_equal(v.head->rows_bad_target, 2);
	assert_int_equal(v.null_count[0], 4);
	assert_int_equal(v.null_count[1], 2);
	assert_int_equal(v.nonfinite_count[0], 3);
	assert_int_equal(v.nonfinite_count[1], 2);
	assert_int_equal(v.nonfinite_count[2], 4);
	assert_true(v.head->fingerprint == fingerprint);
	for (part = 0; part < 2; part++)
	{
		int			cnt;
		Kept	   *kept = sample_of(&v, part, seed, ts, &cnt);

		two_pass_part(&clean, seed, ts, part, want);
		assert_moments(v.part[part], want, 3, 1e-12, 1);
		assert_int_equal(cnt, (int) want[0]);
		free(kept);
	}
	assert_true(v.part[0][0] + v.part[1][0] == clean.n);
	free(s[0].buf);
	free(s[1].buf);
	free(clean.v);
}

/* ------------------------------------------------------------------ (e) */

/*
 * mm_ls_check refuses a wrong magic, every impossible header value, a wrong
 * length and a damaged flag (set by hand, and by adding rows without
 * growing as told), and with full checking an impossible row count.
 */
static void
test_check(void **state)
{
	State		s = state_new(2, 0.25, 0, 10, 0);
	MmError		err;
	size_t		len;
	MmLsHeader *h;
	MmLsHeader	good;
	MmLsView	v;
	Rows		rows = grid_rows(200);
	int			i;

	for (i = 0; i < 200; i++)
		state_add(&s, row_at(&rows, i), NULL);
	len = state_len(&s);
	h = head(&s);
	good = *h;
	assert_true(h->sample_alloc > 0);
	assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_OK);

#define EXPECT_REFUSED(change, code) \
	do { \
		change; \
		assert_int_equal(mm_ls_check(s.buf, len, 0, &err), (code)); \
		assert_int_equal(mm_ls_check(s.buf, len, 1, &err), (code)); \
		*h = good; \
		assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_OK); \
	} while (0)

	EXPECT_REFUSED(h->magic ^= 0x100, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->magic = 0, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->layout = MM_LS_LAYOUT + 1, MM_ERR_UNSUPPORTED);
	EXPECT_REFUSED(h->byte_order = 0x0201, MM_ERR_UNSUPPORTED);
	EXPECT_REFUSED(h->nfeatures = 0, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->nfeatures = -2, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->nfeatures = MM_MAX_FEATURES + 1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->nfeatures = 3, MM_ERR_CORRUPT);	/* then the length is wrong */
	EXPECT_REFUSED(h->sample_cap = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->sample_cap = MM_LS_MAX_SAMPLE + 1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->sample_cap = 1, MM_ERR_CORRUPT);	/* allocation beyond its limit */
	EXPECT_REFUSED(h->sample_alloc = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->sample_alloc = mm_ls_sample_limit(h->sample_cap) + 1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->sample_alloc = h->sample_alloc - 1, MM_ERR_CORRUPT);	/* wrong length */
	EXPECT_REFUSED(h->sample_count[0] = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->sample_count[1] = h->sample_alloc + 1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->batch_count[0] = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->batch_count[1] = MM_LS_BATCH, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->test_size = -0.01, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->test_size = 1.0, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->test_size = NAN, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->damaged = 1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->rows_seen = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->rows_null_target = -1, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->rows_bad_features = INT64_MIN, MM_ERR_CORRUPT);
	EXPECT_REFUSED(h->rows_bad_target = -1, MM_ERR_CORRUPT);
#undef EXPECT_REFUSED

	/* wrong lengths */
	assert_int_equal(mm_ls_check(s.buf, len - 8, 0, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, len - 1, 0, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, len + 8, 0, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, sizeof(MmLsHeader) - 1, 0, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, 0, 0, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, mm_ls_size(2, 0), 0, &err), MM_ERR_CORRUPT);

	/* impossible row counts: refused by the full check only */
	mm_ls_view(s.buf, &v);
	{
		double		bad_counts[] = {-1, 0.5, NAN, INFINITY, 0x1.0p53 + 2};
		int			b,
					part;

		for (part = 0; part < 2; part++)
			for (b = 0; b < 5; b++)
			{
				double		keep = v.part[part][0];

				v.part[part][0] = bad_counts[b];
				assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_OK);
				assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_ERR_CORRUPT);
				v.part[part][0] = keep;
			}
	}
	assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_OK);
	free(s.buf);

	/* rows added without making room: the state marks itself damaged */
	s = state_new(2, 0.25, 0, 10, 0);
	mm_ls_view(s.buf, &v);
	for (i = 0; i < 50; i++)
		mm_ls_add(&v, row_at(&rows, i), NULL);
	assert_int_equal(head(&s)->damaged, 1);
	assert_int_equal(mm_ls_check(s.buf, state_len(&s), 0, &err), MM_ERR_CORRUPT);
	free(s.buf);
	free(rows.v);
}

/*
 * mm_ls_merge refuses states built with a different feature count, test
 * size, seed or sample cap, and a target too small to take the merge; a
 * refused merge leaves the target as it was.
 */
static void
test_merge_refused(void **state)
{
	State		a = state_new(2, 0.25, 0, 10, 0);
	State		others[4];
	Rows		rows = grid_rows(100);
	MmError		err;
	void	   *before;
	size_t		len;
	int			i,
				k;

	others[0] = state_new(3, 0.25, 0, 10, 0);
	others[1] = state_new(2, 0.5, 0, 10, 0);
	others[2] = state_new(2, 0.25, 1, 10, 0);
	others[3] = state_new(2, 0.25, 0, 11, 0);
	for (i = 0; i < 100; i++)
		state_add(&a, row_at(&rows, i), NULL);
	len = state_len(&a);
	before = malloc(len);
	memcpy(before, a.buf, len);
	for (k = 0; k < 4; k++)
	{
		assert_int_equal(mm_ls_merge(a.buf, others[k].buf, &err), MM_ERR_INVALID_INPUT);
		assert_memory_equal(a.buf, before, len);
	}

	/* a target without room for the source's sample */
	{
		State		small = state_new(2, 0.25, 0, 10, 0);

		assert_true(mm_ls_merge_grow_needed(small.buf, a.buf) > 0);
		assert_int_equal(mm_ls_merge(small.buf, a.buf, &err), MM_ERR_INVALID_INPUT);
		free(small.buf);
	}
	for (k = 0; k < 4; k++)
		free(others[k].buf);
	free(before);
	free(a.buf);
	free(rows.v);
}

/*
 * The integer bound the state splits rows by says what mm_draw_is_test
 * says: for draws at and next to the bound, for test sizes whose bound is
 * exact and for ones that are not, and for random draws.
 */
static void
test_split_bound(void **state)
{
	const double sizes[] = {0.0, 0x1.0p-53, 0x1.0p-60, 0.1, 0.2, 0.25, 0.3, 1.0 / 3.0, 0.5,
	0.75, 0.9, 0.999999, 1.0 - 0x1.0p-53};
	uint64_t	x = UINT64_C(0x243f6a8885a308d3);
	size_t		i;
	int			k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		uint64_t	below = mm_ls_test_below(sizes[i]);
		int64_t		delta;

		for (delta = -2; delta <= 2; delta++)
		{
			uint64_t	u = below + (uint64_t) delta;
			uint64_t	draw;

			if (u >= (UINT64_C(1) << 53))
				continue;
			draw = (u << 11) | (x & 0x7ff);
			assert_int_equal((draw >> 11) < below, mm_draw_is_test(draw, sizes[i]));
		}
		for (k = 0; k < 10000; k++)
		{
			x = mm_mix64(x + MM_HASH_GOLDEN);
			assert_int_equal((x >> 11) < below, mm_draw_is_test(x, sizes[i]));
		}
	}
}

/*
 * The hash that also reports non-finite values is the row hash, bit for
 * bit, for every kind of double (signed zeros, subnormals, extremes), and
 * flags exactly the rows with a NaN or an infinity.
 */
static void
test_row_hash_finite(void **state)
{
	const double specials[] = {0.0, -0.0, 1.0, -1.0, 4.9e-324, -2.2250738585072014e-308,
		1.7976931348623157e308, -1.7976931348623157e308, 0.1, 3.0e10};
	const double bad[] = {NAN, -NAN, INFINITY, -INFINITY};
	const int	nspecial = (int) (sizeof(specials) / sizeof(specials[0]));
	double		row[5];
	int			i,
				j,
				k,
				nonfinite;
	uint64_t	seed = 12345;

	for (i = 0; i < 2000; i++)
	{
		for (j = 0; j < 5; j++)
		{
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			row[j] = specials[(seed >> 33) % nspecial];
		}
		assert_true(mm_row_hash_finite(row, 5, &nonfinite) == mm_row_hash(row, 5));
		assert_int_equal(nonfinite, 0);
		for (k = 0; k < 4; k++)
		{
			double		keep = row[i % 5];

			row[i % 5] = bad[k];
			assert_true(mm_row_hash_finite(row, 5, &nonfinite) == mm_row_hash(row, 5));
			assert_int_equal(nonfinite, 1);
			row[i % 5] = keep;
		}
	}
	/* -0.0 and 0.0 hash alike either way */
	row[0] = -0.0;
	assert_true(mm_row_hash_finite(row, 1, &nonfinite) == mm_row_hash((const double[]) {0.0}, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_hash_finite),
		cmocka_unit_test(test_split_bound),
		cmocka_unit_test(test_order_and_merge_independence),
		cmocka_unit_test(test_split_fraction),
		cmocka_unit_test(test_split_seeds),
		cmocka_unit_test(test_split_stable),
		cmocka_unit_test(test_bottom_k),
		cmocka_unit_test(test_bottom_k_random_merges),
		cmocka_unit_test(test_skipped_rows),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_merge_refused),
	};

	return cmocka_run_group_tests_name("lsq", tests, NULL, NULL);
}
