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
 */
#include "hist_trees.h"

#include <math.h>
#include <string.h>

#include "hist_arg.h"
#include "rowhash.h"

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
				n_trees;
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

/* A leaf's weight, as XGBoost's CalcWeight without max_delta_step or alpha. */
static float
leaf_weight(const MmHistTreeOptions *o, double g, double h)
{
	if (h < o->min_child_weight || h + o->reg_lambda <= 0.0)
		return 0.0f;
	return (float) (-g / (h + o->reg_lambda) * o->learning_rate);
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
	if (gr->o->objective == MM_OBJ_SQUARED_ERROR)
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

	if (gr->o->objective == MM_OBJ_SQUARED_ERROR)
		return 0;
	for (i = 0; i < n; i++)
		if (c[i].rows == UINT32_MAX)
			return 1;
	return 0;
}

/*
 * The columns a node's split draws from, in *order (their count returned):
 * every one, or features_per_node of them by a shuffle the seed, the tree
 * and the node decide, kept in ascending order so that ties go alike.
 */
static int
node_features(const Grower *gr, int tree, int node, int *order)
{
	int			p = gr->p,
				want = gr->o->features_per_node,
				j;
	uint64_t	z = mm_mix64(gr->o->seed ^ mm_mix64(((uint64_t) tree << 32) + (uint64_t) node + 1));

	for (j = 0; j < p; j++)
		order[j] = j;
	if (want <= 0 || want >= p)
		return p;
	for (j = 0; j < want; j++)
	{
		int			k,
					swap;

		z = mm_mix64(z + MM_HASH_GOLDEN);
		k = j + (int) (z % (uint64_t) (p - j));
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
	return want;
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
	double		parent = g * g / (h + o->reg_lambda);
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
				gain = l_g * l_g / (l_h + o->reg_lambda) + r_g * r_g / (r_h + o->reg_lambda) - parent;
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
 * classifier, whose counts subtract exactly (a regression's compensated
 * sums would round otherwise than its child's own sums), where the
 * children get a pass (above max_depth) and the kept histograms stay
 * within a pass's limit.
 */
static int
keeps_for_child(const Grower *gr, int child_depth)
{
	return gr->o->objective != MM_OBJ_SQUARED_ERROR && child_depth < gr->o->max_depth &&
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

/* The cuts of every column, from the cuts pass. */
static MmErrorCode
find_cuts(Grower *gr, MmError *err)
{
	void	   *sample;
	MmErrorCode rc;
	int			j;

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
	}
	mm_free(sample);
	return rc;
}

/* An open node of the level: tree t, node i. */
typedef struct OpenNode
{
	int			tree,
				node;
} OpenNode;

/*
 * The arg of a pass that fills the histograms of open[0 .. count): the
 * trees they belong to (consecutive in open), their nodes.
 */
static double *
level_arg(const Grower *gr, const OpenNode *open, int count, size_t *len)
{
	int			trees = 0,
				nodes = 0,
				k,
				t,
				j,
				first = open[0].tree,
				last = open[count - 1].tree;
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
	a[HIST_A_GROUPS] = gr->o->n_groups;
	a[HIST_A_OBJECTIVE] = gr->o->objective;
	a[HIST_A_BINS] = gr->bins;
	a[HIST_A_TREES] = trees;
	a[HIST_A_NODES] = nodes;
	a[HIST_A_SLOTS] = count;
	a[HIST_A_ROW_SHARE] = gr->o->row_share;
	a[HIST_A_SEED] = (double) (uint32_t) (gr->o->seed ^ (gr->o->seed >> 32));
	a[HIST_A_BASE_MARGIN] = gr->base_margin;
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
		tr[1] = t / gr->o->n_trees;
		tr[2] = t;
		for (i = 0; i < tree->n; i++, nd += HIST_NODE_WIDTH)
		{
			const GrowNode *n = &tree->nodes[i];

			nd[0] = n->feature;
			if (n->feature >= 0)
			{
				nd[1] = n->cut;
				nd[2] = n->default_left;
				nd[3] = nodes + n->left;
			}
			else if (k < count && open[k].tree == t && open[k].node == i)
				nd[1] = k++;
			else
				nd[1] = -1;
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

/* Fills and decides the open nodes of one level, as many to a pass as the limit holds. */
static MmErrorCode
grow_level(Grower *gr, const OpenNode *open, int count, int level, MmError *err)
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
					k;
		size_t		len;
		double	   *arg = level_arg(gr, open + done, n, &len);
		char	   *hist = NULL;

		if (arg == NULL || (hist = mm_alloc(slot_bytes * (size_t) n)) == NULL)
			rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for the histograms of %d nodes", n);
		else
			rc = gr->source->run(gr->source, &mm_hist_level_pass, arg, hist, err);
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

/* The grown trees as the flat arrays prediction walks, checked and packed. */
static MmErrorCode
lay_out(const Grower *gr, MmTreeEnsemble **out, MmError *err)
{
	int			total = 0,
				t,
				at = 0;
	MmTreeEnsemble *e;

	for (t = 0; t < gr->n_trees; t++)
		total += gr->trees[t].n;
	if ((e = mm_trees_new(gr->n_trees, total)) == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for %d trees", gr->n_trees);
	e->objective = gr->o->objective;
	e->n_groups = gr->o->n_groups;
	e->n_features = gr->p;
	e->base_score = gr->o->base_score;
	e->base_margin = gr->base_margin;
	for (t = 0; t < gr->n_trees; t++)
	{
		const GrowTree *tree = &gr->trees[t];
		int			i;

		e->first[t] = at;
		e->group[t] = t / gr->o->n_trees;
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
	e->first[gr->n_trees] = at;
	if (!mm_trees_valid(e))
	{
		mm_trees_free(e);
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the grown trees are not sound: a weight or gain is not finite");
	}
	if (!mm_trees_pack(e))
	{
		mm_trees_free(e);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory laying out %d trees", gr->n_trees);
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
		(o->objective == MM_OBJ_MULTI_SOFTPROB) != (o->n_groups > 1) || o->n_groups < 1)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the objective does not fit %d groups", o->n_groups);
	if (o->n_trees < 1 || (long) o->n_trees * o->n_groups > MM_TREES_MAX_TREES || o->max_depth < 1 ||
		o->max_depth > 30 || o->max_bins < 2 || o->max_bins > MM_HIST_MAX_BINS)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the trees' counts are out of range");
	if (!(o->row_share > 0.0 && o->row_share <= 1.0) || !(o->learning_rate > 0.0) ||
		!(o->min_child_weight >= 0.0) || !(o->reg_lambda >= 0.0) || !(o->gamma >= 0.0) ||
		!isfinite(o->learning_rate) || !isfinite(o->min_child_weight) || !isfinite(o->reg_lambda) ||
		!isfinite(o->gamma) || !isfinite(o->base_score))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "the trees' options are out of range");
	return MM_OK;
}

MmErrorCode
mm_hist_trees_grow(MmDataSource *source, const MmHistTreeOptions *o, MmTreeEnsemble **out, MmError *err)
{
	Grower		gr;
	OpenNode   *open = NULL;
	MmErrorCode rc;
	int			level,
				t;

	*out = NULL;
	if ((rc = check_options(o, source->p, err)) != MM_OK)
		return rc;
	memset(&gr, 0, sizeof(gr));
	gr.o = o;
	gr.source = source;
	gr.p = source->p;
	gr.bins = o->max_bins;
	gr.n_trees = o->n_trees * o->n_groups;
	gr.base_margin = mm_trees_base_margin(o->objective, o->base_score);
	gr.slot_bytes = hist_slot_bytes(gr.p, gr.bins, o->objective);
	/* the gradients at the base margin, as XGBoost's objectives compute them */
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
	for (t = 0; t < gr.n_trees; t++)
		if (add_node(&gr.trees[t], 0) < 0)
		{
			free_grower(&gr);
			return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory for %d trees", gr.n_trees);
		}
	rc = find_cuts(&gr, err);
	for (level = 0; level < o->max_depth && rc == MM_OK; level++)
	{
		int			count = 0,
					i;

		mm_free(open);
		open = NULL;
		for (t = 0; t < gr.n_trees; t++)
			for (i = 0; i < gr.trees[t].n; i++)
				count += gr.trees[t].nodes[i].open && !gr.trees[t].nodes[i].derived;
		if (count == 0)
			break;
		if ((open = mm_alloc(sizeof(OpenNode) * (size_t) count)) == NULL)
		{
			rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory growing trees");
			break;
		}
		count = 0;
		for (t = 0; t < gr.n_trees; t++)
			for (i = 0; i < gr.trees[t].n; i++)
				if (gr.trees[t].nodes[i].open && !gr.trees[t].nodes[i].derived)
				{
					open[count].tree = t;
					open[count].node = i;
					count++;
				}
		rc = grow_level(&gr, open, count, level, err);
	}
	mm_free(open);
	/* the nodes at max_depth are leaves of the totals their parents' splits gave them */
	for (t = 0; t < gr.n_trees && rc == MM_OK; t++)
	{
		int			i;

		for (i = 0; i < gr.trees[t].n; i++)
			if (gr.trees[t].nodes[i].open)
				make_leaf(o, &gr.trees[t].nodes[i]);
	}
	if (rc == MM_OK)
		rc = lay_out(&gr, out, err);
	free_grower(&gr);
	return rc;
}
