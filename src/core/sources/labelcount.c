/*
 * labelcount.c: labels counted per part inside a pass's state (see
 * labelcount.h).
 */
#include "labelcount.h"

#include <math.h>
#include <string.h>

void
mm_label_counts_init(MmLabelCounts *c)
{
	memset(c, 0, sizeof(*c));
}

/* The place of value among the n sorted values: where it is, or where it goes. */
static int32_t
place_of(const MmLabelCounts *c, double value)
{
	int32_t		lo = 0,
				hi = c->n;

	while (lo < hi)
	{
		int32_t		mid = lo + (hi - lo) / 2;

		if (c->label[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
mm_label_counts_add(MmLabelCounts *c, double value, int part)
{
	int32_t		at;

	if (c->overflow)
		return;
	at = place_of(c, value);
	if (at < c->n && c->label[at].value == value)
	{
		c->label[at].count[part]++;
		return;
	}
	if (c->n == MM_MAX_CLASSES)
	{
		c->overflow = 1;
		return;
	}
	memmove(&c->label[at + 1], &c->label[at], sizeof(MmLabelCount) * (size_t) (c->n - at));
	c->label[at].value = value;
	c->label[at].count[0] = 0;
	c->label[at].count[1] = 0;
	c->label[at].count[part] = 1;
	c->n++;
}

void
mm_label_counts_merge(MmLabelCounts *dst, const MmLabelCounts *src)
{
	int32_t		i = 0,
				j = 0,
				k,
				both = 0;

	if (src->overflow)
		dst->overflow = 1;
	if (dst->overflow)
		return;
	/* the union's size first, then the merge from the top down, in place */
	while (i < dst->n && j < src->n)
	{
		double		a = dst->label[i].value,
					b = src->label[j].value;

		both += a == b;
		i += a <= b;
		j += b <= a;
	}
	if (dst->n + src->n - both > MM_MAX_CLASSES)
	{
		dst->overflow = 1;
		return;
	}
	i = dst->n - 1;
	j = src->n - 1;
	for (k = dst->n + src->n - both - 1; j >= 0; k--)
	{
		if (i >= 0 && dst->label[i].value > src->label[j].value)
			dst->label[k] = dst->label[i--];
		else if (i >= 0 && dst->label[i].value == src->label[j].value)
		{
			dst->label[k] = dst->label[i--];
			dst->label[k].count[0] += src->label[j].count[0];
			dst->label[k].count[1] += src->label[j--].count[1];
		}
		else
			dst->label[k] = src->label[j--];
	}
	dst->n += src->n - both;
}

int
mm_label_counts_check(const MmLabelCounts *c, int64_t rows)
{
	int64_t		left = rows;
	int32_t		i;

	if (c->n < 0 || c->n > MM_MAX_CLASSES || (c->overflow != 0 && c->overflow != 1) || rows < 0)
		return 0;
	for (i = 0; i < c->n; i++)
	{
		const MmLabelCount *l = &c->label[i];
		int			part;

		if (!isfinite(l->value) || (i > 0 && !(c->label[i - 1].value < l->value)))
			return 0;
		/* a value is there because a row had it */
		if (l->count[0] == 0 && l->count[1] == 0)
			return 0;
		/* subtracting counts each at most what is left cannot overflow */
		for (part = 0; part < 2; part++)
		{
			if (l->count[part] < 0 || l->count[part] > left)
				return 0;
			left -= l->count[part];
		}
	}
	return c->overflow || left == 0;
}
