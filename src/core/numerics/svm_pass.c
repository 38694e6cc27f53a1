/*
 * svm_pass.c: the pass of the squared-hinge SVM's Newton steps (see
 * svm_pass.h for what it sums and its layout).
 *
 * Each row costs, per problem, two dot products (w.x and s.x), its loss at
 * every trial step from those two numbers, and, when its loss at the full
 * step is positive, a rank-one update of the gradient and the Hessian.
 * Rows are added a batch at a time (see BATCH), every sum still taking the
 * rows one by one in their order, so the bits are those of adding each row
 * to the state in turn, whatever the blocks and batches; the blocks' states
 * are merged in the source's order, so the same rows in the same blocks
 * give the same bits.
 */
#include "svm_pass.h"

#include <math.h>
#include <string.h>

#include "model.h"
#include "panelsums.h"
#include "widevectors.h"

/*
 * Bytes of an arg, or 0 unless its head fits p and every number is one the
 * fit could have sent: the counts in range, weights and C positive, steps
 * in (0, 1], positive classes in [0, k), coefficients finite.
 */
static size_t
newton_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;
	int			d,
				k,
				problems,
				steps,
				r;
	size_t		len,
				i;
	const double *cw,
			   *t,
			   *prob;

	if (avail < sizeof(double) * MM_SVM_A_HEAD || a[MM_SVM_A_P] != (double) p ||
		(a[MM_SVM_A_D] != (double) p && a[MM_SVM_A_D] != (double) p + 1) ||
		!mm_whole_in(a[MM_SVM_A_K], 2, MM_MAX_CLASSES) ||
		!mm_whole_in(a[MM_SVM_A_PROBLEMS], 0, a[MM_SVM_A_K]) ||
		!mm_whole_in(a[MM_SVM_A_STEPS], 1, MM_SVM_MAX_STEPS) ||
		!(a[MM_SVM_A_C] > 0.0) || !isfinite(a[MM_SVM_A_C]))
		return 0;
	d = (int) a[MM_SVM_A_D];
	k = (int) a[MM_SVM_A_K];
	problems = (int) a[MM_SVM_A_PROBLEMS];
	steps = (int) a[MM_SVM_A_STEPS];
	len = mm_svm_arg_len(d, k, problems, steps);
	if (avail / sizeof(double) < len)
		return 0;
	for (i = 0; i < len; i++)
		if (!isfinite(a[i]))
			return 0;
	cw = a + MM_SVM_A_HEAD;
	t = cw + k;
	prob = t + steps;
	for (i = 0; i < (size_t) k; i++)
		if (!(cw[i] > 0.0))
			return 0;
	for (i = 0; i < (size_t) steps; i++)
		if (!(t[i] > 0.0 && t[i] <= 1.0))
			return 0;
	for (r = 0; r < problems; r++)
	{
		double		positive = prob[(size_t) r * (1 + 2 * (size_t) d)];

		if (!(positive >= 0 && positive < k) || positive != floor(positive))
			return 0;
	}
	return sizeof(double) * len;
}

static size_t
newton_state_size(int p, const void *arg)
{
	const double *a = arg;
	int			d = (int) a[MM_SVM_A_D],
				k = (int) a[MM_SVM_A_K];

	(void) p;
	return sizeof(double) * (MM_SVM_S_HEAD + (size_t) k + 1 +
							 (size_t) a[MM_SVM_A_PROBLEMS] * mm_svm_problem_len(d, (int) a[MM_SVM_A_STEPS]));
}

static void
newton_init(void *state, int p, const void *arg)
{
	const double *a = arg;
	double	   *s = state;

	memset(s, 0, newton_state_size(p, arg));
	s[MM_SVM_S_D] = a[MM_SVM_A_D];
	s[MM_SVM_S_K] = a[MM_SVM_A_K];
	s[MM_SVM_S_PROBLEMS] = a[MM_SVM_A_PROBLEMS];
	s[MM_SVM_S_STEPS] = a[MM_SVM_A_STEPS];
}

/*
 * Rows whose shares are added together: their dot products, their losses
 * at the trial steps, the gradient and the Hessian's entries are summed a
 * batch at a time, in loops of nothing else (the rows' dot products
 * overlap, and many independent sums keep the adder busy), each sum still
 * taking the rows one at a time in their order, starting from the state's
 * value, so the bits are those of adding every row to the state in turn.
 */
#define BATCH 32

/*
 * Doubles of each of the three copies of a batch's rows (its rows column
 * by column, and its violating rows and those times their weight), on the
 * stack: add runs on worker threads and may not allocate, and the state's
 * size is the fit's.  Rows wider than this are added one at a time.
 */
#define ROOM (BATCH * 64)

/*
 * The width of a batch's violating rows: d and one more column, rounded up
 * to the least columns of a panel (PANEL_COLS / 2, zero-padded) so that
 * panels read inside the rows.  The column after the row's d holds minus
 * its residual q times its sign, so that the panels sum the gradient, g_j
 * - sum 2 C_i x_ij q_i y_i, as the Hessian's column d: the same products,
 * as y_i is 1 or -1 and rounding is symmetric.
 */
static inline int
width(int d)
{
	return (d + 4) / 4 * 4;
}

/* Rows of a block waiting to be added, with a class. */
typedef struct Batch
{
	int			n;
	int			room_rows;		/* rows it holds at most */
	int			cls[BATCH];
	double		c[BATCH];		/* C times the class's weight */
} Batch;

/* The room of a batch: ROOM doubles each. */
typedef struct Room
{
	double	   *cols;			/* the rows column by column, room_rows apart */
	double	   *x;				/* the violating rows of width(): x, 1, -q y, zero-padded */
	double	   *z;				/* those times 2 C_i */
} Room;

/*
 * Adds one row's share to one problem: its losses at the trial steps, and g
 * and H at w + s.  Rows too wide for the room go this way, one at a time.
 */
static inline void
add_to_problem(double *ps, const double *prob, const double *x, int p, int d, int steps,
			   const double *t, int cls, double c)
{
	const double *w = prob + 1,
			   *dir = w + d;
	double	   *loss = ps,
			   *g = ps + steps,
			   *h = g + d;
	double		sign = cls == (int) prob[0] ? 1.0 : -1.0;
	double		z = d > p ? w[p] : 0.0,
				u = d > p ? dir[p] : 0.0,
				q;
	int			j,
				l;

	for (j = 0; j < p; j++)
	{
		z += w[j] * x[j];
		u += dir[j] * x[j];
	}
	/*
	 * A step whose margin is not positive adds 0, which leaves the sum's
	 * bits as they are: the processor cannot predict which steps a row's
	 * margin is positive at, and without a branch the steps run as vectors.
	 */
	for (j = 0; j < steps; j++)
	{
		double		m = 1.0 - sign * (z + t[j] * u);

		loss[j] += m > 0.0 ? c * m * m : 0.0;
	}
	q = 1.0 - sign * (z + u);
	if (q <= 0.0)
		return;
	/* the row and its constant 1 share one loop: xj is x[j], or 1 at j == p */
	for (j = 0; j < d; j++)
	{
		double		xj = j < p ? x[j] : 1.0;
		double		cx = 2.0 * c * xj;

		g[j] -= cx * q * sign;
		for (l = j; l < p; l++)
			*h++ += cx * x[l];
		if (d > p)
			*h++ += cx;
	}
}

/*
 * Adds the gradient and the Hessian's entries of the n violating rows in
 * room to g and h (the upper triangle packed by rows), a panel at a time:
 * the panel's sums start from the entries' values, column l < d of row j
 * being h's (j, l) for l >= j and column d g_j; those outside them start
 * from 0 and are dropped.
 */
static inline void
panels(const Room *room, int n, int d, double *g, double *h)
{
	int			W = width(d),
				a,
				b,
				u,
				v,
				cols;
	double		acc[PANEL_ROWS * PANEL_COLS];

	for (a = 0; a < d; a += PANEL_ROWS)
		for (b = a; b <= d; b += cols)
		{
			cols = b + PANEL_COLS <= W ? PANEL_COLS : PANEL_COLS / 2;
			memset(acc, 0, sizeof(acc));
			for (u = 0; u < PANEL_ROWS && a + u < d; u++)
			{
				int			j = a + u,
							first = j > b ? j - b : 0,
							last = d - b < cols - 1 ? d - b : cols - 1;
				/* row j of the triangle from column b, indexed by the panel's column */
				const double *row = h + (size_t) j * d - (size_t) j * (j + 1) / 2 + b;

				for (v = first; v <= last; v++)
					acc[u * PANEL_COLS + v] = b + v < d ? row[v] : g[j];
			}
			mm_panel_sums(room->z, room->x, W, n, a, b, cols, acc);
			for (u = 0; u < PANEL_ROWS && a + u < d; u++)
			{
				int			j = a + u,
							first = j > b ? j - b : 0,
							last = d - b < cols - 1 ? d - b : cols - 1;
				double	   *row = h + (size_t) j * d - (size_t) j * (j + 1) / 2 + b;

				for (v = first; v <= last; v++)
				{
					if (b + v < d)
						row[v] = acc[u * PANEL_COLS + v];
					else
						g[j] = acc[u * PANEL_COLS + v];
				}
			}
		}
}

/*
 * Adds the batch's rows' shares to one problem, as add_to_problem would
 * one row after another.  The dot products of the whole batch come first,
 * over its rows as vectors; then the losses at each step; then the rows
 * whose margin at the full step is violated are copied into the room, with
 * their weights, and their gradient and Hessian summed over them.
 */
MM_WIDE_VECTORS static void
batch_problem(double *ps, const double *prob, const Batch *bt, int p, int d, int steps,
			  const double *t, Room *room)
{
	const double *w = prob + 1,
			   *dir = w + d;
	double	   *loss = ps,
			   *g = ps + steps,
			   *h = g + d;
	int			W = width(d),
				n = bt->n,
				stride = bt->room_rows,
				kept = 0,
				positive = (int) prob[0],
				i,
				j;
	double		z[BATCH],
				u[BATCH],
				sign[BATCH],
				sums[MM_SVM_MAX_STEPS];

	for (i = 0; i < n; i++)
	{
		z[i] = d > p ? w[p] : 0.0;
		u[i] = d > p ? dir[p] : 0.0;
		sign[i] = bt->cls[i] == positive ? 1.0 : -1.0;
	}
	for (j = 0; j < p; j++)
	{
		const double *col = room->cols + (size_t) j * stride;
		double		wj = w[j],
					sj = dir[j];

		for (i = 0; i < n; i++)
		{
			z[i] += wj * col[i];
			u[i] += sj * col[i];
		}
	}

	/*
	 * The steps' sums run side by side, as vectors, a row after another: a
	 * sum's additions wait on each other, so summing one step over the rows
	 * would wait on the adder's latency at every row.  A step whose margin
	 * is not positive adds c 0 0 = 0, which leaves the sum's bits as they
	 * are; the margin is chosen, not the product, as a product computed
	 * only where the margin is positive is a branch the compiler keeps.
	 */
	memcpy(sums, loss, sizeof(double) * steps);
	for (i = 0; i < n; i++)
	{
		double		zi = z[i],
					ui = u[i],
					si = sign[i],
					ci = bt->c[i];

		for (j = 0; j < steps; j++)
		{
			double		m = 1.0 - si * (zi + t[j] * ui),
						mp = m > 0.0 ? m : 0.0;

			sums[j] += ci * mp * mp;
		}
	}
	memcpy(loss, sums, sizeof(double) * steps);
	for (i = 0; i < n; i++)
	{
		double	   *xk = room->x + (size_t) kept * W,
				   *zk = room->z + (size_t) kept * W;
		double		qi = 1.0 - sign[i] * (z[i] + u[i]),
					c2 = 2.0 * bt->c[i];

		if (qi <= 0.0)
			continue;
		/*
		 * The weighted copy is made from the columns, not from the copy
		 * just stored, which a wide load would have to wait for.
		 */
		for (j = 0; j < p; j++)
		{
			double		v = room->cols[(size_t) j * stride + i];

			xk[j] = v;
			zk[j] = c2 * v;
		}
		for (j = p; j < W; j++)
		{
			double		v = j < d ? 1.0 : j == d ? -(qi * sign[i]) : 0.0;

			xk[j] = v;
			zk[j] = c2 * v;
		}
		kept++;
	}
	if (kept > 0)
		panels(room, kept, d, g, h);
}

/*
 * The class of row i, or -1.  Without class indexes (an aggregate that
 * reads the target as a number) the target is taken as the index: k
 * distinct labels in sorted order are their own indexes exactly when they
 * are 0 .. k - 1, and any other set has a label outside [0, k) that
 * counts as a row without a class, which the fit refuses.
 */
static inline int
row_class(const MmRows *rows, size_t i, int k)
{
	double		t;

	if (rows->y != NULL)
		return rows->y[i] >= 0 && rows->y[i] < k ? (int) rows->y[i] : -1;
	if (rows->t == NULL)
		return -1;
	t = rows->t[i];
	return t >= 0.0 && t < (double) k && t == floor(t) ? (int) t : -1;
}

MM_WIDE_VECTORS static void
newton_add(void *state, const MmRows *rows, const void *arg)
{
	const double *a = arg;
	double	   *s = state;
	int			p = rows->p,
				d = (int) a[MM_SVM_A_D],
				k = (int) a[MM_SVM_A_K],
				problems = (int) a[MM_SVM_A_PROBLEMS],
				steps = (int) a[MM_SVM_A_STEPS],
				r;
	const double *cw = a + MM_SVM_A_HEAD,
			   *t = cw + k,
			   *prob = t + steps;
	double	   *counts = s + MM_SVM_S_HEAD,
			   *per = counts + k + 1;
	size_t		stride = mm_svm_problem_len(d, steps),
				astride = 1 + 2 * (size_t) d,
				i;
	/* rows a batch holds: BATCH, or as many as the room holds of wide rows, or 0 to add each alone */
	int			room_rows = ROOM / width(d) < BATCH ? ROOM / width(d) : BATCH,
				j;
	double		room_cols[ROOM],
				room_x[ROOM],
				room_z[ROOM];
	Room		room = {room_cols, room_x, room_z};
	Batch		bt;

	bt.n = 0;
	bt.room_rows = room_rows;
	for (i = 0; i < rows->n; i++)
	{
		const double *x = rows->x + i * (size_t) p;
		int			cls = row_class(rows, i, k);

		if (cls < 0)
		{
			counts[k] += 1.0;
			continue;
		}
		counts[cls] += 1.0;
		if (room_rows == 0)
		{
			for (r = 0; r < problems; r++)
				add_to_problem(per + (size_t) r * stride, prob + (size_t) r * astride, x, p, d, steps, t,
							   cls, a[MM_SVM_A_C] * cw[cls]);
			continue;
		}
		for (j = 0; j < p; j++)
			room_cols[(size_t) j * room_rows + bt.n] = x[j];
		bt.cls[bt.n] = cls;
		bt.c[bt.n] = a[MM_SVM_A_C] * cw[cls];
		if (++bt.n == room_rows)
		{
			for (r = 0; r < problems; r++)
				batch_problem(per + (size_t) r * stride, prob + (size_t) r * astride, &bt, p, d, steps, t,
							  &room);
			bt.n = 0;
		}
	}
	if (bt.n > 0)
		for (r = 0; r < problems; r++)
			batch_problem(per + (size_t) r * stride, prob + (size_t) r * astride, &bt, p, d, steps, t,
						  &room);
}

static void
newton_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	size_t		len = newton_state_size(p, arg) / sizeof(double),
				i;

	for (i = MM_SVM_S_HEAD; i < len; i++)
		s[i] += o[i];
}

/* True when a state read back has the shape of the arg's, with counts a pass could have made. */
static int
newton_check(const void *state, int p, const void *arg)
{
	const double *a = arg;
	const double *s = state;
	int			k = (int) a[MM_SVM_A_K],
				c;

	(void) p;
	if (s[MM_SVM_S_D] != a[MM_SVM_A_D] || s[MM_SVM_S_K] != a[MM_SVM_A_K] || s[MM_SVM_S_PROBLEMS] != a[MM_SVM_A_PROBLEMS] ||
		s[MM_SVM_S_STEPS] != a[MM_SVM_A_STEPS])
		return 0;
	for (c = 0; c <= k; c++)
		if (!(s[MM_SVM_S_HEAD + c] >= 0.0) || s[MM_SVM_S_HEAD + c] != floor(s[MM_SVM_S_HEAD + c]) ||
			!isfinite(s[MM_SVM_S_HEAD + c]))
			return 0;
	return 1;
}

const MmPass mm_svm_newton_pass = {
	.name = "linear_svm.newton",
	.state_size = newton_state_size,
	.init = newton_init,
	.add = newton_add,
	.merge = newton_merge,
	.arg_size = newton_arg_size,
	.check = newton_check,
};
