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
 * last for missing values).  Every tree starts from the base margin, so a
 * row's hessian is the same for every row and its gradient depends on its
 * label alone: a classifier's cell counts its rows and those of the tree's
 * class (the positive class for two), in 32 bits, which give the sums of
 * gradients and hessians exactly; a regression's counts its rows and sums
 * their targets, compensated (compsum.h).  A shard's state is that much
 * smaller to send than sums of gradients and hessians would be.
 */
#ifndef MM_HIST_ARG_H
#define MM_HIST_ARG_H

#include <stddef.h>
#include <stdint.h>

#include "tree_ensemble.h"

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

/* A classifier's cell: its rows, and those of the tree's class (UINT32_MAX: no more fit). */
typedef struct HistClassCell
{
	uint32_t	rows;
	uint32_t	of_class;
} HistClassCell;

/* A regression's cell: its rows, and their targets' compensated sum. */
typedef struct HistTargetCell
{
	double		rows;
	double		sum;
	double		compensation;
} HistTargetCell;

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

/* Bytes of a cell, and of one slot's histogram, under an objective (MmTreeObjective). */
static inline size_t
hist_cell_bytes(int objective)
{
	return objective == MM_OBJ_SQUARED_ERROR ? sizeof(HistTargetCell) : sizeof(HistClassCell);
}

static inline size_t
hist_slot_bytes(int p, int bins, int objective)
{
	return (size_t) p * (size_t) (bins + 1) * hist_cell_bytes(objective);
}

#endif							/* MM_HIST_ARG_H */
