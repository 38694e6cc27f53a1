/*
 * test_lsq.c: the mergeable training state, checked against facts computed
 * independently: per-row parts and sample keys recomputed from rowhash.h,
 * exact bottom-k sets, and counts.
 */
#include "testutil.h"

#include <string.h>

#include "lsq.h"
#include "moments.h"
#include "rowhash.h"

#define P 2
#define D (P + 1)

/* A state that grows as the core asks. */
typedef struct State
{
	void	   *buf;
	int			p;
} State;

static void
state_init(State *s, double test_size, int seed, int cap, double expected)
{
	s->p = P;
	s->buf = malloc(mm_ls_size(P, 0));
	mm_ls_init(s->buf, P, test_size, seed, cap, expected, 0);
}

static void
state_resize(State *s, int alloc)
{
	void	   *grown = malloc(mm_ls_size(s->p, alloc));

	mm_ls_copy_resized(grown, s->buf, alloc);
	free(s->buf);
	s->buf = grown;
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
}

static MmLsView
state_finish(State *s)
{
	MmLsView	v;

	mm_ls_view(s->buf, &v);
	mm_ls_finish(&v);
	return v;
}

/* Row i of a deterministic data set. */
static void
row_of(int i, double *row)
{
	row[0] = i % 100;
	row[1] = i / 100;
	row[2] = 3 + 0.5 * row[0] - row[1] + (i % 7) * 0.01;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/* The sorted sample keys of one part. */
static uint64_t *
sample_keys(const MmLsView *v, int part, int *n)
{
	uint64_t   *keys;
	int			i;

	*n = v->head->sample_count[part];
	keys = malloc(sizeof(uint64_t) * (*n + 1));
	for (i = 0; i < *n; i++)
		keys[i] = v->sample_entry[part][i].key;
	qsort(keys, *n, sizeof(uint64_t), cmp_u64);
	return keys;
}

/* Same rows in another order, or in pieces merged in any order: same result. */
static void
test_order_and_merge_independence(void **state)
{
	const int	n = 6000;
	State		a,
				b,
				parts[3];
	MmLsView	va,
				vb;
	double		row[D];
	int			i,
				k,
				part;

	state_init(&a, 0.25, 7, 200, 0);
	state_init(&b, 0.25, 7, 200, 0);
	for (k = 0; k < 3; k++)
		state_init(&parts[k], 0.25, 7, 200, 0);
	for (i = 0; i < n; i++)
	{
		row_of(i, row);
		state_add(&a, row, NULL);
		row_of(n - 1 - i, row);
		state_add(&b, row, NULL);
		row_of((i * 7919) % n, row);
		state_add(&parts[i % 3], row, NULL);
	}
	state_merge(&parts[2], &parts[0]);
	state_merge(&parts[2], &parts[1]);
	va = state_finish(&a);
	vb = state_finish(&parts[2]);
	for (k = 0; k < 2; k++)
	{
		MmLsView	other = k == 0 ? vb : state_finish(&b);

		assert_true(va.head->fingerprint == other.head->fingerprint);
		assert_int_equal(va.head->rows_seen, other.head->rows_seen);
		for (part = 0; part < 2; part++)
		{
			int			na,
						nb;
			uint64_t   *ka = sample_keys(&va, part, &na),
					   *kb = sample_keys(&other, part, &nb);

			assert_true(va.part[part][0] == other.part[part][0]);
			for (i = 0; i < mm_moments_len(D); i++)
				assert_close(va.part[part][i], other.part[part][i], 1e-12);
			assert_int_equal(na, nb);
			assert_memory_equal(ka, kb, sizeof(uint64_t) * na);
			free(ka);
			free(kb);
		}
	}
	free(a.buf);
	free(b.buf);
	for (k = 0; k < 3; k++)
		free(parts[k].buf);
}

/* The parts agree with rowhash.h row by row, and hold about test_size of the rows. */
static void
test_split(void **state)
{
	const int	n = 20000;
	State		s0,
				s1;
	MmLsView	v0,
				v1;
	double		row[D];
	int			i,
				test0 = 0,
				test1 = 0,
				differ = 0;

	state_init(&s0, 0.25, 0, 0, 0);
	state_init(&s1, 0.25, 1, 0, 0);
	for (i = 0; i < n; i++)
	{
		uint64_t	h;
		int			t0,
					t1;

		row_of(i, row);
		state_add(&s0, row, NULL);
		state_add(&s1, row, NULL);
		h = mm_row_hash(row, D);
		t0 = mm_draw_is_test(mm_row_draw(h, mm_seed_salt(0)), 0.25);
		t1 = mm_draw_is_test(mm_row_draw(h, mm_seed_salt(1)), 0.25);
		test0 += t0;
		test1 += t1;
		differ += t0 != t1;
	}
	v0 = state_finish(&s0);
	v1 = state_finish(&s1);
	assert_int_equal((int) v0.part[1][0], test0);
	assert_int_equal((int) v1.part[1][0], test1);
	assert_int_equal((int) (v0.part[0][0] + v0.part[1][0]), n);
	/* binomial: 0.25 +- 4 standard deviations */
	assert_true(fabs(test0 / (double) n - 0.25) < 4 * sqrt(0.25 * 0.75 / n));
	assert_true(fabs(test1 / (double) n - 0.25) < 4 * sqrt(0.25 * 0.75 / n));
	/* independent splits disagree on about 2 * 0.25 * 0.75 of the rows */
	assert_true(fabs(differ / (double) n - 0.375) < 4 * sqrt(0.375 * 0.625 / n));
	/* test_size 0 holds out nothing */
	free(s0.buf);
	state_init(&s0, 0.0, 0, 0, 0);
	for (i = 0; i < 1000; i++)
	{
		row_of(i, row);
		state_add(&s0, row, NULL);
	}
	v0 = state_finish(&s0);
	assert_true(v0.part[1][0] == 0 && v0.part[0][0] == 1000);
	free(s0.buf);
	free(s1.buf);
}

/* The smallest cap keys among one part's rows, computed from rowhash.h. */
static uint64_t *
expected_keys(int n, int part, int cap, uint64_t below, int *count)
{
	uint64_t   *keys = malloc(sizeof(uint64_t) * n);
	double		row[D];
	int			i,
				m = 0;

	for (i = 0; i < n; i++)
	{
		uint64_t	draw;

		row_of(i, row);
		draw = mm_row_draw(mm_row_hash(row, D), mm_seed_salt(3));
		if (mm_draw_is_test(draw, 0.25) == part && mm_draw_sample_key(draw) < below)
			keys[m++] = mm_draw_sample_key(draw);
	}
	qsort(keys, m, sizeof(uint64_t), cmp_u64);
	*count = m < cap ? m : cap;
	return keys;
}

/* The sample is exactly the bottom-k, with or without the row estimate. */
static void
test_bottom_k(void **state)
{
	const int	n = 5000,
				cap = 50;
	double		hints[3] = {0, 5000, 50000};
	double		row[D];
	int			h,
				i,
				part;

	for (h = 0; h < 3; h++)
	{
		State		s;
		MmLsView	v;

		state_init(&s, 0.25, 3, cap, hints[h]);
		for (i = 0; i < n; i++)
		{
			row_of(i, row);
			state_add(&s, row, NULL);
		}
		v = state_finish(&s);
		for (part = 0; part < 2; part++)
		{
			int			got_n,
						want_n;
			uint64_t	below = UINT64_MAX;
			uint64_t   *got,
					   *want;

			if (hints[h] > 0)
			{
				/* the threshold the hint sets: MM_LS_ADMIT times the cap expected below it */
				double		share = hints[h] * (part ? 0.25 : 0.75);
				double		admit = MM_LS_ADMIT * cap / share;

				below = admit < 1.0 ? (uint64_t) (admit * 0x1.0p64) : UINT64_MAX;
			}
			got = sample_keys(&v, part, &got_n);
			want = expected_keys(n, part, cap, below, &want_n);
			assert_int_equal(got_n, want_n);
			assert_memory_equal(got, want, sizeof(uint64_t) * got_n);
			if (hints[h] <= n)
				assert_int_equal(got_n, cap);	/* an honest estimate keeps the full sample */
			else
				assert_true(got_n < cap);	/* ten times too high: fewer rows, all below */
			/* the kept rows are in slots 0..count-1 */
			for (i = 0; i < got_n; i++)
				assert_true(v.sample_entry[part][i].slot >= 0 && v.sample_entry[part][i].slot < got_n);
			free(got);
			free(want);
		}
		free(s.buf);
	}
}

/* NULL and non-finite values are counted per column and their rows skipped. */
static void
test_skipped_rows(void **state)
{
	State		s;
	MmLsView	v;
	double		good[D] = {1, 2, 3},
				nan_feature[D] = {NAN, 2, 3},
				inf_target[D] = {1, 2, -INFINITY},
				with_null[D] = {1, 0, 3};
	uint8_t		null_second[P] = {0, 1};

	state_init(&s, 0.25, 0, 10, 0);
	state_add(&s, good, NULL);
	state_add(&s, nan_feature, NULL);
	state_add(&s, inf_target, NULL);
	state_add(&s, with_null, null_second);
	mm_ls_view(s.buf, &v);
	mm_ls_add_null_target(&v);
	v = state_finish(&s);
	assert_int_equal(v.head->rows_seen, 5);
	assert_int_equal(v.head->rows_null_target, 1);
	assert_int_equal(v.head->rows_bad_features, 2);
	assert_int_equal(v.head->rows_bad_target, 1);
	assert_int_equal(v.null_count[0], 0);
	assert_int_equal(v.null_count[1], 1);
	assert_int_equal(v.nonfinite_count[0], 1);
	assert_int_equal(v.nonfinite_count[2], 1);
	assert_true(v.part[0][0] + v.part[1][0] == 1);
	free(s.buf);
}

/* Damaged or mismatched states are refused. */
static void
test_checks(void **state)
{
	State		s,
				other;
	MmError		err;
	size_t		len = mm_ls_size(P, 0);
	MmLsHeader *h;

	state_init(&s, 0.25, 0, 10, 0);
	h = s.buf;
	assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_OK);
	assert_int_equal(mm_ls_check(s.buf, len - 8, 1, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_ls_check(s.buf, 3, 1, &err), MM_ERR_CORRUPT);
	h->magic ^= 1;
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_CORRUPT);
	h->magic ^= 1;
	h->byte_order = 0x0201;
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_UNSUPPORTED);
	h->byte_order = 0x0102;
	h->nfeatures = MM_MAX_FEATURES + 1;
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_CORRUPT);
	h->nfeatures = P;
	h->sample_count[0] = 5;		/* more rows than allocated */
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_CORRUPT);
	h->sample_count[0] = 0;
	h->damaged = 1;
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_CORRUPT);
	h->damaged = 0;
	h->test_size = 1.0;
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_ERR_CORRUPT);
	h->test_size = 0.25;
	((double *) ((char *) s.buf + len - sizeof(double) * mm_moments_len(D) * 2
				 - sizeof(double) * 2 * MM_LS_BATCH * D))[0] = -1;	/* a negative row count */
	assert_int_equal(mm_ls_check(s.buf, len, 0, &err), MM_OK);
	assert_int_equal(mm_ls_check(s.buf, len, 1, &err), MM_ERR_CORRUPT);
	free(s.buf);

	/* merging states built with other settings */
	state_init(&s, 0.25, 0, 10, 0);
	state_init(&other, 0.25, 1, 10, 0);
	assert_int_equal(mm_ls_merge(s.buf, other.buf, &err), MM_ERR_INVALID_INPUT);
	free(other.buf);
	state_init(&other, 0.5, 0, 10, 0);
	assert_int_equal(mm_ls_merge(s.buf, other.buf, &err), MM_ERR_INVALID_INPUT);
	free(other.buf);
	free(s.buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_merge_independence),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_bottom_k),
		cmocka_unit_test(test_skipped_rows),
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests_name("lsq", tests, NULL, NULL);
}
