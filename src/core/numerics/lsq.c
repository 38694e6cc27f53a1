/*
 * lsq.c: the mergeable training state of least squares (see lsq.h).
 *
 * Layout after the header: null counts (p), non-finite counts (p + 1),
 * merge work space, the two moments blocks, the two ranges (the minimum
 * then the maximum of each variable), the two row batches, the two sample
 * entry arrays and the two sample row arrays.  Only the sample part
 * changes size.  Rows reach the moments in batches of MM_LS_BATCH (see
 * mm_moments_merge_batch), each folded into the factor at once.  The
 * entries hold (key, slot) pairs, so that selecting moves 16 bytes per row;
 * rows move only when a compaction frees low slots.
 */
#include "lsq.h"

#include <math.h>
#include <string.h>

#include "moments.h"
#include "rowhash.h"

#define BYTE_ORDER_MARK 0x0102
#define FIRST_ALLOC 64

/* Doubles of merge work space for d variables. */
static size_t
scratch_len(int d)
{
	return 2 * (size_t) mm_moments_len(d) + (size_t) d;
}

/* Bytes of everything before the sample. */
static size_t
prefix_size(int p)
{
	int			d = p + 1;

	return sizeof(MmLsHeader)
		+ sizeof(int64_t) * (size_t) p
		+ sizeof(int64_t) * (size_t) d
		+ sizeof(double) * scratch_len(d)
		+ sizeof(double) * 2 * (size_t) mm_moments_len(d)
		+ sizeof(double) * 4 * (size_t) d
		+ sizeof(double) * 2 * (size_t) MM_LS_BATCH * d;
}

/* Bytes needed for p features and room for alloc sampled rows per part. */
size_t
mm_ls_size(int p, int alloc)
{
	int			d = p + 1;

	return prefix_size(p)
		+ 2 * (size_t) alloc * (sizeof(MmLsSampleEntry) + sizeof(double) * (size_t) d);
}

/*
 * The integer form of mm_draw_is_test (see lsq.h): u * 2^-53 and
 * test_size * 2^53 are both exact, so u * 2^-53 < test_size exactly when
 * the integer u is below the ceiling of test_size * 2^53.
 */
uint64_t
mm_ls_test_below(double test_size)
{
	if (!(test_size > 0.0 && test_size < 1.0))
		return 0;
	return (uint64_t) ceil(test_size * 0x1.0p53);
}

/* Pointers into a state of p features with alloc rows per part. */
static void
layout(void *buf, int p, int alloc, MmLsView *v)
{
	char	   *c = buf;
	int			d = p + 1;
	size_t		len = (size_t) mm_moments_len(d);

	v->head = (MmLsHeader *) c;
	v->p = p;
	v->d = d;
	c += sizeof(MmLsHeader);
	v->null_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) p;
	v->nonfinite_count = (int64_t *) c;
	c += sizeof(int64_t) * (size_t) d;
	v->scratch = (double *) c;
	c += sizeof(double) * scratch_len(d);
	v->part[0] = (double *) c;
	c += sizeof(double) * len;
	v->part[1] = (double *) c;
	c += sizeof(double) * len;
	v->range[0] = (double *) c;
	c += sizeof(double) * 2 * (size_t) d;
	v->range[1] = (double *) c;
	c += sizeof(double) * 2 * (size_t) d;
	v->batch[0] = (double *) c;
	c += sizeof(double) * MM_LS_BATCH * (size_t) d;
	v->batch[1] = (double *) c;
	c += sizeof(double) * MM_LS_BATCH * (size_t) d;
	v->sample_entry[0] = (MmLsSampleEntry *) c;
	c += sizeof(MmLsSampleEntry) * (size_t) alloc;
	v->sample_entry[1] = (MmLsSampleEntry *) c;
	c += sizeof(MmLsSampleEntry) * (size_t) alloc;
	v->sample_row[0] = (double *) c;
	c += sizeof(double) * (size_t) alloc * (size_t) d;
	v->sample_row[1] = (double *) c;
	v->test_below = mm_ls_test_below(v->head->test_size);
}

/* Fills view with pointers into a checked state. */
void
mm_ls_view(void *buf, MmLsView *view)
{
	MmLsHeader *h = buf;

	layout(buf, h->nfeatures, h->sample_alloc, view);
}

/* Initializes a state in buf (see lsq.h). */
void
mm_ls_init(void *buf, int p, double test_size, int64_t seed, int sample_cap,
		   double expected_rows, int alloc)
{
	MmLsHeader *h = buf;
	MmLsView	v;
	int			part,
				j;

	memset(buf, 0, mm_ls_size(p, alloc));
	layout(buf, p, alloc, &v);
	for (part = 0; part < 2; part++)
		for (j = 0; j <= p; j++)
		{
			v.range[part][j] = INFINITY;
			v.range[part][p + 1 + j] = -INFINITY;
		}
	h->magic = MM_LS_MAGIC;
	h->layout = MM_LS_LAYOUT;
	h->byte_order = BYTE_ORDER_MARK;
	h->nfeatures = p;
	h->sample_cap = sample_cap;
	h->sample_alloc = alloc;
	h->test_size = test_size;
	h->salt = mm_seed_salt(seed);
	for (part = 0; part < 2; part++)
	{
		double		expected = expected_rows * (part == 1 ? test_size : 1.0 - test_size);
		double		admit = expected > 0.0 ? MM_LS_ADMIT * sample_cap / expected : 1.0;

		h->sample_threshold[part] = admit < 1.0 ? (uint64_t) (admit * 0x1.0p64) : UINT64_MAX;
	}
}

/* Checks that len bytes at buf are a well-formed state (see lsq.h). */
MmErrorCode
mm_ls_check(const void *buf, size_t len, int full, MmError *err)
{
	const MmLsHeader *h = buf;
	MmLsView	v;
	int			part;

	if (len < sizeof(MmLsHeader) || h->magic != MM_LS_MAGIC)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "not a least-squares state");
	if (h->layout != MM_LS_LAYOUT || h->byte_order != BYTE_ORDER_MARK)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "least-squares state of layout %d from another build or machine",
					   (int) h->layout);
	if (h->nfeatures < 1 || h->nfeatures > MM_MAX_FEATURES ||
		h->sample_cap < 0 || h->sample_cap > MM_LS_MAX_SAMPLE ||
		h->sample_alloc < 0 || h->sample_alloc > mm_ls_sample_limit(h->sample_cap) ||
		h->sample_count[0] < 0 || h->sample_count[0] > h->sample_alloc ||
		h->sample_count[1] < 0 || h->sample_count[1] > h->sample_alloc ||
		h->batch_count[0] < 0 || h->batch_count[0] >= MM_LS_BATCH ||
		h->batch_count[1] < 0 || h->batch_count[1] >= MM_LS_BATCH ||
		!(h->test_size >= 0.0 && h->test_size < 1.0) || h->damaged != 0 ||
		h->rows_seen < 0 || h->rows_null_target < 0 ||
		h->rows_bad_features < 0 || h->rows_bad_target < 0)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "least-squares state has impossible header values");
	if (len != mm_ls_size(h->nfeatures, h->sample_alloc))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "least-squares state has the wrong length");
	if (!full)
		return MM_OK;
	layout((void *) buf, h->nfeatures, h->sample_alloc, &v);
	for (part = 0; part < 2; part++)
	{
		double		n = v.part[part][0];

		if (!(n >= 0.0 && n <= 9007199254740992.0) || n != floor(n))
			return mm_fail(err, MM_ERR_CORRUPT, -1, "least-squares state has an impossible row count");
	}
	return MM_OK;
}

/* The allocation to grow to before the next row may be added, or 0. */
int
mm_ls_grow_needed(const void *buf)
{
	const MmLsHeader *h = buf;
	int			alloc = h->sample_alloc;
	int			grown;

	int			limit = mm_ls_sample_limit(h->sample_cap);

	if (alloc >= limit ||
		(h->sample_count[0] < alloc && h->sample_count[1] < alloc))
		return 0;
	/*
	 * Quadrupling: a state that grows is copied twice (here, and by the
	 * executor into the aggregate's memory), into memory the kernel has to
	 * map afresh, so fewer and larger steps cost a pass less than doubling
	 */
	grown = alloc < FIRST_ALLOC / 2 ? FIRST_ALLOC : alloc * 4;
	return grown < limit ? grown : limit;
}

/* Copies src into dst, a buffer of mm_ls_size(p, new_alloc) bytes. */
void
mm_ls_copy_resized(void *dst, const void *src, int new_alloc)
{
	const MmLsHeader *sh = src;
	int			p = sh->nfeatures;
	MmLsView	s,
				t;
	int			part;

	memcpy(dst, src, prefix_size(p));
	((MmLsHeader *) dst)->sample_alloc = new_alloc;
	layout((void *) src, p, sh->sample_alloc, &s);
	layout(dst, p, new_alloc, &t);
	for (part = 0; part < 2; part++)
	{
		size_t		count = (size_t) sh->sample_count[part];

		memcpy(t.sample_entry[part], s.sample_entry[part], count * sizeof(MmLsSampleEntry));
		memcpy(t.sample_row[part], s.sample_row[part], count * (size_t) s.d * sizeof(double));
	}
}

/* Counts a row whose target is NULL. */
void
mm_ls_add_null_target(MmLsView *view)
{
	view->head->rows_seen++;
	view->head->rows_null_target++;
}

/* Swaps two sample entries. */
static inline void
entry_swap(MmLsSampleEntry *e, int a, int b)
{
	MmLsSampleEntry t = e[a];

	e[a] = e[b];
	e[b] = t;
}

/* Puts the k smallest keys of e[0..n) first (quickselect), k < n. */
static void
select_smallest(MmLsSampleEntry *e, int n, int k)
{
	int			lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		uint64_t	pivot = e[lo + (hi - lo) / 2].key;
		int			i = lo,
					j = hi;

		while (i <= j)
		{
			while (e[i].key < pivot)
				i++;
			while (e[j].key > pivot)
				j--;
			if (i <= j)
				entry_swap(e, i++, j--);
		}
		if (k - 1 <= j)
			hi = j;
		else if (k - 1 >= i)
			lo = i;
		else
			break;
	}
}

/*
 * Keeps the cap smallest keys of a part's buffer, moving their rows into
 * slots 0 .. cap-1, and lowers the threshold to the largest key kept.
 */
static void
sample_compact(MmLsView *v, int part)
{
	MmLsHeader *h = v->head;
	MmLsSampleEntry *e = v->sample_entry[part];
	double	   *rows = v->sample_row[part];
	int			n = h->sample_count[part],
				k = h->sample_cap,
				d = v->d,
				i,
				free_slot = 0;
	uint64_t	largest = 0;
	uint8_t    *used;

	if (n <= k)
		return;
	for (i = 0; i < n; i++)
		if (e[i].slot < 0 || e[i].slot >= h->sample_alloc)
		{
			h->damaged = 1;		/* the next check reports it */
			return;
		}
	used = mm_alloc0((size_t) k);
	if (used == NULL)
	{
		h->damaged = 1;
		return;
	}
	select_smallest(e, n, k);
	/* slots below k not used by a kept row take the kept rows stored above k */
	for (i = 0; i < k; i++)
	{
		if (e[i].key > largest)
			largest = e[i].key;
		if (e[i].slot < k)
			used[e[i].slot] = 1;
	}
	for (i = 0; i < k; i++)
	{
		if (e[i].slot < k)
			continue;
		while (used[free_slot])
			free_slot++;
		memcpy(rows + (size_t) free_slot * d, rows + (size_t) e[i].slot * d, sizeof(double) * d);
		e[i].slot = free_slot++;
	}
	mm_free(used);
	h->sample_count[part] = k;
	h->sample_threshold[part] = largest;
}

/* Offers a row to one part's sample (see lsq.h). */
static inline void
sample_offer(MmLsView *v, int part, uint64_t key, const double *row)
{
	MmLsHeader *h = v->head;
	int			count = h->sample_count[part];

	if (key >= h->sample_threshold[part] || h->sample_cap == 0)
		return;
	if (count >= h->sample_alloc)
	{
		h->damaged = 1;			/* the caller did not make room; the next check reports it */
		return;
	}
	memcpy(v->sample_row[part] + (size_t) count * v->d, row, sizeof(double) * v->d);
	v->sample_entry[part][count].key = key;
	v->sample_entry[part][count].slot = count;
	h->sample_count[part] = count + 1;
	if (count + 1 == mm_ls_sample_limit(h->sample_cap))
		sample_compact(v, part);
}

/*
 * Widens a part's range to m rows held as d columns, stride apart.  Four
 * running extremes per column instead of one: a single one is a chain of
 * dependent comparisons, which costs the training pass more than the fold.
 * The rows hold no NaN, so the extremes do not depend on how they are split.
 */
static void
range_add(MmLsView *v, int part, const double *cols, int m, int stride)
{
	double	   *lo = v->range[part],
			   *hi = v->range[part] + v->d;
	int			j,
				r;

	for (j = 0; j < v->d; j++)
	{
		const double *c = cols + (size_t) j * stride;
		double		a[4] = {lo[j], lo[j], lo[j], lo[j]},
					b[4] = {hi[j], hi[j], hi[j], hi[j]};
		int			k;

		for (r = 0; r + 4 <= m; r += 4)
			for (k = 0; k < 4; k++)
			{
				a[k] = c[r + k] < a[k] ? c[r + k] : a[k];
				b[k] = c[r + k] > b[k] ? c[r + k] : b[k];
			}
		for (; r < m; r++)
		{
			a[0] = c[r] < a[0] ? c[r] : a[0];
			b[0] = c[r] > b[0] ? c[r] : b[0];
		}
		for (k = 1; k < 4; k++)
		{
			a[0] = a[k] < a[0] ? a[k] : a[0];
			b[0] = b[k] > b[0] ? b[k] : b[0];
		}
		lo[j] = a[0];
		hi[j] = b[0];
	}
}

/* Merges the rows waiting in a part's batch into its moments. */
static void
batch_flush(MmLsView *v, int part)
{
	range_add(v, part, v->batch[part], v->head->batch_count[part], v->head->batch_count[part]);
	mm_moments_merge_batch(v->part[part], v->d, v->batch[part],
						   v->head->batch_count[part], v->scratch);
	v->head->batch_count[part] = 0;
}

/* Adds a row to a part's batch, merging the batch when it is full. */
static inline void
batch_add(MmLsView *v, int part, const double *row)
{
	int			r = v->head->batch_count[part];
	const int	d = v->d;
	double	   *cols = v->batch[part];
	double	   *slot = cols + r;
	int			j;

	for (j = 0; j < d; j++)
		slot[j * MM_LS_BATCH] = row[j];
	v->head->batch_count[part] = r + 1;
	if (r + 1 == MM_LS_BATCH)
	{
		/* the columns are MM_LS_BATCH apart: merge them as a full batch */
		range_add(v, part, cols, MM_LS_BATCH, MM_LS_BATCH);
		mm_moments_merge_batch(v->part[part], v->d, cols, MM_LS_BATCH, v->scratch);
		v->head->batch_count[part] = 0;
	}
}

/* Completes a state before it is read (see lsq.h). */
void
mm_ls_finish(MmLsView *view)
{
	int			part;

	for (part = 0; part < 2; part++)
	{
		int			m = view->head->batch_count[part];
		int			j,
					r;

		/* close up the columns of a partial batch before merging it */
		for (j = 1; j < view->d; j++)
			for (r = 0; r < m; r++)
				view->batch[part][j * m + r] = view->batch[part][j * MM_LS_BATCH + r];
		batch_flush(view, part);
		sample_compact(view, part);
	}
}

/* Adds one row (see lsq.h). */
void
mm_ls_add(MmLsView *view, const double *v, const uint8_t *isnull)
{
	mm_ls_add_hashed(view, v, isnull, NULL);
}

/*
 * Counts what is wrong with a row: NULL and non-finite values per column,
 * then the row as skipped for its features or its target.  Returns 1 when
 * the row is usable.
 */
static int
row_usable(MmLsView *view, const double *v, const uint8_t *isnull)
{
	MmLsHeader *h = view->head;
	int			p = view->p,
				j,
				bad_feature = 0,
				bad_target;

	for (j = 0; j < p; j++)
	{
		if (isnull != NULL && isnull[j])
		{
			view->null_count[j]++;
			bad_feature = 1;
		}
		else if (!isfinite(v[j]))
		{
			view->nonfinite_count[j]++;
			bad_feature = 1;
		}
	}
	bad_target = !isfinite(v[p]);
	if (bad_target)
		view->nonfinite_count[p]++;
	if (bad_feature)
		h->rows_bad_features++;
	else if (bad_target)
		h->rows_bad_target++;
	return !bad_feature && !bad_target;
}

void
mm_ls_add_hashed(MmLsView *view, const double *v, const uint8_t *isnull, const uint64_t *row_hash)
{
	MmLsHeader *h = view->head;
	uint64_t	hash,
				draw;
	int			part;

	h->rows_seen++;
	if (isnull == NULL && row_hash == NULL)
	{
		/* the common case: the hash's own loop says whether every value is finite */
		int			nonfinite;

		hash = mm_row_hash_finite(v, view->d, &nonfinite);
		if (nonfinite && !row_usable(view, v, NULL))
			return;
	}
	else
	{
		if (!row_usable(view, v, isnull))
			return;
		hash = row_hash != NULL ? *row_hash : mm_row_hash(v, view->d);
	}
	h->fingerprint += hash;
	draw = mm_row_draw(hash, h->salt);
	part = (draw >> 11) < view->test_below;
	batch_add(view, part, v);
	sample_offer(view, part, mm_draw_sample_key(draw), v);
}

/*
 * The allocation dst needs before src can be merged into it, or 0.  A state
 * that grows for a merge grows to at least twice its allocation: merges
 * come in series (the leader of a parallel plan combines every worker's
 * state into one), and each growth costs two copies of the whole state into
 * fresh memory (here, and by the executor into the aggregate's memory).
 */
int
mm_ls_merge_grow_needed(const void *dst, const void *src)
{
	const MmLsHeader *a = dst;
	const MmLsHeader *b = src;
	int			need = 0,
				limit = mm_ls_sample_limit(a->sample_cap),
				part;

	for (part = 0; part < 2; part++)
	{
		int64_t		sum = (int64_t) a->sample_count[part] + b->sample_count[part];
		int			want = sum < limit ? (int) sum : limit;

		if (want > need)
			need = want;
	}
	if (need <= a->sample_alloc)
		return 0;
	if (a->sample_alloc <= limit / 2 && need < 2 * a->sample_alloc)
		need = 2 * a->sample_alloc;
	else if (a->sample_alloc > limit / 2)
		need = limit;
	return need;
}

/* Merges src into dst; both checked, compatible, dst large enough. */
MmErrorCode
mm_ls_merge(void *dst, const void *src, MmError *err)
{
	MmLsView	a,
				b;
	int			j,
				part,
				i;

	mm_ls_view(dst, &a);
	mm_ls_view((void *) src, &b);
	if (a.p != b.p || a.head->test_size != b.head->test_size ||
		a.head->salt != b.head->salt || a.head->sample_cap != b.head->sample_cap)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "cannot merge least-squares states built with different settings");
	if (mm_ls_merge_grow_needed(dst, src) != 0)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "merge target state is too small");

	a.head->fingerprint += b.head->fingerprint;
	a.head->rows_seen += b.head->rows_seen;
	a.head->rows_null_target += b.head->rows_null_target;
	a.head->rows_bad_features += b.head->rows_bad_features;
	a.head->rows_bad_target += b.head->rows_bad_target;
	for (j = 0; j < a.p; j++)
		a.null_count[j] += b.null_count[j];
	for (j = 0; j < a.d; j++)
		a.nonfinite_count[j] += b.nonfinite_count[j];
	for (part = 0; part < 2; part++)
	{
		mm_moments_merge(a.part[part], b.part[part], a.d, a.scratch);
		for (j = 0; j < a.d; j++)
		{
			double	   *lo = a.range[part],
					   *hi = a.range[part] + a.d;

			lo[j] = b.range[part][j] < lo[j] ? b.range[part][j] : lo[j];
			hi[j] = b.range[part][a.d + j] > hi[j] ? b.range[part][a.d + j] : hi[j];
		}
		for (i = 0; i < b.head->batch_count[part]; i++)
		{
			int			j;

			for (j = 0; j < b.d; j++)
				a.scratch[j] = b.batch[part][j * MM_LS_BATCH + i];
			batch_add(&a, part, a.scratch);
		}
		for (i = 0; i < b.head->sample_count[part]; i++)
		{
			int64_t		slot = b.sample_entry[part][i].slot;

			if (slot < 0 || slot >= b.head->sample_alloc)
				return mm_fail(err, MM_ERR_CORRUPT, -1, "least-squares state has a damaged sample");
			sample_offer(&a, part, b.sample_entry[part][i].key, b.sample_row[part] + (size_t) slot * b.d);
		}

		/*
		 * each threshold bounds the union's k-th smallest key too; lowered
		 * only now, since src keeps the row whose key equals its threshold
		 */
		if (b.head->sample_threshold[part] < a.head->sample_threshold[part])
			a.head->sample_threshold[part] = b.head->sample_threshold[part];
	}
	return MM_OK;
}

int
mm_ls_fold(const double *v, int p, double test_size, uint64_t salt, int folds, uint64_t *row_hash)
{
	uint64_t	draw;
	int			j;

	for (j = 0; j <= p; j++)
		if (!isfinite(v[j]))
			return -2;
	*row_hash = mm_row_hash(v, p + 1);
	draw = mm_row_draw(*row_hash, salt);
	if (mm_draw_is_test(draw, test_size))
		return -1;
	return mm_fold_of_draw(draw, folds);
}

int
mm_fold_of_draw(uint64_t draw, int folds)
{
	/* bits of the draw the split does not read */
	return (int) (mm_mix64(draw ^ UINT64_C(0x666f6c6473)) % (uint64_t) folds);
}
