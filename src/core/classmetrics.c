/*
 * classmetrics.c: the metrics of a classifier's predictions.
 */
#include "classmetrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A row's score and whether it is positive, sorted by score. */
typedef struct Scored
{
	double		score;
	int32_t		positive;
} Scored;

static int
by_score(const void *a, const void *b)
{
	double		x = ((const Scored *) a)->score,
				y = ((const Scored *) b)->score;

	return (x > y) - (x < y);
}

/* The area under the ROC curve: the Mann-Whitney statistic with mid-ranks for ties. */
double
mm_roc_auc(const int32_t *positive, const double *score, size_t n)
{
	Scored	   *s;
	double		npos = 0.0,
				rank_sum = 0.0,
				nneg;
	size_t		i,
				j;

	if (n == 0)
		return NAN;
	s = mm_alloc(sizeof(Scored) * n);
	if (s == NULL)
		return NAN;
	for (i = 0; i < n; i++)
	{
		s[i].score = score[i];
		s[i].positive = positive[i] != 0;
		npos += s[i].positive;
	}
	qsort(s, n, sizeof(Scored), by_score);
	for (i = 0; i < n; i = j)
	{
		double		pos_in_tie = 0.0,
					mid_rank;

		for (j = i; j < n && s[j].score == s[i].score; j++)
			pos_in_tie += s[j].positive;
		/* ranks i+1 .. j share their mean */
		mid_rank = ((double) (i + 1) + (double) j) / 2.0;
		rank_sum += pos_in_tie * mid_rank;
	}
	mm_free(s);
	nneg = (double) n - npos;
	if (npos == 0.0 || nneg == 0.0)
		return NAN;
	return (rank_sum - npos * (npos + 1.0) / 2.0) / (npos * nneg);
}

/* Computes the metrics (see classmetrics.h). */
MmErrorCode
mm_class_metrics(const int32_t *y, const int32_t *pred, const double *proba, const double *score,
				 size_t n, int k, MmClassMetrics *out, MmError *err)
{
	double	   *tp,
			   *support,
			   *predicted;
	double		correct = 0.0,
				present = 0.0;
	size_t		i;
	int			c;

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->rows = (double) n;
	out->confusion = mm_alloc0(sizeof(int64_t) * (size_t) k * k);
	tp = mm_alloc0(sizeof(double) * k * 3);
	if (out->confusion == NULL || tp == NULL)
	{
		mm_free(tp);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory computing metrics");
	}
	support = tp + k;
	predicted = tp + 2 * k;
	for (i = 0; i < n; i++)
	{
		if (y[i] < 0 || y[i] >= k || pred[i] < 0 || pred[i] >= k)
		{
			mm_free(tp);
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "class index out of range");
		}
		out->confusion[(size_t) y[i] * k + pred[i]]++;
		support[y[i]] += 1.0;
		predicted[pred[i]] += 1.0;
		if (y[i] == pred[i])
		{
			tp[y[i]] += 1.0;
			correct += 1.0;
		}
	}

	out->accuracy = n > 0 ? correct / (double) n : NAN;
	out->precision = out->recall = out->f1 = 0.0;
	out->precision_weighted = out->recall_weighted = out->f1_weighted = 0.0;
	for (c = 0; c < k; c++)
	{
		double		prec,
					rec,
					f1;

		if (support[c] == 0.0 && predicted[c] == 0.0)
			continue;
		present += 1.0;
		prec = predicted[c] > 0.0 ? tp[c] / predicted[c] : 0.0;
		rec = support[c] > 0.0 ? tp[c] / support[c] : 0.0;
		f1 = prec + rec > 0.0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
		out->precision += prec;
		out->recall += rec;
		out->f1 += f1;
		out->precision_weighted += prec * support[c];
		out->recall_weighted += rec * support[c];
		out->f1_weighted += f1 * support[c];
	}
	if (n == 0)
	{
		out->precision = out->recall = out->f1 = NAN;
		out->precision_weighted = out->recall_weighted = out->f1_weighted = NAN;
	}
	else
	{
		out->precision /= present;
		out->recall /= present;
		out->f1 /= present;
		out->precision_weighted /= (double) n;
		out->recall_weighted /= (double) n;
		out->f1_weighted /= (double) n;
	}

	out->log_loss = NAN;
	if (proba != NULL && n > 0)
	{
		double		sum = 0.0;

		for (i = 0; i < n; i++)
		{
			double		q = proba[i * k + y[i]];

			/* clipped as scikit-learn clips, so that a certain mistake stays finite */
			if (q < DBL_EPSILON)
				q = DBL_EPSILON;
			else if (q > 1.0 - DBL_EPSILON)
				q = 1.0 - DBL_EPSILON;
			sum -= log(q);
		}
		out->log_loss = sum / (double) n;
	}

	out->roc_auc = NAN;
	if (score != NULL && k == 2 && n > 0)
	{
		/* y already holds 1 for the positive (last) class */
		out->roc_auc = mm_roc_auc(y, score, n);
	}
	mm_free(tp);
	return MM_OK;
}
