/*
 * hist_grow.c: the driver of trees grown on histograms (hist_trees.h): the
 * cuts pass, then the passes of each level, each node's split chosen from
 * its histogram, and the trees laid out as prediction walks them.
 *
 * A level's open nodes are filled in tree order, as many to a pass as the
 * memory limit holds histograms for; a pass's arg carries only the trees
 * whose nodes it fills.  A node's totals (the gradient and hessian of its
 * rows) come from its parent's split, the roots' from their histograms, so
 * that the nodes at max_depth need no pass of their own.  A classifier's
 * pass fills only the smaller child of each split whose histograms were
 * kept, the other being the parent's less it (keeps_for_child).  The choice of a
 * split is deterministic: among equal gains, the first column drawn, then
 * the lowest cut, then missing values to the right.
 *
 * A forest's trees all grow at once, level by level.  Boosting grows a
 * round's trees (one per group) level by level, makes them leaves at
 * max_depth, and only then starts the next round, whose passes carry the
 * finished trees so that each row's margins can be worked out again.
 */
#include "hist_trees.h"

#include <math.h>
#include <string.h>

#include "hist_arg.h"
#include "model.h"
#include "rowhash.h"
#include "xgb_train.h"

/* The least loss reduction a split must bring, as XGBoost's kRtEps. */
#define MIN_SPLIT_GAIN 1e-6

typedef struct GrowNode
{
	int			feature;		/* -1: a leaf, or open */
	int			cut;
	int			default_left;
	int			left;			/* the left child's index in its tree; the right is next */
	int			depth;
	int			parent;			/* its index in its tree, -1 for the root */
	int			open;			/* its split is still to be chosen */
	int			derived;		/* its histogram is its parent's less its sibling's */
	void	   *hist;			/* a split's histogram, kept for its derived child */
	double		g,
				h;				/* the totals of its rows */
	float		value;			/* the cut, or the leaf's weight */
	float		gain;
} GrowNode;

typedef struct GrowTree
{
	GrowNode   *nodes;
	int			n,
				cap;
} GrowTree;

typedef struct Grower
{
	const MmHistTreeOptions *o;
	MmDataSource *source;
	int			p,
				bins,
				n_trees;		/* room for: a forest's, or every round's */
	int			n_live,			/* trees started so far */
				first_growing;	/* the first that grows: a boosting round's */
	HistCells	cells;
	int		   *n_cuts;
	double	   *cuts;			/* p x (bins - 1) */
	GrowTree   *trees;
	float		base_margin;
	double		p0,				/* a classifier's base probability of the tree's class */
				h0;				/* and every row's hessian */
	size_t		slot_bytes;		/* one node's histograms */
	size_t		kept_bytes;		/* the histograms kept for derived children */
} Grower;

/* A node appended to tree t; -1 when memory runs out. */
static int
add_node(GrowTree *t, int depth)
{
	GrowNode   *n;

	if (t->n == t->cap)
	{
		int			cap = t->cap ? 2 * t->cap : 8;
		GrowNode   *grown = mm_alloc(sizeof(GrowNode) * (size_t) cap);

		if (grown == NULL)
			return -1;
		if (t->n > 0)
			memcpy(grown, t->nodes, sizeof(GrowNode) * (size_t) t->n);
		mm_free(t->nodes);
		t->nodes = grown;
		t->cap = cap;
	}
	n = &t->nodes[t->n];
	memset(n, 0, sizeof(*n));
	n->feature = -1;
	n->depth = depth;
	n->parent = -1;
	n->open = 1;
	n->g = NAN;
	return t->n++;
}

/* The output of tree t: a forest's trees of a group side by side, boosting's round by round. */
static int
tree_group(const Grower *gr, int t)
{
	return gr->o->boosted ? t % gr->o->n_groups : t / gr->o->n_trees;
}

/* A gradient sum less the L1 penalty, towards 0, as XGBoost's ThresholdL1. */
static double
threshold_l1(double g, double alpha)
{
	return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0.0;
}

/* A leaf's weight, as XGBoost's CalcWeight without max_delta_step. */
static float
leaf_weight(const MmHistTreeOptions *o, double g, double h)
{
	if (h < o->min_child_weight || h + o->reg_lambda <= 0.0)
		return 0.0f;
	return (float) (-threshold_l1(g, o->reg_alpha) / (h + o->reg_lambda) * o->learning_rate);
}

/* The score of a node's totals, as XGBoost's CalcGain without max_delta_step. */
static double
node_score(const MmHistTreeOptions *o, double g, double h)
{
	double		t = threshold_l1(g, o->reg_alpha);

	return t * t / (h + o->reg_lambda);
}

static void
make_leaf(const MmHistTreeOptions *o, GrowNode *n)
{
	n->open = 0;
	n->feature = -1;
	n->value = leaf_weight(o, n->g, n->h);
}

/*
 * The sums of the gradients and hessians of a cell's rows at the base
 * margin, from its counts (hist_arg.h): every row's hessian is h0, and its
 * gradient its base probability p0 less its label (a regression's, the
 * margin less its target).
 */
static inline void
cell_sums(const Grower *gr, const void *hist, size_t cell, double *g, double *h)
{
	if (gr->cells == HIST_CELLS_GRADIENT)
	{
		const HistGradCell *c = (const HistGradCell *) hist + cell;

		*g = c->g + c->g_compensation;
		*h = c->h + c->h_compensation;
		return;
	}
	if (gr->cells == HIST_CELLS_TARGET)
	{
		const HistTargetCell *c = (const HistTargetCell *) hist + cell;

		*g = gr->base_margin * c->rows - (c->sum + c->compensation);
		*h = c->rows;
		return;
	}
	{
		const HistClassCell *c = (const HistClassCell *) hist + cell;

		*g = gr->p0 * c->rows - (double) c->of_class;
		*h = gr->h0 * c->rows;
	}
}

/* Whether a slot's histogram has a classifier's cell that could count no more rows. */
static int
histogram_full(const Grower *gr, const void *hist)
{
	const HistClassCell *c = hist;
	size_t		n = (size_t) gr->p * (size_t) (gr->bins + 1),
				i;

	if (gr->cells != HIST_CELLS_CLASS)
		return 0;
	for (i = 0; i < n; i++)
		if (c[i].rows == UINT32_MAX)
			return 1;
	return 0;
}

/*
 * Draws want of the first n entries of order into its first want places,
 * by a shuffle the stream z decides, and sorts them so that ties go alike.
 */
static void
draw_columns(int *order, int n, int want, uint64_t z)
{
	int			j;

	for (j = 0; j < want; j++)
	{
		int			k,
					swap;

		z = mm_mix64(z + MM_HASH_GOLDEN);
		k = j + (int) (z % (uint64_t) (n - j));
		swap = order[j];
		order[j] = order[k];
		order[k] = swap;
	}
	/* insertion sort of the few drawn */
	for (j = 1; j < want; j++)
	{
		int			v = order[j],
					k = j - 1;

		while (k >= 0 && order[k] > v)
		{
			order[k + 1] = order[k];
			k--;
		}
		order[k + 1] = v;
	}
}

/*
 * The columns a node's split draws from, in *order (their count returned):
 * every one, or the tree's features_per_tree drawn by the seed and the
 * tree, and of those features_per_node drawn by the seed, the tree and the
 * node, each kept in ascending order.
 */
static int
node_features(const Grower *gr, int tree, int node, int *order)
{
	int			n = gr->p,
				per_tree = gr->o->features_per_tree,
				per_node = gr->o->features_per_node,
				j;

	for (j = 0; j < n; j++)
		order[j] = j;
	if (per_tree > 0 && per_tree < n)
	{
		draw_columns(order, n, per_tree,
					 mm_mix64(gr->o->seed ^ mm_mix64(((uint64_t) tree << 32) ^ MM_HASH_SPLIT)));
		n = per_tree;
	}
	if (per_node > 0 && per_node < n)
	{
		draw_columns(order, n, per_node,
					 mm_mix64(gr->o->seed ^ mm_mix64(((uint64_t) tree << 32) + (uint64_t) node + 1)));
		n = per_node;
	}
	return n;
}

typedef struct Split
{
	int			feature,
				cut,
				default_left;
	double		gain,
				gl,
				hl;
} Split;

/* The best split of a node of totals (g, h) from its histogram, or feature -1. */
static Split
best_split(const Grower *gr, int tree, int node, double g, double h, const void *hist, int *order)
{
	const MmHistTreeOptions *o = gr->o;
	double		parent = node_score(o, g, h);
	Split		best = {-1, 0, 0, 0.0, 0.0, 0.0};
	int			n = node_features(gr, tree, node, order),
				k;

	for (k = 0; k < n; k++)
	{
		int			j = order[k],
					c;
		size_t		first = (size_t) j * (size_t) (gr->bins + 1);
		double		gm,
					hm,
					gl = 0.0,
					hl = 0.0;

		cell_sums(gr, hist, first + (size_t) gr->bins, &gm, &hm);
		for (c = 0; c < gr->n_cuts[j]; c++)
		{
			int			dl;
			double		gc,
						hc;

			cell_sums(gr, hist, first + (size_t) c, &gc, &hc);
			gl += gc;
			hl += hc;
			for (dl = 0; dl <= 1; dl++)
			{
				double		l_g = gl + (dl ? gm : 0.0),
							l_h = hl + (dl ? hm : 0.0),
							r_g = g - l_g,
							r_h = h - l_h,
							gain;

				if (l_h < o->min_child_weight || r_h < o->min_child_weight)
					continue;
				gain = node_score(o, l_g, l_h) + node_score(o, r_g, r_h) - parent;
				if (gain > best.gain)
				{
					best.feature = j;
					best.cut = c;
					best.default_left = dl;
					best.gain = gain;
					best.gl = l_g;
					best.hl = l_h;
				}
			}
		}
	}
	if (best.feature >= 0 && !(best.gain > o->gamma && best.gain > MIN_SPLIT_GAIN))
		best.feature = -1;
	return best;
}

/*
 * Whether a split's histograms are kept, so that the child with more rows
 * is its parent's less its sibling's (XGBoost's subtraction): for a
 * forest's classifier, whose counts subtract exactly (compensated sums
 * would round otherwise than its child's own sums), where the
 * children get a pass (above max_depth) and the kept histograms stay
 * within a pass's limit.
 */
static int
keeps_for_child(const Grower *gr, int child_depth)
{
	return gr->cells == HIST_CELLS_CLASS && child_depth < gr->o->max_depth &&
		(gr->o->memory_limit == 0 || gr->kept_bytes + gr->slot_bytes <= gr->o->memory_limit);
}

/* A derived child's histograms: its parent's counts less its sibling's (full cells stay full). */
static void
subtract(const Grower *gr, const void *parent, const void *sibling, void *out)
{
	const HistClassCell *p = parent,
			   *c = sibling;
	HistClassCell *d = out;
	size_t		n = gr->slot_bytes / sizeof(HistClassCell),
				i;

	for (i = 0; i < n; i++)
	{
		d[i].rows = p[i].rows == UINT32_MAX ? UINT32_MAX : p[i].rows - c[i].rows;
		d[i].of_class = p[i].of_class - c[i].of_class;
	}
}

/* Splits node i of tree t as s says, or makes it a leaf; MM_ERR_NO_MEMORY when children cannot be added. */
static MmErrorCode
decide(Grower *gr, int t, int i, const void *hist, int *order, MmError *err)
{
	const MmHistTreeOptions *o = gr->o;
	GrowTree   *tree = &gr->trees[t];
	GrowNode   *n = &tree->nodes[i];
	Split		s;
	int			l,
				r,
				j;

	if (histogram_full(gr, hist))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "a bin of a tree's histogram would count more than %u rows", (unsigned) UINT32_MAX - 1);
	if (isnan(n->g))
	{
		/* a root: its totals are any column's bins together */
		n->g = n->h = 0.0;
		for (j = 0; j <= gr->bins; j++)
		{
			double		g,
						h;

			cell_sums(gr, hist, (size_t) j, &g, &h);
			n->g += g;
			n->h += h;
		}
	}
	if (n->h < 2.0 * o->min_child_weight)
	{
		make_leaf(o, n);
		return MM_OK;
	}
	s = best_split(gr, t, i, n->g, n->h, hist, order);
	if (s.feature < 0)
	{
		make_leaf(o, n);
		return MM_OK;
	}
	if ((l = add_node(tree, n->depth + 1)) < 0 || (r = add_node(tree, n->depth + 1)) < 0)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory growing a tree");
	n = &tree->nodes[i];		/* the nodes may have moved */
	tree->nodes[l].parent = tree->nodes[r].parent = i;
	if (keeps_for_child(gr, n->depth + 1))
	{
		if ((n->hist = mm_alloc(gr->slot_bytes)) == NULL)
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping a node's histograms");
		memcpy(n->hist, hist, gr->slot_bytes);
		gr->kept_bytes += gr->slot_bytes;
		/* the child with more rows is derived, so that the pass counts the fewer */
		tree->nodes[s.hl > n->h - s.hl ? l : r].derived = 1;
	}
	n->open = 0;
	n->feature = s.feature;
	n->cut = s.cut;
	n->default_left = s.default_left;
	n->left = l;
	n->value = (float) gr->cuts[(size_t) s.feature * (size_t) (gr->bins - 1) + (size_t) s.cut];
	n->gain = (float) s.gain;
	tree->nodes[l].g = s.gl;
	tree->nodes[l].h = s.hl;
	tree->nodes[r].g = n->g - s.gl;
	tree->nodes[r].h = n->h - s.hl;
	return MM_OK;
}

/*
 * The cuts of every column, from the cuts pass, and the bins the passes
 * count: one more than the most cuts a column has (a sample of fewer rows
 * than max_bins cuts at each of its values, as a max_bins of its size would).
 */
static MmErrorCode
find_cuts(Grower *gr, MmError *err)
{
	void	   *sample;
	MmErrorCode rc;
	int			j,
				most = 2;		/* the bins the most cuts make, at least two */

	if ((sample = mm_alloc(mm_hist_cuts_pass.state_size(gr->p, NULL))) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for a sample of %d columns", gr->p);
	rc = gr->source->run(gr->source, &mm_hist_cuts_pass, NULL, sample, err);
	for (j = 0; j < gr->p && rc == MM_OK; j++)
	{
		int			n = mm_hist_column_cuts(sample, gr->p, j, gr->bins,
										   gr->cuts + (size_t) j * (size_t) (gr->bins - 1), err);

		if (n < 0)
			rc = err->code;
		else
			gr->n_cuts[j] = n;
		most = n + 1 > most ? n + 1 : most;
	}
	mm_free(sample);
	if (rc == MM_OK && most < gr->bins)
	{
		/* the cuts closed up to the fewer bins, column after column */
		for (j = 1; j < gr->p; j++)
			memmove(gr->cuts + (size_t) j * (size_t) (most - 1), gr->cuts + (size_t) j * (size_t) (gr->bins - 1),
					sizeof(double) * (size_t) gr->n_cuts[j]);
		gr->bins = most;
	}
	gr->slot_bytes = hist_slot_bytes(gr->p, gr->bins, gr->cells);
	return rc;
}

/* An open node of the level: tree t, node i. */
typedef struct OpenNode
{
	int			tree,
				node;
} OpenNode;

/*
 * The arg of a pass that fills the histograms of open[0 .. count) and,
 * where eval, sums the held-out rows' loss: the trees those nodes belong
 * to (consecutive in open) and, when boosting, every finished tree before
 * them; an evaluating pass fills no node (count 0) and carries every tree.
 */
static double *
level_arg(const Grower *gr, const OpenNode *open, int count, int eval, size_t *len)
{
	const MmHistTreeOptions *o = gr->o;
	int			trees = 0,
				nodes = 0,
				k,
				t,
				j,
				first = o->boosted ? 0 : open[0].tree,
				last = count > 0 ? open[count - 1].tree : gr->n_live - 1;
	uint64_t	salt = mm_xgb_validation_salt(o->seed);
	double	   *a,
			   *tr,
			   *nd;

	for (t = first; t <= last; t++)
	{
		trees++;
		nodes += gr->trees[t].n;
	}
	*len = hist_arg_len(gr->p, gr->bins, trees, nodes);
	if ((a = mm_alloc0(sizeof(double) * *len)) == NULL)
		return NULL;
	a[HIST_A_P] = gr->p;
	a[HIST_A_GROUPS] = o->n_groups;
	a[HIST_A_OBJECTIVE] = o->objective;
	a[HIST_A_BINS] = gr->bins;
	a[HIST_A_TREES] = trees;
	a[HIST_A_NODES] = nodes;
	a[HIST_A_SLOTS] = count;
	a[HIST_A_ROW_SHARE] = o->row_share;
	a[HIST_A_SEED] = (double) (uint32_t) (o->seed ^ (o->seed >> 32));
	a[HIST_A_BASE_MARGIN] = gr->base_margin;
	a[HIST_A_BOOSTED] = o->boosted != 0;
	a[HIST_A_POS_WEIGHT] = o->pos_weight > 0.0 ? o->pos_weight : 1.0;
	a[HIST_A_HOLDOUT] = o->boosted && o->early_stopping_rounds > 0;
	a[HIST_A_HOLDOUT_SALT_HI] = (double) (salt >> 32);
	a[HIST_A_HOLDOUT_SALT_LO] = (double) (salt & UINT32_MAX);
	a[HIST_A_EVAL] = eval != 0;
	for (j = 0; j < gr->p; j++)
		a[HIST_A_HEAD + j] = gr->n_cuts[j];
	memcpy(a + hist_arg_cuts(gr->p), gr->cuts, sizeof(double) * (size_t) gr->p * (size_t) (gr->bins - 1));
	tr = a + hist_arg_trees(gr->p, gr->bins);
	nd = a + hist_arg_nodes(gr->p, gr->bins, trees);
	nodes = 0;
	k = 0;
	for (t = first; t <= last; t++, tr += HIST_TREE_WIDTH)
	{
		const GrowTree *tree = &gr->trees[t];
		int			i;

		tr[0] = nodes;
		tr[1] = tree_group(gr, t);
		/* a forest's tree draws its rows by its index, a boosting round by the round */
		tr[2] = o->boosted ? t / o->n_groups : t;
		tr[3] = t >= gr->first_growing;
		for (i = 0; i < tree->n; i++, nd += HIST_NODE_WIDTH)
		{
			const GrowNode *n = &tree->nodes[i];

			nd[0] = n->feature;
			if (n->feature >= 0)
			{
				nd[1] = n->cut;
				nd[2] = n->default_left;
				nd[3] = nodes + n->left;
				continue;
			}
			if (k < count && open[k].tree == t && open[k].node == i)
				nd[1] = k++;
			else
				nd[1] = -1;
			nd[4] = n->value;
		}
		nodes += tree->n;
	}
	return a;
}

/*
 * Decides a node the pass filled and, when its sibling is derived, the
 * sibling from their parent's kept histograms: the two in their order in
 * the tree, so that the nodes are numbered as when both are filled.
 */
static MmErrorCode
decide_filled(Grower *gr, int t, int i, const void *hist, int *order, MmError *err)
{
	GrowTree   *tree = &gr->trees[t];
	int			up = tree->nodes[i].parent,
				left,
				sibling;
	void	   *derived;
	MmErrorCode rc;

	if (up < 0 || tree->nodes[up].hist == NULL)
		return decide(gr, t, i, hist, order, err);
	left = tree->nodes[up].left;
	sibling = i == left ? left + 1 : left;
	if ((derived = mm_alloc(gr->slot_bytes)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory deriving a node's histograms");
	subtract(gr, tree->nodes[up].hist, hist, derived);
	mm_free(tree->nodes[up].hist);
	tree->nodes[up].hist = NULL;
	gr->kept_bytes -= gr->slot_bytes;
	rc = i == left ? decide(gr, t, i, hist, order, err) : decide(gr, t, sibling, derived, order, err);
	if (rc == MM_OK)
		rc = i == left ? decide(gr, t, sibling, derived, order, err) : decide(gr, t, i, hist, order, err);
	mm_free(derived);
	return rc;
}

/*
 * Fills and decides the open nodes of one level, as many to a pass as the
 * limit holds; with eval not NULL, the first pass also evaluates the
 * held-out rows into *eval.
 */
static MmErrorCode
grow_level(Grower *gr, const OpenNode *open, int count, int level, HistEvalTail *eval, MmError *err)
{
	size_t		slot_bytes = gr->slot_bytes,
				per_pass = (size_t) count;
	int			done = 0,
				pass = 0,
			   *order;
	MmErrorCode rc = MM_OK;

	if (gr->o->memory_limit > 0)
	{
		if (slot_bytes > gr->o->memory_limit)
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
						   "the histograms of one node of %d design columns take %zu bytes, more than a pass may hold (%zu)",
						   gr->p, slot_bytes, gr->o->memory_limit);
		per_pass = gr->o->memory_limit / slot_bytes;
	}
	if ((order = mm_alloc(sizeof(int) * (size_t) gr->p)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory growing trees");
	while (done < count && rc == MM_OK)
	{
		int			n = (size_t) (count - done) < per_pass ? count - done : (int) per_pass,
					evaluates = eval != NULL && done == 0,
					k;
		size_t		len,
					tail = evaluates ? sizeof(HistEvalTail) : 0;
		double	   *arg = level_arg(gr, open + done, n, evaluates, &len);
		char	   *hist = NULL;

		if (arg == NULL || (hist = mm_alloc(slot_bytes * (size_t) n + tail)) == NULL)
			rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for the histograms of %d nodes", n);
		else
			rc = gr->source->run(gr->source, &mm_hist_level_pass, arg, hist, err);
		if (rc == MM_OK && evaluates)
			memcpy(eval, hist + slot_bytes * (size_t) n, sizeof(HistEvalTail));
		for (k = 0; k < n && rc == MM_OK; k++)
			rc = decide_filled(gr, open[done + k].tree, open[done + k].node,
							   hist + (size_t) k * slot_bytes, order, err);
		mm_free(arg);
		mm_free(hist);
		done += n;
		if (gr->o->progress != NULL && rc == MM_OK)
			gr->o->progress(gr->o->progress_arg, level, ++pass);
	}
	mm_free(order);
	return rc;
}

/* The held-out rows' loss after every finished tree, by a pass that fills no node. */
static MmErrorCode
evaluate(Grower *gr, HistEvalTail *eval, MmError *err)
{
	size_t		len;
	double	   *arg = level_arg(gr, NULL, 0, 1, &len);
	MmErrorCode rc;

	if (arg == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory evaluating %d trees", gr->n_live);
	rc = gr->source->run(gr->source, &mm_hist_level_pass, arg, eval, err);
	mm_free(arg);
	return rc;
}

/* The trees of the nodes open in trees from .. to - 1, those the pass fills, in *open. */
static int
open_nodes(const Grower *gr, int from, int to, OpenNode **open)
{
	int			count = 0,
				t,
				i;

	*open = NULL;
	for (t = from; t < to; t++)
		for (i = 0; i < gr->trees[t].n; i++)
			count += gr->trees[t].nodes[i].open && !gr->trees[t].nodes[i].derived;
	if (count == 0)
		return 0;
	if ((*open = mm_alloc(sizeof(OpenNode) * (size_t) count)) == NULL)
		return -1;
	count = 0;
	for (t = from; t < to; t++)
		for (i = 0; i < gr->trees[t].n; i++)
			if (gr->trees[t].nodes[i].open && !gr->trees[t].nodes[i].derived)
			{
				(*open)[count].tree = t;
				(*open)[count].node = i;
				count++;
			}
	return count;
}

/*
 * Early stopping's bookkeeping: the held-out rows' loss a round's first
 * pass sums, what boosting did so far, and whether it stops.
 */
typedef struct Judge
{
	HistEvalTail eval;
	MmHistTreeRounds *out;
	int			round;			/* the round whose first pass scores the ones before it */
	int			stopped;
} Judge;

/* The held-out rows' metric from an evaluating pass's tail: rmse, or the mean log loss. */
static double
held_out_score(const MmHistTreeOptions *o, const HistEvalTail *e)
{
	double		mean = (e->loss + e->loss_compensation) / e->held_rows;

	return o->objective == MM_OBJ_SQUARED_ERROR ? sqrt(mean) : mean;
}

/*
 * Judges the rounds before j->round by their score: strictly better than
 * the best so far is the best, as the scikit-learn wrapper's EarlyStopping
 * judges, and early_stopping_rounds rounds that are not stop the boosting.
 * Round 0's pass counts the rows on each side, which must both have some.
 */
static MmErrorCode
judge(const Grower *gr, Judge *j, MmError *err)
{
	const MmHistTreeOptions *o = gr->o;
	double		score;

	if (j->round == 0)
	{
		if (j->eval.train_rows == 0.0 || j->eval.held_rows == 0.0)
			return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1,
						   "early stopping holds out a tenth of %.0f training rows, which leaves no rows on one side",
						   j->eval.train_rows + j->eval.held_rows);
		return MM_OK;
	}
	score = held_out_score(o, &j->eval);
	if (j->out->best_iteration < 0 || score < j->out->best_score)
	{
		j->out->best_iteration = j->round - 1;
		j->out->best_score = score;
	}
	else if (j->round - 1 - j->out->best_iteration >= o->early_stopping_rounds)
		j->stopped = 1;
	return MM_OK;
}

/*
 * Starts trees from .. to - 1 and grows them level by level, then makes
 * their nodes at max_depth leaves of the totals their parents' splits gave
 * them.  With a judge, the first pass also evaluates the finished trees,
 * and the growth ends there if the judge stops the boosting.
 */
static MmErrorCode
grow_trees(Grower *gr, int from, int to, Judge *j, MmError *err)
{
	const MmHistTreeOptions *o = gr->o;
	MmErrorCode rc = MM_OK;
	int			level,
				t;

	for (t = from; t < to; t++)
		if (add_node(&gr->trees[t], 0) < 0)
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for %d trees", to);
	gr->n_live = to;
	gr->first_growing = from;
	for (level = 0; level < o->max_depth && rc == MM_OK; level++)
	{
		OpenNode   *open;
		int			count = open_nodes(gr, from, to, &open);

		if (count < 0)
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory growing trees");
		if (count == 0)
			break;
		rc = grow_level(gr, open, count, level, level == 0 && j != NULL ? &j->eval : NULL, err);
		mm_free(open);
		if (rc == MM_OK && level == 0 && j != NULL && ((rc = judge(gr, j, err)) != MM_OK || j->stopped))
			return rc;
	}
	for (t = from; t < to && rc == MM_OK; t++)
	{
		int			i;

		for (i = 0; i < gr->trees[t].n; i++)
			if (gr->trees[t].nodes[i].open)
				make_leaf(o, &gr->trees[t].nodes[i]);
	}
	gr->first_growing = to;
	return rc;
}

/*
 * The boosting rounds, each a grow_trees of n_groups trees.  With early
 * stopping, the first pass of each round also scores the rounds before
 * it, a last pass the final round, and the rounds after the best are
 * dropped.
 */
static MmErrorCode
boost(Grower *gr, MmHistTreeRounds *out, MmError *err)
{
	const MmHistTreeOptions *o = gr->o;
	int			groups = o->n_groups;
	Judge		j;
	MmErrorCode rc = MM_OK;

	memset(&j, 0, sizeof(j));
	j.out = out;
	for (j.round = 0; j.round < o->n_trees; j.round++)
	{
		memset(&j.eval, 0, sizeof(j.eval));
		rc = grow_trees(gr, j.round * groups, (j.round + 1) * groups,
						o->early_stopping_rounds > 0 ? &j : NULL, err);
		if (rc != MM_OK || j.stopped)
			break;
		out->rounds = j.round + 1;
		if (o->round_done != NULL)
			o->round_done(o->progress_arg, out->rounds);
	}
	if (o->early_stopping_rounds == 0 || rc != MM_OK)
		return rc;
	if (!j.stopped)
	{
		memset(&j.eval, 0, sizeof(j.eval));
		if ((rc = evaluate(gr, &j.eval, err)) != MM_OK || (rc = judge(gr, &j, err)) != MM_OK)
			return rc;
	}
	gr->n_live = (out->best_iteration + 1) * groups;
	return MM_OK;
}

/* The grown trees as the flat arrays prediction walks, checked and packed. */
static MmErrorCode
lay_out(const Grower *gr, MmTreeEnsemble **out, MmError *err)
{
	int			total = 0,
				t,
				at = 0;
	MmTreeEnsemble *e;

	for (t = 0; t < gr->n_live; t++)
		total += gr->trees[t].n;
	if ((e = mm_trees_new(gr->n_live, total)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for %d trees", gr->n_live);
	e->objective = gr->o->objective;
	e->n_groups = gr->o->n_groups;
	e->n_features = gr->p;
	e->base_score = gr->o->base_score;
	e->base_margin = gr->base_margin;
	for (t = 0; t < gr->n_live; t++)
	{
		const GrowTree *tree = &gr->trees[t];
		int			i;

		e->first[t] = at;
		e->group[t] = tree_group(gr, t);
		for (i = 0; i < tree->n; i++, at++)
		{
			const GrowNode *n = &tree->nodes[i];

			e->value[at] = n->value;
			e->cover[at] = (float) n->h;
			if (n->feature < 0)
			{
				e->left[at] = e->right[at] = -1;
				continue;
			}
			e->left[at] = n->left;
			e->right[at] = n->left + 1;
			e->feature[at] = n->feature;
			e->default_left[at] = (uint8_t) n->default_left;
			e->gain[at] = n->gain;
		}
	}
	e->first[gr->n_live] = at;
	if (!mm_trees_valid(e))
	{
		mm_trees_free(e);
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the grown trees are not sound: a weight or gain is not finite");
	}
	if (!mm_trees_pack(e))
	{
		mm_trees_free(e);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory laying out %d trees", gr->n_live);
	}
	*out = e;
	return MM_OK;
}

static void
free_grower(Grower *gr)
{
	int			t;

	if (gr->trees != NULL)
		for (t = 0; t < gr->n_trees; t++)
		{
			int			i;

			for (i = 0; i < gr->trees[t].n; i++)
				mm_free(gr->trees[t].nodes[i].hist);
			mm_free(gr->trees[t].nodes);
		}
	mm_free(gr->trees);
	mm_free(gr->n_cuts);
	mm_free(gr->cuts);
}

/* Sound options, or a failure naming the first that is not. */
static MmErrorCode
check_options(const MmHistTreeOptions *o, int p, MmError *err)
{
	if (p < 1 || p > MM_MAX_FEATURES)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "trees need 1 to %d columns, not %d", MM_MAX_FEATURES, p);
	if (o->objective < MM_OBJ_SQUARED_ERROR || o->objective > MM_OBJ_MULTI_SOFTPROB ||
		(o->objective == MM_OBJ_MULTI_SOFTPROB) != (o->n_groups > 1) || o->n_groups < 1 ||
		o->n_groups > MM_MAX_CLASSES)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the objective does not fit %d groups", o->n_groups);
	if (o->n_trees < 1 || (long) o->n_trees * o->n_groups > MM_TREES_MAX_TREES || o->max_depth < 1 ||
		o->max_depth > 30 || o->max_bins < 2 || o->max_bins > MM_HIST_MAX_BINS ||
		o->features_per_tree < 0 || o->features_per_node < 0 || o->early_stopping_rounds < 0 ||
		(o->early_stopping_rounds > 0 && !o->boosted))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the trees' counts are out of range");
	if (!(o->row_share > 0.0 && o->row_share <= 1.0) || !(o->learning_rate > 0.0) ||
		!(o->min_child_weight >= 0.0) || !(o->reg_lambda >= 0.0) || !(o->reg_alpha >= 0.0) ||
		!(o->gamma >= 0.0) || !(o->pos_weight >= 0.0) ||
		!isfinite(o->learning_rate) || !isfinite(o->min_child_weight) || !isfinite(o->reg_lambda) ||
		!isfinite(o->reg_alpha) || !isfinite(o->gamma) || !isfinite(o->pos_weight) ||
		!isfinite(o->base_score))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the trees' options are out of range");
	return MM_OK;
}

MmErrorCode
mm_hist_trees_grow(MmDataSource *source, const MmHistTreeOptions *o, MmTreeEnsemble **out,
				   MmHistTreeRounds *rounds, MmError *err)
{
	Grower		gr;
	MmHistTreeRounds done;
	MmErrorCode rc;
	int			sample_rows;

	*out = NULL;
	if ((rc = check_options(o, source->p, err)) != MM_OK)
		return rc;
	memset(&gr, 0, sizeof(gr));
	gr.o = o;
	gr.source = source;
	gr.p = source->p;
	sample_rows = mm_hist_sample_rows(gr.p);
	gr.bins = o->max_bins < sample_rows ? o->max_bins : sample_rows;
	gr.n_trees = o->n_trees * o->n_groups;
	gr.cells = hist_cells(o->boosted, o->objective);
	gr.base_margin = mm_trees_base_margin(o->objective, o->base_score);
	/* a forest's gradients at the base margin, as XGBoost's objectives compute them */
	gr.p0 = o->objective == MM_OBJ_MULTI_SOFTPROB ? 1.0 / o->n_groups : 1.0 / (1.0 + exp(-(double) gr.base_margin));
	gr.h0 = fmax((o->objective == MM_OBJ_MULTI_SOFTPROB ? 2.0 : 1.0) * gr.p0 * (1.0 - gr.p0), 1e-16);
	gr.n_cuts = mm_alloc0(sizeof(int) * (size_t) gr.p);
	gr.cuts = mm_alloc0(sizeof(double) * (size_t) gr.p * (size_t) (gr.bins - 1));
	gr.trees = mm_alloc0(sizeof(GrowTree) * (size_t) gr.n_trees);
	if (gr.n_cuts == NULL || gr.cuts == NULL || gr.trees == NULL)
	{
		free_grower(&gr);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for %d trees", gr.n_trees);
	}
	rc = find_cuts(&gr, err);
	memset(&done, 0, sizeof(done));
	done.best_iteration = -1;
	done.best_score = NAN;
	if (rc == MM_OK && o->boosted)
		rc = boost(&gr, &done, err);
	else if (rc == MM_OK)
	{
		rc = grow_trees(&gr, 0, gr.n_trees, NULL, err);
		done.rounds = 1;
	}
	if (rc == MM_OK)
		rc = lay_out(&gr, out, err);
	free_grower(&gr);
	if (rc == MM_OK && rounds != NULL)
		*rounds = done;
	return rc;
}
