/*
 * kmeans_passes.c: k-means' passes over its data source (kmeans_passes.h).
 */
#include "kmeans_passes.h"

#include <math.h>
#include <string.h>

#include "compsum.h"
#include "kmeans_dist.h"
#include "kmeans_sample.h"
#include "mmcore.h"
#include "rowhash.h"
#include "widevectors.h"

/* What each pass asks of its arg. */
typedef enum Kind
{
	KIND_START,
	KIND_ROUND,
	KIND_WEIGHT,
	KIND_LLOYD
} Kind;

static inline const MmKMeansArg *
head_of(const void *arg)
{
	return arg;
}

static inline const double *
points_of(const void *arg)
{
	return (const double *) ((const char *) arg + sizeof(MmKMeansArg));
}

MmKMeansArg *
mm_kmeans_arg_new(int p, const double *points, int m, int slots, uint64_t salt, size_t *len)
{
	MmKMeansArg *a;

	*len = sizeof(MmKMeansArg) + sizeof(double) * (size_t) m * (size_t) p;
	a = mm_alloc0(*len);
	if (a == NULL)
		return NULL;
	a->p = p;
	a->m = m;
	a->slots = slots;
	a->salt = salt;
	if (m > 0)
		memcpy((char *) a + sizeof(MmKMeansArg), points, sizeof(double) * (size_t) m * (size_t) p);
	return a;
}

/* The arg's length when it is one of kind over p columns, else 0 (see MmPass.arg_size). */
static size_t
checked_arg_size(int p, const void *arg, size_t avail, Kind kind)
{
	const MmKMeansArg *a = arg;
	size_t		len,
				i;
	int			shape;

	if (avail < sizeof(MmKMeansArg) || a->p != p || p < 1 || a->pad != 0 ||
		a->m < 0 || a->m > MM_KMEANS_MAX_POINTS || a->slots < 0 || a->slots > MM_KMEANS_MAX_SLOTS)
		return 0;
	switch (kind)
	{
		case KIND_START:
			shape = a->m == 0 && a->slots == 1;
			break;
		case KIND_ROUND:
			shape = a->m >= 1 && a->slots >= 1;
			break;
		case KIND_WEIGHT:
			shape = a->m >= 1 && a->slots == 0;
			break;
		default:
			shape = a->m >= 1 && a->slots == a->m;
			break;
	}
	len = sizeof(MmKMeansArg) + sizeof(double) * (size_t) a->m * (size_t) p;
	if (!shape || avail < len)
		return 0;
	for (i = 0; i < (size_t) a->m * (size_t) p; i++)
		if (!isfinite(points_of(arg)[i]))
			return 0;
	return len;
}

/* ---------------------------------------------------------------- sums */


static inline uint64_t
get_u64(const double *w)
{
	uint64_t	v;

	memcpy(&v, w, sizeof(v));
	return v;
}

static inline void
put_u64(double *w, uint64_t v)
{
	memcpy(w, &v, sizeof(v));
}

/*
 * A row's draw for a salt, uniform in [0, 1) (rowhash.h), from its hash in
 * single precision (mm_row_hash_rounded): design rows that differ in their
 * last bits, as preprocessing fitted over other shards makes them, draw
 * alike, so the seeding picks the same rows.
 */
static inline double
uniform_draw(uint64_t hash, uint64_t salt)
{
	return (double) (mm_row_draw(hash, salt) >> 11) * 0x1.0p-53;
}

/* ---------------------------------------------------------------- layouts */

/*
 * Where the parts of a state sit, in doubles from its start: the counted
 * part (head words, then the sample), then the scratch room.
 */
typedef struct Layout
{
	size_t		sample;			/* the sample, or where it would be */
	size_t		scratch_sample;
	size_t		ct;				/* the arg's points transposed */
	size_t		dist;			/* distances to them */
	size_t		partial;		/* lloyd: a block's plain sums per cluster (m x p) */
	size_t		block_count;	/* lloyd: a block's rows per cluster (m) */
	size_t		touched;		/* lloyd: the clusters a block touched, in order (m) */
	size_t		words;
} Layout;

static Layout
layout(Kind kind, int p, const void *arg)
{
	const MmKMeansArg *a = head_of(arg);
	size_t		m = (size_t) a->m,
				s = mm_ksample_words(p, a->slots),
				head;
	Layout		l;

	switch (kind)
	{
		case KIND_START:
			head = 1 + 2 * (size_t) p;
			break;
		case KIND_ROUND:
			head = 2;
			break;
		case KIND_WEIGHT:
			head = m;
			break;
		default:
			head = 3 + m + 2 * m * (size_t) p;
			break;
	}
	l.sample = head;
	l.scratch_sample = head + (a->slots > 0 ? s : 0);
	l.ct = l.scratch_sample + (a->slots > 0 ? s : 0);
	l.dist = l.ct + m * (size_t) p;
	l.partial = l.dist + m;
	l.block_count = l.partial;
	l.touched = l.partial;
	if (kind == KIND_LLOYD)
	{
		l.block_count = l.partial + m * (size_t) p;
		l.touched = l.block_count + m;
	}
	l.words = l.touched + (kind == KIND_LLOYD ? m : 0);
	return l;
}

/* ---------------------------------------------------------------- start */

static size_t
start_arg_size(int p, const void *arg, size_t avail)
{
	return checked_arg_size(p, arg, avail, KIND_START);
}

static size_t
start_state_size(int p, const void *arg)
{
	return sizeof(double) * layout(KIND_START, p, arg).words;
}

static void
start_init(void *state, int p, const void *arg)
{
	double	   *s = state;

	memset(s, 0, sizeof(double) * (1 + 2 * (size_t) p));
	mm_ksample_init(s + layout(KIND_START, p, arg).sample);
}

/* Welford's update of the means and squared deviations, and the draw for the first seed. */
static void
start_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			p = rows->p,
				j;
	double	   *mean = s + 1,
			   *m2 = s + 1 + p,
			   *sample = s + layout(KIND_START, p, arg).sample;
	uint64_t	salt = head_of(arg)->salt;
	size_t		i;

	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) p;
		uint64_t	h = mm_row_hash_rounded(x, p);
		double		u = uniform_draw(h, salt);

		s[0] += 1.0;
		for (j = 0; j < p; j++)
		{
			double		delta = x[j] - mean[j];

			mean[j] += delta / s[0];
			m2[j] += delta * (x[j] - mean[j]);
		}
		if (mm_ksample_wants(sample, p, 1, u))
			mm_ksample_offer(sample, p, 1, u, h, x);
	}
}

/* Chan's merge of the moments; the smaller draw of the two. */
static void
start_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	Layout		l = layout(KIND_START, p, arg);
	double		na = s[0],
				nb = o[0],
				n = na + nb;
	int			j;

	if (nb > 0.0)
	{
		for (j = 0; j < p; j++)
		{
			double		delta = o[1 + j] - s[1 + j];

			s[1 + j] += delta * (nb / n);
			s[1 + p + j] += o[1 + p + j] + delta * delta * (na * nb / n);
		}
		s[0] = n;
	}
	mm_ksample_merge(s + l.sample, o + l.sample, p, 1, s + l.scratch_sample);
}

static int
start_check(const void *state, int p, const void *arg)
{
	const double *s = state;

	return s[0] >= 0.0 && s[0] == floor(s[0]) &&
		mm_ksample_check(s + layout(KIND_START, p, arg).sample, 1);
}

void
mm_kmeans_start_read(const void *state, int p, MmKMeansStart *out)
{
	const double *s = state;
	const double *sample = s + 1 + 2 * (size_t) p;
	int			j;

	out->n = s[0];
	out->var_sum = 0.0;
	for (j = 0; j < p && s[0] > 0.0; j++)
		out->var_sum += s[1 + p + j] / s[0];
	out->found = mm_ksample_count(sample) > 0;
	out->first = out->found ? mm_ksample_row(sample, p, 0) : NULL;
}

const MmPass mm_kmeans_start_pass = {
	.name = "kmeans.start",
	.state_size = start_state_size,
	.init = start_init,
	.add = start_add,
	.merge = start_merge,
	.arg_size = start_arg_size,
	.check = start_check,
};

/* ---------------------------------------------------------------- round */

static size_t
round_arg_size(int p, const void *arg, size_t avail)
{
	return checked_arg_size(p, arg, avail, KIND_ROUND);
}

static size_t
round_state_size(int p, const void *arg)
{
	return sizeof(double) * layout(KIND_ROUND, p, arg).words;
}

static void
round_init(void *state, int p, const void *arg)
{
	double	   *s = state;

	s[0] = s[1] = 0.0;
	mm_ksample_init(s + layout(KIND_ROUND, p, arg).sample);
}

static void
round_add(void *state, const MmRows *rows, const void *arg)
{
	const MmKMeansArg *a = head_of(arg);
	double	   *s = state;
	int			p = rows->p,
				m = a->m;
	Layout		l = layout(KIND_ROUND, p, arg);
	double	   *sample = s + l.sample,
			   *ct = s + l.ct,
			   *d = s + l.dist;
	size_t		i;

	mm_kmeans_transpose(points_of(arg), m, p, ct);
	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) p;
		double		d2,
					u,
					key;
		uint64_t	h;

		mm_kmeans_all_dist2(x, ct, m, p, d);
		d2 = d[mm_kmeans_nearest(d, m)];
		mm_compsum_add(&s[0], &s[1], d2);
		if (!(d2 > 0.0))
			continue;			/* a candidate already: it cannot be drawn again */
		h = mm_row_hash_rounded(x, p);
		u = uniform_draw(h, a->salt);
		/* -log(1 - u) >= u: a row whose key cannot enter is known without the logarithm */
		if (!mm_ksample_wants(sample, p, a->slots, u / d2))
			continue;
		/* an exponential draw over the weight d^2: the smallest keys are the weighted sample */
		key = -log1p(-u) / d2;
		if (mm_ksample_wants(sample, p, a->slots, key))
			mm_ksample_offer(sample, p, a->slots, key, h, x);
	}
}

static void
round_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	Layout		l = layout(KIND_ROUND, p, arg);

	mm_compsum_add(&s[0], &s[1], o[0]);
	s[1] += o[1];
	mm_ksample_merge(s + l.sample, o + l.sample, p, head_of(arg)->slots, s + l.scratch_sample);
}

static int
round_check(const void *state, int p, const void *arg)
{
	const double *s = state;

	return s[0] >= 0.0 && mm_ksample_check(s + layout(KIND_ROUND, p, arg).sample, head_of(arg)->slots);
}

double
mm_kmeans_round_cost(const void *state)
{
	const double *s = state;

	return s[0] + s[1];
}

const double *
mm_kmeans_round_sample(const void *state)
{
	return (const double *) state + 2;
}

const MmPass mm_kmeans_round_pass = {
	.name = "kmeans.round",
	.state_size = round_state_size,
	.init = round_init,
	.add = round_add,
	.merge = round_merge,
	.arg_size = round_arg_size,
	.check = round_check,
};

/* ---------------------------------------------------------------- weight */

static size_t
weight_arg_size(int p, const void *arg, size_t avail)
{
	return checked_arg_size(p, arg, avail, KIND_WEIGHT);
}

static size_t
weight_state_size(int p, const void *arg)
{
	return sizeof(double) * layout(KIND_WEIGHT, p, arg).words;
}

static void
weight_init(void *state, int p, const void *arg)
{
	(void) p;
	memset(state, 0, sizeof(double) * (size_t) head_of(arg)->m);
}

static void
weight_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			p = rows->p,
				m = head_of(arg)->m;
	Layout		l = layout(KIND_WEIGHT, p, arg);
	size_t		i;

	mm_kmeans_transpose(points_of(arg), m, p, s + l.ct);
	for (i = 0; i < rows->n; i++)
	{
		mm_kmeans_all_dist2(rows->x + i * (size_t) p, s + l.ct, m, p, s + l.dist);
		s[mm_kmeans_nearest_tied(s + l.dist, m)] += 1.0;
	}
}

static void
weight_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			c;

	(void) p;
	for (c = 0; c < head_of(arg)->m; c++)
		s[c] += o[c];
}

static int
weight_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	int			c;

	(void) p;
	for (c = 0; c < head_of(arg)->m; c++)
		if (!(s[c] >= 0.0) || s[c] != floor(s[c]))
			return 0;
	return 1;
}

const double *
mm_kmeans_weights(const void *state)
{
	return state;
}

const MmPass mm_kmeans_weight_pass = {
	.name = "kmeans.weight",
	.state_size = weight_state_size,
	.init = weight_init,
	.add = weight_add,
	.merge = weight_merge,
	.arg_size = weight_arg_size,
	.check = weight_check,
};

/* ---------------------------------------------------------------- lloyd */

/*
 * The state's head: the inertia and its compensation, the fingerprint,
 * then the k counts, the k x p sums and their k x p compensations.
 */
enum
{
	L_INERTIA,
	L_INERTIA_COMP,
	L_FINGERPRINT,
	L_COUNTS
};

static size_t
lloyd_arg_size(int p, const void *arg, size_t avail)
{
	return checked_arg_size(p, arg, avail, KIND_LLOYD);
}

static size_t
lloyd_state_size(int p, const void *arg)
{
	return sizeof(double) * layout(KIND_LLOYD, p, arg).words;
}

static void
lloyd_init(void *state, int p, const void *arg)
{
	Layout		l = layout(KIND_LLOYD, p, arg);
	double	   *s = state;

	memset(s, 0, sizeof(double) * l.sample);
	mm_ksample_init(s + l.sample);
	/* a block finds each cluster's count at zero until it touches it */
	memset(s + l.block_count, 0, sizeof(double) * (size_t) head_of(arg)->m);
}

/*
 * Adds a block of at most MM_KMEANS_BLOCK rows whose clusters (and squared
 * distances to them) are known.  Each cluster's rows in the block are
 * summed plainly, from its first row, then folded into the compensated
 * sums once per block: a block's plain sum of at most 32 values loses
 * no more than a few units in the last place of their magnitudes, which
 * the compensated totals carry on, so the result still hardly depends on
 * how the rows are ordered or split, at a tenth of the compensated
 * additions.  The same for the inertia.  Without d2 the inertia and the
 * sample of the farthest rows are left alone.
 */
static void
accumulate(double *s, const Layout *l, int p, int k, const double *x, int nb,
		   const int32_t *cluster, const double *d2)
{
	double	   *counts = s + L_COUNTS,
			   *sums = counts + k,
			   *comp = sums + (size_t) k * p,
			   *partial = s + l->partial,
			   *block_count = s + l->block_count,
			   *touched = s + l->touched,
			   *sample = s + l->sample,
				inertia = 0.0,
				worst = mm_ksample_threshold(sample, p, k);
	int			n_touched = 0,
				r,
				t,
				j;

	for (r = 0; r < nb; r++)
	{
		const double *xr = x + (size_t) r * p;
		int			c = cluster[r];
		double	   *pc = partial + (size_t) c * p;

		if (block_count[c] == 0.0)
		{
			touched[n_touched++] = c;
			memcpy(pc, xr, sizeof(double) * p);
		}
		else
			for (j = 0; j < p; j++)
				pc[j] += xr[j];
		block_count[c] += 1.0;
		if (d2 == NULL)
			continue;
		inertia += d2[r];
		/* the farthest rows first: the key is minus the distance */
		if (-d2[r] <= worst)
		{
			mm_ksample_offer(sample, p, k, -d2[r], mm_row_hash(xr, p), xr);
			worst = mm_ksample_threshold(sample, p, k);
		}
	}
	for (t = 0; t < n_touched; t++)
	{
		int			c = (int) touched[t];
		double	   *sc = sums + (size_t) c * p,
				   *cc = comp + (size_t) c * p,
				   *pc = partial + (size_t) c * p;

		counts[c] += block_count[c];
		block_count[c] = 0.0;
		for (j = 0; j < p; j++)
			mm_compsum_add(&sc[j], &cc[j], pc[j]);
	}
	if (d2 != NULL)
		mm_compsum_add(&s[L_INERTIA], &s[L_INERTIA_COMP], inertia);
}

MM_WIDE_VECTORS static void
lloyd_add(void *state, const MmRows *rows, const void *arg)
{
	const MmKMeansArg *a = head_of(arg);
	double	   *s = state;
	int			p = rows->p,
				k = a->m;
	Layout		l = layout(KIND_LLOYD, p, arg);
	double	   *ct = s + l.ct,
			   *d = s + l.dist;
	uint64_t	fingerprint = get_u64(s + L_FINGERPRINT);
	size_t		i;

	mm_kmeans_transpose(points_of(arg), k, p, ct);
	for (i = 0; i < rows->n; i += MM_KMEANS_BLOCK)
	{
		const double *x = rows->x + i * (size_t) p;
		int			nb = rows->n - i < MM_KMEANS_BLOCK ? (int) (rows->n - i) : MM_KMEANS_BLOCK,
					r;
		int32_t		cluster[MM_KMEANS_BLOCK];
		double		d2[MM_KMEANS_BLOCK];

		for (r = 0; r < nb; r++)
		{
			const double *xr = x + (size_t) r * p;

			mm_kmeans_all_dist2(xr, ct, k, p, d);
			cluster[r] = mm_kmeans_nearest(d, k);
			d2[r] = d[cluster[r]];
			fingerprint += mm_kmeans_mark(mm_row_hash(xr, p), cluster[r]);
		}
		accumulate(s, &l, p, k, x, nb, cluster, d2);
	}
	put_u64(s + L_FINGERPRINT, fingerprint);
}

void
mm_kmeans_lloyd_add_assigned(void *state, const double *x, int n, int p, const void *arg,
							 const int32_t *cluster, const double *d2, uint64_t marks)
{
	double	   *s = state;
	Layout		l = layout(KIND_LLOYD, p, arg);

	accumulate(s, &l, p, head_of(arg)->m, x, n, cluster, d2);
	put_u64(s + L_FINGERPRINT, get_u64(s + L_FINGERPRINT) + marks);
}

double *
mm_kmeans_lloyd_scratch(void *state, int p, const void *arg)
{
	return (double *) state + layout(KIND_LLOYD, p, arg).dist;
}

static void
lloyd_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			k = head_of(arg)->m;
	Layout		l = layout(KIND_LLOYD, p, arg);
	size_t		n = (size_t) k * p,
				i;
	double	   *sums = s + L_COUNTS + k;
	const double *osums = o + L_COUNTS + k;

	mm_compsum_add(&s[L_INERTIA], &s[L_INERTIA_COMP], o[L_INERTIA]);
	s[L_INERTIA_COMP] += o[L_INERTIA_COMP];
	put_u64(s + L_FINGERPRINT, get_u64(s + L_FINGERPRINT) + get_u64(o + L_FINGERPRINT));
	for (i = 0; i < (size_t) k; i++)
		s[L_COUNTS + i] += o[L_COUNTS + i];
	for (i = 0; i < n; i++)
	{
		mm_compsum_add(&sums[i], &sums[n + i], osums[i]);
		sums[n + i] += osums[n + i];
	}
	mm_ksample_merge(s + l.sample, o + l.sample, p, k, s + l.scratch_sample);
}

static int
lloyd_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	int			k = head_of(arg)->m,
				c;

	for (c = 0; c < k; c++)
		if (!(s[L_COUNTS + c] >= 0.0) || s[L_COUNTS + c] != floor(s[L_COUNTS + c]))
			return 0;
	return mm_ksample_check(s + layout(KIND_LLOYD, p, arg).sample, k);
}

void
mm_kmeans_lloyd_read(const void *state, int p, int k, MmKMeansLloyd *out)
{
	const double *s = state;

	out->inertia = s[L_INERTIA] + s[L_INERTIA_COMP];
	out->fingerprint = get_u64(s + L_FINGERPRINT);
	out->counts = s + L_COUNTS;
	out->sums = out->counts + k;
	out->comp = out->sums + (size_t) k * p;
	out->farthest = out->comp + (size_t) k * p;
}

const MmPass mm_kmeans_lloyd_pass = {
	.name = "kmeans.lloyd",
	.state_size = lloyd_state_size,
	.init = lloyd_init,
	.add = lloyd_add,
	.merge = lloyd_merge,
	.arg_size = lloyd_arg_size,
	.check = lloyd_check,
};
