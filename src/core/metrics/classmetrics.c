/*
 * classmetrics.c: the metrics of a classifier's predictions.
 */
#include "classmetrics.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* A row's score, as a key that sorts like it, and whether the row is positive. */
typedef struct Scored
{
	uint64_t	key;
	int32_t		positive;
} Scored;

/* An unsigned key in the order of the doubles (-0.0 and 0.0 alike). */
static uint64_t
order_key(double v)
{
	uint64_t	bits;

	if (v == 0.0)
		v = 0.0;
	memcpy(&bits, &v, sizeof(bits));
	return (bits >> 63) ? ~bits : bits | UINT64_C(0x8000000000000000);
}

/*
 * Sorts by key: a least-significant-digit radix sort, eleven bits per pass
 * (buckets that stay in cache) with every pass's counts taken in one read,
 * skipping the digits all keys share (a comparison sort of a million scores
 * costs several times as much).
 */
#define RADIX_BITS 11
#define RADIX_BUCKETS (1 << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)
#define DIGIT(key, pass) ((size_t) ((key) >> (RADIX_BITS * (pass))) & (RADIX_BUCKETS - 1))

static MmErrorCode
radix_sort(Scored *a, Scored *tmp, size_t n)
{
	Scored	   *src = a,
			   *dst = tmp;
	size_t	   *count = mm_alloc0(sizeof(size_t) * RADIX_PASSES * RADIX_BUCKETS);
	size_t		i;
	int			pass;

	if (count == NULL)
		return MM_ERR_NO_MEMORY;
	for (i = 0; i < n; i++)
		for (pass = 0; pass < RADIX_PASSES; pass++)
			count[pass * RADIX_BUCKETS + DIGIT(a[i].key, pass)]++;
	for (pass = 0; pass < RADIX_PASSES; pass++)
	{
		size_t	   *c = count + pass * RADIX_BUCKETS;
		size_t		sum = 0;
		int			d;
		Scored	   *t;

		if (c[DIGIT(src[0].key, pass)] == n)
			continue;
		for (d = 0; d < RADIX_BUCKETS; d++)
		{
			size_t		k = c[d];

			c[d] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[c[DIGIT(src[i].key, pass)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, sizeof(Scored) * n);
	mm_free(count);
	return MM_OK;
}

/* The area under the ROC curve: the Mann-Whitney statistic with mid-ranks for ties. */
double
mm_roc_auc(const int32_t *positive, const double *score, size_t n)
{
	Scored	   *s,
			   *tmp;
	double		npos = 0.0,
				rank_sum = 0.0,
				nneg;
	size_t		i,
				j;

	if (n == 0)
		return NAN;
	s = mm_alloc(sizeof(Scored) * n);
	tmp = mm_alloc(sizeof(Scored) * n);
	if (s == NULL || tmp == NULL)
	{
		mm_free(s);
		mm_free(tmp);
		return NAN;
	}
	for (i = 0; i < n; i++)
	{
		s[i].key = order_key(score[i]);
		s[i].positive = positive[i] != 0;
		npos += s[i].positive;
	}
	if (radix_sort(s, tmp, n) != MM_OK)
	{
		mm_free(s);
		mm_free(tmp);
		return NAN;
	}
	mm_free(tmp);
	for (i = 0; i < n; i = j)
	{
		double		pos_in_tie = 0.0,
					mid_rank;

		for (j = i; j < n && s[j].key == s[i].key; j++)
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
	int64_t    *confusion = mm_alloc0(sizeof(int64_t) * (size_t) k * k);
	double		loss_sum = NAN,
				auc = NAN;
	MmErrorCode rc;
	size_t		i;

	if (confusion == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory computing metrics");
	for (i = 0; i < n; i++)
	{
		if (y[i] < 0 || y[i] >= k || pred[i] < 0 || pred[i] >= k)
		{
			mm_free(confusion);
			memset(out, 0, sizeof(*out));
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "class index out of range");
		}
		confusion[(size_t) y[i] * k + pred[i]]++;
	}
	if (proba != NULL && n > 0)
	{
		loss_sum = 0.0;
		for (i = 0; i < n; i++)
			loss_sum += mm_log_loss_term(proba[i * k + y[i]]);
	}
	/* y already holds 1 for the positive (last) class */
	if (score != NULL && k == 2 && n > 0)
		auc = mm_roc_auc(y, score, n);
	rc = mm_class_metrics_from_counts(confusion, k, loss_sum, auc, out, err);
	mm_free(confusion);
	return rc;
}

/* The metrics from counts (see classmetrics.h). */
MmErrorCode
mm_class_metrics_from_counts(const int64_t *confusion, int k, double log_loss_sum, double roc_auc,
							 MmClassMetrics *out, MmError *err)
{
	double	   *tp,
			   *support,
			   *predicted;
	double		correct = 0.0,
				present = 0.0,
				n = 0.0;
	int			a,
				c;

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->confusion = mm_alloc(sizeof(int64_t) * (size_t) k * k);
	tp = mm_alloc0(sizeof(double) * k * 3);
	if (out->confusion == NULL || tp == NULL)
	{
		mm_free(tp);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory computing metrics");
	}
	memcpy(out->confusion, confusion, sizeof(int64_t) * (size_t) k * k);
	support = tp + k;
	predicted = tp + 2 * k;
	/* counts below 2^53 convert exactly: the rates are those of the rows one by one */
	for (a = 0; a < k; a++)
		for (c = 0; c < k; c++)
		{
			double		cell = (double) confusion[(size_t) a * k + c];

			support[a] += cell;
			predicted[c] += cell;
			if (a == c)
			{
				tp[a] += cell;
				correct += cell;
			}
			n += cell;
		}
	out->rows = n;

	out->accuracy = n > 0 ? correct / n : NAN;
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
		out->precision_weighted /= n;
		out->recall_weighted /= n;
		out->f1_weighted /= n;
	}
	out->log_loss = n > 0 && !isnan(log_loss_sum) ? log_loss_sum / n : NAN;
	out->roc_auc = k == 2 && n > 0 ? roc_auc : NAN;
	mm_free(tp);
	return MM_OK;
}

/* A row's term of the log-loss: -log of its true class's probability, clipped. */
double
mm_log_loss_term(double q)
{
	/* clipped as scikit-learn clips, so that a certain mistake stays finite */
	if (q < DBL_EPSILON)
		q = DBL_EPSILON;
	else if (q > 1.0 - DBL_EPSILON)
		q = 1.0 - DBL_EPSILON;
	return -log(q);
}

/* A row's log-loss term from -log q (see classmetrics.h). */
double
mm_log_loss_term_of_log(double neg_log_q)
{
	/* the bounds of mm_log_loss_term's clipping, in the log */
	const double most = -log(DBL_EPSILON),
				least = -log(1.0 - DBL_EPSILON);

	if (neg_log_q > most)
		return most;
	if (neg_log_q < least)
		return least;
	return neg_log_q;
}

/* The bin of a score in [0, 1] among bins equal bins (see classmetrics.h). */
int
mm_roc_bin(double u, int bins)
{
	double		b = u * (double) bins;

	if (!(b > 0.0))
		return 0;
	if (b >= (double) bins)
		return bins - 1;
	return (int) b;
}

/* The ROC AUC from binned scores, and its error bound (see classmetrics.h). */
double
mm_roc_auc_binned(const uint32_t *pos, const uint32_t *neg, int bins, double *bound)
{
	double		npos = 0.0,
				nneg = 0.0,
				below = 0.0,
				sum = 0.0,
				shared = 0.0;
	int			b;

	for (b = 0; b < bins; b++)
	{
		npos += pos[b];
		nneg += neg[b];
	}
	*bound = NAN;
	if (npos == 0.0 || nneg == 0.0)
		return NAN;
	for (b = 0; b < bins; b++)
	{
		double		p = pos[b],
					n = neg[b];

		/* a positive outranks every negative below its bin, and half of those beside it */
		sum += p * (below + 0.5 * n);
		shared += p * n;
		below += n;
	}
	*bound = 0.5 * shared / (npos * nneg);
	return sum / (npos * nneg);
}
