/*
 * countpass.h: a pass that counts the rows it is handed, for the tests of
 * what a pass state counts besides its pass (labels, text values).
 */
#ifndef MM_TEST_COUNTPASS_H
#define MM_TEST_COUNTPASS_H

#include "source.h"

static size_t
count_size(int p, const void *arg)
{
	(void) p;
	(void) arg;
	return sizeof(double);
}

static void
count_init(void *state, int p, const void *arg)
{
	(void) p;
	(void) arg;
	*(double *) state = 0.0;
}

static void
count_add(void *state, const MmRows *rows, const void *arg)
{
	(void) arg;
	*(double *) state += (double) rows->n;
}

static void
count_merge(void *state, const void *other, int p, const void *arg)
{
	(void) p;
	(void) arg;
	*(double *) state += *(const double *) other;
}

/* The pass counting its rows. */
static const MmPass count_pass = {
	.name = "count",
	.state_size = count_size,
	.init = count_init,
	.add = count_add,
	.merge = count_merge,
};

#endif							/* MM_TEST_COUNTPASS_H */
