/*
 * test_passstate.c: a pass as a mergeable aggregate state (passstate.h).
 *
 * The framing is run with a pass of this file that keeps exact sums
 * (integer data, so that any order of addition gives the same bits) and
 * records how its add was called, and with the source's column summary.
 * The reference for which rows train is the least-squares state (lsq.h),
 * the split the one-pass training uses: the two must hold out the same
 * rows.  Damaged states must be refused by the checks, before any merge.
 */
#include "testutil.h"

#include <string.h>

#include "lsq.h"
#include "passstate.h"
#include "rowhash.h"
#include "sourcepasses.h"

#define P 3
#define N 1000

/*
 * The test pass: its state is p, then the calls of add with a partial
 * block, the rows, the sum of the targets (0 when none), the sum of w.x
 * (w the arg, p doubles) and the sums of each column.
 */
enum
{
	S_P, S_PARTIAL, S_N, S_T, S_WX, S_X
};

static size_t
sums_size(int p, const void *arg)
{
	return sizeof(double) * (S_X + (size_t) p);
}

static void
sums_init(void *state, int p, const void *arg)
{
	double	   *s = state;

	memset(s, 0, sums_size(p, arg));
	s[S_P] = p;
}

static void
sums_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	const double *w = arg;
	size_t		r;
	int			j;

	if (rows->n != MM_PASS_BLOCK)
		s[S_PARTIAL] += 1;
	for (r = 0; r < rows->n; r++)
	{
		for (j = 0; j < rows->p; j++)
		{
			s[S_X + j] += rows->x[r * rows->p + j];
			s[S_WX] += w[j] * rows->x[r * rows->p + j];
		}
		s[S_T] += rows->t != NULL ? rows->t[r] : 0.0;
	}
	s[S_N] += (double) rows->n;
}

static void
sums_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			j;

	s[S_PARTIAL] += o[S_PARTIAL];
	s[S_N] += o[S_N];
	s[S_T] += o[S_T];
	s[S_WX] += o[S_WX];
	for (j = 0; j < (int) s[S_P]; j++)
		s[S_X + j] += o[S_X + j];
}

static size_t
sums_arg_size(int p, const void *arg, size_t avail)
{
	return sizeof(double) * (size_t) p;
}

static int
sums_check(const void *state, int p, const void *arg)
{
	return ((const double *) state)[S_P] == p;
}

static const MmPass sums_pass = {
	.name = "sums",
	.state_size = sums_size,
	.init = sums_init,
	.add = sums_add,
	.merge = sums_merge,
	.arg_size = sums_arg_size,
	.check = sums_check,
};

static const double weights[P] = {1, -2, 3};

/* Integer rows: a few with NULL, NaN or infinite values. */
typedef struct Rows
{
	double		x[N][P];
	uint8_t		isnull[N][P];
	double		y[N];
	int			y_isnull[N];
} Rows;

static void
make_rows(Rows *d)
{
	uint64_t	s = 99;
	int			r,
				j;

	memset(d, 0, sizeof(*d));
	for (r = 0; r < N; r++)
	{
		for (j = 0; j < P; j++)
			d->x[r][j] = floor(test_uniform(&s) * 2000.0) - 1000.0;
		d->y[r] = floor(test_uniform(&s) * 100.0);
	}
	d->isnull[10][1] = 1;
	d->isnull[11][0] = d->isnull[11][2] = 1;
	d->x[20][2] = NAN;
	d->x[21][0] = INFINITY;
	d->y[30] = -INFINITY;
	d->y[31] = NAN;
	d->y_isnull[40] = 1;
	d->y_isnull[41] = 1;
	d->isnull[41][0] = 1;		/* a NULL target hides the NULL feature, as in lsq */
}

/* A new state of pass over P columns with the arg of the sums pass. */
static void *
state_new(const MmPass *pass, double test_size, int64_t seed, size_t *len)
{
	size_t		arg_len = pass->arg_size != NULL ? pass->arg_size(P, weights, SIZE_MAX) : 0;
	MmPassSpec *spec = malloc(mm_pass_spec_size(arg_len));
	void	   *state;
	MmError		err;

	mm_pass_spec_write(spec, 7, 2, P, MM_PASS_TARGET_NUMERIC, test_size, mm_seed_salt(seed),
					   arg_len ? weights : NULL, arg_len);
	assert_int_equal(mm_pass_spec_check(spec, mm_pass_spec_size(arg_len), &err), MM_OK);
	*len = mm_pass_state_size(spec, pass, &err);
	assert_true(*len > 0);
	state = malloc(*len);
	mm_pass_state_init(state, spec, pass);
	free(spec);
	assert_int_equal(mm_pass_state_check(state, *len, pass, 1, &err), MM_OK);
	return state;
}

/* Offers rows [from, to) to a state. */
static void
add_rows(void *state, const MmPass *pass, const Rows *d, int from, int to)
{
	MmPassStateView v;
	int			r;

	mm_pass_state_view(state, &v);
	for (r = from; r < to; r++)
		mm_pass_state_add(&v, pass, d->x[r], d->isnull[r], d->y[r], d->y_isnull[r]);
}

/* The state's pass part, finished. */
static const double *
finished(void *state, const MmPass *pass)
{
	MmPassStateView v;

	mm_pass_state_view(state, &v);
	mm_pass_state_finish(&v, pass);
	return v.pass_state;
}

/* One state over every row against states over chunks merged in three orders. */
static void
test_merge_orders(void **unused)
{
	static Rows d;
	const int	cuts[] = {0, 1, 33, 64, 65, 500, 731, N};
	const int	nchunks = 7;
	size_t		len;
	void	   *whole;
	const double *w;
	int			order,
				k,
				j;

	make_rows(&d);
	whole = state_new(&sums_pass, 0.25, 5, &len);
	add_rows(whole, &sums_pass, &d, 0, N);
	w = finished(whole, &sums_pass);
	assert_true(w[S_PARTIAL] <= 1);

	for (order = 0; order < 3; order++)
	{
		void	   *chunk[7];
		void	   *acc;
		const double *m;
		MmError		err;
		MmPassStateHeader *hw = whole,
				   *ha;

		for (k = 0; k < nchunks; k++)
		{
			chunk[k] = state_new(&sums_pass, 0.25, 5, &len);
			add_rows(chunk[k], &sums_pass, &d, cuts[k], cuts[k + 1]);
		}
		/* forwards, backwards, and as a tree of pairs */
		if (order == 0)
			for (k = 1; k < nchunks; k++)
				assert_int_equal(mm_pass_state_merge(chunk[0], chunk[k], &sums_pass, &err), MM_OK);
		else if (order == 1)
			for (k = nchunks - 2; k >= 0; k--)
				assert_int_equal(mm_pass_state_merge(chunk[nchunks - 1], chunk[k], &sums_pass, &err), MM_OK);
		else
		{
			for (k = 0; k + 1 < nchunks; k += 2)
				assert_int_equal(mm_pass_state_merge(chunk[k], chunk[k + 1], &sums_pass, &err), MM_OK);
			assert_int_equal(mm_pass_state_merge(chunk[4], chunk[6], &sums_pass, &err), MM_OK);
			assert_int_equal(mm_pass_state_merge(chunk[2], chunk[4], &sums_pass, &err), MM_OK);
			assert_int_equal(mm_pass_state_merge(chunk[0], chunk[2], &sums_pass, &err), MM_OK);
		}
		acc = chunk[order == 1 ? nchunks - 1 : 0];
		assert_int_equal(mm_pass_state_check(acc, len, &sums_pass, 1, &err), MM_OK);
		m = finished(acc, &sums_pass);
		/* merging moves waiting rows, not blocks: still at most one partial block */
		assert_true(m[S_PARTIAL] <= 1);
		assert_true(m[S_N] == w[S_N]);
		assert_true(m[S_T] == w[S_T]);
		assert_true(m[S_WX] == w[S_WX]);
		for (j = 0; j < P; j++)
			assert_true(m[S_X + j] == w[S_X + j]);
		ha = acc;
		assert_true(ha->rows_seen == hw->rows_seen && ha->rows_train == hw->rows_train &&
					ha->rows_test == hw->rows_test && ha->fingerprint == hw->fingerprint &&
					ha->rows_null_target == hw->rows_null_target &&
					ha->rows_bad_features == hw->rows_bad_features &&
					ha->rows_bad_target == hw->rows_bad_target);
		for (k = 0; k < nchunks; k++)
			free(chunk[k]);
	}
	free(whole);
}

/*
 * The rows the pass trains on are those the least-squares state puts in
 * its training part, with the same counts of skipped rows, and the sums
 * are those of exactly those rows.
 */
static void
test_same_split_as_least_squares(void **unused)
{
	static Rows d;
	const double test_sizes[] = {0.0, 0.25, 0.6};
	int			i;

	make_rows(&d);
	for (i = 0; i < 3; i++)
	{
		size_t		len;
		void	   *state = state_new(&sums_pass, test_sizes[i], 11, &len);
		MmPassStateHeader *h = state;
		const double *s;
		void	   *ls = malloc(mm_ls_size(P, 0));
		MmLsView	lv;
		double		want_x[P] = {0},
					want_t = 0,
					row[P + 1];
		int			r,
					j,
					trained = 0;

		mm_ls_init(ls, P, test_sizes[i], 11, 0, 0.0, 0);
		mm_ls_view(ls, &lv);
		for (r = 0; r < N; r++)
		{
			if (d.y_isnull[r])
				mm_ls_add_null_target(&lv);
			else
			{
				memcpy(row, d.x[r], sizeof(double) * P);
				row[P] = d.y[r];
				mm_ls_add(&lv, row, d.isnull[r]);
			}
		}
		mm_ls_finish(&lv);
		add_rows(state, &sums_pass, &d, 0, N);
		s = finished(state, &sums_pass);

		assert_true((double) h->rows_train == lv.part[0][0]);
		assert_true((double) h->rows_test == lv.part[1][0]);
		assert_true(h->fingerprint == lv.head->fingerprint);
		assert_true(h->rows_null_target == lv.head->rows_null_target);
		assert_true(h->rows_bad_features == lv.head->rows_bad_features);
		assert_true(h->rows_bad_target == lv.head->rows_bad_target);
		assert_true(h->rows_seen == N);
		if (test_sizes[i] == 0.0)
			assert_true(h->rows_test == 0);

		/* the sums over the rows the split itself (rowhash.h) keeps for training */
		for (r = 0; r < N; r++)
		{
			int			usable = !d.y_isnull[r] && isfinite(d.y[r]);

			for (j = 0; j < P; j++)
				usable = usable && !d.isnull[r][j] && isfinite(d.x[r][j]);
			if (!usable)
				continue;
			memcpy(row, d.x[r], sizeof(double) * P);
			row[P] = d.y[r];
			if (mm_draw_is_test(mm_row_draw(mm_row_hash(row, P + 1), mm_seed_salt(11)), test_sizes[i]))
				continue;
			trained++;
			for (j = 0; j < P; j++)
				want_x[j] += d.x[r][j];
			want_t += d.y[r];
		}
		assert_true(s[S_N] == trained);
		assert_true(s[S_T] == want_t);
		for (j = 0; j < P; j++)
			assert_true(s[S_X + j] == want_x[j]);
		assert_true(s[S_WX] == want_x[0] - 2 * want_x[1] + 3 * want_x[2]);
		free(ls);
		free(state);
	}
}

/* NULL and non-finite values are counted per column, the target last. */
static void
test_counts(void **unused)
{
	static Rows d;
	size_t		len;
	void	   *state;
	MmPassStateView v;

	make_rows(&d);
	state = state_new(&sums_pass, 0.25, 3, &len);
	add_rows(state, &sums_pass, &d, 0, N);
	mm_pass_state_view(state, &v);
	assert_int_equal(v.null_count[0], 1);
	assert_int_equal(v.null_count[1], 1);
	assert_int_equal(v.null_count[2], 1);
	assert_int_equal(v.nonfinite_count[0], 1);
	assert_int_equal(v.nonfinite_count[1], 0);
	assert_int_equal(v.nonfinite_count[2], 1);
	assert_int_equal(v.nonfinite_count[P], 2);
	assert_int_equal(v.head->rows_null_target, 2);
	assert_int_equal(v.head->rows_bad_features, 4);
	assert_int_equal(v.head->rows_bad_target, 2);
	free(state);
}

/* The column summary against the rows' own sums and extremes. */
static void
test_column_summary(void **unused)
{
	static Rows d;
	size_t		len;
	void	   *state,
			   *other;
	const double *s;
	double		lo[P + 1],
				hi[P + 1],
				sum[P + 1] = {0};
	MmError		err;
	int			r,
				j;

	make_rows(&d);
	for (r = 0; r < N; r++)
		d.isnull[r][0] = d.isnull[r][1] = d.isnull[r][2] = 0;
	d.x[20][2] = d.x[21][0] = 5;
	d.y[30] = d.y[31] = 1;
	d.y_isnull[40] = d.y_isnull[41] = 0;
	for (j = 0; j <= P; j++)
	{
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	for (r = 0; r < N; r++)
		for (j = 0; j <= P; j++)
		{
			double		v = j < P ? d.x[r][j] : d.y[r];

			sum[j] += v;
			lo[j] = fmin(lo[j], v);
			hi[j] = fmax(hi[j], v);
		}
	state = state_new(&mm_pass_column_summary, 0.0, 1, &len);
	other = state_new(&mm_pass_column_summary, 0.0, 1, &len);
	add_rows(state, &mm_pass_column_summary, &d, 0, 400);
	add_rows(other, &mm_pass_column_summary, &d, 400, N);
	assert_int_equal(mm_pass_state_merge(state, other, &mm_pass_column_summary, &err), MM_OK);
	s = finished(state, &mm_pass_column_summary);
	assert_true(s[0] == P + 1);
	assert_true(s[1] == N);
	for (j = 0; j <= P; j++)
	{
		assert_true(s[2 + j] == sum[j]);
		assert_true(s[2 + (P + 1) + j] == lo[j]);
		assert_true(s[2 + 2 * (P + 1) + j] == hi[j]);
	}
	free(state);
	free(other);
}

/* Damaged states and headers are refused; states of other splits or args are not merged. */
static void
test_damage(void **unused)
{
	static Rows d;
	size_t		len;
	void	   *state,
			   *copy,
			   *other;
	MmPassStateHeader *h;
	MmPassStateView v;
	MmError		err;
	int			id,
				index;
	unsigned char spec[sizeof(MmPassSpec) + 8];

	make_rows(&d);
	state = state_new(&sums_pass, 0.25, 3, &len);
	add_rows(state, &sums_pass, &d, 0, 45);
	copy = malloc(len);

	assert_int_equal(mm_pass_state_identify(state, len, &id, &index, &err), MM_OK);
	assert_int_equal(id, 7);
	assert_int_equal(index, 2);
	assert_int_equal(mm_pass_state_check(state, len - 8, &sums_pass, 1, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_pass_state_check(state, 16, &sums_pass, 1, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_pass_state_check(state, len, &mm_pass_column_summary, 1, &err), MM_ERR_CORRUPT);

#define DAMAGED(change, code) \
	do { \
		memcpy(copy, state, len); \
		h = copy; \
		mm_pass_state_view(copy, &v); \
		change; \
		assert_int_equal(mm_pass_state_check(copy, len, &sums_pass, 1, &err), code); \
	} while (0)

	DAMAGED(h->spec.magic = MM_PASS_SPEC_MAGIC, MM_ERR_CORRUPT);
	DAMAGED(h->spec.layout = 9, MM_ERR_UNSUPPORTED);
	DAMAGED(h->spec.byte_order = 0x0201, MM_ERR_UNSUPPORTED);
	DAMAGED(h->spec.p = 2, MM_ERR_CORRUPT);
	DAMAGED(h->spec.p = 0, MM_ERR_CORRUPT);
	DAMAGED(h->spec.p = 100000, MM_ERR_CORRUPT);
	DAMAGED(h->spec.arg_len = 16, MM_ERR_CORRUPT);
	DAMAGED(h->spec.arg_len = UINT64_MAX, MM_ERR_CORRUPT);
	DAMAGED(h->spec.target = 5, MM_ERR_CORRUPT);
	DAMAGED(h->spec.test_size = 1.0, MM_ERR_CORRUPT);
	DAMAGED(h->spec.test_size = NAN, MM_ERR_CORRUPT);
	DAMAGED(h->pass_size = 8, MM_ERR_CORRUPT);
	DAMAGED(h->pass_size = UINT64_MAX, MM_ERR_CORRUPT);
	DAMAGED(h->buffered = MM_PASS_BLOCK, MM_ERR_CORRUPT);
	DAMAGED(h->buffered = -1, MM_ERR_CORRUPT);
	DAMAGED(h->rows_seen++, MM_ERR_CORRUPT);
	DAMAGED(h->rows_test = INT64_MAX; h->rows_train = INT64_MAX, MM_ERR_CORRUPT);
	DAMAGED(h->rows_train = -1, MM_ERR_CORRUPT);
	DAMAGED(v.null_count[1] = -1, MM_ERR_CORRUPT);
	DAMAGED(v.nonfinite_count[P] = INT64_MAX, MM_ERR_CORRUPT);
	/* the pass's own check: the width merge would read */
	DAMAGED(((double *) v.pass_state)[S_P] = 1e6, MM_ERR_CORRUPT);
	DAMAGED((void) 0, MM_OK);

	/* a state of another split, or another arg, is not merged */
	other = state_new(&sums_pass, 0.25, 4, &len);
	assert_int_equal(mm_pass_state_merge(state, other, &sums_pass, &err), MM_ERR_CORRUPT);
	free(other);
	memcpy(copy, state, len);
	mm_pass_state_view(copy, &v);
	((double *) v.arg)[0] = 2;
	assert_int_equal(mm_pass_state_merge(state, copy, &sums_pass, &err), MM_ERR_CORRUPT);

	/* a count is checked only in full; an arg the pass does not take never */
	memcpy(copy, state, len);
	mm_pass_state_view(copy, &v);
	v.null_count[0] = -5;
	assert_int_equal(mm_pass_state_check(copy, len, &sums_pass, 0, &err), MM_OK);
	assert_int_equal(mm_pass_state_check(copy, len, &sums_pass, 1, &err), MM_ERR_CORRUPT);
	{
		MmPassSpec *s = malloc(mm_pass_spec_size(16));

		mm_pass_spec_write(s, 7, 2, P, MM_PASS_TARGET_NUMERIC, 0.25, 1, "0123456789abcdef", 16);
		assert_int_equal(mm_pass_state_size(s, &sums_pass, &err), 0);
		assert_int_equal(mm_pass_state_size(s, &mm_pass_column_summary, &err), 0);
		free(s);
	}

	/* headers */
	mm_pass_spec_write(spec, 1, 0, P, MM_PASS_TARGET_NONE, 0.5, 1, "12345678", 8);
	assert_int_equal(mm_pass_spec_check(spec, sizeof(spec), &err), MM_OK);
	assert_memory_equal(mm_pass_spec_arg((MmPassSpec *) spec), "12345678", 8);
	assert_int_equal(mm_pass_spec_check(spec, sizeof(spec) - 1, &err), MM_ERR_CORRUPT);
	assert_int_equal(mm_pass_spec_check(spec, 10, &err), MM_ERR_CORRUPT);
	((MmPassSpec *) spec)->index = -1;
	assert_int_equal(mm_pass_spec_check(spec, sizeof(spec), &err), MM_ERR_CORRUPT);
	((MmPassSpec *) spec)->index = 0;
	((MmPassSpec *) spec)->magic = MM_PASS_STATE_MAGIC;
	assert_int_equal(mm_pass_spec_check(spec, sizeof(spec), &err), MM_ERR_CORRUPT);
	free(copy);
	free(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_orders),
		cmocka_unit_test(test_same_split_as_least_squares),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_column_summary),
		cmocka_unit_test(test_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
