/*
 * tree_ensemble.h: a fitted ensemble of regression trees as flat arrays,
 * and prediction from it.
 *
 * Boosted trees are trained by XGBoost (xgb_train.h), but predicted here,
 * from the trees XGBoost's own JSON model describes (xgb_json.h), so that
 * neither the server nor the standalone scorer calls the library per row.
 * The walk and the sums follow XGBoost's CPU predictor exactly: features as
 * float, "value < condition" goes left, a missing value takes the node's
 * default direction, and the leaves of the trees are added in float in the
 * trees' order onto the base margin, one output per group (class).  The
 * predictions are then XGBoost's to the bit.
 */
#ifndef MM_TREE_ENSEMBLE_H
#define MM_TREE_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

/* The learning objectives, as XGBoost names them. */
typedef enum MmTreeObjective
{
	MM_OBJ_SQUARED_ERROR = 1,	/* reg:squarederror: the margin is the prediction */
	MM_OBJ_BINARY_LOGISTIC = 2, /* binary:logistic: the sigmoid of the margin */
	MM_OBJ_MULTI_SOFTPROB = 3	/* multi:softprob: the softmax of a margin per class */
} MmTreeObjective;

/*
 * A node as prediction walks it: the arrays below packed into 16 bytes,
 * the children side by side (the right child at left + 1).  A leaf leads
 * to itself (left is its own index - 1, its condition -infinity, its
 * default right), so that a walk may take a fixed number of steps, the
 * depth of the deepest tree among those it walks at once.
 */
typedef struct MmTreeNode
{
	float		condition;		/* a value below it goes left */
	int32_t		left;
	uint32_t	feature;		/* the split's column, the default direction in the top bit */
	float		leaf;			/* the leaf's value */
} MmTreeNode;

#define MM_TREE_DEFAULT_LEFT 0x80000000u

/* Most trees and nodes an ensemble may have (a damaged model is refused beyond them). */
#define MM_TREES_MAX_TREES 1000000
#define MM_TREES_MAX_NODES 100000000

/*
 * Tree t holds nodes first[t] .. first[t + 1] - 1, its root first; child
 * indexes are relative to the tree's first node, -1 on leaves, where value
 * is the leaf's output instead of the split's condition.
 */
typedef struct MmTreeEnsemble
{
	MmTreeObjective objective;
	int			n_groups;		/* outputs: 1, or the classes of multi:softprob */
	int			n_features;		/* columns of the design the trees split on */
	float		base_score;		/* XGBoost's base_score, as its model stores it */
	float		base_margin;	/* base_score as a margin, where each row's sums start */
	int			n_trees;
	int			n_nodes;
	int32_t    *first;			/* n_trees + 1 */
	int32_t    *group;			/* n_trees: the output each tree adds to */
	int32_t    *left;			/* n_nodes */
	int32_t    *right;
	int32_t    *feature;
	float	   *value;			/* split condition, or leaf value */
	uint8_t    *default_left;	/* 1: a missing value goes left */
	float	   *gain;			/* the split's loss reduction (0 on leaves) */
	float	   *cover;			/* the sum of hessians that reached the node */
	/* the walk's layout (mm_trees_pack): tree t's root at packed[root[t]] */
	MmTreeNode *packed;
	int32_t    *root;
	int32_t    *depth;			/* per tree: the most steps from its root to a leaf */
} MmTreeEnsemble;

/* A new ensemble with room for n_trees trees of n_nodes nodes in all, or NULL. */
extern MmTreeEnsemble *mm_trees_new(int n_trees, int n_nodes);
extern void mm_trees_free(MmTreeEnsemble *e);

/*
 * Checks what prediction trusts: children inside their tree, each node but
 * the root the child of exactly one node that comes before it (so no walk
 * cycles), split features below n_features, groups below n_groups, finite
 * values.  1 when the ensemble is sound.
 */
extern int	mm_trees_valid(const MmTreeEnsemble *e);

/* Lays the checked trees out for the walk; 0 when memory runs out. */
extern int	mm_trees_pack(MmTreeEnsemble *e);

/* The margins of a row of the design (NaN: missing), n_groups of them; the trees packed. */
extern void mm_trees_margins(const MmTreeEnsemble *e, const double *z, float *margins);

/* The probabilities of the classes from the margins, as XGBoost's objective transforms them. */
extern void mm_trees_proba(const MmTreeEnsemble *e, const float *margins, float *proba,
						   int n_classes);

/*
 * Per design column (n of them), over every split of every tree: the
 * summed loss reduction, and the count of splits (XGBoost's total_gain and
 * weight; gain is their ratio), summed as XGBoost sums them.  0 when
 * memory runs out.
 */
extern int	mm_trees_split_stats(const MmTreeEnsemble *e, int n, float *total_gain, float *count);

/* The margin a base_score starts from under an objective. */
extern float mm_trees_base_margin(MmTreeObjective objective, float base_score);

#endif							/* MM_TREE_ENSEMBLE_H */
