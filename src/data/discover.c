/*
 * discover.c: category and label discovery for training in passes.
 *
 * A fit in memory learns the values of its text features and labels as it
 * reads the rows.  A fit in passes counts them in the read of its first
 * pass (discoverpass.c); a label or text feature that read could not count
 * in full (past its bound), and a model's evaluation, ask the relation
 * here, one GROUP BY query per text feature and one for the label:
 *
 *   SELECT v, part, count(*) FROM (SELECT <value> AS v,
 *          mm_pass_part($1, y, x, c) AS part FROM <relation> r) s
 *    GROUP BY v, part LIMIT <bound>
 *
 * mm_pass_part splits each row as the pass aggregate does (passtext.c), so
 * the counts per part are those of the rows read into memory.  PostgreSQL
 * runs the grouping in parallel workers and a distributed database on its
 * shards, merging partial counts; what comes back is one row per value and
 * part, bounded by LIMIT: a feature with more than MM_MAX_CATEGORIES values,
 * or a target with more than MM_MAX_CLASSES, is refused as the fit in
 * memory refuses it.  Rows in neither part (part NULL) come back as groups
 * of their own and are skipped here: a WHERE on part would have the planner
 * compute mm_pass_part twice a row, once to filter and once to group, and
 * a subquery that computes it once (OFFSET 0) would not run on a
 * distributed database's shards.  Only when such groups could have crowded
 * others out of the bound does the query run again with the WHERE
 * (run_grouping).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "algorithm_names.h"
#include "catalog.h"
#include "discover.h"
#include "numberlabel.h"
#include "relsource.h"
#include "security.h"

/*
 * Runs the grouping query over value (an SQL expression of row alias r),
 * filtered to the rows of a part or not, bounded to limit rows; sorted by
 * value (in C order) when sorted, so that a value's parts arrive together.
 */
static void
run_query(const MmSource *src, const char *value, bytea *header, int target,
		  MmLabelKind label_kind, bool filtered, long limit, bool sorted)
{
	Oid			types[1] = {BYTEAOID};
	Datum		values[1] = {PointerGetDatum(header)};
	char	   *q;

	q = psprintf("SELECT s.v, s.part, pg_catalog.count(*) FROM (SELECT %s AS v, %s.mm_pass_part($1, %s, %s) "
				 "AS part FROM %s r) s%s GROUP BY s.v, s.part%s LIMIT %ld",
				 value, MmExtensionSchema(), MmPassTargetExpression(src, target, label_kind, "r"),
				 MmPassRowArguments(src, target, label_kind, "r"), src->qualified,
				 filtered ? " WHERE s.part IS NOT NULL" : "",
				 sorted ? " ORDER BY s.v COLLATE pg_catalog.\"C\", s.part" : "", limit);
	ereport(DEBUG1, (errmsg_internal("modelmgr discovery: %s", q)));
	if (MmSpiRun(q, 1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "discovery query failed");
}

/*
 * The groups of value and part, at least those of the first `values`
 * values (NULL included) when there are more: every group when there are
 * not.  Unfiltered, a value takes at most three groups (two parts and
 * none), so fewer rows than the bound are every group there is; at the
 * bound, values of rows in no part may have crowded out the others, and
 * the filtered query, two groups a value, decides.
 */
static void
run_grouping(const MmSource *src, const char *value, bytea *header, int target,
			 MmLabelKind label_kind, long values, bool sorted)
{
	run_query(src, value, header, target, label_kind, false, 3L * values, sorted);
	if (SPI_processed < (uint64) (3L * values))
		return;
	SPI_freetuptable(SPI_tuptable);
	run_query(src, value, header, target, label_kind, true, 2L * values, sorted);
}

/* The SQL type number labels are read as, as dataset.c reads them. */
static const char *
label_type(MmLabelKind kind, Oid source)
{
	if (kind == MM_LABEL_BOOLEAN)
		return "pg_catalog.bool";
	if (kind == MM_LABEL_TEXT)
		return "pg_catalog.text";
	switch (source)
	{
		case FLOAT4OID:
			return "pg_catalog.float4";
		case FLOAT8OID:
			return "pg_catalog.float8";
		case NUMERICOID:
			return "pg_catalog.numeric";
	}
	return "pg_catalog.int8";
}

/* Orders label indexes by text (C order) or value, as MmDatasetOrderLabels does. */
static int
label_cmp(const void *a, const void *b, void *arg)
{
	const MmDiscoveredLabels *l = arg;
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (l->values == NULL)
		return strcmp(l->labels[i], l->labels[j]);
	return (l->values[i] > l->values[j]) - (l->values[i] < l->values[j]);
}

/* The index of label text (or value) among the first n, or -1. */
static int
find_label(const MmDiscoveredLabels *l, const char *name, double value)
{
	int			i;

	for (i = 0; i < l->n; i++)
		if (l->values == NULL ? strcmp(l->labels[i], name) == 0 : l->values[i] == value)
			return i;
	return -1;
}

const char *
MmLabelSqlType(const MmSource *src, MmLabelKind label_kind)
{
	return label_type(label_kind, label_kind == MM_LABEL_NUMBER ?
					  MmNumberLabelSourceType(src->target_type) : InvalidOid);
}

char *
MmLabelExpression(const MmSource *src, MmLabelKind label_kind)
{
	return psprintf("(r.%s)::%s", quote_identifier(src->target), MmLabelSqlType(src, label_kind));
}

void
MmDiscoverLabels(const MmSource *src, bytea *header, int target, MmLabelKind label_kind,
				 MmDiscoveredLabels *out)
{
	/* one label past the limit shows */
	run_grouping(src, MmLabelExpression(src, label_kind), header, target, label_kind,
				 MM_MAX_CLASSES + 1, false);
	MmLabelsFromGroups(src, label_kind, 0, SPI_processed, 1, 2, out);
	SPI_freetuptable(SPI_tuptable);
}

void
MmLabelsFromGroups(const MmSource *src, MmLabelKind label_kind, uint64 first, uint64 end, int column,
				   int part_column, MmDiscoveredLabels *out)
{
	Oid			source = label_kind == MM_LABEL_NUMBER ? MmNumberLabelSourceType(src->target_type) :
		InvalidOid;
	MmDiscoveredLabels l;
	int		   *order;
	uint64		r;
	int			i;

	memset(&l, 0, sizeof(l));
	l.labels = palloc(sizeof(char *) * (MM_MAX_CLASSES + 1));
	l.values = label_kind == MM_LABEL_TEXT ? NULL : palloc(sizeof(double) * (MM_MAX_CLASSES + 1));
	l.count[0] = palloc0(sizeof(int64) * (MM_MAX_CLASSES + 1));
	l.count[1] = palloc0(sizeof(int64) * (MM_MAX_CLASSES + 1));
	for (r = first; r < end; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull,
					part_null;
		Datum		v = SPI_getbinval(tuple, desc, column, &isnull);
		int			part = DatumGetInt32(SPI_getbinval(tuple, desc, part_column, &part_null));
		int64		count = DatumGetInt64(SPI_getbinval(tuple, desc, part_column + 1, &isnull));
		char	   *name = NULL;
		double		value = 0.0;
		int64		whole = 0;
		int			i;

		/* rows the split leaves out (a NULL or non-finite target or feature) */
		if (part_null)
			continue;
		switch (label_kind)
		{
			case MM_LABEL_NUMBER:
				switch (MmNumberLabelFrom(v, source, &whole))
				{
					case MM_NUMBER_LABEL_OK:
						break;
					case MM_NUMBER_LABEL_NONFINITE:
						/* such rows are in no part: the pass counts them, and the fit refuses them */
						continue;
					case MM_NUMBER_LABEL_FRACTIONAL:
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("target \"%s\" has value %s, which is not a whole number",
										src->target, MmNumberLabelText(v, source)),
								 errdetail("A classifier learns a %s target as classes only when every value is a whole number.",
										   format_type_be(src->target_type)),
								 errhint("Round the target in a view, or pass algorithm => '%s' to predict a number.",
										 MmAlgorithmForTask(MM_TASK_REGRESSION))));
						break;
					case MM_NUMBER_LABEL_TOO_LARGE:
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("target \"%s\" has value %s, beyond the labels a classifier holds exactly",
										src->target, MmNumberLabelText(v, source)),
								 errdetail("A number label lies between -" INT64_FORMAT " and " INT64_FORMAT " (2^53).",
										   MM_MAX_NUMBER_LABEL, MM_MAX_NUMBER_LABEL),
								 errhint("Map the values to smaller codes, or to text, in a view.")));
						break;
				}
				value = (double) whole;
				name = MmNumberLabelName(label_kind, whole);
				break;
			case MM_LABEL_BOOLEAN:
				value = DatumGetBool(v) ? 1.0 : 0.0;
				name = MmNumberLabelName(label_kind, DatumGetBool(v));
				break;
			case MM_LABEL_TEXT:
				name = TextDatumGetCString(v);
				break;
		}
		i = find_label(&l, name, value);
		if (i < 0)
		{
			if (l.n >= MM_MAX_CLASSES)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("target \"%s\" has more than %d distinct values", src->target, MM_MAX_CLASSES),
						 errhint("A classifier learns at most %d classes; a numeric target with many values "
								 "calls for algorithm => '%s'.", MM_MAX_CLASSES,
								 MmAlgorithmForTask(MM_TASK_REGRESSION))));
			i = l.n++;
			l.labels[i] = name;
			if (l.values != NULL)
				l.values[i] = value;
		}
		l.count[part != 0][i] += count;
	}

	/* in the label type's order, as the rows read into memory are */
	order = palloc(sizeof(int) * Max(l.n, 1));
	for (i = 0; i < l.n; i++)
		order[i] = i;
	qsort_arg(order, l.n, sizeof(int), label_cmp, &l);
	MmDiscoveredLabelsAlloc(out, l.n);
	for (i = 0; i < l.n; i++)
	{
		out->labels[i] = l.labels[order[i]];
		out->values[i] = l.values != NULL ? l.values[order[i]] : 0.0;
		out->count[0][i] = l.count[0][order[i]];
		out->count[1][i] = l.count[1][order[i]];
	}
}

char *
MmNumberLabelName(MmLabelKind label_kind, int64 whole)
{
	if (label_kind == MM_LABEL_BOOLEAN)
		return pstrdup(whole ? "true" : "false");
	return psprintf(INT64_FORMAT, whole);
}

void
MmDiscoveredLabelsAlloc(MmDiscoveredLabels *out, int n)
{
	out->n = n;
	out->labels = palloc(sizeof(char *) * Max(n, 1));
	out->values = palloc(sizeof(double) * Max(n, 1));
	out->count[0] = palloc(sizeof(int64) * Max(n, 1));
	out->count[1] = palloc(sizeof(int64) * Max(n, 1));
}

MmStringDict *
MmDiscoverCategories(const MmSource *src, int j, bytea *header, int target, MmLabelKind label_kind,
					 int64 *nulls_train)
{
	MmStringDict *d;

	/* NULL, and one value past the limit, show */
	run_grouping(src, MmFeatureExpression(src, j, "r"), header, target, label_kind,
				 MM_MAX_CATEGORIES + 2, true);
	d = MmCategoriesFromGroups(src, j, 0, SPI_processed, 1, 2, nulls_train);
	SPI_freetuptable(SPI_tuptable);
	return d;
}

MmStringDict *
MmCategoriesFromGroups(const MmSource *src, int j, uint64 first, uint64 end, int column,
					   int part_column, int64 *nulls_train)
{
	MmStringDict *d = palloc0(sizeof(MmStringDict));
	uint64		r;
	int			cap;

	cap = (int) Max(end - first, 1);
	d->names = palloc(sizeof(char *) * cap);
	d->lens = palloc(sizeof(int) * cap);
	d->count[0] = palloc0(sizeof(int64) * cap);
	d->count[1] = palloc0(sizeof(int64) * cap);
	d->cap = cap;
	*nulls_train = 0;
	for (r = first; r < end; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull,
					v_null,
					part_null;
		Datum		v = SPI_getbinval(tuple, desc, column, &v_null);
		int			part = DatumGetInt32(SPI_getbinval(tuple, desc, part_column, &part_null));
		int64		count = DatumGetInt64(SPI_getbinval(tuple, desc, part_column + 1, &isnull));
		char	   *name;
		int			i;

		if (part_null)
			continue;
		if (v_null)
		{
			if (part == 0)
				*nulls_train += count;
			continue;
		}
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		name = TextDatumGetCString(v);
		/* a value's two parts arrive one after the other */
		i = d->n > 0 && strcmp(d->names[d->n - 1], name) == 0 ? d->n - 1 : -1;
		if (i < 0)
		{
			if (d->n >= MM_MAX_CATEGORIES)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("feature \"%s\" has more than %d distinct values",
								src->features[j], MM_MAX_CATEGORIES),
						 errhint("Leave it out with exclude => ARRAY['%s'], or group its values in a view.",
								 src->features[j])));
			i = d->n++;
			d->names[i] = name;
			d->lens[i] = (int) strlen(name);
		}
		d->count[part != 0][i] += count;
	}
	return d;
}
