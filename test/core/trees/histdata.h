/*
 * histdata.h: rows in memory as a data source for the tests of trees grown
 * on histograms in passes, the same rows backwards, whether two ensembles
 * are the same trees, a classifier's accuracy on rows, and a count of the
 * level passes a growth runs.
 */
#ifndef MM_TEST_HISTDATA_H
#define MM_TEST_HISTDATA_H

#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "tree_ensemble.h"

typedef struct Data
{
	int			n,
				p;
	double	   *x;
	int32_t    *y;				/* classes, or NULL */
	double	   *t;				/* targets, or NULL */
	MmRows		rows;
	MmDataSource source;
} Data;

/* n rows of p columns, all 0, with a class each (classes nonzero) or a target. */
static Data *
data_new(int n, int p, int classes)
{
	Data	   *d = calloc(1, sizeof(Data));

	d->n = n;
	d->p = p;
	d->x = calloc((size_t) n * (size_t) p, sizeof(double));
	if (classes)
		d->y = calloc((size_t) n, sizeof(int32_t));
	else
		d->t = calloc((size_t) n, sizeof(double));
	return d;
}

static void
data_free(Data *d)
{
	free(d->x);
	free(d->y);
	free(d->t);
	free(d);
}

/* The rows as they stand now, as a source in memory. */
static void
data_source(Data *d)
{
	d->rows.n = (size_t) d->n;
	d->rows.p = d->p;
	d->rows.x = d->x;
	d->rows.y = d->y;
	d->rows.t = d->t;
	mm_memory_source(&d->source, &d->rows);
}

/* The rows of d backwards, so that every block of the source holds other rows. */
static Data *
backwards(const Data *d)
{
	Data	   *b = data_new(d->n, d->p, d->y != NULL);
	int			i;

	for (i = 0; i < d->n; i++)
	{
		int			from = d->n - 1 - i;

		memcpy(b->x + (size_t) i * d->p, d->x + (size_t) from * d->p, sizeof(double) * (size_t) d->p);
		if (d->y)
			b->y[i] = d->y[from];
		else
			b->t[i] = d->t[from];
	}
	return b;
}

/* The share of d's rows whose class is the one of the largest margin (at most three classes). */
static double
accuracy(const MmTreeEnsemble *e, const Data *d)
{
	int			i,
				right = 0;
	float		m[3];

	for (i = 0; i < d->n; i++)
	{
		int			k,
					best = 0;

		mm_trees_margins(e, d->x + (size_t) i * d->p, m);
		if (e->n_groups == 1)
			best = m[0] > 0.0f;
		else
			for (k = 1; k < e->n_groups; k++)
				best = m[k] > m[best] ? k : best;
		right += best == d->y[i];
	}
	return (double) right / d->n;
}

/* The level passes a growth ran, counted by its progress hook. */
static int	passes_run;

static void
count_pass(void *arg, int level, int pass)
{
	(void) arg;
	(void) level;
	(void) pass;
	passes_run++;
}

/* Whether a and b are the same trees, node for node, to the bit. */
static int
same_trees(const MmTreeEnsemble *a, const MmTreeEnsemble *b)
{
	size_t		n = (size_t) a->n_nodes;

	return a->n_trees == b->n_trees && a->n_nodes == b->n_nodes &&
		memcmp(a->first, b->first, sizeof(int32_t) * ((size_t) a->n_trees + 1)) == 0 &&
		memcmp(a->group, b->group, sizeof(int32_t) * (size_t) a->n_trees) == 0 &&
		memcmp(a->feature, b->feature, sizeof(int32_t) * n) == 0 &&
		memcmp(a->left, b->left, sizeof(int32_t) * n) == 0 &&
		memcmp(a->value, b->value, sizeof(float) * n) == 0 &&
		memcmp(a->default_left, b->default_left, n) == 0 &&
		memcmp(a->gain, b->gain, sizeof(float) * n) == 0 &&
		memcmp(a->cover, b->cover, sizeof(float) * n) == 0;
}

#endif							/* MM_TEST_HISTDATA_H */
