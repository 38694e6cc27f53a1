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
#include "labelcount.h"
#include "model.h"
#include "textcount.h"

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

/* How label::text renders a number label of value whole, or a boolean one (whole 0 or 1). */
extern char *MmNumberLabelName(MmLabelKind label_kind, int64 whole);

/* Room for n labels in out, n set. */
extern void MmDiscoveredLabelsAlloc(MmDiscoveredLabels *out, int n);

/* The SQL type labels of label_kind are read as, and src's label over row alias r as one. */
extern const char *MmLabelSqlType(const MmSource *src, MmLabelKind label_kind);
extern char *MmLabelExpression(const MmSource *src, MmLabelKind label_kind);

/*
 * What the discovery above makes of its grouping query's rows first to end
 * of SPI_tuptable: each a value in column, its part (NULL: in none) in
 * part_column and its rows in the next; a text feature's sorted by value (C
 * order) then part.  The same errors.
 */
extern void MmLabelsFromGroups(const MmSource *src, MmLabelKind label_kind, uint64 first,
							   uint64 end, int column, int part_column, MmDiscoveredLabels *out);
extern MmStringDict *MmCategoriesFromGroups(const MmSource *src, int j, uint64 first, uint64 end,
											int column, int part_column, int64 *nulls_train);

/*
 * Discovery inside a pass (discoverpass.c): the labels and the text
 * features' values counted by a fit's first pass over the relation (its
 * state, or for a numeric label a grouping query that carries it), so that
 * one read of it gives both.
 */
typedef struct MmDiscovery
{
	const MmSource *src;
	int			target;
	MmLabelKind label_kind;
	bool		want_labels;	/* the grouping query counts the labels */
	bool		labels_counted; /* the pass's state counts them (MmDiscoveryCountedLabels,
								 * MmDiscoveryCountedTextLabels) */
	bool		joint;			/* by joint groups, not a group per thing (discoverpass.c) */
	bool		labels_done;	/* the first read counted every label */
	MmDiscoveredLabels labels;
	bool	   *done;			/* per source feature: the first read counted its every value */
	MmStringDict **dicts;
	int64	   *nulls_train;
} MmDiscovery;

/*
 * What a fit over src discovers: its labels when want_labels, its text
 * features' values.  Text labels, and number and boolean labels whose
 * values reach the pass exactly as doubles, are left to the pass's state to
 * count (labels_counted: the source's passes must count them,
 * MmRelationSourceCountLabels); the grouping query counts a numeric label.
 */
extern void MmDiscoveryInit(MmDiscovery *d, const MmSource *src, int target,
							MmLabelKind label_kind, bool want_labels);
/* Whether the labels need the grouping query (MmDiscoveryQuery). */
extern bool MmDiscoveryWanted(const MmDiscovery *d);
/* The grouping query that carries a pass whose aggregate's call is pass_call (relsource.h). */
extern char *MmDiscoveryQuery(const MmDiscovery *d, const char *pass_call);
/* Reads the query's groups from SPI_tuptable (the read of MmRelationSourceGroupWith). */
extern void MmDiscoveryRead(void *ctx);
/*
 * The labels and a text feature's values: those the query counted, or,
 * where it could not count them all within its bound, from a discovery
 * query of their own (header as above), with its errors.
 */
extern void MmDiscoveryLabels(MmDiscovery *d, bytea *header, MmDiscoveredLabels *out);
/*
 * Takes the labels the first pass's state counted (NULL: none), unless
 * MmDiscoveryLabels must count them with its own queries: past
 * MM_MAX_CLASSES, or a value whose double may not be the value as read.
 */
extern void MmDiscoveryCountedLabels(MmDiscovery *d, const MmLabelCounts *counts);
/*
 * Takes the text labels the first pass's state counted (NULL: none),
 * unless MmDiscoveryLabels must count them with its own query: more labels
 * or text than the state holds.
 */
extern void MmDiscoveryCountedTextLabels(MmDiscovery *d, const MmTextCounts *counts);
/*
 * Takes the text features' values the first pass's state counted (per
 * source feature, NULL: none), unless MmDiscoveryCategories must count a
 * feature's with its own query: more values or text than the state holds.
 */
extern void MmDiscoveryCountedTexts(MmDiscovery *d, MmTextCounts *const *counts);
extern MmStringDict *MmDiscoveryCategories(MmDiscovery *d, int j, bytea *header,
										   int64 *nulls_train);

#endif							/* MM_DISCOVER_H */
