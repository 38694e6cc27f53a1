/*
 * ksvm_predict.c: a kernel SVM's prediction from its decision values
 * (ksvm_block.c computes them, see ksvm.h): libsvm's vote and
 * probabilities, repeated to the bit.
 */
#include "ksvm.h"

#include <math.h>

#include "colmoments.h"
#include "model.h"

int
mm_ksvm_n_decisions(const MmKernelSvm *m)
{
	return m->regression ? 1 : m->n_groups * (m->n_groups - 1) / 2;
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
	size_t		count = n * (size_t) p;
	double		mean,
				var;

	if (count == 0)
		return 1.0;
	/* compensated, so that the same rows in any order give the same gamma */
	mm_values_mean_var(x, count, &mean, &var);
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
	mm_free(m->sv_block);
	mm_free(m->sv_coef);
	mm_free(m->rho);
	mm_free(m->prob_a);
	mm_free(m->prob_b);
	mm_free(m);
}
