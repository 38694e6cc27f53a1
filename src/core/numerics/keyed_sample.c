/*
 * keyed_sample.c: a bounded sample of rows by the smallest keys (see
 * keyed_sample.h).
 */
#include "keyed_sample.h"

#include <string.h>

static void
swap(MmKeyedSample *a, size_t i, size_t j)
{
	uint64_t	key = a->keys[i];
	size_t		c;

	a->keys[i] = a->keys[j];
	a->keys[j] = key;
	for (c = 0; c < (size_t) a->p; c++)
	{
		double		v = a->rows[i * a->p + c];

		a->rows[i * a->p + c] = a->rows[j * a->p + c];
		a->rows[j * a->p + c] = v;
	}
}

/* Entry i of the heap's first n moved down to its place. */
static void
sift_down(MmKeyedSample *a, size_t i, size_t n)
{
	for (;;)
	{
		size_t		l = 2 * i + 1,
					top = i;

		if (l < n && a->keys[l] > a->keys[top])
			top = l;
		if (l + 1 < n && a->keys[l + 1] > a->keys[top])
			top = l + 1;
		if (top == i)
			return;
		swap(a, i, top);
		i = top;
	}
}

void
mm_keyed_sample_offer(MmKeyedSample *a, double *held, size_t slots, uint64_t key, const double *x)
{
	size_t		n = (size_t) *held,
				i;

	if (n < slots)
	{
		/* sift up */
		i = n;
		a->keys[i] = key;
		memcpy(a->rows + i * a->p, x, sizeof(double) * a->p);
		while (i > 0 && a->keys[(i - 1) / 2] < a->keys[i])
		{
			swap(a, i, (i - 1) / 2);
			i = (i - 1) / 2;
		}
		*held = (double) (n + 1);
	}
	else if (slots > 0 && key < a->keys[0])
	{
		a->keys[0] = key;
		memcpy(a->rows, x, sizeof(double) * a->p);
		sift_down(a, 0, n);
	}
}

void
mm_keyed_sample_sort(MmKeyedSample *a, size_t n)
{
	size_t		i;

	/* heapsort: the largest key to the end */
	for (i = n; i > 1; i--)
	{
		swap(a, 0, i - 1);
		sift_down(a, 0, i - 1);
	}
}
