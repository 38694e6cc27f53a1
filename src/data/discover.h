/*
 * discover.h: the distinct values of text features and class labels, with
 * their counts per part of the split, from aggregate queries that run where
 * the rows are.
 */
#ifndef MM_DISCOVER_H
#define MM_DISCOVER_H

#include "postgres.h"

#include "columns.h"
#include "dataset.h"
#include "model.h"

/* A classifier's labels as the rows read into memory order them (dataset.c). */
typedef struct MmDiscoveredLabels
{
	int			n;
	char	  **labels;			/* as label::text renders them */
	double	   *values;			/* number and boolean labels as numbers */
	int64	   *count[2];		/* rows per part */
} MmDiscoveredLabels;

/*
 * The labels of src's target (label_kind) in the rows of a part, header a
 * pass header with a raw design for mm_pass_part.  Errors as reading the rows
 * into memory does: past MM_MAX_CLASSES, a number label that is fractional or
 * beyond 2^53.
 */
extern void MmDiscoverLabels(const MmSource *src, bytea *header, int target,
							 MmLabelKind label_kind, MmDiscoveredLabels *out);

/*
 * The values of text feature j of src with their rows per part, as the
 * dictionary of rows read into memory holds them, and the training rows
 * where it is NULL.  Errors past MM_MAX_CATEGORIES values.
 */
extern MmStringDict *MmDiscoverCategories(const MmSource *src, int j, bytea *header, int target,
										  MmLabelKind label_kind, int64 *nulls_train);

#endif							/* MM_DISCOVER_H */
