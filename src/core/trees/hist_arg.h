/*
 * hist_arg.h: the layout of the arg of a level pass of trees grown on
 * histograms (hist_level.c reads it, hist_grow.c writes it), all doubles so
 * that it travels as the pass's bytes:
 *
 *   head      HIST_A_HEAD numbers (below)
 *   n_cuts    p: the cuts of each column
 *   cuts      p x (bins - 1): column j's cuts first, ascending, the rest 0
 *   trees     3 per tree: its root node, its group, its salt (its index in the
 *             ensemble, which draws its rows)
 *   nodes     4 per node: feature, then for a split its cut's index, default
 *             direction (1: a missing value goes left) and left child (the
 *             right is the next node); for a node that does not split,
 *             feature -1 and the histogram slot this pass fills for it, or -1
 *
 * The state is a histogram per slot: for each column, bins + 1 cells (the
 * last for missing values) of four doubles, the compensated sums of the
 * gradients and of the hessians (compsum.h).
 */
#ifndef MM_HIST_ARG_H
#define MM_HIST_ARG_H

#include <stddef.h>

enum
{
	HIST_A_P,
	HIST_A_GROUPS,
	HIST_A_OBJECTIVE,
	HIST_A_BINS,
	HIST_A_TREES,
	HIST_A_NODES,
	HIST_A_SLOTS,
	HIST_A_ROW_SHARE,
	HIST_A_SEED,
	HIST_A_BASE_MARGIN,
	HIST_A_HEAD
};

#define HIST_TREE_WIDTH 3
#define HIST_NODE_WIDTH 4
#define HIST_CELL 4				/* gradient, its compensation, hessian, its compensation */

/* Where the parts of an arg of p columns, bins bins and trees trees start. */
static inline size_t
hist_arg_cuts(int p)
{
	return HIST_A_HEAD + (size_t) p;
}

static inline size_t
hist_arg_trees(int p, int bins)
{
	return hist_arg_cuts(p) + (size_t) p * (size_t) (bins - 1);
}

static inline size_t
hist_arg_nodes(int p, int bins, int trees)
{
	return hist_arg_trees(p, bins) + (size_t) HIST_TREE_WIDTH * (size_t) trees;
}

static inline size_t
hist_arg_len(int p, int bins, int trees, int nodes)
{
	return hist_arg_nodes(p, bins, trees) + (size_t) HIST_NODE_WIDTH * (size_t) nodes;
}

/* Doubles of one slot's histogram. */
static inline size_t
hist_slot_len(int p, int bins)
{
	return (size_t) p * (size_t) (bins + 1) * HIST_CELL;
}

#endif							/* MM_HIST_ARG_H */
