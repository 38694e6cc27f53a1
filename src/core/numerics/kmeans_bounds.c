/*
 * kmeans_bounds.c: Lloyd passes over rows in memory by Hamerly's bounds
 * (kmeans_bounds.h).
 *
 * Why the bounds never change an assignment: a squared distance summed
 * feature by feature is within (p + 2) units of roundoff (2^-53) of the
 * exact distance between the stored values, relatively, and so is a
 * square root of it; a bound update (a subtraction of a movement) errs by
 * at most a unit of roundoff of its operands.  Every bound is widened by
 * MARGIN, relatively to the operands it came from, which is some 900
 * times those errors or more for the widths bounded (at most MAX_WIDTH),
 * so each bound holds for the exact distances, pass after pass; a row keeps its cluster only when
 * its measured distance, widened again, is strictly below the bound, and
 * then every other center's measured distance is strictly above its own:
 * the plain pass's nearest center, with no tie for its rule to break.
 *
 * The fingerprint is a sum of a term per row; the sum over each chunk of
 * rows is kept from the last pass, and only rows that change cluster
 * change it, which spares the hash of every row.
 */
#include "kmeans_bounds.h"

#include <math.h>
#include <string.h>

#include "kmeans_dist.h"
#include "rowhash.h"

#define MARGIN 1e-9

/* Wider rows run the plain passes: the margin would no longer dwarf the roundings. */
#define MAX_WIDTH 10000

struct MmKMeansBounds
{
	const double *x;			/* the rows, n x p */
	size_t		n;
	int			p;
	int			k;
	int			ready;			/* the rows' clusters and bounds are the last pass's */
	int32_t    *cluster;		/* n: each row's cluster at the last pass */
	double	   *upper;			/* n: an upper bound on its distance to its center */
	double	   *lower;			/* n: a lower bound on its distance to any other center */
	double	   *last;			/* k x p: the centers of the last pass */
	double	   *ct;				/* k x p: this pass's centers, transposed */
	double	   *half;			/* k: half the distance to the nearest other center, or 0 */
	double	   *moved;			/* k: how far each center moved since the last pass */
	double	   *drift;			/* k: the most any other center moved */
	size_t		n_chunks;
	uint64_t   *chunk_marks;	/* per chunk of MM_CHUNK_ROWS rows: its rows' fingerprint terms */
	size_t	   *chunk_rows;		/* the rows those terms cover (0: none) */
	const double *centers;		/* this pass's */
	int			exact;			/* this pass measures every row's distance to its center */
	int			with_half;		/* half distances are worth their k^2 measures */
};

MmKMeansBounds *
mm_kmeans_bounds_new(MmDataSource *data, int k)
{
	const MmRows *rows = data->rows != NULL ? data->rows(data) : NULL;
	MmKMeansBounds *b;

	/* only a source whose passes run over the very rows it holds */
	if (rows == NULL || rows->n == 0 || rows->n != data->n_rows || rows->p < 1 || rows->p > MAX_WIDTH ||
		rows->p != data->p || k < 1)
		return NULL;
	b = mm_alloc0(sizeof(MmKMeansBounds));
	if (b == NULL)
		return NULL;
	b->x = rows->x;
	b->n = rows->n;
	b->p = rows->p;
	b->k = k;
	b->n_chunks = (rows->n + MM_CHUNK_ROWS - 1) / MM_CHUNK_ROWS;
	b->cluster = mm_alloc(sizeof(int32_t) * rows->n);
	b->upper = mm_alloc(sizeof(double) * rows->n);
	b->lower = mm_alloc(sizeof(double) * rows->n);
	b->last = mm_alloc(sizeof(double) * (size_t) k * rows->p);
	b->ct = mm_alloc(sizeof(double) * (size_t) k * rows->p);
	b->half = mm_alloc0(sizeof(double) * (size_t) k);
	b->moved = mm_alloc0(sizeof(double) * (size_t) k);
	b->drift = mm_alloc0(sizeof(double) * (size_t) k);
	b->chunk_marks = mm_alloc0(sizeof(uint64_t) * b->n_chunks);
	b->chunk_rows = mm_alloc0(sizeof(size_t) * b->n_chunks);
	/* the centers' distances to each other cost k^2 measures, worth it while below a pass's n k */
	b->with_half = (double) k * (double) k <= (double) rows->n;
	if (!b->cluster || !b->upper || !b->lower || !b->last || !b->ct || !b->half || !b->moved || !b->drift ||
		!b->chunk_marks || !b->chunk_rows)
	{
		mm_kmeans_bounds_free(b);
		return NULL;
	}
	return b;
}

void
mm_kmeans_bounds_free(MmKMeansBounds *b)
{
	if (b == NULL)
		return;
	mm_free(b->cluster);
	mm_free(b->upper);
	mm_free(b->lower);
	mm_free(b->last);
	mm_free(b->ct);
	mm_free(b->half);
	mm_free(b->moved);
	mm_free(b->drift);
	mm_free(b->chunk_marks);
	mm_free(b->chunk_rows);
	mm_free(b);
}

/* What the bounds need of this pass's centers: their movements since the last, their spacing. */
static void
prepare(MmKMeansBounds *b, const double *centers)
{
	int			k = b->k,
				p = b->p,
				c,
				d,
				top = -1;
	double		most = 0.0,
				second = 0.0;

	mm_kmeans_transpose(centers, k, p, b->ct);
	if (b->ready)
	{
		for (c = 0; c < k; c++)
		{
			double		moved = sqrt(mm_kmeans_dist2(centers + (size_t) c * p, b->last + (size_t) c * p, p)) *
				(1.0 + MARGIN);

			b->moved[c] = moved;
			if (moved > most)
			{
				second = most;
				most = moved;
				top = c;
			}
			else if (moved > second)
				second = moved;
		}
		for (c = 0; c < k; c++)
			b->drift[c] = c == top ? second : most;
	}
	for (c = 0; c < k; c++)
	{
		double		nearest = INFINITY;

		for (d = 0; b->with_half && d < k; d++)
			if (d != c)
			{
				double		dd = mm_kmeans_dist2(centers + (size_t) c * p, centers + (size_t) d * p, p);

				if (dd < nearest)
					nearest = dd;
			}
		b->half[c] = b->with_half && k > 1 ? 0.5 * sqrt(nearest) * (1.0 - MARGIN) : 0.0;
	}
}

/* The pass's arg as the source hands it on: the Lloyd pass's arg, and the bounds. */
typedef struct BoundedArg
{
	const MmKMeansArg *lloyd;
	MmKMeansBounds *bounds;
} BoundedArg;

static size_t
bounded_state_size(int p, const void *arg)
{
	return mm_kmeans_lloyd_pass.state_size(p, ((const BoundedArg *) arg)->lloyd);
}

static void
bounded_init(void *state, int p, const void *arg)
{
	mm_kmeans_lloyd_pass.init(state, p, ((const BoundedArg *) arg)->lloyd);
}

static void
bounded_merge(void *state, const void *other, int p, const void *arg)
{
	mm_kmeans_lloyd_pass.merge(state, other, p, ((const BoundedArg *) arg)->lloyd);
}

/*
 * Row i's nearest center of all (the plain pass's rule: the first among
 * ties), its squared distance in *d2, and its bounds reset.  d is room for
 * k distances.
 */
static inline int
nearest_of_all(MmKMeansBounds *b, size_t i, const double *x, double *d, double *d2)
{
	int			k = b->k,
				best = 0,
				c;
	double		nearest,
				second = INFINITY;

	mm_kmeans_all_dist2(x, b->ct, k, b->p, d);
	nearest = d[0];
	for (c = 1; c < k; c++)
	{
		double		v = d[c];
		int			closer = v < nearest;

		second = closer ? nearest : (v < second ? v : second);
		nearest = closer ? v : nearest;
		best = closer ? c : best;
	}
	b->upper[i] = sqrt(nearest) * (1.0 + MARGIN);
	b->lower[i] = sqrt(second) * (1.0 - MARGIN);
	*d2 = nearest;
	return best;
}

/*
 * The clusters of nb rows from row first on (x), and their squared
 * distances to them (-1 where the pass is lean and the bounds keep a row's
 * cluster unmeasured).  In three sweeps, each over the rows the one before
 * left, so that no row waits on another's branch: the bounds moved by the
 * centers' movements; for the rows they do not settle, the distance to
 * their own center; for the rows that does not settle either, every
 * distance.
 */
static void
assign_block(MmKMeansBounds *b, size_t first, const double *x, int nb, int32_t *cluster,
			 double *d2, double *d)
{
	int			p = b->p,
				open[MM_KMEANS_BLOCK],
				n_open = 0,
				n_left = 0,
				r,
				t;
	double		bound[MM_KMEANS_BLOCK];

	if (!b->ready)
	{
		for (r = 0; r < nb; r++)
			cluster[r] = nearest_of_all(b, first + r, x + (size_t) r * p, d, &d2[r]);
		return;
	}
	for (r = 0; r < nb; r++)
	{
		size_t		i = first + r;
		int			own = b->cluster[i];
		double		moved = b->moved[own],
					drift = b->drift[own],
					upper = b->upper[i] + moved + MARGIN * (b->upper[i] + moved),
					lower = b->lower[i] - drift - MARGIN * (b->lower[i] + drift);

		bound[r] = lower > b->half[own] ? lower : b->half[own];
		b->upper[i] = upper;
		b->lower[i] = lower;
		cluster[r] = own;
		d2[r] = -1.0;
		open[n_open] = r;
		n_open += b->exact || !(upper < bound[r]);
	}
	for (t = 0; t < n_open; t++)
	{
		size_t		i = first + open[t];
		double		mine = mm_kmeans_dist2(x + (size_t) open[t] * p,
										   b->centers + (size_t) cluster[open[t]] * p, p),
					upper = sqrt(mine) * (1.0 + MARGIN);

		d2[open[t]] = mine;
		b->upper[i] = upper;
		open[n_left] = open[t];
		n_left += !(upper < bound[open[t]]);
	}
	for (t = 0; t < n_left; t++)
		cluster[open[t]] = nearest_of_all(b, first + open[t], x + (size_t) open[t] * p, d, &d2[open[t]]);
}

static void
bounded_add(void *state, const MmRows *rows, const void *arg)
{
	const BoundedArg *ba = arg;
	MmKMeansBounds *b = ba->bounds;
	int			p = rows->p;
	size_t		first = (size_t) (rows->x - b->x) / (size_t) p,
				chunk = first / MM_CHUNK_ROWS,
				i;
	int			kept;
	uint64_t	marks = 0;
	double	   *d;

	/* rows that are not a run of the bounded rows take the plain pass */
	if (rows->x < b->x || (size_t) (rows->x - b->x) % (size_t) p != 0 || first + rows->n > b->n)
	{
		mm_kmeans_lloyd_pass.add(state, rows, ba->lloyd);
		return;
	}
	d = mm_kmeans_lloyd_scratch(state, p, ba->lloyd);
	/* the chunk's fingerprint terms of the last pass, when they cover these very rows */
	kept = b->ready && first % MM_CHUNK_ROWS == 0 && chunk < b->n_chunks && b->chunk_rows[chunk] == rows->n;
	if (kept)
		marks = b->chunk_marks[chunk];
	for (i = 0; i < rows->n; i += MM_KMEANS_BLOCK)
	{
		const double *x = rows->x + i * (size_t) p;
		int			nb = rows->n - i < MM_KMEANS_BLOCK ? (int) (rows->n - i) : MM_KMEANS_BLOCK,
					r;
		int32_t		cluster[MM_KMEANS_BLOCK];
		double		d2[MM_KMEANS_BLOCK];

		assign_block(b, first + i, x, nb, cluster, d2, d);
		for (r = 0; r < nb; r++)
		{
			size_t		row = first + i + (size_t) r;
			const double *xr = x + (size_t) r * p;

			if (!kept)
				marks += mm_kmeans_mark(mm_row_hash(xr, p), cluster[r]);
			else if (cluster[r] != b->cluster[row])
			{
				uint64_t	h = mm_row_hash(xr, p);

				marks += mm_kmeans_mark(h, cluster[r]) - mm_kmeans_mark(h, b->cluster[row]);
			}
			b->cluster[row] = cluster[r];
		}
		mm_kmeans_lloyd_add_assigned(state, x, nb, p, ba->lloyd, cluster, b->exact ? d2 : NULL, 0);
	}
	mm_kmeans_lloyd_add_assigned(state, rows->x, 0, p, ba->lloyd, NULL, NULL, marks);
	if (first % MM_CHUNK_ROWS == 0 && chunk < b->n_chunks)
	{
		b->chunk_marks[chunk] = marks;
		b->chunk_rows[chunk] = rows->n;
	}
}

/* The Lloyd pass with bounds: the source may only hand it to its own threads, never send it. */
static const MmPass bounded_pass = {
	.name = "kmeans.lloyd",
	.state_size = bounded_state_size,
	.init = bounded_init,
	.add = bounded_add,
	.merge = bounded_merge,
};

MmErrorCode
mm_kmeans_bounds_pass(MmKMeansBounds *b, MmDataSource *data, const double *centers,
					  const MmKMeansArg *arg, int exact, void *state, MmError *err)
{
	BoundedArg	ba;
	MmErrorCode rc;

	prepare(b, centers);
	b->centers = centers;
	b->exact = exact;
	ba.lloyd = arg;
	ba.bounds = b;
	rc = data->run(data, &bounded_pass, &ba, state, err);
	if (rc == MM_OK)
	{
		memcpy(b->last, centers, sizeof(double) * (size_t) b->k * b->p);
		b->ready = 1;
	}
	else
	{
		/* a pass cut short leaves some rows' bounds of this pass, some of the last */
		b->ready = 0;
		memset(b->chunk_rows, 0, sizeof(size_t) * b->n_chunks);
	}
	return rc;
}
