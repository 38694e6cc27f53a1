/*
 * discoverpass.c: the labels and text features' values of a fit in passes,
 * counted by the same read of the relation as its first pass.
 *
 * Discovery alone (discover.c) reads the relation once for the label and
 * once per text feature; the fit's first pass (the column profile and
 * statistics) reads it again.  Here that pass counts them.
 *
 * A text feature's values reach the pass's aggregate as text, and the pass
 * hashes them for the row's hash anyway: its state counts each value's
 * rows per part, and the rows where the feature is NULL, in a table of at
 * most MM_TEXT_COUNT_VALUES values (textcount.h, MmDiscoveryCountedTexts).
 * A number or boolean label reaches it as a double, and the state counts
 * those too (labelcount.h, MmDiscoveryCountedLabels); a text label as
 * text, in a table like a text feature's (MmDiscoveryCountedTextLabels).
 * Each costs the row a binary search in a short sorted array; on
 * 1,000,000 rows the statistics pass of a binary classifier took 0.60 s
 * with its labels in a grouping query and 0.26 s with them in the state.
 * A feature or text label with more values, or more text, than the table
 * holds is counted by a discovery query of its own (discover.c), which
 * decides as it always has: past MM_MAX_CATEGORIES values, or
 * MM_MAX_CLASSES labels, its error comes where it always came, after the
 * checks of the rows.
 *
 * A numeric label (whose double may round a fractional value to a whole
 * one) is counted by a grouping query that carries the pass.  Each row of
 * the relation joins two rows of a lateral subquery: one (k 0) that feeds
 * the pass's aggregate, one (k 1) that carries the row's label and its
 * part of the split (mm_pass_part($1, y, x, c), as discover.c computes
 * it):
 *
 *   WITH g AS (SELECT u.k, u.l, u.part, count(*) AS n,
 *                     <the pass's aggregate> FILTER (WHERE u.k = 0) AS s
 *                FROM <relation> r CROSS JOIN LATERAL
 *                     (SELECT 0 AS k, NULL AS l, NULL AS part
 *                      UNION ALL SELECT 1, <label>, <part>) u
 *               GROUP BY u.k, u.l, u.part)
 *   SELECT m.* FROM (SELECT 0 AS k, NULL AS l, NULL AS part,
 *                           (SELECT count(*) FROM g), g.s FROM g WHERE g.k = 0
 *                    UNION ALL SELECT 1, g.l, g.part, sum(g.n) ...
 *                     GROUP BY g.l, g.part) m
 *    ORDER BY m.k, m.l, m.part LIMIT <bound>
 *
 * The part is computed inside the lateral subquery, where the planner sees
 * the grouping key as one of a few values, not as an expression of every
 * column, whose groups it would take to be as many as the rows, and so
 * not group them in parallel workers.  A lateral UNION ALL of one-row
 * selects costs half what a lateral VALUES list does, which is scanned
 * anew for each row.  The pass's rows reach its aggregate in the order
 * they are read, as in the pass's own query, so its state is the same.
 * Every aggregate has a combine function and the grouping keys are plain
 * values, so PostgreSQL runs g in parallel workers as partial aggregates.
 *
 * On a table a distributed database (Citus) manages, the outer query over
 * a CTE would have the coordinator pull the rows; there each row joins one
 * row per thing counted instead, in a lateral VALUES list (Citus pushes
 * down no lateral UNION ALL), and the query groups by the thing, the label
 * and part directly, which the shards run as partial aggregates:
 *
 *   SELECT u.k, u.l, u.part, count(*),
 *          <the pass's aggregate> FILTER (WHERE u.k = 0)
 *     FROM <relation> r CROSS JOIN LATERAL
 *          (VALUES (0, NULL, NULL), (1, <label>, <part>)) u(k, l, part)
 *    GROUP BY u.k, u.l, u.part ORDER BY u.k, u.l, u.part
 *    LIMIT <bound>
 *
 * GROUPING SETS would say the same more briefly, but Citus refuses them on
 * distributed tables, and PostgreSQL 15 runs them in no parallel worker.
 *
 * The bound is discover.c's first bound for the labels (three groups a
 * label: two parts and none) and the pass's group, which sorts first.  The
 * joint groups are counted whole, with no ORDER BY or LIMIT of their own:
 * run with sorting disabled (relsource.c), an ORDER BY there made
 * PostgreSQL group by sorting every row, serially and spilling to disk,
 * instead of hashing in parallel workers.  The bound limits the rows
 * summed from them; labels with as many groups as the bound, or that it
 * may have cut off, are discovered again by their own queries
 * (MmDiscoveryLabels), which decide as discover.c always has.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "citusmeta.h"
#include "discover.h"
#include "numberlabel.h"
#include "relsource.h"

#define LABEL_GROUPS (3L * (MM_MAX_CLASSES + 1))

/* Output columns of the query. */
#define COL_K 1
#define COL_LABEL 2
#define COL_PART 3

void
MmDiscoveryInit(MmDiscovery *d, const MmSource *src, int target, MmLabelKind label_kind,
				bool want_labels)
{
	int			p = src->nfeatures;

	memset(d, 0, sizeof(*d));
	d->src = src;
	d->target = target;
	d->label_kind = label_kind;
	/*
	 * text by its bytes; a double holds every value of these types exactly,
	 * and a numeric may round into a whole one
	 */
	d->labels_counted = want_labels && target == MM_PASS_TARGET_CLASS &&
		(label_kind == MM_LABEL_TEXT || label_kind == MM_LABEL_BOOLEAN ||
		 (label_kind == MM_LABEL_NUMBER && MmNumberLabelSourceType(src->target_type) != NUMERICOID));
	d->want_labels = want_labels && !d->labels_counted;
	d->joint = !MmReadsCitusTable(src->relid);
	d->done = palloc0(sizeof(bool) * p);
	d->dicts = palloc0(sizeof(MmStringDict *) * p);
	d->nulls_train = palloc0(sizeof(int64) * p);
}

bool
MmDiscoveryWanted(const MmDiscovery *d)
{
	return d->want_labels;
}

/* The query's bound: the pass's group, then the labels' first bound. */
static long
query_limit(const MmDiscovery *d)
{
	Assert(d->want_labels);
	return 1 + LABEL_GROUPS;
}

/* The query of one lateral row per thing counted, for a distributed table (see above). */
static char *
query_per_thing(const MmDiscovery *d, const char *pass_call, const char *ltype, const char *part)
{
	return psprintf("SELECT u.k, u.l, u.part, pg_catalog.count(*), "
					"%s FILTER (WHERE u.k OPERATOR(pg_catalog.=) 0) FROM %s r CROSS JOIN LATERAL "
					"(VALUES (0, NULL::%s, NULL::pg_catalog.int4), (1, %s, %s)) u(k, l, part) "
					"GROUP BY u.k, u.l, u.part ORDER BY u.k, u.l, u.part LIMIT %ld",
					pass_call, d->src->qualified, ltype, MmLabelExpression(d->src, d->label_kind),
					part, query_limit(d));
}

/* The query of the joint groups of label and part, summed per label (see above). */
static char *
query_joint(const MmDiscovery *d, const char *pass_call, const char *ltype, const char *part)
{
	return psprintf("WITH g AS (SELECT u.k, u.l, u.part, pg_catalog.count(*) AS n, "
					"%s FILTER (WHERE u.k OPERATOR(pg_catalog.=) 0) AS s FROM %s r CROSS JOIN LATERAL "
					"(SELECT 0 AS k, NULL::%s AS l, NULL::pg_catalog.int4 AS part UNION ALL SELECT 1, %s, %s) u "
					"GROUP BY u.k, u.l, u.part) "
					"SELECT m.* FROM (SELECT 0 AS k, NULL::%s AS l, NULL::pg_catalog.int4 AS part, "
					"(SELECT pg_catalog.count(*) FROM g) AS n, g.s FROM g WHERE g.k OPERATOR(pg_catalog.=) 0 "
					"UNION ALL (SELECT 1, g.l, g.part, pg_catalog.sum(g.n)::pg_catalog.int8, NULL FROM g "
					"WHERE g.k OPERATOR(pg_catalog.=) 1 GROUP BY g.l, g.part)) m "
					"ORDER BY m.k, m.l, m.part LIMIT %ld",
					pass_call, d->src->qualified, ltype, MmLabelExpression(d->src, d->label_kind), part,
					ltype, query_limit(d));
}

char *
MmDiscoveryQuery(const MmDiscovery *d, const char *pass_call)
{
	const MmSource *src = d->src;
	const char *ltype = MmLabelSqlType(src, d->label_kind);
	char	   *part;

	Assert(d->want_labels);
	part = psprintf("%s.mm_pass_part($1, %s, %s)", MmExtensionSchema(),
					MmPassTargetExpression(src, d->target, d->label_kind, "r"),
					MmPassRowArguments(src, d->target, d->label_kind, "r"));
	if (d->joint)
		return query_joint(d, pass_call, ltype, part);
	return query_per_thing(d, pass_call, ltype, part);
}

/* Reads the labels' groups (k 1) from rows first to end, complete unless cut off by the query's bound. */
static void
read_groups(MmDiscovery *d, int k, uint64 first, uint64 end, bool cut)
{
	if (k != 1 || cut || end - first >= (uint64) LABEL_GROUPS)
		return;
	MmLabelsFromGroups(d->src, d->label_kind, first, end, COL_LABEL, COL_PART, &d->labels);
	d->labels_done = true;
}

/* The k of row r of the query's result. */
static int
row_k(uint64 r)
{
	bool		isnull;

	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, COL_K, &isnull));
}

void
MmDiscoveryRead(void *ctx)
{
	MmDiscovery *d = ctx;
	uint64		n = SPI_processed,
				first = 1;
	bool		full,
				isnull;

	/*
	 * At the bound, the last k read may have lost groups to it, and later
	 * ones all; the joint groups (their number in row 0) any of them.
	 */
	if (d->joint)
		full = n > 0 && DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
													COL_PART + 1, &isnull)) >= query_limit(d);
	else
		full = n >= (uint64) query_limit(d);

	/* row 0 is the pass's group (k 0), which sorts first */
	while (first < n)
	{
		int			k = row_k(first);
		uint64		end = first + 1;

		while (end < n && row_k(end) == k)
		{
			if ((end & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			end++;
		}
		read_groups(d, k, first, end, full && (d->joint || end == n));
		first = end;
	}
}

void
MmDiscoveryCountedLabels(MmDiscovery *d, const MmLabelCounts *counts)
{
	MmDiscoveredLabels *l = &d->labels;
	int			n,
				i;

	if (!d->labels_counted || d->label_kind == MM_LABEL_TEXT || counts == NULL || counts->overflow)
		return;
	n = counts->n;
	for (i = 0; i < n; i++)
	{
		double		v = counts->label[i].value;

		/*
		 * A fractional value is an error the queries word; at 2^53 and
		 * beyond, a bigint's double may be another value's.
		 */
		if (v != trunc(v) || fabs(v) >= (double) MM_MAX_NUMBER_LABEL ||
			(d->label_kind == MM_LABEL_BOOLEAN && v != 0.0 && v != 1.0))
			return;
	}
	/* ascending, the label type's order, as the queries' groups come */
	MmDiscoveredLabelsAlloc(l, n);
	for (i = 0; i < n; i++)
	{
		int64		whole = (int64) counts->label[i].value;

		l->values[i] = (double) whole;
		l->labels[i] = MmNumberLabelName(d->label_kind, whole);
		l->count[0][i] = counts->label[i].count[0];
		l->count[1][i] = counts->label[i].count[1];
	}
	d->labels_done = true;
}

/* C order, as discover.c's queries sort a text feature's values (COLLATE "C"): bytes, then length. */
static int
c_order(const void *a, const void *b, void *arg)
{
	const MmTextCount *x = *(MmTextCount *const *) a;
	const MmTextCount *y = *(MmTextCount *const *) b;
	const char *text = arg;
	int			bytes = memcmp(text + x->offset, text + y->offset, Min(x->len, y->len));

	if (bytes != 0)
		return bytes;
	return (x->len > y->len) - (x->len < y->len);
}

/* The values counts holds, in C order. */
static const MmTextCount **
in_c_order(const MmTextCounts *counts)
{
	const MmTextCount **order = palloc(sizeof(MmTextCount *) * Max(counts->n, 1));
	int			i;

	for (i = 0; i < counts->n; i++)
		order[i] = &counts->value[i];
	qsort_arg(order, counts->n, sizeof(MmTextCount *), c_order, (void *) counts->text);
	return order;
}

/* The dictionary of the values counts holds, in C order (MmCategoriesFromGroups' order). */
static MmStringDict *
counted_dict(const MmTextCounts *counts)
{
	MmStringDict *dict = palloc0(sizeof(MmStringDict));
	const MmTextCount **order = in_c_order(counts);
	int			cap = Max(counts->n, 1),
				i;

	dict->names = palloc(sizeof(char *) * cap);
	dict->lens = palloc(sizeof(int) * cap);
	dict->count[0] = palloc(sizeof(int64) * cap);
	dict->count[1] = palloc(sizeof(int64) * cap);
	dict->cap = cap;
	for (i = 0; i < counts->n; i++)
	{
		dict->names[i] = pnstrdup(counts->text + order[i]->offset, order[i]->len);
		dict->lens[i] = (int) order[i]->len;
		dict->count[0][i] = order[i]->count[0];
		dict->count[1][i] = order[i]->count[1];
	}
	dict->n = counts->n;
	return dict;
}

void
MmDiscoveryCountedTextLabels(MmDiscovery *d, const MmTextCounts *counts)
{
	MmDiscoveredLabels *l = &d->labels;
	const MmTextCount **order;
	int			i;

	if (!d->labels_counted || d->label_kind != MM_LABEL_TEXT || counts == NULL || counts->overflow)
		return;
	/* C order, as the rows read into memory order text labels */
	order = in_c_order(counts);
	MmDiscoveredLabelsAlloc(l, counts->n);
	for (i = 0; i < counts->n; i++)
	{
		l->labels[i] = pnstrdup(counts->text + order[i]->offset, order[i]->len);
		l->values[i] = 0.0;
		l->count[0][i] = order[i]->count[0];
		l->count[1][i] = order[i]->count[1];
	}
	d->labels_done = true;
}

void
MmDiscoveryCountedTexts(MmDiscovery *d, MmTextCounts *const *counts)
{
	int			j;

	for (j = 0; j < d->src->nfeatures; j++)
	{
		/* a table that overflowed leaves the feature to a query of its own, which says why */
		if (d->src->feature_kinds[j] != MM_FEATURE_CATEGORICAL || counts == NULL ||
			counts[j] == NULL || counts[j]->overflow)
			continue;
		d->dicts[j] = counted_dict(counts[j]);
		d->nulls_train[j] = counts[j]->nulls[0];
		d->done[j] = true;
	}
}

void
MmDiscoveryLabels(MmDiscovery *d, bytea *header, MmDiscoveredLabels *out)
{
	if (d->labels_done)
		*out = d->labels;
	else
		MmDiscoverLabels(d->src, header, d->target, d->label_kind, out);
}

MmStringDict *
MmDiscoveryCategories(MmDiscovery *d, int j, bytea *header, int64 *nulls_train)
{
	if (d->done[j])
	{
		*nulls_train = d->nulls_train[j];
		return d->dicts[j];
	}
	return MmDiscoverCategories(d->src, j, header, d->target, d->label_kind, nulls_train);
}
