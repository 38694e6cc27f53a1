/*
 * tree_ensemble.c: the flat arrays of a tree ensemble, their checks, and
 * prediction as XGBoost's CPU predictor computes it (see tree_ensemble.h).
 */
#include "tree_ensemble.h"

#include <math.h>
#include <string.h>

MmTreeEnsemble *
mm_trees_new(int n_trees, int n_nodes)
{
	MmTreeEnsemble *e;
	size_t		t = (size_t) n_trees,
				n = (size_t) n_nodes;

	if (n_trees < 0 || n_nodes < 0 || n_trees > MM_TREES_MAX_TREES || n_nodes > MM_TREES_MAX_NODES)
		return NULL;
	if ((e = mm_alloc0(sizeof(MmTreeEnsemble))) == NULL)
		return NULL;
	e->n_trees = n_trees;
	e->n_nodes = n_nodes;
	e->first = mm_alloc0(sizeof(int32_t) * (t + 1));
	e->group = mm_alloc0(sizeof(int32_t) * (t + 1));
	e->left = mm_alloc0(sizeof(int32_t) * (n + 1));
	e->right = mm_alloc0(sizeof(int32_t) * (n + 1));
	e->feature = mm_alloc0(sizeof(int32_t) * (n + 1));
	e->value = mm_alloc0(sizeof(float) * (n + 1));
	e->default_left = mm_alloc0(n + 1);
	e->gain = mm_alloc0(sizeof(float) * (n + 1));
	e->cover = mm_alloc0(sizeof(float) * (n + 1));
	if (!e->first || !e->group || !e->left || !e->right || !e->feature || !e->value ||
		!e->default_left || !e->gain || !e->cover)
	{
		mm_trees_free(e);
		return NULL;
	}
	return e;
}

void
mm_trees_free(MmTreeEnsemble *e)
{
	if (e == NULL)
		return;
	mm_free(e->first);
	mm_free(e->group);
	mm_free(e->left);
	mm_free(e->right);
	mm_free(e->feature);
	mm_free(e->value);
	mm_free(e->default_left);
	mm_free(e->gain);
	mm_free(e->cover);
	mm_free(e->packed);
	mm_free(e->root);
	mm_free(e->depth);
	mm_free(e);
}

/*
 * One tree's nodes: a child always comes after its parent and is nobody
 * else's child, so every walk from the root moves forward and ends on a
 * leaf.  XGBoost appends children after their parent, so its trees pass.
 */
static int
tree_valid(const MmTreeEnsemble *e, int t, uint8_t *seen)
{
	int			begin = e->first[t],
				size = e->first[t + 1] - begin,
				i;

	if (size < 1)
		return 0;
	memset(seen, 0, (size_t) size);
	for (i = 0; i < size; i++)
	{
		int			node = begin + i,
					l = e->left[node],
					r = e->right[node];

		if (!isfinite(e->value[node]) || !isfinite(e->gain[node]) || !isfinite(e->cover[node]) ||
			e->default_left[node] > 1)
			return 0;
		if (l == -1 && r == -1)
			continue;
		if (l <= i || r <= i || l >= size || r >= size || l == r || seen[l] || seen[r] ||
			e->feature[node] < 0 || e->feature[node] >= e->n_features)
			return 0;
		seen[l] = seen[r] = 1;
	}
	return 1;
}

int
mm_trees_valid(const MmTreeEnsemble *e)
{
	int			t,
				widest = 0,
				ok = 1;
	uint8_t    *seen;

	if (e->n_groups < 1 || e->n_features < 1 || !isfinite(e->base_score) ||
		!isfinite(e->base_margin) || e->first[0] != 0 || e->first[e->n_trees] != e->n_nodes ||
		(e->objective == MM_OBJ_MULTI_SOFTPROB) != (e->n_groups > 1) ||
		e->objective < MM_OBJ_SQUARED_ERROR || e->objective > MM_OBJ_MULTI_SOFTPROB)
		return 0;
	for (t = 0; t < e->n_trees; t++)
	{
		if (e->first[t + 1] <= e->first[t] || e->group[t] < 0 || e->group[t] >= e->n_groups)
			return 0;
		if (e->first[t + 1] - e->first[t] > widest)
			widest = e->first[t + 1] - e->first[t];
	}
	if ((seen = mm_alloc((size_t) widest + 1)) == NULL)
		return 0;
	for (t = 0; t < e->n_trees && ok; t++)
		ok = tree_valid(e, t, seen);
	mm_free(seen);
	return ok;
}

/*
 * Each tree breadth first, so that the two children of a node take two
 * adjacent places; the queue is the packed array itself, each node's
 * source index and depth kept until its children are placed.
 */
int
mm_trees_pack(MmTreeEnsemble *e)
{
	int32_t    *source = mm_alloc(sizeof(int32_t) * ((size_t) e->n_nodes + 1));
	int32_t    *level = mm_alloc(sizeof(int32_t) * ((size_t) e->n_nodes + 1));
	int			t,
				next = 0,
				ok;

	mm_free(e->packed);
	mm_free(e->root);
	mm_free(e->depth);
	e->packed = mm_alloc(sizeof(MmTreeNode) * ((size_t) e->n_nodes + 1));
	e->root = mm_alloc(sizeof(int32_t) * ((size_t) e->n_trees + 1));
	e->depth = mm_alloc(sizeof(int32_t) * ((size_t) e->n_trees + 1));
	ok = source != NULL && level != NULL && e->packed != NULL && e->root != NULL && e->depth != NULL;
	for (t = 0; ok && t < e->n_trees; t++)
	{
		int			base = e->first[t],
					head = next;

		e->root[t] = next;
		e->depth[t] = 0;
		level[next] = 0;
		source[next++] = base;
		for (; head < next; head++)
		{
			int			from = source[head];
			MmTreeNode *n = &e->packed[head];

			n->leaf = e->value[from];
			if (e->left[from] < 0)
			{
				/* to itself: left + 1, whatever the value */
				n->condition = -INFINITY;
				n->left = head - 1;
				n->feature = 0;
				if (level[head] > e->depth[t])
					e->depth[t] = level[head];
				continue;
			}
			n->condition = e->value[from];
			n->feature = (uint32_t) e->feature[from] |
				(e->default_left[from] ? MM_TREE_DEFAULT_LEFT : 0u);
			n->left = next;
			level[next] = level[next + 1] = level[head] + 1;
			source[next++] = base + e->left[from];
			source[next++] = base + e->right[from];
		}
	}
	mm_free(source);
	mm_free(level);
	return ok;
}

/* Trees walked side by side: independent walks overlap in the processor. */
#define WALK_WIDTH 8

/*
 * One step of a walk: XGBoost's decision on the row's value as a float, a
 * missing value to the default side; a leaf stays where it is.
 */
static inline const MmTreeNode *
step(const MmTreeNode *node, const MmTreeNode *nodes, const double *z)
{
	double		v = z[node->feature & ~MM_TREE_DEFAULT_LEFT];
	int			right = isnan(v) ? (node->feature & MM_TREE_DEFAULT_LEFT) == 0 :
		!((float) v < node->condition);

	return &nodes[node->left + right];
}

void
mm_trees_margins(const MmTreeEnsemble *e, const double *z, float *margins)
{
	const MmTreeNode *at[WALK_WIDTH];
	int			g,
				t,
				k;

	for (g = 0; g < e->n_groups; g++)
		margins[g] = e->base_margin;
	for (t = 0; t < e->n_trees; t += WALK_WIDTH)
	{
		int			width = e->n_trees - t < WALK_WIDTH ? e->n_trees - t : WALK_WIDTH,
					steps = 0,
					s;

		for (k = 0; k < width; k++)
		{
			at[k] = &e->packed[e->root[t + k]];
			if (e->depth[t + k] > steps)
				steps = e->depth[t + k];
		}
		for (s = 0; s < steps; s++)
			for (k = 0; k < width; k++)
				at[k] = step(at[k], e->packed, z);
		/* one float sum per output, in the trees' order, as XGBoost adds them */
		for (k = 0; k < width; k++)
			margins[e->group[t + k]] += at[k]->leaf;
	}
}

/* XGBoost's logistic function, in float, its overflow guard included. */
static float
sigmoid(float x)
{
	float		m = -x < 88.7f ? -x : 88.7f;

	return 1.0f / (expf(m) + 1.0f + 1e-16f);
}

void
mm_trees_proba(const MmTreeEnsemble *e, const float *margins, float *proba, int n_classes)
{
	int			k;

	if (e->objective == MM_OBJ_BINARY_LOGISTIC)
	{
		/* the scikit-learn wrapper's complement, in float */
		proba[1] = sigmoid(margins[0]);
		proba[0] = 1.0f - proba[1];
		return;
	}
	if (e->objective == MM_OBJ_MULTI_SOFTPROB)
	{
		float		top = margins[0];
		double		sum = 0.0;

		for (k = 1; k < n_classes; k++)
			top = fmaxf(top, margins[k]);
		for (k = 0; k < n_classes; k++)
		{
			proba[k] = expf(margins[k] - top);
			sum += proba[k];
		}
		for (k = 0; k < n_classes; k++)
			proba[k] /= (float) sum;
	}
}

/*
 * XGBoost sums each tree's splits in float, in the order its WalkTree
 * visits them (depth first from the root, the right child popped first),
 * tree after tree; the same order gives the same float.
 */
int
mm_trees_split_stats(const MmTreeEnsemble *e, int n, float *total_gain, float *count)
{
	int32_t    *stack = mm_alloc(sizeof(int32_t) * ((size_t) e->n_nodes + 1));
	int			t,
				j;

	if (stack == NULL)
		return 0;
	for (j = 0; j < n; j++)
		total_gain[j] = count[j] = 0.0f;
	for (t = 0; t < e->n_trees; t++)
	{
		int			base = e->first[t],
					top = 0;

		stack[top++] = 0;
		while (top > 0)
		{
			int			node = base + stack[--top];

			if (e->left[node] < 0)
				continue;
			if (e->feature[node] < n)
			{
				total_gain[e->feature[node]] += e->gain[node];
				count[e->feature[node]] += 1.0f;
			}
			stack[top++] = e->left[node];
			stack[top++] = e->right[node];
		}
	}
	mm_free(stack);
	return 1;
}

float
mm_trees_base_margin(MmTreeObjective objective, float base_score)
{
	/* binary:logistic's ProbToMargin; the others take base_score as it is */
	if (objective == MM_OBJ_BINARY_LOGISTIC)
		return -logf(1.0f / base_score - 1.0f);
	return base_score;
}
