/*
 * svm_pass.c: the pass of the squared-hinge SVM's Newton steps (see
 * svm_pass.h for what it sums and its layout).
 *
 * Each row costs, per problem, two dot products (w.x and s.x), its loss at
 * every trial step from those two numbers, and, when its loss at the full
 * step is positive, a rank-one update of the gradient and the Hessian.  The
 * sums are plain additions merged in the source's order, so the same rows
 * in the same blocks give the same bits.
 */
#include "svm_pass.h"

#include <math.h>
#include <string.h>

#include "model.h"
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
		!(a[MM_SVM_A_K] >= 2 && a[MM_SVM_A_K] <= MM_MAX_CLASSES) || a[MM_SVM_A_K] != floor(a[MM_SVM_A_K]) ||
		!(a[MM_SVM_A_PROBLEMS] >= 0 && a[MM_SVM_A_PROBLEMS] <= a[MM_SVM_A_K]) || a[MM_SVM_A_PROBLEMS] != floor(a[MM_SVM_A_PROBLEMS]) ||
		!(a[MM_SVM_A_STEPS] >= 1 && a[MM_SVM_A_STEPS] <= MM_SVM_MAX_STEPS) || a[MM_SVM_A_STEPS] != floor(a[MM_SVM_A_STEPS]) ||
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

/* Adds one row's share to one problem: its losses at the trial steps, and g and H at w + s. */
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
		for (r = 0; r < problems; r++)
			add_to_problem(per + (size_t) r * stride, prob + (size_t) r * astride, x, p, d, steps,
						   t, cls, a[MM_SVM_A_C] * cw[cls]);
	}
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
