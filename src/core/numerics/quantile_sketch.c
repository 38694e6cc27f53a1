/*
 * quantile_sketch.c: a mergeable quantile summary of fixed size (see
 * quantile_sketch.h for the choice, the layout and the error bound).
 */
#include "quantile_sketch.h"
#include "radix_sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define K MM_QSKETCH_K
#define LEVELS MM_QSKETCH_LEVELS
#define ITEMS MM_QSKETCH_ITEMS

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * Sorts n values (no NaN) ascending, stably: 0 and -0, which compare equal,
 * keep their order, so the values a compaction keeps are those a stable
 * qsort kept, bit for bit, and sketches stay the bytes they were.  Sorting
 * dominates a column-statistics pass: levels are sorted by their bits
 * (sorted_keys, several times faster), and by this merge sort only when
 * they hold a -0, which the bits would put before every +0.
 * scratch holds n values.  Runs of RUN values are sorted by insertion,
 * then merged pairwise, back and forth between v and scratch.
 */
#define RUN 16

static void
sort_values(double *v, size_t n, double *scratch)
{
	double	   *from = v,
			   *to = scratch;
	size_t		width,
				i;

	for (i = 0; i < n; i += RUN)
	{
		size_t		end = i + RUN < n ? i + RUN : n,
					a;

		for (a = i + 1; a < end; a++)
		{
			double		x = v[a];
			size_t		b = a;

			/* strictly greater moves: an equal value stays after its equal */
			while (b > i && v[b - 1] > x)
			{
				v[b] = v[b - 1];
				b--;
			}
			v[b] = x;
		}
	}
	for (width = RUN; width < n; width *= 2)
	{
		double	   *swap;

		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = i + width < n ? i + width : n,
						end = i + 2 * width < n ? i + 2 * width : n,
						a = i,
						b = mid,
						o = i;

			/* the left run's value first when equal: stable */
			while (a < mid && b < end)
				to[o++] = from[b] < from[a] ? from[b++] : from[a++];
			while (a < mid)
				to[o++] = from[a++];
			while (b < end)
				to[o++] = from[b++];
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, sizeof(double) * n);
}

/* Values held at level h. */
static inline int32_t
level_size(const MmQuantileSketch *sk, int h)
{
	return sk->bound[h + 1] - sk->bound[h];
}

void
mm_qsketch_init(MmQuantileSketch *sk)
{
	int			h;

	memset(sk, 0, sizeof(*sk));
	sk->magic = MM_QSKETCH_MAGIC;
	sk->k = K;
	sk->levels = LEVELS;
	for (h = 0; h <= LEVELS; h++)
		sk->bound[h] = ITEMS;
}

/* A level's values, as doubles or as their keys (radix_sort.h). */
typedef union LevelBuffer
{
	double		values[ITEMS];
	uint64_t	keys[ITEMS];
} LevelBuffer;

/*
 * The m values at v sorted, as keys in a or b (the one returned).  They are
 * sorted by their bits; values holding a -0 are merge sorted, the bits not
 * telling it from a +0 that must keep its place (see sort_values).
 */
static const uint64_t *
sorted_keys(const double *v, int32_t m, LevelBuffer *a, LevelBuffer *b)
{
	/* on the stack: a compaction may run on a pass's threads, which must not allocate */
	uint32_t	count[MM_RADIX_COUNTS];
	int			negative_zero = 0;
	int32_t		i;

	for (i = 0; i < m; i++)
	{
		a->keys[i] = mm_radix_key(v[i]);
		negative_zero |= a->keys[i] == MM_RADIX_NEGATIVE_ZERO;
	}
	if (!negative_zero)
		return mm_radix_sort_keys(a->keys, b->keys, (size_t) m, count, NULL);
	memcpy(a->values, v, sizeof(double) * (size_t) m);
	sort_values(a->values, (size_t) m, b->values);
	for (i = 0; i < m; i++)
		a->keys[i] = mm_radix_key(a->values[i]);
	return a->keys;
}

/*
 * Compacts level h: sorts it, moves every other value of its pairs up to
 * level h + 1 (which begins where level h ends, so the kept values are
 * written at the top of level h's own region), keeps the odd one out, if
 * any, at level h, and slides the levels below up into the room freed.
 */
static void
compact(MmQuantileSketch *sk, int h)
{
	int32_t		start = sk->bound[h],
				m = level_size(sk, h),
				odd = m & 1,
				half = (m - odd) / 2,
				offset = (int32_t) ((sk->parity >> h) & 1),
				top = sk->bound[h + 1],
				i,
				g;
	double	   *v = sk->items;
	LevelBuffer a,
				b;
	const uint64_t *sorted = sorted_keys(v + start, m, &a, &b);

	/* the odd one out is the smallest; the pairs follow it */
	for (i = 0; i < half; i++)
		v[top - half + i] = mm_radix_double(sorted[odd + 2 * i + offset]);
	sk->bound[h + 1] = top - half;
	if (odd)
		v[top - half - 1] = mm_radix_double(sorted[0]);
	/* levels 0 .. h - 1 (and level h's odd one, now moved) slide up by the room freed */
	memmove(v + sk->bound[0] + half, v + sk->bound[0], sizeof(double) * (size_t) (start - sk->bound[0]));
	for (g = 0; g <= h; g++)
		sk->bound[g] += half;
	sk->parity ^= (uint32_t) 1 << h;
}

/*
 * Makes room in a full sketch by compacting its lowest level of at least K
 * values (a full buffer of LEVELS * K values has one); false when only the
 * top level has that many, which cannot compact (overflow).
 */
static int
make_room(MmQuantileSketch *sk)
{
	int			h;

	for (h = 0; h < LEVELS - 1; h++)
		if (level_size(sk, h) >= K)
		{
			compact(sk, h);
			return 1;
		}
	sk->overflow = 1;
	return 0;
}

/* The inputs the kept values stand for. */
static int64_t
kept_weight(const MmQuantileSketch *sk)
{
	int64_t		weight = 0;
	int			h;

	for (h = 0; h < LEVELS; h++)
		weight += (int64_t) level_size(sk, h) << h;
	return weight;
}

/* Adds count values to level h, room for them being free. */
static void
insert_level(MmQuantileSketch *sk, int h, const double *values, int32_t count)
{
	int			g;

	/* the levels below h slide down into the free room, and h grows at its front */
	memmove(sk->items + sk->bound[0] - count, sk->items + sk->bound[0],
			sizeof(double) * (size_t) (sk->bound[h] - sk->bound[0]));
	for (g = 0; g <= h; g++)
		sk->bound[g] -= count;
	memcpy(sk->items + sk->bound[h], values, sizeof(double) * (size_t) count);
}

void
mm_qsketch_add(MmQuantileSketch *sk, double v)
{
	if (sk->overflow)
		return;
	if (sk->bound[0] == 0 && !make_room(sk))
		return;
	sk->bound[0]--;
	sk->items[sk->bound[0]] = v;
	sk->n++;
}

void
mm_qsketch_merge(MmQuantileSketch *dst, const MmQuantileSketch *src)
{
	int			h;

	if (src->overflow)
		dst->overflow = 1;
	if (dst->overflow)
		return;
	/* the top levels first, so that the values of the lower ones meet the most room */
	for (h = LEVELS - 1; h >= 0; h--)
	{
		const double *from = src->items + src->bound[h];
		int32_t		left = level_size(src, h);

		while (left > 0)
		{
			int32_t		count = left < dst->bound[0] ? left : dst->bound[0];

			if (count == 0)
			{
				if (!make_room(dst))
				{
					/* an overflowed sketch counts what it kept, so that it still checks */
					dst->n = kept_weight(dst);
					return;
				}
				continue;
			}
			insert_level(dst, h, from, count);
			from += count;
			left -= count;
		}
	}
	dst->n += src->n;
}

int
mm_qsketch_exact(const MmQuantileSketch *sk)
{
	return !sk->overflow && sk->bound[1] == ITEMS;
}

double
mm_qsketch_rank_error(int64_t n)
{
	if (n <= ITEMS)
		return 0.0;
	return (floor(log2((double) n / K)) + 1.0) / K;
}

int
mm_qsketch_check(const MmQuantileSketch *sk)
{
	int			h;
	int32_t		i;

	if (sk->magic != MM_QSKETCH_MAGIC || sk->k != K || sk->levels != LEVELS ||
		(sk->overflow != 0 && sk->overflow != 1) || sk->n < 0 || sk->pad != 0 ||
		sk->bound[LEVELS] != ITEMS || sk->bound[0] < 0)
		return 0;
	for (h = 0; h < LEVELS; h++)
		if (sk->bound[h] > sk->bound[h + 1])
			return 0;
	for (i = sk->bound[0]; i < ITEMS; i++)
		if (!isfinite(sk->items[i]))
			return 0;
	/* at most 2^14 values of weight 2^31 per level: the sum cannot overflow */
	return kept_weight(sk) == sk->n;
}

/* A kept value and how many inputs it stands for. */
typedef struct Weighted
{
	double		value;
	int64_t		weight;
} Weighted;

static int
cmp_weighted(const void *a, const void *b)
{
	return cmp_double(&((const Weighted *) a)->value, &((const Weighted *) b)->value);
}

/* The value of rank r (from 0) among the sorted weighted values, clamped to [lo, hi]. */
static double
value_at(const Weighted *w, int32_t count, int64_t r, double lo, double hi)
{
	int64_t		below = 0;
	int32_t		i;
	double		v = w[count - 1].value;

	for (i = 0; i < count; i++)
	{
		below += w[i].weight;
		if (r < below)
		{
			v = w[i].value;
			break;
		}
	}
	return v < lo ? lo : v > hi ? hi : v;
}

/* The kept values, sorted, with their weights and (extra_count > 0) the extra one; NULL without memory. */
static Weighted *
weighted_values(const MmQuantileSketch *sk, double extra_value, int64_t extra_count, int32_t *count)
{
	Weighted   *w = mm_alloc(sizeof(Weighted) * ((size_t) (ITEMS - sk->bound[0]) + 1));
	int32_t		i;
	int			h;

	*count = 0;
	if (w == NULL)
		return NULL;
	for (h = 0; h < LEVELS; h++)
		for (i = sk->bound[h]; i < sk->bound[h + 1]; i++)
		{
			w[*count].value = sk->items[i];
			w[(*count)++].weight = (int64_t) 1 << h;
		}
	if (extra_count > 0)
	{
		w[*count].value = extra_value;
		w[(*count)++].weight = extra_count;
	}
	qsort(w, (size_t) *count, sizeof(Weighted), cmp_weighted);
	return w;
}

/* Why a sketch gives no quantile: overflowed, or no values; MM_OK when it can. */
static MmErrorCode
unusable(const MmQuantileSketch *sk, int64_t n, MmError *err)
{
	if (sk->overflow)
		return mm_fail(err, MM_ERR_UNSUPPORTED, -1,
					   "a quantile sketch summarizes at most %.0f values",
					   (double) K * ldexp(1.0, LEVELS - 1));
	if (n <= 0)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "no values to take a quantile of");
	return MM_OK;
}

MmErrorCode
mm_qsketch_quantile(const MmQuantileSketch *sk, double q, double extra_value, int64_t extra_count,
					double lo, double hi, double *out, MmError *err)
{
	int32_t		count;
	int64_t		n = sk->n + extra_count;
	Weighted   *w;
	double		pos,
				frac,
				a,
				b;
	int64_t		r;
	MmErrorCode rc;

	if ((rc = unusable(sk, n, err)) != MM_OK)
		return rc;
	if ((w = weighted_values(sk, extra_value, extra_count, &count)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for a quantile");

	/* numpy's linear interpolation, as preprocess.c's in-memory quantile */
	pos = q * (double) (n - 1);
	r = (int64_t) floor(pos);
	frac = pos - (double) r;
	a = value_at(w, count, r, lo, hi);
	if (r + 1 >= n)
		*out = value_at(w, count, n - 1, lo, hi);
	else
	{
		b = value_at(w, count, r + 1, lo, hi);
		*out = a + frac * (b - a);
	}
	mm_free(w);
	return MM_OK;
}

MmErrorCode
mm_qsketch_sample(const MmQuantileSketch *sk, size_t m, double *out, MmError *err)
{
	int32_t		count,
				i = 0;
	int64_t		below;
	size_t		k;
	Weighted   *w;
	MmErrorCode rc;

	if ((rc = unusable(sk, m > 0 ? sk->n : 0, err)) != MM_OK)
		return rc;
	if ((w = weighted_values(sk, 0.0, 0, &count)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for a sample of %zu values", m);
	/* the ranks ascend, so one sweep of the weighted values finds them all */
	below = w[0].weight;
	for (k = 0; k < m; k++)
	{
		int64_t		r = (int64_t) ((double) k * (double) sk->n / (double) m);

		while (r >= below && i + 1 < count)
			below += w[++i].weight;
		out[k] = w[i].value;
	}
	mm_free(w);
	return MM_OK;
}
