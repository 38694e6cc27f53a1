/*
 * silhouette_sample.c: the rows of the smallest content hashes (see
 * silhouette_sample.h).
 */
#include "silhouette_sample.h"

/* A max-heap of keys with their rows' indexes: the largest key kept on top, to be replaced. */
static void
sift_down(uint64_t *key, size_t *row, size_t i, size_t n)
{
	for (;;)
	{
		size_t		l = 2 * i + 1,
					top = i;
		uint64_t	k;
		size_t		r;

		if (l < n && key[l] > key[top])
			top = l;
		if (l + 1 < n && key[l + 1] > key[top])
			top = l + 1;
		if (top == i)
			return;
		k = key[i];
		key[i] = key[top];
		key[top] = k;
		r = row[i];
		row[i] = row[top];
		row[top] = r;
		i = top;
	}
}

MmErrorCode
mm_silhouette_sample(const double *x, size_t n, int p, size_t m, size_t *rows, MmError *err)
{
	uint64_t   *key;
	size_t		i,
				held = 0;

	if (m > n)
		m = n;
	if (m == 0)
		return MM_OK;
	key = mm_alloc(sizeof(uint64_t) * m);
	if (key == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory sampling rows for the silhouette");
	for (i = 0; i < n; i++)
	{
		uint64_t	k = mm_silhouette_key(x + i * (size_t) p, p);

		if (held < m)
		{
			size_t		c = held++;

			key[c] = k;
			rows[c] = i;
			/* sift up */
			while (c > 0 && key[(c - 1) / 2] < key[c])
			{
				uint64_t	t = key[c];
				size_t		r = rows[c];

				key[c] = key[(c - 1) / 2];
				rows[c] = rows[(c - 1) / 2];
				key[(c - 1) / 2] = t;
				rows[(c - 1) / 2] = r;
				c = (c - 1) / 2;
			}
		}
		else if (k < key[0])
		{
			key[0] = k;
			rows[0] = i;
			sift_down(key, rows, 0, m);
		}
		if ((i & 0xffff) == 0)
			mm_check_interrupts();
	}
	/* heapsort: the largest to the end, leaving ascending order */
	for (i = m; i > 1; i--)
	{
		uint64_t	t = key[0];
		size_t		r = rows[0];

		key[0] = key[i - 1];
		rows[0] = rows[i - 1];
		key[i - 1] = t;
		rows[i - 1] = r;
		sift_down(key, rows, 0, i - 1);
	}
	mm_free(key);
	return MM_OK;
}
