/*
 * hist_level.c: the pass of one level of trees grown on histograms (see
 * hist_trees.h, and hist_arg.h for its arg and state).
 *
 * A row's bin in each column is found once, by a binary search of the
 * column's cuts with its value as a float; then for each tree that draws
 * the row, the walk by those bins from the root ends at a leaf or at an
 * open node, and a node this pass fills takes the row's label (or target)
 * into its bin of every column: the counts and sums the gradients and
 * hessians follow from (hist_arg.h).
 */
#include "hist_trees.h"

#include <math.h>
#include <string.h>

#include "compsum.h"
#include "hist_arg.h"
#include "model.h"
#include "rowhash.h"

/*
 * Bytes of an arg, or 0 unless it is one the grower could have sent: its
 * counts in range and its cuts increasing floats, each split's feature, cut
 * and left child in range with the child after its node (so that every walk
 * moves forward and ends), and each slot below the slots.
 */
static size_t
level_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;
	int			bins,
				trees,
				nodes,
				slots,
				groups,
				j,
				k;
	size_t		len;
	const double *n_cuts,
			   *cuts,
			   *tree,
			   *node;

	if (avail < sizeof(double) * HIST_A_HEAD || a[HIST_A_P] != (double) p || p < 1 ||
		!mm_whole_in(a[HIST_A_GROUPS], 1, MM_MAX_CLASSES) ||
		!mm_whole_in(a[HIST_A_OBJECTIVE], MM_OBJ_SQUARED_ERROR, MM_OBJ_MULTI_SOFTPROB) ||
		(a[HIST_A_OBJECTIVE] == MM_OBJ_MULTI_SOFTPROB) != (a[HIST_A_GROUPS] > 1) ||
		!mm_whole_in(a[HIST_A_BINS], 2, MM_HIST_MAX_BINS) ||
		!mm_whole_in(a[HIST_A_TREES], 1, MM_TREES_MAX_TREES) ||
		!mm_whole_in(a[HIST_A_NODES], a[HIST_A_TREES], MM_TREES_MAX_NODES) ||
		!mm_whole_in(a[HIST_A_SLOTS], 1, a[HIST_A_NODES]) ||
		!(a[HIST_A_ROW_SHARE] > 0.0 && a[HIST_A_ROW_SHARE] <= 1.0) ||
		!mm_whole_in(a[HIST_A_SEED], 0, 4294967295.0) || !isfinite(a[HIST_A_BASE_MARGIN]))
		return 0;
	bins = (int) a[HIST_A_BINS];
	trees = (int) a[HIST_A_TREES];
	nodes = (int) a[HIST_A_NODES];
	slots = (int) a[HIST_A_SLOTS];
	groups = (int) a[HIST_A_GROUPS];
	len = hist_arg_len(p, bins, trees, nodes);
	if (avail / sizeof(double) < len)
		return 0;
	n_cuts = a + HIST_A_HEAD;
	cuts = a + hist_arg_cuts(p);
	for (j = 0; j < p; j++)
	{
		const double *c = cuts + (size_t) j * (size_t) (bins - 1);

		if (!mm_whole_in(n_cuts[j], 0, bins - 1))
			return 0;
		for (k = 0; k < (int) n_cuts[j]; k++)
			if (!isfinite(c[k]) || c[k] != (double) (float) c[k] || (k > 0 && !(c[k] > c[k - 1])))
				return 0;
	}
	tree = a + hist_arg_trees(p, bins);
	for (k = 0; k < trees; k++, tree += HIST_TREE_WIDTH)
		if (!mm_whole_in(tree[0], 0, nodes - 1) || !mm_whole_in(tree[1], 0, groups - 1) ||
			!mm_whole_in(tree[2], 0, MM_TREES_MAX_TREES))
			return 0;
	node = a + hist_arg_nodes(p, bins, trees);
	for (k = 0; k < nodes; k++, node += HIST_NODE_WIDTH)
	{
		if (!mm_whole_in(node[0], -1, p - 1))
			return 0;
		if (node[0] < 0)
		{
			if (!mm_whole_in(node[1], -1, slots - 1))
				return 0;
			continue;
		}
		if (!mm_whole_in(node[1], 0, n_cuts[(int) node[0]] - 1) || !mm_whole_in(node[2], 0, 1) ||
			!mm_whole_in(node[3], k + 1, nodes - 2))
			return 0;
	}
	return sizeof(double) * len;
}

static size_t
level_state_size(int p, const void *arg)
{
	const double *a = arg;

	return hist_slot_bytes(p, (int) a[HIST_A_BINS], (int) a[HIST_A_OBJECTIVE]) * (size_t) a[HIST_A_SLOTS];
}

static void
level_init(void *state, int p, const void *arg)
{
	memset(state, 0, level_state_size(p, arg));
}

/* The bin of value v among a column's n ascending cuts: how many cuts are at or below it. */
static inline int
bin_of(const double *cuts, int n, double v)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (cuts[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Counts a row of class cls in a classifier's cell for a tree of class of_class. */
static inline void
count_class(HistClassCell *c, int cls, int of_class)
{
	/* a cell that can count no more stays full, which the grower refuses */
	if (c->rows == UINT32_MAX)
		return;
	c->rows++;
	c->of_class += cls == of_class;
}

static void
level_add(void *state, const MmRows *rows, const void *arg)
{
	const double *a = arg;
	int			p = rows->p,
				objective = (int) a[HIST_A_OBJECTIVE],
				bins = (int) a[HIST_A_BINS],
				trees = (int) a[HIST_A_TREES];
	double		share = a[HIST_A_ROW_SHARE];
	uint64_t	seed = (uint64_t) a[HIST_A_SEED],
				bound = share >= 1.0 ? UINT64_MAX : (uint64_t) (share * 18446744073709551616.0);
	const double *n_cuts = a + HIST_A_HEAD,
			   *cuts = a + hist_arg_cuts(p),
			   *tree_at = a + hist_arg_trees(p, bins),
			   *node = a + hist_arg_nodes(p, bins, trees);
	size_t		cells_per_slot = (size_t) p * (size_t) (bins + 1),
				i;
	HistClassCell *counts = state;
	HistTargetCell *sums = state;
	int			bin[MM_MAX_FEATURES];

	/* a regression's rows carry targets, a classifier's class indexes */
	if (objective == MM_OBJ_SQUARED_ERROR ? rows->t == NULL : rows->y == NULL)
		return;
	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) p;
		double		y = objective == MM_OBJ_SQUARED_ERROR ? rows->t[i] : (double) rows->y[i];
		uint64_t	row_hash = 0,
					label_bits;
		int			j,
					t;

		for (j = 0; j < p; j++)
		{
			float		v = (float) x[j];

			bin[j] = isnan(v) ? bins : bin_of(cuts + (size_t) j * (size_t) (bins - 1), (int) n_cuts[j], v);
		}
		/* the row's draws into each tree's share, when the trees draw */
		if (bound != UINT64_MAX)
		{
			memcpy(&label_bits, &y, sizeof(label_bits));
			row_hash = mm_mix64(mm_row_hash_rounded(x, p) ^ (label_bits * MM_HASH_GOLDEN));
		}
		for (t = 0; t < trees; t++)
		{
			const double *tr = tree_at + (size_t) t * HIST_TREE_WIDTH;
			int			n = (int) tr[0],
						slot,
						of_class;
			size_t		first;

			if (bound != UINT64_MAX &&
				mm_mix64(row_hash ^ mm_mix64((seed << 32) + (uint64_t) tr[2])) >= bound)
				continue;
			while (node[(size_t) n * HIST_NODE_WIDTH] >= 0)
			{
				const double *d = node + (size_t) n * HIST_NODE_WIDTH;
				int			b = bin[(int) d[0]],
							left = b == bins ? d[2] != 0.0 : b <= (int) d[1];

				n = (int) d[3] + !left;
			}
			slot = (int) node[(size_t) n * HIST_NODE_WIDTH + 1];
			if (slot < 0)
				continue;
			first = (size_t) slot * cells_per_slot;
			if (objective == MM_OBJ_SQUARED_ERROR)
			{
				for (j = 0; j < p; j++)
				{
					HistTargetCell *c = &sums[first + (size_t) j * (size_t) (bins + 1) + (size_t) bin[j]];

					c->rows += 1.0;
					mm_compsum_add(&c->sum, &c->compensation, y);
				}
				continue;
			}
			/* the tree's class: the positive one of two, else its group's */
			of_class = objective == MM_OBJ_BINARY_LOGISTIC ? 1 : (int) tr[1];
			for (j = 0; j < p; j++)
				count_class(&counts[first + (size_t) j * (size_t) (bins + 1) + (size_t) bin[j]], (int) y,
							of_class);
		}
	}
}

static void
level_merge(void *state, const void *other, int p, const void *arg)
{
	const double *a = arg;
	size_t		n = level_state_size(p, arg) / hist_cell_bytes((int) a[HIST_A_OBJECTIVE]),
				i;

	if ((int) a[HIST_A_OBJECTIVE] == MM_OBJ_SQUARED_ERROR)
	{
		HistTargetCell *s = state;
		const HistTargetCell *o = other;

		for (i = 0; i < n; i++)
		{
			s[i].rows += o[i].rows;
			mm_compsum_add(&s[i].sum, &s[i].compensation, o[i].sum);
			s[i].compensation += o[i].compensation;
		}
		return;
	}
	{
		HistClassCell *s = state;
		const HistClassCell *o = other;

		for (i = 0; i < n; i++)
		{
			uint64_t	rows = (uint64_t) s[i].rows + o[i].rows;

			/* past 32 bits the cell is full: the grower refuses it rather than count wrong */
			s[i].rows = rows >= UINT32_MAX ? UINT32_MAX : (uint32_t) rows;
			s[i].of_class += o[i].of_class;
		}
	}
}

const MmPass mm_hist_level_pass = {
	.name = "hist_level",
	.state_size = level_state_size,
	.init = level_init,
	.add = level_add,
	.merge = level_merge,
	.arg_size = level_arg_size,
};
