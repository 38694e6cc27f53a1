/*
 * refblock.h: reading the reference blocks of the moments tests.
 *
 * A reference block has the shape of a moments block (moments.h) but holds
 * the co-moments themselves in the packed order, where a moments block
 * holds their triangular factor; tests build it by two passes over the rows
 * and compare what a moments block gives against it.
 */
#ifndef MM_TEST_REFBLOCK_H
#define MM_TEST_REFBLOCK_H

#include "moments.h"

/* Co-moment (i, j), in either order, of a reference block over d variables. */
static inline double
ref_co(const double *block, int d, int i, int j)
{
	if (i > j)
	{
		int			t = i;

		i = j;
		j = t;
	}
	return block[1 + d + mm_tri_index(d, i, j)];
}

#endif							/* MM_TEST_REFBLOCK_H */
