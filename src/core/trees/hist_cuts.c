/*
 * hist_cuts.c: the first pass of trees grown on histograms, a sample of the
 * rows, and the cuts of each column taken from it (hist_trees.h).
 *
 * The sample is the rows of the smallest content hashes (of the values as
 * floats, as the silhouette's sample takes them), kept in a bounded heap
 * (keyed_sample.h): the same rows whatever order they come in and however
 * the states merge, so that a table's shards and its local copy are cut
 * alike, and every row while the relation has no more rows than the sample
 * holds.  A quantile sketch would bound its error without a sample's
 * chance, but past its exact size it depends on the order of its values.
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

#include "keyed_sample.h"
#include "rowhash.h"

/* mixed into a row's hash so that the sample is neither the split's draw nor the silhouette's */
#define CUTS_SALT UINT64_C(0x3d6b1f08c5a2e947)

/* The most bytes of sampled values, and the most and fewest rows the sample holds. */
#define SAMPLE_BYTES ((size_t) 8 << 20)
#define SAMPLE_MOST 16384
#define SAMPLE_FEWEST 256

/* The state: a head, then the sample's keys and rows (keyed_sample.h). */
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

/* The state's sample: its keys, then each kept row's p values in its key's place. */
static MmKeyedSample
sample_of(void *state, int p)
{
	MmKeyedSample a;

	a.keys = (uint64_t *) ((char *) state + sizeof(CutsHead));
	a.rows = (double *) (a.keys + mm_hist_sample_rows(p));
	a.p = p;
	return a;
}

static void
cuts_init(void *state, int p, const void *arg)
{
	CutsHead   *h = state;

	(void) arg;
	memset(state, 0, sizeof(CutsHead));
	h->capacity = mm_hist_sample_rows(p);
}

static void
cuts_add(void *state, const MmRows *rows, const void *arg)
{
	CutsHead   *h = state;
	MmKeyedSample a = sample_of(state, rows->p);
	size_t		i;

	(void) arg;
	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) rows->p;

		mm_keyed_sample_offer(&a, &h->kept, (size_t) h->capacity,
							  mm_mix64(mm_row_hash_rounded(x, rows->p) ^ CUTS_SALT), x);
	}
}

static void
cuts_merge(void *state, const void *other, int p, const void *arg)
{
	CutsHead   *h = state;
	const CutsHead *o = other;
	MmKeyedSample a = sample_of(state, p),
				from = sample_of((void *) other, p);
	size_t		i;

	(void) arg;
	for (i = 0; i < (size_t) o->kept; i++)
		mm_keyed_sample_offer(&a, &h->kept, (size_t) h->capacity, from.keys[i], from.rows + i * (size_t) p);
}

/* A state read back holds no more rows than it has room for. */
static int
cuts_check(const void *state, int p, const void *arg)
{
	const CutsHead *h = state;

	(void) arg;
	return h->capacity == mm_hist_sample_rows(p) && mm_whole_in(h->kept, 0, h->capacity);
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
	const double *rows = sample_of((void *) state, p).rows;
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
