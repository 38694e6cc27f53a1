/*
 * hist_cuts.c: the first pass of trees grown on histograms, a sample of the
 * rows, and the cuts of each column taken from it (hist_trees.h).
 *
 * The sample is the rows of the smallest content hashes (of the values as
 * floats, as the silhouette's sample takes them), kept in a bounded heap:
 * the same rows whatever order they come in and however the states merge,
 * so that a table's shards and its local copy are cut alike, and every row
 * while the relation has no more rows than the sample holds.  A quantile
 * sketch would bound its error without a sample's chance, but past its
 * exact size it depends on the order of its values.
 *
 * The cuts are values of the column at evenly spaced ranks of the sample,
 * as floats, since prediction compares a row's value as a float: a cut c
 * sends the values below it left, so the least value is no cut (nothing
 * lies below it), and a column's repeated values give one cut each.
 */
#include "hist_trees.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rowhash.h"

/* mixed into a row's hash so that the sample is neither the split's draw nor the silhouette's */
#define CUTS_SALT UINT64_C(0x3d6b1f08c5a2e947)

/* The most bytes of sampled values, and the most and fewest rows the sample holds. */
#define SAMPLE_BYTES ((size_t) 8 << 20)
#define SAMPLE_MOST 16384
#define SAMPLE_FEWEST 256

/*
 * The state: a head, then the heap's keys (the largest first) and each
 * kept row's p values, in the keys' places.
 */
typedef struct CutsHead
{
	double		kept;			/* rows in the heap */
	double		capacity;
} CutsHead;

int
mm_hist_sample_rows(int p)
{
	size_t		rows = SAMPLE_BYTES / (sizeof(double) * ((size_t) p + 1));

	return rows > SAMPLE_MOST ? SAMPLE_MOST : rows < SAMPLE_FEWEST ? SAMPLE_FEWEST : (int) rows;
}

static size_t
cuts_state_size(int p, const void *arg)
{
	(void) arg;
	return sizeof(CutsHead) + (size_t) mm_hist_sample_rows(p) * ((size_t) p + 1) * sizeof(double);
}

static uint64_t *
heap_keys(void *state)
{
	return (uint64_t *) ((char *) state + sizeof(CutsHead));
}

static double *
heap_rows(void *state, int p)
{
	return (double *) (heap_keys(state) + mm_hist_sample_rows(p));
}

static void
cuts_init(void *state, int p, const void *arg)
{
	CutsHead   *h = state;

	(void) arg;
	memset(state, 0, sizeof(CutsHead));
	h->capacity = mm_hist_sample_rows(p);
}

/* Entries i and k of the heap, their keys and rows, swapped. */
static void
swap_entries(uint64_t *keys, double *rows, int p, int i, int k)
{
	uint64_t	key = keys[i];
	int			l;

	keys[i] = keys[k];
	keys[k] = key;
	for (l = 0; l < p; l++)
	{
		double		v = rows[(size_t) i * p + l];

		rows[(size_t) i * p + l] = rows[(size_t) k * p + l];
		rows[(size_t) k * p + l] = v;
	}
}

/* Entry i of the heap moved down to its place (a max-heap by key). */
static void
sift_down(uint64_t *keys, double *rows, int p, int n, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					top = i;

		if (l < n && keys[l] > keys[top])
			top = l;
		if (r < n && keys[r] > keys[top])
			top = r;
		if (top == i)
			return;
		swap_entries(keys, rows, p, i, top);
		i = top;
	}
}

/* Entry i moved up to its place. */
static void
sift_up(uint64_t *keys, double *rows, int p, int i)
{
	while (i > 0 && keys[(i - 1) / 2] < keys[i])
	{
		swap_entries(keys, rows, p, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/* Offers a row of key to the sample: kept while it is among the smallest keys. */
static void
offer(void *state, int p, uint64_t key, const double *x)
{
	CutsHead   *h = state;
	uint64_t   *keys = heap_keys(state);
	double	   *rows = heap_rows(state, p);
	int			n = (int) h->kept;

	if (n < (int) h->capacity)
	{
		keys[n] = key;
		memcpy(rows + (size_t) n * p, x, sizeof(double) * (size_t) p);
		h->kept = n + 1;
		sift_up(keys, rows, p, n);
		return;
	}
	if (key >= keys[0])
		return;
	keys[0] = key;
	memcpy(rows, x, sizeof(double) * (size_t) p);
	sift_down(keys, rows, p, n, 0);
}

static void
cuts_add(void *state, const MmRows *rows, const void *arg)
{
	size_t		i;

	(void) arg;
	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) rows->p;

		offer(state, rows->p, mm_mix64(mm_row_hash_rounded(x, rows->p) ^ CUTS_SALT), x);
	}
}

static void
cuts_merge(void *state, const void *other, int p, const void *arg)
{
	const CutsHead *o = other;
	const uint64_t *keys = heap_keys((void *) other);
	const double *rows = heap_rows((void *) other, p);
	int			i;

	(void) arg;
	for (i = 0; i < (int) o->kept; i++)
		offer(state, p, keys[i], rows + (size_t) i * p);
}

/* A state read back holds no more rows than it has room for. */
static int
cuts_check(const void *state, int p, const void *arg)
{
	const CutsHead *h = state;

	(void) arg;
	return h->capacity == mm_hist_sample_rows(p) && h->kept >= 0 && h->kept <= h->capacity &&
		h->kept == floor(h->kept);
}

const MmPass mm_hist_cuts_pass = {
	.name = "hist_cuts",
	.state_size = cuts_state_size,
	.init = cuts_init,
	.add = cuts_add,
	.merge = cuts_merge,
	.check = cuts_check,
};

static int
ascending(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
mm_hist_column_cuts(const void *state, int p, int j, int max_bins, double *cuts, MmError *err)
{
	const CutsHead *h = state;
	const double *rows = heap_rows((void *) state, p);
	double	   *v;
	float		least;
	int			m = 0,
				n = 0,
				i,
				k;

	if ((v = mm_alloc(sizeof(double) * ((size_t) h->kept + 1))) == NULL)
	{
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for the cuts of a column");
		return -1;
	}
	for (i = 0; i < (int) h->kept; i++)
		if (isfinite(rows[(size_t) i * p + j]))
			v[m++] = rows[(size_t) i * p + j];
	if (m == 0)
	{
		mm_free(v);
		return 0;
	}
	qsort(v, (size_t) m, sizeof(double), ascending);
	least = (float) v[0];
	for (k = 1; k < max_bins; k++)
	{
		float		c = (float) v[(size_t) ((double) k * m / max_bins)];

		/* a value that rounds onto the float before it (or the least) makes no bin of its own */
		if (isfinite(c) && c > least && (n == 0 || c > (float) cuts[n - 1]))
			cuts[n++] = c;
	}
	mm_free(v);
	return n;
}
