/*
 * discoverpass.c: the labels and text features' values of a fit in passes,
 * counted by the same read of the relation as its first pass.
 *
 * Discovery alone (discover.c) reads the relation once for the label and
 * once per text feature; the fit's first pass (the column profile and
 * statistics) reads it again.  Here one query does all of it:
 *
 *   SELECT u.k, u.l, u.v, u.part, count(*),
 *          <the pass's aggregate> FILTER (WHERE u.k = 0)
 *     FROM <relation> r CROSS JOIN LATERAL
 *          (SELECT 0 AS k, NULL AS l, NULL AS v, NULL AS part
 *           UNION ALL SELECT 1, <label>, NULL, <part>
 *           UNION ALL SELECT 2 + j, NULL, <feature j>, <part> ...) u
 *    GROUP BY u.k, u.l, u.v, u.part ORDER BY u.k, u.l, u.v COLLATE "C", u.part
 *    LIMIT <bound>
 *
 * Each row of the relation joins one row of the lateral subquery per thing to
 * count: k 0 is one group that feeds every row to the pass (its part
 * NULL), k 1 the label's groups, 2 + j text feature j's, counted per part
 * of the split as discover.c counts them (<part> is mm_pass_part($1, y,
 * x, c), as there; inside the lateral subquery, where the planner sees
 * the grouping key as one of a few values, not as an expression of every
 * column, whose groups it would take to be as many as the rows, and so not
 * group them in parallel workers).  A lateral UNION ALL of one-row selects
 * costs half what a lateral VALUES list does, which is scanned anew for
 * each row.  The pass's rows reach its
 * aggregate in the order they are read, as in the pass's own query, so its
 * state is the same.  Every aggregate has a combine function and the
 * grouping keys are plain values, so PostgreSQL runs it in parallel workers
 * and a distributed database on its shards as partial aggregates; the
 * lateral subquery is a join no database needs to move rows for.
 * GROUPING SETS would say the same more briefly, but Citus refuses them
 * on distributed tables.
 *
 * The bound is the sum of discover.c's first bounds (three groups a value:
 * two parts and none) and the pass's group, which sorts first.  A label or
 * feature with as many groups as its bound, or that the bound may have cut
 * off, is discovered again by its own queries (MmDiscoveryLabels), which
 * decide as discover.c always has; so are the values of a feature with
 * more than MM_MAX_CATEGORIES of them, so that its error comes where it
 * always came, after the checks of the rows.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "citusmeta.h"
#include "discover.h"
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
	d->want_labels = want_labels;
	d->in_pass = true;
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

char *
MmDiscoveryQuery(const MmDiscovery *d, const char *pass_call)
{
	const MmSource *src = d->src;
	const char *ltype = d->want_labels ? MmLabelSqlType(src, d->label_kind) : "pg_catalog.text";
	StringInfoData q;
	char	   *part;
	const char *first = "(SELECT 0 AS k, NULL::%s AS l, NULL::pg_catalog.text AS v, "
		"NULL::pg_catalog.int4 AS part";
	const char *label = " UNION ALL SELECT 1, %s, NULL, %s";
	const char *value = " UNION ALL SELECT %d, NULL, %s, %s";
	const char *last = ") u";
	int			j;

	part = psprintf("%s.mm_pass_part($1, %s, %s)", MmExtensionSchema(),
					MmPassTargetExpression(src, d->target, d->label_kind, "r"),
					MmPassRowArguments(src, d->target, d->label_kind, "r"));
	/*
	 * Citus pushes down a lateral VALUES list but not a lateral UNION ALL
	 * ("cannot push down this subquery"); elsewhere the UNION ALL, which
	 * costs half as much.
	 */
	if (MmIsCitusTable(src->relid))
	{
		first = "(VALUES (0, NULL::%s, NULL::pg_catalog.text, NULL::pg_catalog.int4)";
		label = ", (1, %s, NULL, %s)";
		value = ", (%d, NULL, %s, %s)";
		last = ") u(k, l, v, part)";
	}
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT u.k, u.l, u.v, u.part, pg_catalog.count(*), "
					 "%s FILTER (WHERE u.k OPERATOR(pg_catalog.=) 0) FROM %s r CROSS JOIN LATERAL ",
					 pass_call, src->qualified);
	appendStringInfo(&q, first, ltype);
	if (d->want_labels)
		appendStringInfo(&q, label, MmLabelExpression(src, d->label_kind), part);
	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			appendStringInfo(&q, value, 2 + j, MmFeatureExpression(src, j, "r"), part);
	appendStringInfo(&q, "%s GROUP BY u.k, u.l, u.v, u.part "
					 "ORDER BY u.k, u.l, u.v COLLATE pg_catalog.\"C\", u.part LIMIT %ld",
					 last, query_limit(d));
	return q.data;
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
	/* at the bound, the last k read may have lost groups to it, and later ones all */
	bool		full = n >= (uint64) query_limit(d);

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
		read_groups(d, k, first, end, full && end == n);
		first = end;
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
