/*
 * roworder.h: an order of rows that depends on their contents only.
 *
 * A solver that visits rows at random draws positions, and a sum taken in
 * the rows' order rounds by it: the same rows read in another order (a
 * table rewritten by VACUUM FULL or CLUSTER, a distributed table's shards
 * sending theirs) would give another model.  Such a solver visits its rows
 * in this order instead of the order the scan met them in.  Rows sort by a
 * hash of their values and label rounded to floats, rows of one hash by
 * those floats, then by the doubles: equal rows are interchangeable, so the
 * order is a function of the multiset of rows alone.  The floats make the
 * order also that of rows a rounding apart (preprocessing whose statistics
 * were summed in another order), and are what XGBoost reads.
 */
#ifndef MM_ROWORDER_H
#define MM_ROWORDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * The n rows of p values (x, row-major) with their labels (classes y, or
 * numbers t when y is NULL, or neither) in the order above, as n row
 * numbers allocated through mm_alloc, or NULL when memory runs out.
 */
extern size_t *mm_row_order(const double *x, const int32_t *y, const double *t, size_t n, int p);

#endif							/* MM_ROWORDER_H */
