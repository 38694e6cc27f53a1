/*
 * histdata.h: rows in memory as a data source for the tests of trees grown
 * on histograms in passes, and whether two ensembles are the same trees.
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
