/*
 * textcount.c: a text feature's values counted per part inside a pass's
 * state (see textcount.h).
 */
#include "textcount.h"

#include <string.h>

void
mm_text_counts_init(MmTextCounts *c)
{
	memset(c, 0, sizeof(*c));
}

/* The order of the table's values: by hash, then length, then bytes. */
static int
compare(uint64_t hash_a, const char *a, size_t len_a, uint64_t hash_b, const char *b, size_t len_b)
{
	int			bytes;

	if (hash_a != hash_b)
		return hash_a < hash_b ? -1 : 1;
	if (len_a != len_b)
		return len_a < len_b ? -1 : 1;
	bytes = memcmp(a, b, len_a);
	return (bytes > 0) - (bytes < 0);
}

/* compare for two tables' values. */
static int
compare_values(const MmTextCounts *ca, const MmTextCount *a, const MmTextCounts *cb,
			   const MmTextCount *b)
{
	return compare(a->hash, ca->text + a->offset, a->len, b->hash, cb->text + b->offset, b->len);
}

/* The place of a value among the n in order: where it is, or where it goes. */
static int32_t
place_of(const MmTextCounts *c, const char *value, size_t len, uint64_t hash)
{
	int32_t		lo = 0,
				hi = c->n;

	while (lo < hi)
	{
		int32_t		mid = lo + (hi - lo) / 2;
		const MmTextCount *e = &c->value[mid];

		if (compare(e->hash, c->text + e->offset, e->len, hash, value, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define SLOT_MASK (MM_TEXT_COUNT_SLOTS - 1)

/* Whether value i of c is the len bytes at value, of that hash. */
static int
is_value(const MmTextCounts *c, int32_t i, const char *value, size_t len, uint64_t hash)
{
	const MmTextCount *e = &c->value[i];

	return e->hash == hash && e->len == len && (uint64_t) e->offset + len <= c->used &&
		memcmp(c->text + e->offset, value, len) == 0;
}

/*
 * The place of a value the index leads to, or -1.  Whatever the slots
 * hold, the probes are bounded and a place is only taken once its value is
 * the one looked for.
 */
static int32_t
indexed_place(const MmTextCounts *c, const char *value, size_t len, uint64_t hash)
{
	uint32_t	s = (uint32_t) hash & SLOT_MASK;
	int			probe;

	for (probe = 0; probe < MM_TEXT_COUNT_SLOTS; probe++)
	{
		int32_t		k = c->slot[s];

		if (k == 0)
			return -1;
		if (k <= c->n && is_value(c, k - 1, value, len, hash))
			return k - 1;
		s = (s + 1) & SLOT_MASK;
	}
	return -1;
}

/* Indexes c's values anew, after they moved. */
static void
reindex(MmTextCounts *c)
{
	int32_t		i;

	memset(c->slot, 0, sizeof(c->slot));
	for (i = 0; i < c->n; i++)
	{
		uint32_t	s = (uint32_t) c->value[i].hash & SLOT_MASK;

		while (c->slot[s] != 0)
			s = (s + 1) & SLOT_MASK;
		c->slot[s] = (uint16_t) (i + 1);
	}
}

void
mm_text_counts_add(MmTextCounts *c, const char *value, size_t len, uint64_t hash, int part)
{
	int32_t		at;
	MmTextCount *e;

	if (c->overflow)
		return;
	at = indexed_place(c, value, len, hash);
	if (at >= 0)
	{
		c->value[at].count[part]++;
		return;
	}
	at = place_of(c, value, len, hash);
	e = &c->value[at];
	if (at < c->n && e->hash == hash && e->len == len && memcmp(c->text + e->offset, value, len) == 0)
	{
		/* a table read back whose index missed it: the index is made whole again */
		e->count[part]++;
		reindex(c);
		return;
	}
	if (c->n == MM_TEXT_COUNT_VALUES || len > (size_t) (MM_TEXT_COUNT_BYTES - c->used))
	{
		c->overflow = 1;
		return;
	}
	memmove(e + 1, e, sizeof(MmTextCount) * (size_t) (c->n - at));
	memcpy(c->text + c->used, value, len);
	e->hash = hash;
	e->offset = c->used;
	e->len = (uint32_t) len;
	e->count[0] = 0;
	e->count[1] = 0;
	e->count[part] = 1;
	c->used += (uint32_t) len;
	c->n++;
	reindex(c);
}

void
mm_text_counts_add_null(MmTextCounts *c, int part)
{
	c->nulls[part]++;
}

void
mm_text_counts_merge(MmTextCounts *dst, const MmTextCounts *src)
{
	int32_t		i = 0,
				j = 0,
				k,
				both = 0;
	size_t		bytes = 0;

	dst->nulls[0] += src->nulls[0];
	dst->nulls[1] += src->nulls[1];
	if (src->overflow)
		dst->overflow = 1;
	if (dst->overflow)
		return;
	/* the union's size and the text it adds first, then the merge from the top down, in place */
	while (i < dst->n && j < src->n)
	{
		int			order = compare_values(dst, &dst->value[i], src, &src->value[j]);

		both += order == 0;
		if (order > 0)
			bytes += src->value[j].len;
		i += order <= 0;
		j += order >= 0;
	}
	for (; j < src->n; j++)
		bytes += src->value[j].len;
	if (dst->n + src->n - both > MM_TEXT_COUNT_VALUES || bytes > (size_t) (MM_TEXT_COUNT_BYTES - dst->used))
	{
		dst->overflow = 1;
		return;
	}
	i = dst->n - 1;
	j = src->n - 1;
	for (k = dst->n + src->n - both - 1; j >= 0; k--)
	{
		int			order = i >= 0 ? compare_values(dst, &dst->value[i], src, &src->value[j]) : -1;
		MmTextCount e;

		if (order > 0)
			e = dst->value[i--];
		else if (order == 0)
		{
			e = dst->value[i--];
			e.count[0] += src->value[j].count[0];
			e.count[1] += src->value[j--].count[1];
		}
		else
		{
			/* a value dst has not met: its bytes join dst's text, which only grows */
			e = src->value[j--];
			memcpy(dst->text + dst->used, src->text + e.offset, e.len);
			e.offset = dst->used;
			dst->used += e.len;
		}
		dst->value[k] = e;
	}
	dst->n += src->n - both;
	reindex(dst);
}

int
mm_text_counts_check(const MmTextCounts *c, int64_t rows)
{
	int64_t		left = rows;
	int32_t		i;
	int			part;

	if (c->n < 0 || c->n > MM_TEXT_COUNT_VALUES || (c->overflow != 0 && c->overflow != 1) ||
		c->used > MM_TEXT_COUNT_BYTES || rows < 0)
		return 0;
	/* subtracting counts each at most what is left cannot overflow */
	for (part = 0; part < 2; part++)
	{
		if (c->nulls[part] < 0 || c->nulls[part] > left)
			return 0;
		left -= c->nulls[part];
	}
	for (i = 0; i < c->n; i++)
	{
		const MmTextCount *e = &c->value[i];

		if ((uint64_t) e->offset + e->len > c->used ||
			(i > 0 && compare_values(c, &c->value[i - 1], c, e) >= 0))
			return 0;
		/* a value is there because a row had it */
		if (e->count[0] == 0 && e->count[1] == 0)
			return 0;
		for (part = 0; part < 2; part++)
		{
			if (e->count[part] < 0 || e->count[part] > left)
				return 0;
			left -= e->count[part];
		}
	}
	return c->overflow || left == 0;
}
