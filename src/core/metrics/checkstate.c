/*
 * checkstate.c: the flat state of a monitoring check (see checkstate.h).
 */
#include "checkstate.h"

#include <math.h>
#include <string.h>

#define BYTE_ORDER_MARK 0x0102

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

/* Bytes of one watch of the given shape. */
static size_t
watch_size(int32_t shape)
{
	if (shape < 0)
		return sizeof(MmNumericWindow);
	return sizeof(MmCheckCategorical) + sizeof(int64_t) * ((size_t) shape + 1);
}

size_t
mm_check_state_size(int watches, const int32_t *shape, MmCheckQuality quality, int classes)
{
	size_t		size;
	int			w;

	if (watches < 1 || watches > MM_CHECK_MAX_WATCHES)
		return 0;
	if (quality == MM_CHECK_QUALITY_CLASSES ? (classes < 1 || classes > MM_CHECK_MAX_CLASSES) :
		(classes != 0 || (quality != MM_CHECK_QUALITY_NONE && quality != MM_CHECK_QUALITY_REGRESSION)))
		return 0;
	size = sizeof(MmCheckStateHead) + pad8(sizeof(int32_t) * (size_t) watches);
	for (w = 0; w < watches; w++)
	{
		if (shape[w] < -1 || shape[w] > MM_PROFILE_CATEGORIES)
			return 0;
		size += watch_size(shape[w]);
	}
	if (quality == MM_CHECK_QUALITY_CLASSES)
		size += sizeof(int64_t) * ((size_t) classes + 1) * (size_t) classes;
	return size;
}

void
mm_check_state_init(void *buf, uint64_t check_id, int watches, const int32_t *shape,
					MmCheckQuality quality, int classes)
{
	MmCheckStateHead *head = buf;

	memset(buf, 0, mm_check_state_size(watches, shape, quality, classes));
	head->magic = MM_CHECK_STATE_MAGIC;
	head->layout = MM_CHECK_STATE_LAYOUT;
	head->byte_order = BYTE_ORDER_MARK;
	head->check_id = check_id;
	head->watches = watches;
	head->quality = (int32_t) quality;
	head->classes = quality == MM_CHECK_QUALITY_CLASSES ? classes : 0;
	memcpy((char *) buf + sizeof(MmCheckStateHead), shape, sizeof(int32_t) * (size_t) watches);
}

MmErrorCode
mm_check_state_check(const void *buf, size_t len, MmError *err)
{
	MmCheckStateHead head;
	const int32_t *shape;

	if (len < sizeof(MmCheckStateHead))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "a check state is too short");
	memcpy(&head, buf, sizeof(head));
	if (head.magic != MM_CHECK_STATE_MAGIC || head.layout != MM_CHECK_STATE_LAYOUT)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "not a check state of this version");
	if (head.byte_order != BYTE_ORDER_MARK)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "a check state of another byte order");
	if (head.watches < 1 || head.watches > MM_CHECK_MAX_WATCHES ||
		len < sizeof(MmCheckStateHead) + pad8(sizeof(int32_t) * (size_t) head.watches))
		return mm_fail(err, MM_ERR_CORRUPT, -1, "a check state's watches are out of range");
	shape = (const int32_t *) ((const char *) buf + sizeof(MmCheckStateHead));
	if (mm_check_state_size(head.watches, shape, (MmCheckQuality) head.quality, head.classes) != len)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "a check state's length does not match its shape");
	if (head.rows < 0 || head.unpredictable < 0 || head.unpredictable > head.rows ||
		head.label_rows < 0 || head.label_rows > head.rows)
		return mm_fail(err, MM_ERR_CORRUPT, -1, "a check state's row counts are inconsistent");
	return MM_OK;
}

void
mm_check_state_view(void *buf, MmCheckStateView *view, void **watch)
{
	char	   *at;
	int			w;

	view->head = buf;
	view->shape = (const int32_t *) ((char *) buf + sizeof(MmCheckStateHead));
	view->watch = watch;
	at = (char *) buf + sizeof(MmCheckStateHead) + pad8(sizeof(int32_t) * (size_t) view->head->watches);
	for (w = 0; w < view->head->watches; w++)
	{
		watch[w] = at;
		at += watch_size(view->shape[w]);
	}
	view->confusion = view->head->quality == MM_CHECK_QUALITY_CLASSES ? (int64_t *) at : NULL;
}

void
mm_check_state_regression(MmCheckStateHead *head, double y, double outcome)
{
	double		delta;

	/* Welford's update, so that one state's moments are a row-by-row count's */
	head->label_rows++;
	delta = y - head->y_mean;
	head->y_mean += delta / (double) head->label_rows;
	head->y_m2 += delta * (y - head->y_mean);
	head->sse += (y - outcome) * (y - outcome);
	head->sae += fabs(y - outcome);
}

/* Merges the label moments (n, mean, m2) of b into a. */
static void
merge_moments(MmCheckStateHead *a, const MmCheckStateHead *b)
{
	double		na = (double) a->label_rows,
				nb = (double) b->label_rows,
				n = na + nb,
				delta = b->y_mean - a->y_mean;

	if (b->label_rows == 0)
		return;
	if (a->label_rows == 0)
	{
		/* an empty part adds nothing, not even a rounding */
		a->y_mean = b->y_mean;
		a->y_m2 = b->y_m2;
		return;
	}
	a->y_mean += delta * nb / n;
	a->y_m2 += b->y_m2 + delta * delta * na * nb / n;
}

MmErrorCode
mm_check_state_merge(void *dst, const void *src, MmError *err)
{
	MmCheckStateHead *a = dst;
	const MmCheckStateHead *b = src;
	void	   *wa[MM_CHECK_MAX_WATCHES],
			   *wb[MM_CHECK_MAX_WATCHES];
	MmCheckStateView va,
				vb;
	int			w;
	int64_t		i,
				cells;

	if (a->check_id != b->check_id || a->watches != b->watches || a->quality != b->quality ||
		a->classes != b->classes ||
		memcmp((const char *) dst + sizeof(MmCheckStateHead), (const char *) src + sizeof(MmCheckStateHead),
			   sizeof(int32_t) * (size_t) a->watches) != 0)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "cannot merge the states of two different checks");
	mm_check_state_view(dst, &va, wa);
	mm_check_state_view((void *) src, &vb, wb);

	merge_moments(a, b);
	a->rows += b->rows;
	a->unpredictable += b->unpredictable;
	a->label_rows += b->label_rows;
	a->sse += b->sse;
	a->sae += b->sae;
	for (w = 0; w < a->watches; w++)
	{
		if (va.shape[w] < 0)
			mm_window_merge(wa[w], wb[w]);
		else
		{
			MmCheckCategorical *ca = wa[w];
			const MmCheckCategorical *cb = wb[w];

			ca->rows += cb->rows;
			ca->missing += cb->missing;
			ca->unseen += cb->unseen;
			for (i = 0; i <= va.shape[w]; i++)
				ca->count[i] += cb->count[i];
		}
	}
	cells = va.confusion != NULL ? ((int64_t) a->classes + 1) * a->classes : 0;
	for (i = 0; i < cells; i++)
		va.confusion[i] += vb.confusion[i];
	return MM_OK;
}
