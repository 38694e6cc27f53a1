/*
 * discoverpass.c: the labels and text features' values of a fit in passes,
 * counted by the same read of the relation as its first pass.
 *
 * Discovery alone (discover.c) reads the relation once for the label and
 * once per text feature; the fit's first pass (the column profile and
 * statistics) reads it again.  Here one query does all of it.  Each row of
 * the relation joins two rows of a lateral subquery: one (k 0) that feeds
 * the pass's aggregate, one (k 1) that carries the row's label, its text
 * values and its part of the split together, so that the row is hashed
 * twice and its part (mm_pass_part($1, y, x, c), as discover.c computes
 * it) computed once, whatever the number of things counted:
 *
 *   WITH g AS (SELECT u.k, u.l, u.v2, ..., u.part, count(*) AS n,
 *                     <the pass's aggregate> FILTER (WHERE u.k = 0) AS s
 *                FROM <relation> r CROSS JOIN LATERAL
 *                     (SELECT 0 AS k, NULL AS l, NULL AS v2, ..., NULL AS part
 *                      UNION ALL SELECT 1, <label>, <feature 2>, ..., <part>) u
 *               GROUP BY u.k, u.l, u.v2, ..., u.part)
 *   SELECT m.* FROM (SELECT 0 AS k, NULL AS l, NULL AS v, NULL AS part,
 *                           (SELECT count(*) FROM g), g.s FROM g WHERE g.k = 0
 *                    UNION ALL SELECT 1, g.l, NULL, g.part, sum(g.n) ...
 *                     GROUP BY g.l, g.part
 *                    UNION ALL SELECT 2 + j, NULL, g.vj, g.part, sum(g.n) ...
 *                     GROUP BY g.vj, g.part ...) m
 *    ORDER BY m.k, m.l, m.v COLLATE "C", m.part LIMIT <bound>
 *
 * A number or boolean label is not in the query: it reaches the pass's
 * aggregate as a double, and the aggregate's state counts its values per
 * part (labelcount.h, MmDiscoveryCountedLabels), which costs the row a
 * lookup in a short sorted array instead of a second trip through the
 * grouping; on 1,000,000 rows the statistics pass of a binary classifier
 * took 0.60 s with its labels in the query and 0.26 s with them in the
 * state.  Without text features the pass then runs alone, ungrouped.  A
 * text label, or a numeric one (whose double may round a fractional value
 * to a whole one), stays in the query.
 *
 * The groups of g are the combinations of label, values and part that
 * occur; the outer query sums them into each label's and each value's rows
 * per part, the groups the discovery queries count, in their order.  A
 * join of one lateral row per thing counted (the form below, which a
 * distributed database needs) sends each row through the hash table and
 * the split once per thing: on 1,000,000 rows with a label and a text
 * feature it cost a quarter more CPU than the joint groups, and more than
 * the separate discovery queries it replaces (doc/scaling.md).  The part
 * is computed inside the lateral subquery, where the planner sees the
 * grouping key as one of a few values, not as an expression of every
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
 * down no lateral UNION ALL), and the query groups by the thing, its value
 * and part directly, which the shards run as partial aggregates:
 *
 *   SELECT u.k, u.l, u.v, u.part, count(*),
 *          <the pass's aggregate> FILTER (WHERE u.k = 0)
 *     FROM <relation> r CROSS JOIN LATERAL
 *          (VALUES (0, NULL, NULL, NULL), (1, <label>, NULL, <part>),
 *                  (2 + j, NULL, <feature j>, <part>) ...) u(k, l, v, part)
 *    GROUP BY u.k, u.l, u.v, u.part ORDER BY u.k, u.l, u.v COLLATE "C", u.part
 *    LIMIT <bound>
 *
 * GROUPING SETS would say the same more briefly, but Citus refuses them on
 * distributed tables, and PostgreSQL 15 runs them in no parallel worker.
 *
 * The bound is the sum of discover.c's first bounds (three groups a value:
 * two parts and none) and the pass's group, which sorts first.  The joint
 * groups are counted whole, with no ORDER BY or LIMIT of their own: run
 * with sorting disabled (relsource.c), an ORDER BY there made PostgreSQL
 * group by sorting every row, serially and spilling to disk, instead of
 * hashing in parallel workers.  The bound limits the rows summed from
 * them, and when the joint groups' number reaches it every label and
 * value is discovered again.  A label or feature with as many groups as its
 * bound, or that the bound may have cut off, is discovered again by its
 * own queries (MmDiscoveryLabels), which decide as discover.c always has;
 * so are the values of a feature with more than MM_MAX_CATEGORIES of them,
 * so that its error comes where it always came, after the checks of the
 * rows.
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
#define VALUE_GROUPS (3L * (MM_MAX_CATEGORIES + 2))

/* Output columns of the query. */
#define COL_K 1
#define COL_LABEL 2
#define COL_VALUE 3
#define COL_PART 4

void
MmDiscoveryInit(MmDiscovery *d, const MmSource *src, int target, MmLabelKind label_kind,
				bool want_labels)
{
	int			p = src->nfeatures;

	memset(d, 0, sizeof(*d));
	d->src = src;
	d->target = target;
	d->label_kind = label_kind;
	/* a double holds every value of these types exactly; a numeric may round into a whole one */
	d->labels_counted = want_labels && target == MM_PASS_TARGET_CLASS &&
		(label_kind == MM_LABEL_BOOLEAN ||
		 (label_kind == MM_LABEL_NUMBER && MmNumberLabelSourceType(src->target_type) != NUMERICOID));
	d->want_labels = want_labels && !d->labels_counted;
	d->in_pass = true;
	d->joint = !MmReadsCitusTable(src->relid);
	d->done = palloc0(sizeof(bool) * p);
	d->dicts = palloc0(sizeof(MmStringDict *) * p);
	d->nulls_train = palloc0(sizeof(int64) * p);
}

void
MmDiscoveryApart(MmDiscovery *d)
{
	d->in_pass = false;
}

bool
MmDiscoveryWanted(const MmDiscovery *d)
{
	int			j;

	if (d->want_labels)
		return true;
	for (j = 0; j < d->src->nfeatures; j++)
		if (d->src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			return true;
	return false;
}

/* The query's bound: the pass's group, then each label's and value's first bound. */
static long
query_limit(const MmDiscovery *d)
{
	long		limit = 1 + (d->want_labels ? LABEL_GROUPS : 0);
	int			j;

	for (j = 0; j < d->src->nfeatures; j++)
		if (d->src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			limit += VALUE_GROUPS;
	return limit;
}

/* The query of one lateral row per thing counted, for a distributed table (see above). */
static char *
query_per_thing(const MmDiscovery *d, const char *pass_call, const char *ltype, const char *part)
{
	const MmSource *src = d->src;
	StringInfoData q;
	int			j;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT u.k, u.l, u.v, u.part, pg_catalog.count(*), "
					 "%s FILTER (WHERE u.k OPERATOR(pg_catalog.=) 0) FROM %s r CROSS JOIN LATERAL "
					 "(VALUES (0, NULL::%s, NULL::pg_catalog.text, NULL::pg_catalog.int4)",
					 pass_call, src->qualified, ltype);
	if (d->want_labels)
		appendStringInfo(&q, ", (1, %s, NULL, %s)", MmLabelExpression(src, d->label_kind), part);
	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			appendStringInfo(&q, ", (%d, NULL, %s, %s)", 2 + j, MmFeatureExpression(src, j, "r"),
							 part);
	appendStringInfo(&q, ") u(k, l, v, part) GROUP BY u.k, u.l, u.v, u.part "
					 "ORDER BY u.k, u.l, u.v COLLATE pg_catalog.\"C\", u.part LIMIT %ld",
					 query_limit(d));
	return q.data;
}

/* The query of the joint groups of label, values and part, summed per thing (see above). */
static char *
query_joint(const MmDiscovery *d, const char *pass_call, const char *ltype, const char *part)
{
	const MmSource *src = d->src;
	StringInfoData q,
				keys,
				none,
				row;
	int			j;

	initStringInfo(&keys);
	initStringInfo(&none);
	initStringInfo(&row);
	appendStringInfoString(&keys, "u.k");
	appendStringInfoString(&none, "SELECT 0 AS k");
	appendStringInfoString(&row, "SELECT 1");
	if (d->want_labels)
	{
		appendStringInfoString(&keys, ", u.l");
		appendStringInfo(&none, ", NULL::%s AS l", ltype);
		appendStringInfo(&row, ", %s", MmLabelExpression(src, d->label_kind));
	}
	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		{
			appendStringInfo(&keys, ", u.v%d", j);
			appendStringInfo(&none, ", NULL::pg_catalog.text AS v%d", j);
			appendStringInfo(&row, ", %s", MmFeatureExpression(src, j, "r"));
		}
	appendStringInfoString(&keys, ", u.part");
	appendStringInfoString(&none, ", NULL::pg_catalog.int4 AS part");
	appendStringInfo(&row, ", %s", part);

	initStringInfo(&q);
	appendStringInfo(&q, "WITH g AS (SELECT %s, pg_catalog.count(*) AS n, "
					 "%s FILTER (WHERE u.k OPERATOR(pg_catalog.=) 0) AS s FROM %s r CROSS JOIN LATERAL "
					 "(%s UNION ALL %s) u GROUP BY %s) ",
					 keys.data, pass_call, src->qualified, none.data, row.data, keys.data);
	appendStringInfo(&q, "SELECT m.* FROM (SELECT 0 AS k, NULL::%s AS l, NULL::pg_catalog.text AS v, "
					 "NULL::pg_catalog.int4 AS part, (SELECT pg_catalog.count(*) FROM g) AS n, g.s "
					 "FROM g WHERE g.k OPERATOR(pg_catalog.=) 0", ltype);
	if (d->want_labels)
		appendStringInfoString(&q, " UNION ALL (SELECT 1, g.l, NULL, g.part, "
							   "pg_catalog.sum(g.n)::pg_catalog.int8, NULL FROM g "
							   "WHERE g.k OPERATOR(pg_catalog.=) 1 GROUP BY g.l, g.part)");
	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			appendStringInfo(&q, " UNION ALL (SELECT %d, NULL, g.v%d, g.part, "
							 "pg_catalog.sum(g.n)::pg_catalog.int8, NULL FROM g "
							 "WHERE g.k OPERATOR(pg_catalog.=) 1 GROUP BY g.v%d, g.part)", 2 + j, j, j);
	appendStringInfo(&q, ") m ORDER BY m.k, m.l, m.v COLLATE pg_catalog.\"C\", m.part LIMIT %ld",
					 query_limit(d));
	return q.data;
}

char *
MmDiscoveryQuery(const MmDiscovery *d, const char *pass_call)
{
	const MmSource *src = d->src;
	const char *ltype = d->want_labels ? MmLabelSqlType(src, d->label_kind) : "pg_catalog.text";
	char	   *part;

	part = psprintf("%s.mm_pass_part($1, %s, %s)", MmExtensionSchema(),
					MmPassTargetExpression(src, d->target, d->label_kind, "r"),
					MmPassRowArguments(src, d->target, d->label_kind, "r"));
	if (d->joint)
		return query_joint(d, pass_call, ltype, part);
	return query_per_thing(d, pass_call, ltype, part);
}

/* The distinct values rows first to end hold in the parts of the split (sorted by value). */
static int64
distinct_values(uint64 first, uint64 end)
{
	TupleDesc	desc = SPI_tuptable->tupdesc;
	text	   *last = NULL;
	int64		n = 0;
	uint64		r;

	for (r = first; r < end; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		bool		v_null,
					part_null;
		Datum		v = SPI_getbinval(tuple, desc, COL_VALUE, &v_null);
		text	   *t;

		(void) SPI_getbinval(tuple, desc, COL_PART, &part_null);
		if (v_null || part_null)
			continue;
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		t = DatumGetTextPP(v);
		if (last == NULL || VARSIZE_ANY_EXHDR(t) != VARSIZE_ANY_EXHDR(last) ||
			memcmp(VARDATA_ANY(t), VARDATA_ANY(last), VARSIZE_ANY_EXHDR(t)) != 0)
			n++;
		last = t;
	}
	return n;
}

/* Reads the groups of k from rows first to end, complete unless cut off by the query's bound. */
static void
read_groups(MmDiscovery *d, int k, uint64 first, uint64 end, bool cut)
{
	uint64		n = end - first;

	if (k == 1)
	{
		if (cut || n >= (uint64) LABEL_GROUPS)
			return;
		MmLabelsFromGroups(d->src, d->label_kind, first, end, COL_LABEL, COL_PART, &d->labels);
		d->labels_done = true;
		return;
	}
	if (k < 2 || k - 2 >= d->src->nfeatures || cut || n >= (uint64) VALUE_GROUPS ||
		distinct_values(first, end) > MM_MAX_CATEGORIES)
		return;
	d->dicts[k - 2] = MmCategoriesFromGroups(d->src, k - 2, first, end, COL_VALUE, COL_PART,
											 &d->nulls_train[k - 2]);
	d->done[k - 2] = true;
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

	if (!d->labels_counted || counts == NULL || counts->overflow)
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
