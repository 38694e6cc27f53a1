/*
 * hist_trees.h: tree ensembles grown on histograms in passes over a data
 * source, so that trees train where the rows are never held: a relation's
 * parallel workers and a distributed table's shards each fill histograms of
 * their rows, which merge.
 *
 * The growth is XGBoost's hist method, level by level.  A first pass samples
 * the rows (hist_cuts.c) and cuts each design column into at most max_bins
 * bins at values of the column.  Then each level of the trees is one pass (or
 * more, where the histograms of all its open nodes would pass the memory
 * limit): every row walks each tree to the open node it reaches, and is
 * counted in that node's bin of every column (hist_arg.h), which gives the
 * sums of the gradients and hessians the same whatever the rows' order (a
 * classifier's larger child is its parent's counts less its sibling's, as
 * XGBoost subtracts histograms, and no pass counts it).  The
 * split of a node is the cut and default direction for missing values of
 * the largest loss reduction, G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda)
 * - G^2 / (H + lambda), where both children hold at least min_child_weight
 * and it passes gamma; a node that does not split, and every node at
 * max_depth, is a leaf of weight -G / (H + lambda) times the learning rate.
 *
 * It grows the trees of a random forest: every tree starts from the same
 * base margin, so a row's gradient depends on its label alone.  Each tree
 * sees the rows whose content hash, salted with the seed and the tree,
 * draws into row_share (the rows a bootstrap would hold, without their
 * repeats), and each split chooses among features_per_node columns drawn
 * by the seed, the tree and the node.
 *
 * And it boosts: round after round, one tree per group grows on the
 * gradients and hessians of the rows at the margins the finished trees give
 * them, which every pass works out again by walking those trees (the rows
 * are never kept), so a round costs more than the one before it.  Each
 * round draws its rows by the round instead of the tree, each tree its
 * features_per_tree columns by the seed and the tree, and the leaves and
 * gains take the L1 penalty reg_alpha as XGBoost's do.  With early stopping
 * the rows whose hash draws into a tenth (xgb_train.h: the same rows as in
 * memory) train no tree; the first pass of each round sums their loss at
 * the margins so far, a last pass after the final round, and the rounds
 * after the best are dropped once early_stopping_rounds of them have not
 * improved on it.
 *
 * The trees come out as the flat arrays prediction walks (tree_ensemble.h):
 * a row goes left when its value as a float is below the cut, as XGBoost's
 * predictor sends it.
 */
#ifndef MM_HIST_TREES_H
#define MM_HIST_TREES_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "source.h"
#include "tree_ensemble.h"

/*
 * Most bins a column is cut into (the cuts are one fewer), as XGBoost's
 * max_bin caps them; the sample the cuts come from holds fewer rows than
 * that, and a pass's histograms have only the bins the cuts make.
 */
#define MM_HIST_MAX_BINS 65536

typedef struct MmHistTreeOptions
{
	MmTreeObjective objective;
	int			boosted;		/* 1: boosting rounds; 0: a forest */
	int			n_groups;		/* classes of multi:softprob, else 1 */
	int			n_trees;		/* trees per group: a forest's, or the boosting rounds */
	int			max_depth;
	int			max_bins;		/* 2 .. MM_HIST_MAX_BINS */
	double		learning_rate;
	double		min_child_weight;
	double		reg_lambda;
	double		reg_alpha;
	double		gamma;
	double		pos_weight;		/* two classes: the positive class's rows' weight (0: 1) */
	double		row_share;		/* (0, 1]: the share of rows each tree (round) draws */
	int			features_per_tree;	/* columns a tree draws; 0: every one */
	int			features_per_node;	/* of those, the columns a split draws from; 0: every one */
	int			early_stopping_rounds;	/* boosting: 0, or the rounds without improvement that stop it */
	uint64_t	seed;
	float		base_score;		/* as XGBoost's model stores it */
	size_t		memory_limit;	/* bytes a level pass's histograms may take; 0: no limit */
	void		(*progress) (void *arg, int level, int pass);
	void		(*round_done) (void *arg, int rounds);
	void	   *progress_arg;
} MmHistTreeOptions;

/* What boosting did: its rounds, and with early stopping the best. */
typedef struct MmHistTreeRounds
{
	int			rounds;			/* boosted, before any were dropped */
	int			best_iteration; /* the last round kept (from 0); -1 without early stopping */
	double		best_score;		/* its held-out rows' rmse, logloss or mlogloss; NaN without */
} MmHistTreeRounds;

/*
 * The pass that samples the rows the cuts come from: those of the smallest
 * content hashes, mm_hist_sample_rows(p) of them (every row of a smaller
 * relation), the same rows in any order.  Its arg is NULL.
 */
extern const MmPass mm_hist_cuts_pass;
extern int	mm_hist_sample_rows(int p);

/*
 * The pass of a level: the arg (built by the grower) holds the cuts, the
 * trees as grown so far and which of their open nodes this pass fills; the
 * state is a histogram per such node (see hist_level.c).
 */
extern const MmPass mm_hist_level_pass;

/* The passes trees grow by, in the order mm_pass_find lists them: the cuts', the levels'. */
extern const MmPass *const mm_hist_tree_passes[];

/*
 * Grows the ensemble o describes over the source's training rows (class
 * indexes for the classifiers' objectives, targets for squared error) into
 * *out (mm_trees_free frees it): checked and packed for prediction; what
 * boosting did into *rounds, unless NULL.  MM_ERR_TOO_FEW_ROWS when early
 * stopping leaves no rows on one side.
 */
extern MmErrorCode mm_hist_trees_grow(MmDataSource *source, const MmHistTreeOptions *o,
									  MmTreeEnsemble **out, MmHistTreeRounds *rounds, MmError *err);

/*
 * Up to max_bins - 1 cuts of column j from the cuts pass's state: increasing
 * floats, each a value of the column at evenly spaced ranks of the sample,
 * above its least.  Returns how many, 0 for a column of one value or none;
 * -1 when memory runs out.
 */
extern int	mm_hist_column_cuts(const void *state, int p, int j, int max_bins, double *cuts,
								MmError *err);

#endif							/* MM_HIST_TREES_H */
