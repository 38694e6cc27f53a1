/*
 * logistic_passes.c: the class count and Newton passes of logistic
 * regression (see logistic_passes.h).
 *
 * The Newton pass's state is its head, then (with the full flag) the
 * gradient of the summed loss and the upper triangle of its Hessian,
 * packed row by row (and in a sampled pass the summed weight), then room for a batch of rows' working values (see
 * Room), as add runs on worker threads and may not allocate.  Merging adds
 * the sums; the working room is not part of the result.
 */
#include "logistic_passes.h"

#include <math.h>
#include <string.h>

#include "model.h"
#include "rowhash.h"
#include "panelsums.h"
#include "widevectors.h"

/*
 * The salt of the sampled passes' row draws: a constant of their own, so
 * that the sample is independent of the train/test split, which draws from
 * the same row hash under the seed's salt.
 */
#define SAMPLE_SALT UINT64_C(0x3c6ef372fe94f82b)

/* ---------------------------------------------------------------- shared */

/* The class of row i, or -1 when it has none in [0, k). */
static inline int
row_class(const MmRows *rows, size_t i, int k)
{
	double		t;

	if (rows->y != NULL)
		return rows->y[i] >= 0 && rows->y[i] < k ? (int) rows->y[i] : -1;
	t = rows->t != NULL ? rows->t[i] : NAN;
	return t >= 0.0 && t < (double) k && t == floor(t) ? (int) t : -1;
}

int
mm_logistic_sampled(const double *x, int p, double share)
{
	uint64_t	draw = mm_row_draw(mm_row_hash(x, p), SAMPLE_SALT);

	return (double) (draw >> 11) * 0x1.0p-53 < share;
}

/* ---------------------------------------------------------------- class counts */

static size_t
counts_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;

	(void) p;
	if (avail < sizeof(double) || !mm_whole_in(a[0], 2, MM_MAX_CLASSES))
		return 0;
	return sizeof(double);
}

static size_t
counts_state_size(int p, const void *arg)
{
	(void) p;
	return sizeof(double) * (MM_LOGISTIC_COUNTS_HEAD + (size_t) *(const double *) arg);
}

static void
counts_init(void *state, int p, const void *arg)
{
	double	   *s = state;

	memset(s, 0, counts_state_size(p, arg));
	s[0] = *(const double *) arg;
}

static void
counts_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			k = (int) *(const double *) arg;
	size_t		i;

	for (i = 0; i < rows->n; i++)
	{
		int			c = row_class(rows, i, k);

		s[c < 0 ? 1 : MM_LOGISTIC_COUNTS_HEAD + c] += 1.0;
	}
}

static void
counts_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			k = (int) *(const double *) arg,
				c;

	(void) p;
	for (c = 1; c < MM_LOGISTIC_COUNTS_HEAD + k; c++)
		s[c] += o[c];
}

static int
counts_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	int			k = (int) *(const double *) arg,
				c;

	(void) p;
	if (s[0] != (double) k)
		return 0;
	for (c = 1; c < MM_LOGISTIC_COUNTS_HEAD + k; c++)
		if (!mm_whole_in(s[c], 0, 9007199254740992.0))
			return 0;
	return 1;
}

const MmPass mm_logistic_counts_pass = {
	.name = "logistic_regression.class_counts",
	.state_size = counts_state_size,
	.init = counts_init,
	.add = counts_add,
	.merge = counts_merge,
	.arg_size = counts_arg_size,
	.check = counts_check,
};

/* ---------------------------------------------------------------- Newton */

/* The shape an arg gives: classes, parameters per row, in all, and whether full. */
typedef struct Shape
{
	int			k;
	int			d;
	int			R;
	int			m;
	int			full;			/* the gradient and Hessian, not the loss */
	double		sample;			/* the share sampled, 0 for every row */
} Shape;

static Shape
shape_of(const double *a)
{
	Shape		s;

	s.k = (int) a[MM_LOGISTIC_ARG_K];
	s.d = (int) a[MM_LOGISTIC_ARG_D];
	s.R = mm_logistic_rows(s.k);
	s.m = s.R * s.d;
	s.full = a[MM_LOGISTIC_ARG_FULL] != MM_LOGISTIC_PASS_LOSS;
	s.sample = a[MM_LOGISTIC_ARG_FULL] == MM_LOGISTIC_PASS_SAMPLED ?
		a[mm_logistic_arg_len(s.k, s.m)] : 0.0;
	return s;
}

/* Doubles of the gradient and Hessian part of the state (none for the loss alone), the weight included. */
static size_t
sums_len(const Shape *s)
{
	return (s->full ? (size_t) s->m + (size_t) s->m * (size_t) (s->m + 1) / 2 : 0) +
		(s->sample > 0.0 ? 1 : 0);
}

/*
 * Rows whose gradient and Hessian are summed together: the Hessian's
 * entries are summed over the batch a panel at a time (panelsums.h), each
 * from 0 over the batch's rows in their order, in registers, which is
 * several times faster than adding each row's outer product to the
 * triangle in memory.
 */
#define BATCH 32

/*
 * The width of a batch's rows: d rounded up to the rows and the least
 * columns of a panel (PANEL_COLS / 2, zero-padded), so that panels read
 * inside the rows.
 */
static int
width(const Shape *s)
{
	return (s->d + 3) / 4 * 4;
}

/* The working room: for a batch the rows and their products, probabilities, weights and classes. */
static size_t
room_len(const Shape *s)
{
	return (size_t) BATCH * (2 * (size_t) width(s) + (size_t) s->R + 3) + (size_t) s->R;
}

/* The working room's parts. */
typedef struct Room
{
	double	   *x;				/* BATCH rows of width(): the rows with their intercept 1 */
	double	   *z;				/* BATCH rows of width(): the rows times a weight */
	double	   *prob;			/* R columns of BATCH: the rows' scores, then their probabilities */
	double	   *w;				/* BATCH: the rows' class weights */
	double	   *cls;			/* BATCH: the rows' classes */
	double	   *c;				/* BATCH: a row's residual, times its weight */
	double	   *eta;			/* R: one row's scores */
} Room;

static Room
room_of(double *at, const Shape *s)
{
	Room		r;

	r.x = at;
	r.z = r.x + (size_t) width(s) * BATCH;
	r.prob = r.z + (size_t) width(s) * BATCH;
	r.w = r.prob + (size_t) s->R * BATCH;
	r.cls = r.w + BATCH;
	r.c = r.cls + BATCH;
	r.eta = r.c + BATCH;
	return r;
}

static size_t
newton_arg_size(int p, const void *arg, size_t avail)
{
	const double *a = arg;
	Shape		s;
	size_t		len,
				i;

	if (avail < sizeof(double) * MM_LOGISTIC_ARG_HEAD ||
		!mm_whole_in(a[MM_LOGISTIC_ARG_K], 2, MM_MAX_CLASSES) ||
		(a[MM_LOGISTIC_ARG_D] != p && a[MM_LOGISTIC_ARG_D] != p + 1) ||
		(a[MM_LOGISTIC_ARG_FULL] != MM_LOGISTIC_PASS_LOSS && a[MM_LOGISTIC_ARG_FULL] != MM_LOGISTIC_PASS_FULL &&
		 a[MM_LOGISTIC_ARG_FULL] != MM_LOGISTIC_PASS_SAMPLED))
		return 0;
	/* the shape without the share, which the bytes may not hold */
	s.k = (int) a[MM_LOGISTIC_ARG_K];
	s.d = (int) a[MM_LOGISTIC_ARG_D];
	s.m = mm_logistic_rows(s.k) * s.d;
	if (s.m > MM_LOGISTIC_MAX_PARAMS)
		return 0;
	len = mm_logistic_arg_len(s.k, s.m);
	if (a[MM_LOGISTIC_ARG_FULL] == MM_LOGISTIC_PASS_SAMPLED)
		len++;
	if (avail < sizeof(double) * len)
		return 0;
	for (i = MM_LOGISTIC_ARG_HEAD; i < len; i++)
		if (!isfinite(a[i]) || (i < MM_LOGISTIC_ARG_HEAD + (size_t) s.k && !(a[i] > 0.0)))
			return 0;
	if (a[MM_LOGISTIC_ARG_FULL] == MM_LOGISTIC_PASS_SAMPLED && !(a[len - 1] > 0.0 && a[len - 1] < 1.0))
		return 0;
	return sizeof(double) * len;
}

static size_t
newton_state_size(int p, const void *arg)
{
	Shape		s = shape_of(arg);

	(void) p;
	return sizeof(double) * (MM_LOGISTIC_STATE_HEAD + sums_len(&s) + room_len(&s));
}

static void
newton_init(void *state, int p, const void *arg)
{
	Shape		sh = shape_of(arg);
	double	   *s = state;

	memset(s, 0, newton_state_size(p, arg));
	s[MM_LOGISTIC_STATE_M] = sh.m;
	s[MM_LOGISTIC_STATE_FULL] = sh.full;
}

/*
 * The probabilities of one row's scores (the last class's for one score)
 * into prob (stride apart), and with want_loss its loss (else 0: the
 * logarithm is most of a row's cost, and a full pass does without it);
 * *wrong is set when the scores do not put the row strictly in its own
 * class cls.
 */
static inline double
row_loss(int R, int cls, const double *eta, double *prob, size_t stride, int want_loss, int *wrong)
{
	double		top,
				sum = 0.0;
	int			r;

	if (R == 1)
	{
		double		t = eta[0];
		double		e = exp(-fabs(t));

		prob[0] = t >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
		*wrong = (cls == 1) != (t > 0.0) || t == 0.0;
		return want_loss ? (t > 0.0 ? t : 0.0) + log1p(e) - (cls == 1 ? t : 0.0) : 0.0;
	}
	top = eta[0];
	for (r = 1; r < R; r++)
		if (eta[r] > top)
			top = eta[r];
	for (r = 0; r < R; r++)
	{
		prob[r * stride] = exp(eta[r] - top);
		sum += prob[r * stride];
	}
	*wrong = 0;
	for (r = 0; r < R; r++)
	{
		prob[r * stride] /= sum;
		if (r != cls && !(eta[cls] > eta[r]))
			*wrong = 1;
	}
	return want_loss ? top + log(sum) - eta[cls] : 0.0;
}

/*
 * Adds to g[v], for v < cols and v < used, the sums over n rows (of W
 * columns) of c[i] x[i][a + v], each in the rows' order as if added to
 * g[v] one row at a time, but in registers.
 */
static inline void
column_sums(const double *c, const double *x, int W, int n, int a, int cols, int used, double *g)
{
	double		s[PANEL_COLS];
	int			i,
				v,
				n_g = cols < used ? cols : used;

	/* whole vectors, with no call to copy a few values */
	for (v = 0; v < PANEL_COLS; v++)
		s[v] = v < n_g ? g[v] : 0.0;
	if (cols == PANEL_COLS)
		for (i = 0; i < n; i++)
			for (v = 0; v < PANEL_COLS; v++)
				s[v] += c[i] * x[(size_t) i * W + a + v];
	else
		for (i = 0; i < n; i++)
			for (v = 0; v < PANEL_COLS / 2; v++)
				s[v] += c[i] * x[(size_t) i * W + a + v];
	for (v = 0; v < PANEL_COLS; v++)
		if (v < n_g)
			g[v] = s[v];
}

/*
 * Adds the gradient and Hessian of the n rows waiting in the room: per
 * coefficient row r the residuals times the rows, and per pair of rows
 * r <= s the rows' outer products times w p_r (delta_rs - p_s) (p (1 - p)
 * for one row).
 */
MM_WIDE_VECTORS static void
batch_sums(const Shape *sh, Room *room, int n, double *grad, double *hess)
{
	int			d = sh->d,
				R = sh->R,
				m = sh->m,
				W = width(sh);
	int			r,
				s,
				a,
				b,
				u,
				v,
				i,
				cols;
	double		acc[PANEL_ROWS * PANEL_COLS];

	for (r = 0; r < R; r++)
	{
		const double *pr = room->prob + (size_t) r * BATCH;
		double	   *g = grad + (size_t) r * d;

		for (i = 0; i < n; i++)
		{
			int			yr = R == 1 ? room->cls[i] == 1.0 : room->cls[i] == (double) r;

			room->c[i] = room->w[i] * (pr[i] - (double) yr);
		}
		for (a = 0; a < d; a += cols)
		{
			cols = a + PANEL_COLS <= W ? PANEL_COLS : PANEL_COLS / 2;
			column_sums(room->c, room->x, W, n, a, cols, d - a, g + a);
		}
	}
	for (r = 0; r < R; r++)
		for (s = r; s < R; s++)
		{
			const double *pr = room->prob + (size_t) r * BATCH,
					   *ps = room->prob + (size_t) s * BATCH;

			for (i = 0; i < n; i++)
			{
				double		c = room->w[i] * (R == 1 ? pr[i] * (1.0 - pr[i]) :
											  pr[i] * ((r == s ? 1.0 : 0.0) - ps[i]));
				const double *xi = room->x + (size_t) i * W;
				double	   *zi = room->z + (size_t) i * W;

				for (a = 0; a < W; a++)
					zi[a] = c * xi[a];
			}
			for (a = 0; a < d; a += PANEL_ROWS)
				for (b = r == s ? a : 0; b < d; b += cols)
				{
					cols = b + PANEL_COLS <= W ? PANEL_COLS : PANEL_COLS / 2;
					memset(acc, 0, sizeof(double) * PANEL_ROWS * PANEL_COLS);
					mm_panel_sums(room->z, room->x, W, n, a, b, cols, acc);
					for (u = 0; u < PANEL_ROWS && a + u < d; u++)
					{
						int			row_index = r * d + a + u;
						/* row row_index of the triangle, indexed by the column */
						double	   *row = hess + mm_logistic_packed(m, row_index, row_index) - row_index;

						for (v = 0; v < cols && b + v < d; v++)
							if (r != s || b + v >= a + u)
								row[s * d + b + v] += acc[u * PANEL_COLS + v];
					}
				}
		}
}

/* A pass's running sums over the rows, kept in registers while a block of rows is added. */
typedef struct Running
{
	double		loss;
	double		wrong;
	double		rows;
} Running;

/*
 * Scores the n rows waiting in the room and adds them: their loss and
 * counts to run, in the rows' order, and in a full pass their gradient and
 * Hessian.  The scores of the whole batch are computed first, in a loop of
 * nothing else, so that the processor overlaps the rows' dot products,
 * whose additions would each wait on the last.
 */
static void
score_batch(const Shape *sh, const double *beta, int p, Room *room, int n, Running *run,
			double *grad, double *hess)
{
	int			R = sh->R,
				W = width(sh),
				i,
				j,
				r;

	for (r = 0; r < R; r++)
	{
		const double *br = beta + (size_t) r * sh->d;
		double	   *eta = room->prob + (size_t) r * BATCH;
		double		intercept = sh->d > p ? br[p] : 0.0;

		for (i = 0; i < n; i++)
		{
			const double *xi = room->x + (size_t) i * W;
			double		e = intercept;

			for (j = 0; j < p; j++)
				e += br[j] * xi[j];
			eta[i] = e;
		}
	}
	for (i = 0; i < n; i++)
	{
		int			wrong;

		/* the row's scores, which row_loss replaces by its probabilities */
		for (r = 0; r < R; r++)
			room->eta[r] = room->prob[(size_t) r * BATCH + i];
		run->loss += room->w[i] * row_loss(R, (int) room->cls[i], room->eta, room->prob + i, BATCH,
										   !sh->full, &wrong);
		run->wrong += wrong;
		run->rows += 1.0;
	}
	if (sh->full)
		batch_sums(sh, room, n, grad, hess);
}

static void
newton_add(void *state, const MmRows *rows, const void *arg)
{
	const double *a = arg;
	Shape		sh = shape_of(a);
	int			p = rows->p,
				W = width(&sh),
				n = 0;
	const double *cw = a + MM_LOGISTIC_ARG_HEAD;
	const double *beta = cw + sh.k;
	double	   *s = state;
	double	   *grad = s + MM_LOGISTIC_STATE_HEAD;
	double	   *hess = grad + sh.m;
	Room		room = room_of(s + MM_LOGISTIC_STATE_HEAD + sums_len(&sh), &sh);
	/* a sampled full pass's summed weight, after the triangle */
	double	   *weight = sh.full && sh.sample > 0.0 ?
		hess + (size_t) sh.m * (size_t) (sh.m + 1) / 2 : NULL;

	/*
	 * The counts and the loss are summed in registers, in the rows' order
	 * as in the state: a sum kept in memory makes each row wait on the last
	 * row's store.
	 */
	Running		run = {s[MM_LOGISTIC_STATE_LOSS], s[MM_LOGISTIC_STATE_WRONG], s[MM_LOGISTIC_STATE_ROWS]};
	double		no_class = s[MM_LOGISTIC_STATE_NO_CLASS],
				weight_sum = weight != NULL ? *weight : 0.0;
	size_t		i;

	for (i = 0; i < rows->n; i++)
	{
		const double *xi = rows->x + i * (size_t) p;
		int			cls;

		if (sh.sample > 0.0 && !mm_logistic_sampled(xi, p, sh.sample))
			continue;
		cls = row_class(rows, i, sh.k);
		if (cls < 0)
		{
			no_class += 1.0;
			continue;
		}
		if (weight != NULL)
			weight_sum += cw[cls];
		memcpy(room.x + (size_t) n * W, xi, sizeof(double) * p);
		if (sh.d > p)
			room.x[(size_t) n * W + p] = 1.0;
		room.w[n] = cw[cls];
		room.cls[n] = cls;
		if (++n == BATCH)
		{
			score_batch(&sh, beta, p, &room, n, &run, grad, hess);
			n = 0;
		}
	}
	if (n > 0)
		score_batch(&sh, beta, p, &room, n, &run, grad, hess);
	s[MM_LOGISTIC_STATE_LOSS] = run.loss;
	s[MM_LOGISTIC_STATE_WRONG] = run.wrong;
	s[MM_LOGISTIC_STATE_ROWS] = run.rows;
	s[MM_LOGISTIC_STATE_NO_CLASS] = no_class;
	if (weight != NULL)
		*weight = weight_sum;
}

static void
newton_merge(void *state, const void *other, int p, const void *arg)
{
	Shape		sh = shape_of(arg);
	double	   *s = state;
	const double *o = other;
	size_t		len = MM_LOGISTIC_STATE_HEAD + sums_len(&sh),
				i;

	(void) p;
	for (i = MM_LOGISTIC_STATE_ROWS; i < len; i++)
		s[i] += o[i];
}

static int
newton_check(const void *state, int p, const void *arg)
{
	Shape		sh = shape_of(arg);
	const double *s = state;
	int			i;

	(void) p;
	if (s[MM_LOGISTIC_STATE_M] != (double) sh.m || s[MM_LOGISTIC_STATE_FULL] != (double) sh.full)
		return 0;
	for (i = MM_LOGISTIC_STATE_ROWS; i <= MM_LOGISTIC_STATE_WRONG; i++)
		if (!mm_whole_in(s[i], 0, 9007199254740992.0))
			return 0;
	if (sh.sample > 0.0)
	{
		double		weight = s[MM_LOGISTIC_STATE_HEAD + sums_len(&sh) - 1];

		return isfinite(weight) && weight >= 0.0;
	}
	return 1;
}

const MmPass mm_logistic_newton_pass = {
	.name = "logistic_regression.newton",
	.state_size = newton_state_size,
	.init = newton_init,
	.add = newton_add,
	.merge = newton_merge,
	.arg_size = newton_arg_size,
	.check = newton_check,
};
