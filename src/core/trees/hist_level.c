/*
 * hist_level.c: the pass of one level of trees grown on histograms (see
 * hist_trees.h, and hist_arg.h for its arg and state).
 *
 * A row's bin in each column is found once, by a binary search of the
 * column's cuts with its value as a float; then for each tree that draws
 * the row, the walk by those bins from the root ends at a leaf or at an
 * open node, and a node this pass fills takes the row's label (or target)
 * into its bin of every column: the counts and sums the gradients and
 * hessians follow from (hist_arg.h).  For boosted trees the row first walks
 * the finished trees to its margins, as prediction adds them, and its
 * gradients and hessians at those margins are what its bins sum.
 */
#include "hist_trees.h"

#include <math.h>
#include <string.h>

#include "compsum.h"
#include "hist_arg.h"
#include "model.h"
#include "rowhash.h"
#include "xgb_train.h"

/* The least probability a held-out row's loss takes the log of, as XGBoost's metrics clip it. */
#define LOSS_EPS 1e-16

/* The least hessian of a row, as XGBoost's objectives bound it. */
#define MIN_HESSIAN 1e-16

/*
 * Whether the trees of a are laid out as the grower sends them: the roots
 * ascending from 0, each tree's nodes up to the next root, each split's
 * feature, cut and left child in range with the children after their node
 * and inside its tree (so that every walk moves forward and ends there),
 * each slot below the slots and only in a growing tree, every weight finite.
 */
static int
trees_sound(const double *a, int p)
{
	int			bins = (int) a[HIST_A_BINS],
				trees = (int) a[HIST_A_TREES],
				nodes = (int) a[HIST_A_NODES],
				slots = (int) a[HIST_A_SLOTS],
				groups = (int) a[HIST_A_GROUPS],
				boosted = (int) a[HIST_A_BOOSTED],
				t,
				k;
	const double *n_cuts = a + HIST_A_HEAD,
			   *tree = a + hist_arg_trees(p, bins),
			   *node = a + hist_arg_nodes(p, bins, trees);

	for (t = 0; t < trees; t++)
	{
		const double *tr = tree + (size_t) t * HIST_TREE_WIDTH;
		/* the next tree's root, checked before it is taken as a whole number */
		double		next = t + 1 < trees ? tr[HIST_TREE_WIDTH] : nodes;
		int			end;

		if (t == 0 && tr[0] != 0.0)
			return 0;
		if (!mm_whole_in(tr[0], 0, nodes - 1) || !mm_whole_in(tr[1], 0, groups - 1) ||
			!mm_whole_in(tr[2], 0, MM_TREES_MAX_TREES) || !mm_whole_in(tr[3], !boosted, 1) ||
			!mm_whole_in(next, tr[0] + 1, nodes))
			return 0;
		end = (int) next;
		for (k = (int) tr[0]; k < end; k++)
		{
			const double *d = node + (size_t) k * HIST_NODE_WIDTH;

			if (!mm_whole_in(d[0], -1, p - 1) || !isfinite(d[4]))
				return 0;
			if (d[0] < 0)
			{
				if (!mm_whole_in(d[1], -1, tr[3] != 0.0 ? slots - 1 : -1))
					return 0;
				continue;
			}
			if (!mm_whole_in(d[1], 0, n_cuts[(int) d[0]] - 1) || !mm_whole_in(d[2], 0, 1) ||
				!mm_whole_in(d[3], k + 1, end - 2))
				return 0;
		}
	}
	return 1;
}

/*
 * Bytes of an arg, or 0 unless it is one the grower could have sent: its
 * counts and flags in range, its cuts increasing floats, its trees sound.
 */
static size_t
level_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;
	int			bins,
				j,
				k;
	size_t		len;
	const double *n_cuts,
			   *cuts;

	if (avail < sizeof(double) * HIST_A_HEAD || a[HIST_A_P] != (double) p || p < 1 ||
		!mm_whole_in(a[HIST_A_GROUPS], 1, MM_MAX_CLASSES) ||
		!mm_whole_in(a[HIST_A_OBJECTIVE], MM_OBJ_SQUARED_ERROR, MM_OBJ_MULTI_SOFTPROB) ||
		(a[HIST_A_OBJECTIVE] == MM_OBJ_MULTI_SOFTPROB) != (a[HIST_A_GROUPS] > 1) ||
		!mm_whole_in(a[HIST_A_BINS], 2, MM_HIST_MAX_BINS) ||
		!mm_whole_in(a[HIST_A_TREES], 1, MM_TREES_MAX_TREES) ||
		!mm_whole_in(a[HIST_A_NODES], a[HIST_A_TREES], MM_TREES_MAX_NODES) ||
		!(a[HIST_A_ROW_SHARE] > 0.0 && a[HIST_A_ROW_SHARE] <= 1.0) ||
		!mm_whole_in(a[HIST_A_SEED], 0, 4294967295.0) || !isfinite(a[HIST_A_BASE_MARGIN]) ||
		!mm_whole_in(a[HIST_A_BOOSTED], 0, 1) ||
		!(a[HIST_A_POS_WEIGHT] > 0.0 && isfinite(a[HIST_A_POS_WEIGHT])) ||
		!mm_whole_in(a[HIST_A_HOLDOUT], 0, a[HIST_A_BOOSTED]) ||
		!mm_whole_in(a[HIST_A_HOLDOUT_SALT_HI], 0, 4294967295.0) ||
		!mm_whole_in(a[HIST_A_HOLDOUT_SALT_LO], 0, 4294967295.0) ||
		!mm_whole_in(a[HIST_A_EVAL], 0, a[HIST_A_HOLDOUT]) ||
		!mm_whole_in(a[HIST_A_SLOTS], !a[HIST_A_EVAL], a[HIST_A_NODES]))
		return 0;
	bins = (int) a[HIST_A_BINS];
	len = hist_arg_len(p, bins, (int) a[HIST_A_TREES], (int) a[HIST_A_NODES]);
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
	return trees_sound(a, p) ? sizeof(double) * len : 0;
}

static HistCells
arg_cells(const double *a)
{
	return hist_cells((int) a[HIST_A_BOOSTED], (int) a[HIST_A_OBJECTIVE]);
}

/* Bytes of the histograms of the slots (the tail, if any, follows them). */
static size_t
histogram_bytes(int p, const double *a)
{
	return hist_slot_bytes(p, (int) a[HIST_A_BINS], arg_cells(a)) * (size_t) a[HIST_A_SLOTS];
}

static size_t
level_state_size(int p, const void *arg)
{
	const double *a = arg;

	return histogram_bytes(p, a) + (a[HIST_A_EVAL] != 0.0 ? sizeof(HistEvalTail) : 0);
}

static void
level_init(void *state, int p, const void *arg)
{
	memset(state, 0, level_state_size(p, arg));
}

/*
 * The bin of value v among a column's n ascending cuts: how many cuts are
 * at or below it.  The search halves without a branch on the comparison,
 * which a row's values would leave the processor to guess.
 */
static inline int
bin_of(const double *cuts, int n, double v)
{
	const double *b = cuts;
	int			len = n;

	if (n == 0)
		return 0;
	while (len > 1)
	{
		int			half = len >> 1;

		b = b[half] <= v ? b + half : b;
		len -= half;
	}
	return (int) (b - cuts) + (*b <= v);
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

/* The node the walk of a row by its bins reaches from node n: a leaf, or an open node. */
static inline int
walk(const double *node, const int *bin, int bins, int n)
{
	while (node[(size_t) n * HIST_NODE_WIDTH] >= 0)
	{
		const double *d = node + (size_t) n * HIST_NODE_WIDTH;
		int			b = bin[(int) d[0]],
					left = b == bins ? d[2] != 0.0 : b <= (int) d[1];

		n = (int) d[3] + !left;
	}
	return n;
}

/*
 * A classifier's probabilities at a row's margins m, in double: of the
 * positive class, the logistic function of its margin; of more classes,
 * the softmax of theirs.
 */
static void
probabilities(int objective, int groups, const float *m, double *pr)
{
	double		top = m[0],
				sum = 0.0;
	int			k;

	if (objective == MM_OBJ_BINARY_LOGISTIC)
	{
		pr[0] = 1.0 / (1.0 + exp(-(double) m[0]));
		return;
	}
	for (k = 1; k < groups; k++)
		top = fmax(top, m[k]);
	for (k = 0; k < groups; k++)
		sum += (pr[k] = exp((double) m[k] - top));
	for (k = 0; k < groups; k++)
		pr[k] /= sum;
}

/*
 * A boosted row's gradients and hessians for each group at its margins m
 * (a classifier's probabilities there pr), as XGBoost's objectives give
 * them: squared error m - t and 1; logistic p - y and p (1 - p), the
 * positive class's rows weighted; softmax p_k - [y = k] and
 * 2 p_k (1 - p_k).
 */
static void
gradients(int objective, int groups, double pos_weight, const float *m, const double *pr, double y,
		  double *g, double *h)
{
	int			k;

	if (objective == MM_OBJ_SQUARED_ERROR)
	{
		g[0] = (double) m[0] - y;
		h[0] = 1.0;
		return;
	}
	if (objective == MM_OBJ_BINARY_LOGISTIC)
	{
		double		w = y == 1.0 ? pos_weight : 1.0;

		g[0] = (pr[0] - y) * w;
		h[0] = fmax(pr[0] * (1.0 - pr[0]), MIN_HESSIAN) * w;
		return;
	}
	for (k = 0; k < groups; k++)
	{
		g[k] = pr[k] - (k == (int) y);
		h[k] = fmax(2.0 * pr[k] * (1.0 - pr[k]), MIN_HESSIAN);
	}
}

/*
 * A held-out row's loss at its margins m (a classifier's probabilities
 * there pr), as the objective's default metric counts it: its squared
 * error (rmse), or its negative log-likelihood (logloss, mlogloss), the
 * probability clipped away from 0 and 1.
 */
static double
row_loss(int objective, const float *m, const double *pr, double y)
{
	if (objective == MM_OBJ_SQUARED_ERROR)
		return ((double) m[0] - y) * ((double) m[0] - y);
	if (objective == MM_OBJ_BINARY_LOGISTIC)
	{
		double		p1 = fmin(fmax(pr[0], LOSS_EPS), 1.0 - LOSS_EPS);

		return -(y == 1.0 ? log(p1) : log(1.0 - p1));
	}
	return -log(fmax(pr[(int) y], LOSS_EPS));
}

/* What a level pass's add reads off its arg, once a call. */
typedef struct Level
{
	int			p,
				objective,
				groups,
				bins,
				trees,
				boosted,
				holdout;
	HistCells	kind;
	double		pos_weight;
	float		base_margin;
	uint64_t	seed,
				salt,
				bound;			/* a row draws into a tree's share below it; UINT64_MAX: every row */
	const double *n_cuts,
			   *cuts,
			   *tree,
			   *node;
	size_t		cells_per_slot;
	HistEvalTail *tail;
} Level;

/*
 * The rows of a block walk the finished trees a tree at a time, so that a
 * tree's nodes stay in cache for all of them: at most BLOCK_ROWS rows, and
 * at most BLOCK_VALUES of their bins and of their margins, which hold a row
 * of the widest design and of the most classes.
 */
#define BLOCK_VALUES 4096
#define BLOCK_ROWS 32

typedef char block_holds_a_row[BLOCK_VALUES >= MM_MAX_FEATURES && BLOCK_VALUES >= MM_MAX_CLASSES ? 1 : -1];

static void
read_level(Level *l, const double *a, int p, void *state)
{
	double		share = a[HIST_A_ROW_SHARE];

	l->p = p;
	l->objective = (int) a[HIST_A_OBJECTIVE];
	l->groups = (int) a[HIST_A_GROUPS];
	l->bins = (int) a[HIST_A_BINS];
	l->trees = (int) a[HIST_A_TREES];
	l->boosted = a[HIST_A_BOOSTED] != 0.0;
	l->holdout = a[HIST_A_HOLDOUT] != 0.0;
	l->kind = arg_cells(a);
	l->pos_weight = a[HIST_A_POS_WEIGHT];
	l->base_margin = (float) a[HIST_A_BASE_MARGIN];
	l->seed = (uint64_t) a[HIST_A_SEED];
	l->salt = ((uint64_t) a[HIST_A_HOLDOUT_SALT_HI] << 32) | (uint64_t) a[HIST_A_HOLDOUT_SALT_LO];
	l->bound = share >= 1.0 ? UINT64_MAX : (uint64_t) (share * 18446744073709551616.0);
	l->n_cuts = a + HIST_A_HEAD;
	l->cuts = a + hist_arg_cuts(p);
	l->tree = a + hist_arg_trees(p, l->bins);
	l->node = a + hist_arg_nodes(p, l->bins, l->trees);
	l->cells_per_slot = (size_t) p * (size_t) (l->bins + 1);
	l->tail = a[HIST_A_EVAL] != 0.0 ? (HistEvalTail *) ((char *) state + histogram_bytes(p, a)) : NULL;
}

/* A row's bin in each column; NaN in the last. */
static inline void
row_bins(const Level *l, const double *x, int *bin)
{
	int			j;

	for (j = 0; j < l->p; j++)
	{
		float		v = (float) x[j];

		bin[j] = isnan(v) ? l->bins :
			bin_of(l->cuts + (size_t) j * (size_t) (l->bins - 1), (int) l->n_cuts[j], v);
	}
}

/* Rows of a block that walk a tree side by side: their steps overlap in the processor. */
#define LANES 16

/*
 * The margins of a block's n rows: the finished trees' leaves added in
 * float, in the trees' order, onto the base margin, as prediction adds
 * them.  A tree at a time over the block, so that its nodes stay in cache,
 * and LANES rows at a time down it, a step for each in turn until all are
 * at leaves: a row at a leaf stays there, so the steps need no branch of
 * their own.
 */
static void
block_margins(const Level *l, const int *bin, int n, float *margin)
{
	int			r,
				t;

	for (r = 0; r < n * l->groups; r++)
		margin[r] = l->base_margin;
	for (t = 0; t < l->trees; t++)
	{
		const double *tr = l->tree + (size_t) t * HIST_TREE_WIDTH;
		int			group = (int) tr[1],
					first;

		if (tr[3] != 0.0)
			continue;
		for (first = 0; first < n; first += LANES)
		{
			int			lanes = n - first < LANES ? n - first : LANES,
						at[LANES],
						k,
						moved;

			for (k = 0; k < lanes; k++)
				at[k] = (int) tr[0];
			do
			{
				moved = 0;
				for (k = 0; k < lanes; k++)
				{
					const double *d = l->node + (size_t) at[k] * HIST_NODE_WIDTH;
					int			feature = (int) d[0],
								split = feature >= 0,
								b = bin[(size_t) (first + k) * l->p + (size_t) (split ? feature : 0)],
								left = b == l->bins ? d[2] != 0.0 : b <= (int) d[1];

					at[k] = split ? (int) d[3] + !left : at[k];
					moved |= split;
				}
			} while (moved);
			for (k = 0; k < lanes; k++)
				margin[(size_t) (first + k) * l->groups + group] +=
					(float) l->node[(size_t) at[k] * HIST_NODE_WIDTH + 4];
		}
	}
}

/*
 * One row into the histograms of the open nodes the growing trees send it
 * to: a boosted row at its margins (held out, it is only scored, where the
 * pass evaluates), a forest's by its label.
 */
static void
count_row(const Level *l, void *state, const double *x, double y, const int *bin, const float *margin)
{
	double		g[MM_MAX_CLASSES],
				h[MM_MAX_CLASSES],
				pr[MM_MAX_CLASSES];
	uint64_t	row_hash = 0,
				label_bits;
	int			t,
				j;

	if (l->boosted)
	{
		int			held = l->holdout &&
			mm_draw_is_test(mm_row_draw(mm_row_hash_rounded(x, l->p), l->salt), MM_XGB_VALIDATION_FRACTION);

		if (l->objective != MM_OBJ_SQUARED_ERROR)
			probabilities(l->objective, l->groups, margin, pr);
		if (l->tail != NULL)
		{
			if (held)
			{
				l->tail->held_rows += 1.0;
				mm_compsum_add(&l->tail->loss, &l->tail->loss_compensation,
							   row_loss(l->objective, margin, pr, y));
			}
			else
				l->tail->train_rows += 1.0;
		}
		if (held)
			return;
		gradients(l->objective, l->groups, l->pos_weight, margin, pr, y, g, h);
	}
	/* the row's draws into each tree's share, when the trees draw */
	if (l->bound != UINT64_MAX)
	{
		memcpy(&label_bits, &y, sizeof(label_bits));
		row_hash = mm_mix64(mm_row_hash_rounded(x, l->p) ^ (label_bits * MM_HASH_GOLDEN));
	}
	for (t = 0; t < l->trees; t++)
	{
		const double *tr = l->tree + (size_t) t * HIST_TREE_WIDTH;
		int			n,
					slot,
					group = (int) tr[1];
		size_t		first;

		if (tr[3] == 0.0)
			continue;
		if (l->bound != UINT64_MAX &&
			mm_mix64(row_hash ^ mm_mix64((l->seed << 32) + (uint64_t) tr[2])) >= l->bound)
			continue;
		n = walk(l->node, bin, l->bins, (int) tr[0]);
		slot = (int) l->node[(size_t) n * HIST_NODE_WIDTH + 1];
		if (slot < 0)
			continue;
		first = (size_t) slot * l->cells_per_slot;
		if (l->kind == HIST_CELLS_GRADIENT)
		{
			HistGradCell *cells = (HistGradCell *) state + first;

			for (j = 0; j < l->p; j++)
			{
				HistGradCell *c = &cells[(size_t) j * (size_t) (l->bins + 1) + (size_t) bin[j]];

				mm_compsum_add(&c->g, &c->g_compensation, g[group]);
				mm_compsum_add(&c->h, &c->h_compensation, h[group]);
			}
		}
		else if (l->kind == HIST_CELLS_TARGET)
		{
			HistTargetCell *cells = (HistTargetCell *) state + first;

			for (j = 0; j < l->p; j++)
			{
				HistTargetCell *c = &cells[(size_t) j * (size_t) (l->bins + 1) + (size_t) bin[j]];

				c->rows += 1.0;
				mm_compsum_add(&c->sum, &c->compensation, y);
			}
		}
		else
		{
			HistClassCell *cells = (HistClassCell *) state + first;
			/* the tree's class: the positive one of two, else its group's */
			int			of_class = l->objective == MM_OBJ_BINARY_LOGISTIC ? 1 : group;

			for (j = 0; j < l->p; j++)
				count_class(&cells[(size_t) j * (size_t) (l->bins + 1) + (size_t) bin[j]], (int) y, of_class);
		}
	}
}

static void
level_add(void *state, const MmRows *rows, const void *arg)
{
	Level		l;
	int			bin[BLOCK_VALUES];
	float		margin[BLOCK_VALUES];
	size_t		i,
				block;

	read_level(&l, arg, rows->p, state);
	/* a regression's rows carry targets, a classifier's class indexes */
	if (l.objective == MM_OBJ_SQUARED_ERROR ? rows->t == NULL : rows->y == NULL)
		return;
	/* rows a block, as many as their bins and margins fit (a row at least: p, groups <= BLOCK_VALUES) */
	block = BLOCK_VALUES / (size_t) (l.p > l.groups ? l.p : l.groups);
	block = block > BLOCK_ROWS ? BLOCK_ROWS : block;
	for (i = 0; i < rows->n; i += block)
	{
		size_t		n = rows->n - i < block ? rows->n - i : block,
					r;

		for (r = 0; r < n; r++)
			row_bins(&l, rows->x + (i + r) * (size_t) l.p, bin + r * (size_t) l.p);
		if (l.boosted)
			block_margins(&l, bin, (int) n, margin);
		for (r = 0; r < n; r++)
			count_row(&l, state, rows->x + (i + r) * (size_t) l.p,
					  l.objective == MM_OBJ_SQUARED_ERROR ? rows->t[i + r] : (double) rows->y[i + r],
					  bin + r * (size_t) l.p, margin + r * (size_t) l.groups);
	}
}

static void
level_merge(void *state, const void *other, int p, const void *arg)
{
	const double *a = arg;
	HistCells	kind = arg_cells(a);
	size_t		n = histogram_bytes(p, a) / hist_cell_bytes(kind),
				i;

	if (a[HIST_A_EVAL] != 0.0)
	{
		HistEvalTail *s = (HistEvalTail *) ((char *) state + histogram_bytes(p, a));
		const HistEvalTail *o = (const HistEvalTail *) ((const char *) other + histogram_bytes(p, a));

		s->train_rows += o->train_rows;
		s->held_rows += o->held_rows;
		mm_compsum_add(&s->loss, &s->loss_compensation, o->loss);
		s->loss_compensation += o->loss_compensation;
	}
	if (kind == HIST_CELLS_GRADIENT)
	{
		HistGradCell *s = state;
		const HistGradCell *o = other;

		for (i = 0; i < n; i++)
		{
			mm_compsum_add(&s[i].g, &s[i].g_compensation, o[i].g);
			s[i].g_compensation += o[i].g_compensation;
			mm_compsum_add(&s[i].h, &s[i].h_compensation, o[i].h);
			s[i].h_compensation += o[i].h_compensation;
		}
		return;
	}
	if (kind == HIST_CELLS_TARGET)
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

const MmPass *const mm_hist_tree_passes[] = {&mm_hist_cuts_pass, &mm_hist_level_pass, NULL};
