/*
 * sortdoubles.h: sorting doubles in ascending order.
 */
#ifndef MM_SORTDOUBLES_H
#define MM_SORTDOUBLES_H

#include <stddef.h>

/* Sorts n values, none of them NaN, ascending. */
extern void MmSortDoubles(double *values, size_t n);

#endif							/* MM_SORTDOUBLES_H */
