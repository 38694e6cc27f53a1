/*
 * ksvm_predict.c: a kernel SVM's prediction (see ksvm.h), libsvm's
 * arithmetic repeated in the core so that every digit agrees with the
 * library's svm_predict_values and svm_predict_probability.
 */
#include "ksvm.h"

#include <math.h>

#include "model.h"

int
mm_ksvm_n_decisions(const MmKernelSvm *m)
{
	return m->regression ? 1 : m->n_groups * (m->n_groups - 1) / 2;
}

/* base to a whole power by squaring, libsvm's powi: pow() would round differently. */
static double
power(double base, int times)
{
	double		tmp = base,
				ret = 1.0;
	int			t;

	for (t = times; t > 0; t /= 2)
	{
		if (t % 2 == 1)
			ret *= tmp;
		tmp = tmp * tmp;
	}
	return ret;
}

static double
dot(const double *x, const double *y, int p)
{
	double		sum = 0;
	int			j;

	for (j = 0; j < p; j++)
		sum += x[j] * y[j];
	return sum;
}

double
mm_ksvm_kernel(const MmKernelSvm *m, const double *x, const double *y, int p)
{
	switch (m->kernel)
	{
		case MM_KERNEL_LINEAR:
			return dot(x, y, p);
		case MM_KERNEL_POLY:
			return power(m->gamma * dot(x, y, p) + m->coef0, m->degree);
		case MM_KERNEL_RBF:
			{
				/* the squared distance term by term, not |x|^2 + |y|^2 - 2 x.y as training's cache */
				double		sum = 0;
				int			j;

				for (j = 0; j < p; j++)
				{
					double		d = x[j] - y[j];

					sum += d * d;
				}
				return exp(-m->gamma * sum);
			}
		case MM_KERNEL_SIGMOID:
			return tanh(m->gamma * dot(x, y, p) + m->coef0);
	}
	return 0;
}

/*
 * libsvm sums pair (i, j)'s function over group i's support vectors, then
 * group j's, each in order, from zero; visiting the support vectors once,
 * in order, and adding each one's term to every function it takes part in
 * adds every function's terms in that same order, without keeping the
 * kernel values of a row (which scoring threads could not allocate).
 */
void
mm_ksvm_decision_values(const MmKernelSvm *m, int p, const double *z, double *dec)
{
	int			n = mm_ksvm_n_decisions(m),
				g,
				s,
				d;

	for (d = 0; d < n; d++)
		dec[d] = 0;
	if (m->regression)
	{
		for (s = 0; s < m->n_sv; s++)
			dec[0] += m->sv_coef[s] * mm_ksvm_kernel(m, z, m->sv + (size_t) s * p, p);
		dec[0] -= m->rho[0];
		return;
	}
	s = 0;
	for (g = 0; g < m->n_groups; g++)
	{
		int			end = s + m->group_sv[g];

		for (; s < end; s++)
		{
			double		k = mm_ksvm_kernel(m, z, m->sv + (size_t) s * p, p);
			int			other;

			/*
			 * pair (other, g) for other < g takes coefficient row other, pair
			 * (g, other) for other > g row other - 1; pairs run (0,1), (0,2), ...
			 */
			for (other = 0; other < m->n_groups; other++)
			{
				int			i = other < g ? other : g,
							j = other < g ? g : other,
							pair = i * m->n_groups - i * (i + 1) / 2 + (j - i - 1);
				int			row = other < g ? other : other - 1;

				if (other == g)
					continue;
				dec[pair] += m->sv_coef[(size_t) row * m->n_sv + s] * k;
			}
		}
	}
	for (d = 0; d < n; d++)
		dec[d] -= m->rho[d];
}

int
mm_ksvm_vote(const MmKernelSvm *m, const double *dec)
{
	int			votes[MM_MAX_CLASSES];
	int			i,
				j,
				pair = 0,
				best = 0;

	for (i = 0; i < m->n_groups; i++)
		votes[i] = 0;
	for (i = 0; i < m->n_groups; i++)
		for (j = i + 1; j < m->n_groups; j++)
		{
			if (dec[pair] > 0)
				votes[i]++;
			else
				votes[j]++;
			pair++;
		}
	for (i = 1; i < m->n_groups; i++)
		if (votes[i] > votes[best])
			best = i;
	return best;
}

/* Platt's sigmoid of a decision value, written to keep 1 - p accurate as libsvm does. */
static double
sigmoid(double dec, double a, double b)
{
	double		fApB = dec * a + b;

	if (fApB >= 0)
		return exp(-fApB) / (1.0 + exp(-fApB));
	return 1.0 / (1 + exp(fApB));
}

/*
 * The class probabilities from the pairwise ones r (k x k): Wu, Lin and
 * Weng's second method, by libsvm's fixed-point iteration and its stopping
 * rule, so that the digits are the library's.
 */
static void
couple(int k, double r[][MM_KSVM_MAX_PROBA_CLASSES], double *p)
{
	double		q[MM_KSVM_MAX_PROBA_CLASSES][MM_KSVM_MAX_PROBA_CLASSES];
	double		qp[MM_KSVM_MAX_PROBA_CLASSES];
	double		pqp,
				eps = 0.005 / k;
	int			max_iter = k > 100 ? k : 100,
				iter,
				t,
				j;

	for (t = 0; t < k; t++)
	{
		p[t] = 1.0 / k;
		q[t][t] = 0;
		for (j = 0; j < t; j++)
		{
			q[t][t] += r[j][t] * r[j][t];
			q[t][j] = q[j][t];
		}
		for (j = t + 1; j < k; j++)
		{
			q[t][t] += r[j][t] * r[j][t];
			q[t][j] = -r[j][t] * r[t][j];
		}
	}
	for (iter = 0; iter < max_iter; iter++)
	{
		double		max_error = 0;

		/* the stopping rule recomputes qp and pqp afresh, for accuracy */
		pqp = 0;
		for (t = 0; t < k; t++)
		{
			qp[t] = 0;
			for (j = 0; j < k; j++)
				qp[t] += q[t][j] * p[j];
			pqp += p[t] * qp[t];
		}
		for (t = 0; t < k; t++)
		{
			double		error = fabs(qp[t] - pqp);

			if (error > max_error)
				max_error = error;
		}
		if (max_error < eps)
			break;
		for (t = 0; t < k; t++)
		{
			double		diff = (-qp[t] + pqp) / q[t][t];

			p[t] += diff;
			pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
			for (j = 0; j < k; j++)
			{
				qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
				p[j] /= (1 + diff);
			}
		}
	}
}

void
mm_ksvm_probabilities(const MmKernelSvm *m, const double *dec, double *prob)
{
	const double min_prob = 1e-7;
	double		r[MM_KSVM_MAX_PROBA_CLASSES][MM_KSVM_MAX_PROBA_CLASSES];
	int			k = m->n_groups,
				i,
				j,
				pair = 0;

	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
		{
			double		v = sigmoid(dec[pair], m->prob_a[pair], m->prob_b[pair]);

			v = v > min_prob ? v : min_prob;
			r[i][j] = v < 1 - min_prob ? v : 1 - min_prob;
			r[j][i] = 1 - r[i][j];
			pair++;
		}
	/* two classes need no coupling: libsvm takes the pair's probabilities as they are */
	if (k == 2)
	{
		prob[0] = r[0][1];
		prob[1] = r[1][0];
		return;
	}
	couple(k, r, prob);
}

double
mm_ksvm_gamma_scale(const double *x, size_t n, int p)
{
	size_t		count = n * (size_t) p,
				i;
	double		mean = 0,
				var = 0;

	if (count == 0)
		return 1.0;
	for (i = 0; i < count; i++)
		mean += x[i];
	mean /= (double) count;
	for (i = 0; i < count; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= (double) count;
	return var > 0 ? 1.0 / ((double) p * var) : 1.0;
}

void
mm_ksvm_free(MmKernelSvm *m)
{
	if (m == NULL)
		return;
	mm_free(m->group_class);
	mm_free(m->group_sv);
	mm_free(m->sv);
	mm_free(m->sv_coef);
	mm_free(m->rho);
	mm_free(m->prob_a);
	mm_free(m->prob_b);
	mm_free(m);
}
