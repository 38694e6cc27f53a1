/*
 * hist_arg.h: the layout of the arg of a level pass of trees grown on
 * histograms (hist_level.c reads it, hist_grow.c writes it), all doubles so
 * that it travels as the pass's bytes:
 *
 *   head      HIST_A_HEAD numbers (below)
 *   n_cuts    p: the cuts of each column
 *   cuts      p x (bins - 1): column j's cuts first, ascending, the rest 0
 *   trees     4 per tree: its root node, its group, its salt (which draws its
 *             rows: a forest's tree's index, a boosting round's), and whether
 *             it grows (1: its open nodes are filled) or is finished (0: a
 *             boosted tree whose leaves add to the rows' margins)
 *   nodes     5 per node: feature, then for a split its cut's index, default
 *             direction (1: a missing value goes left) and left child (the
 *             right is the next node); for a node that does not split,
 *             feature -1, the histogram slot this pass fills for it (or -1),
 *             and in the last place its leaf's weight
 *
 * The state is a histogram per slot: for each column, bins + 1 cells (the
 * last for missing values).  Every tree of a forest starts from the base
 * margin, so a row's hessian is the same for every row and its gradient
 * depends on its label alone: a classifier's cell counts its rows and those
 * of the tree's class (the positive class for two), in 32 bits, which give
 * the sums of gradients and hessians exactly; a regression's counts its
 * rows and sums their targets, compensated (compsum.h).  A shard's state is
 * that much smaller to send than sums of gradients and hessians would be.
 * A boosted tree's rows start from the margins the finished trees give
 * them, so its cells sum the gradients and hessians themselves,
 * compensated.  With early stopping the rows whose hash draws into the
 * held-out tenth train no tree, and a pass that evaluates (HIST_A_EVAL)
 * ends its state with their loss at the finished trees' margins.
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
	HIST_A_BOOSTED,				/* 1: boosted trees, their rows at their margins */
	HIST_A_POS_WEIGHT,			/* two classes: the weight of the positive class's rows */
	HIST_A_HOLDOUT,				/* 1: early stopping's held-out rows train no tree */
	HIST_A_HOLDOUT_SALT_HI,		/* the salt of their draw, in two 32-bit halves */
	HIST_A_HOLDOUT_SALT_LO,
	HIST_A_EVAL,				/* 1: the state ends with the held-out rows' loss (HistEvalTail) */
	HIST_A_HEAD
};

#define HIST_TREE_WIDTH 4
#define HIST_NODE_WIDTH 5

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

/* A boosted tree's cell: its rows' gradients and hessians, each sum compensated. */
typedef struct HistGradCell
{
	double		g,
				g_compensation,
				h,
				h_compensation;
} HistGradCell;

/*
 * What an evaluating pass adds after its histograms: the rows that train
 * and those held out, and the held-out rows' loss (squared errors, or
 * negative log-likelihoods), compensated.
 */
typedef struct HistEvalTail
{
	double		train_rows,
				held_rows,
				loss,
				loss_compensation;
} HistEvalTail;

/* The cells of a pass: class counts, target sums, or gradient sums. */
typedef enum HistCells
{
	HIST_CELLS_CLASS,
	HIST_CELLS_TARGET,
	HIST_CELLS_GRADIENT
} HistCells;

static inline HistCells
hist_cells(int boosted, int objective)
{
	return boosted ? HIST_CELLS_GRADIENT :
		objective == MM_OBJ_SQUARED_ERROR ? HIST_CELLS_TARGET : HIST_CELLS_CLASS;
}

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

/* Bytes of a cell, and of one slot's histogram. */
static inline size_t
hist_cell_bytes(HistCells cells)
{
	return cells == HIST_CELLS_GRADIENT ? sizeof(HistGradCell) :
		cells == HIST_CELLS_TARGET ? sizeof(HistTargetCell) : sizeof(HistClassCell);
}

static inline size_t
hist_slot_bytes(int p, int bins, HistCells cells)
{
	return (size_t) p * (size_t) (bins + 1) * hist_cell_bytes(cells);
}

#endif							/* MM_HIST_ARG_H */
