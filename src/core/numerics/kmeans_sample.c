/*
 * kmeans_sample.c: the bounded sample of k-means' passes (kmeans_sample.h).
 */
#include "kmeans_sample.h"

#include <math.h>
#include <string.h>

/* Doubles per slot: the key, the hash, the row. */
static inline size_t
slot_words(int p)
{
	return 2 + (size_t) p;
}

static inline double *
slot(double *sample, int p, int i)
{
	return sample + 1 + (size_t) i * slot_words(p);
}

static inline uint64_t
slot_hash(const double *s)
{
	uint64_t	h;

	memcpy(&h, s + 1, sizeof(h));
	return h;
}

/* -1, 0 or 1 as (key a, hash a) sorts before, with or after (key b, hash b). */
static inline int
order(double ka, uint64_t ha, double kb, uint64_t hb)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return 0;
}

size_t
mm_ksample_words(int p, int slots)
{
	return 1 + (size_t) slots * slot_words(p);
}

void
mm_ksample_init(double *sample)
{
	sample[0] = 0.0;
}

int
mm_ksample_count(const double *sample)
{
	return (int) sample[0];
}

const double *
mm_ksample_row(const double *sample, int p, int i)
{
	return sample + 1 + (size_t) i * slot_words(p) + 2;
}

int
mm_ksample_wants(const double *sample, int p, int slots, double key)
{
	int			n = mm_ksample_count(sample);

	return n < slots || key <= slot((double *) sample, p, n - 1)[0];
}

void
mm_ksample_offer(double *sample, int p, int slots, double key, uint64_t hash, const double *row)
{
	int			n = mm_ksample_count(sample),
				at = n;
	size_t		w = slot_words(p);
	double	   *s;

	if (slots < 1)
		return;
	/* where the row sorts: after every slot that sorts before it */
	while (at > 0)
	{
		const double *prev = slot(sample, p, at - 1);
		int			o = order(key, hash, prev[0], slot_hash(prev));

		if (o == 0)
			return;				/* this very row is held already */
		if (o > 0)
			break;
		at--;
	}
	if (at >= slots)
		return;
	if (n == slots)
		n--;					/* the largest falls out */
	memmove(slot(sample, p, at + 1), slot(sample, p, at), sizeof(double) * w * (size_t) (n - at));
	s = slot(sample, p, at);
	s[0] = key;
	memcpy(s + 1, &hash, sizeof(hash));
	memcpy(s + 2, row, sizeof(double) * p);
	sample[0] = n + 1;
}

void
mm_ksample_merge(double *sample, const double *other, int p, int slots, double *scratch)
{
	int			a = 0,
				b = 0,
				na = mm_ksample_count(sample),
				nb = mm_ksample_count(other),
				n = 0;
	size_t		w = slot_words(p);

	while (n < slots && (a < na || b < nb))
	{
		const double *sa = a < na ? slot(sample, p, a) : NULL;
		const double *sb = b < nb ? slot((double *) other, p, b) : NULL;
		const double *take;
		int			o = sa == NULL ? 1 : sb == NULL ? -1 :
			order(sa[0], slot_hash(sa), sb[0], slot_hash(sb));

		if (o <= 0)
		{
			take = sa;
			a++;
			if (o == 0)
				b++;			/* the same row in both: kept once */
		}
		else
		{
			take = sb;
			b++;
		}
		memcpy(slot(scratch, p, n++), take, sizeof(double) * w);
	}
	memcpy(sample + 1, scratch + 1, sizeof(double) * w * (size_t) n);
	sample[0] = n;
}

int
mm_ksample_check(const double *sample, int slots)
{
	double		n = sample[0];

	return n >= 0.0 && n <= (double) slots && n == floor(n);
}
