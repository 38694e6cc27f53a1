/*
 * roworder.c: an order of rows that depends on their contents only (see
 * roworder.h).
 */
#include "roworder.h"

#include <string.h>

#include "mmcore.h"
#include "radix_sort.h"
#include "rowhash.h"

typedef struct Rows
{
	const double *x;
	const int32_t *y;
	const double *t;
	int			p;
} Rows;

/* Row i's value j, or its label at j == p (0 without one). */
static double
value(const Rows *r, size_t i, int j)
{
	return j < r->p ? r->x[i * (size_t) r->p + (size_t) j] :
		r->y != NULL ? (double) r->y[i] : r->t != NULL ? r->t[i] : 0.0;
}

/* The bits of the float a value rounds to, -0 as 0. */
static uint32_t
float_bits(double v)
{
	float		f = (float) v;
	uint32_t	bits;

	f = f == 0.0f ? 0.0f : f;
	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

/* The bits of a double, -0 as 0. */
static uint64_t
double_bits(double v)
{
	uint64_t	bits;

	v = v == 0.0 ? 0.0 : v;
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

/* The order of two rows: value by value as floats, then as doubles, by their bits. */
static int
compare_rows(const Rows *r, size_t a, size_t b)
{
	int			j;

	for (j = 0; j <= r->p; j++)
	{
		uint32_t	fa = float_bits(value(r, a, j)),
					fb = float_bits(value(r, b, j));

		if (fa != fb)
			return fa < fb ? -1 : 1;
	}
	for (j = 0; j <= r->p; j++)
	{
		uint64_t	da = double_bits(value(r, a, j)),
					db = double_bits(value(r, b, j));

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

/* A row's hash: of its values as the floats they round to, then its label's. */
static uint64_t
row_hash(const Rows *r, size_t i)
{
	return mm_mix64(mm_row_hash_rounded(r->x + i * (size_t) r->p, r->p) ^
					((uint64_t) float_bits(value(r, i, r->p)) * MM_HASH_LANE));
}

/*
 * Each key is the hash's top bits above the row's number, radix sorted;
 * rows whose top bits tie are almost always equal rows, and distinct ones
 * go by their values.
 */
size_t *
mm_row_order(const double *x, const int32_t *y, const double *t, size_t n, int p)
{
	Rows		r = {x, y, t, p};
	uint64_t   *keys = mm_alloc(sizeof(uint64_t) * (n + 1)),
			   *other = mm_alloc(sizeof(uint64_t) * (n + 1)),
			   *sorted;
	uint32_t   *count = mm_alloc(sizeof(uint32_t) * MM_RADIX_COUNTS);
	size_t	   *order = mm_alloc(sizeof(size_t) * (n + 1));
	uint64_t	mask;
	size_t		i,
				k,
				start;
	int			bits = 1;

	if (keys == NULL || other == NULL || count == NULL || order == NULL)
	{
		mm_free(keys);
		mm_free(other);
		mm_free(count);
		mm_free(order);
		return NULL;
	}
	while (bits < 63 && ((uint64_t) 1 << bits) < n)
		bits++;
	mask = ((uint64_t) 1 << bits) - 1;
	for (i = 0; i < n; i++)
		keys[i] = (row_hash(&r, i) & ~mask) | (uint64_t) i;
	sorted = mm_radix_sort_keys(keys, other, n, count, NULL);
	for (start = 0; start < n; start = k)
	{
		for (k = start + 1; k < n && (sorted[k] & ~mask) == (sorted[start] & ~mask); k++)
			;
		for (i = start + 1; i < k; i++)
		{
			uint64_t	key = sorted[i];
			size_t		m = i;

			while (m > start && compare_rows(&r, sorted[m - 1] & mask, key & mask) > 0)
			{
				sorted[m] = sorted[m - 1];
				m--;
			}
			sorted[m] = key;
		}
	}
	for (i = 0; i < n; i++)
		order[i] = (size_t) (sorted[i] & mask);
	mm_free(keys);
	mm_free(other);
	mm_free(count);
	return order;
}
