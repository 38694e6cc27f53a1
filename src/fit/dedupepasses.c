/*
 * dedupepasses.c: dropping duplicate rows when training in passes.
 *
 * The fit in memory drops a row whose features and target, as read, equal
 * those of a row read before it (preprocess.c).  Equal rows have to meet to
 * be found, which no mergeable state of bounded size does; so the passes
 * read the relation through a grouping subquery on exactly the values they
 * read, and every distinct row is offered once.  Which copy stands for its
 * group does not matter: the copies are equal in everything the passes
 * read, so they fall in the same part of the split (which hashes those
 * values) and give the same statistics.  PostgreSQL's grouping spills to
 * disk past work_mem, so memory stays bounded; on a distributed table the
 * grouping would gather the rows on the coordinator, and the training
 * refuses it there (MmPassesObstacle).
 *
 * A value's key is its expression as the passes read it, compared as the
 * fit in memory compares what it read: a number (a date's parts each) as
 * a double, -0 equal to 0 (which the split's hash does not tell apart
 * either); a text feature's text by its bytes (the C collation); a
 * boolean, and a label as its discovery reads it, by value.  The subquery
 * names each column as the relation does and gives it its group's value
 * (a date the least of its group's, whose parts are the group's), so every
 * query the passes build over the relation reads it unchanged.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "dedupepasses.h"
#include "model.h"
#include "passstate.h"

/* Adds column's output (once) and key to the grouping's lists. */
static void
add_column(StringInfo out, StringInfo keys, const char *column, const char *value,
		   const char *key, bool first_of_column)
{
	if (first_of_column)
		appendStringInfo(out, "%s%s AS %s", out->len > 0 ? ", " : "", value, quote_identifier(column));
	appendStringInfo(keys, "%s%s", keys->len > 0 ? ", " : "", key);
}

char *
MmDistinctRowsRelation(const MmSource *src, int target, MmLabelKind label_kind)
{
	StringInfoData out,
				keys;
	int			j,
				k;

	initStringInfo(&out);
	initStringInfo(&keys);
	for (j = 0; j < src->nfeatures; j++)
	{
		const char *column = MmFeatureColumn(src, j);
		char	   *expr = MmFeatureExpression(src, j, "r");
		char	   *raw = psprintf("r.%s", quote_identifier(column));
		bool		first = true;

		/* a date column is several features: its parts are keys, the column one output */
		for (k = 0; k < j; k++)
			if (strcmp(MmFeatureColumn(src, k), column) == 0)
				first = false;
		switch (src->feature_kinds[j])
		{
			case MM_FEATURE_DATE_PART:
				add_column(&out, &keys, column, psprintf("pg_catalog.min(%s)", raw), expr, first);
				break;
			case MM_FEATURE_BOOLEAN:
				add_column(&out, &keys, column, raw, raw, first);
				break;
			case MM_FEATURE_CATEGORICAL:
				expr = psprintf("(%s COLLATE pg_catalog.\"C\")", expr);
				add_column(&out, &keys, column, expr, expr, first);
				break;
			default:
				add_column(&out, &keys, column, expr, expr, first);
				break;
		}
	}
	if (target == MM_PASS_TARGET_NUMERIC)
	{
		char	   *expr = psprintf("(r.%s)::pg_catalog.float8", quote_identifier(src->target));

		add_column(&out, &keys, src->target, expr, expr, true);
	}
	else if (target == MM_PASS_TARGET_CLASS)
	{
		/* as the labels' discovery reads them; a text label compared by its bytes */
		char	   *expr = MmLabelExpression(src, label_kind);

		if (label_kind == MM_LABEL_TEXT)
			expr = psprintf("(%s COLLATE pg_catalog.\"C\")", expr);
		add_column(&out, &keys, src->target, expr, expr, true);
	}
	return psprintf("(SELECT %s FROM %s r GROUP BY %s)", out.data, src->qualified, keys.data);
}

void
MmCopyPassCounts(const MmPassCounts *from, int p, MmPassCounts *to)
{
	*to = *from;
	to->null_count = palloc(sizeof(int64) * Max(p, 1));
	memcpy(to->null_count, from->null_count, sizeof(int64) * p);
	to->nonfinite_count = palloc(sizeof(int64) * (p + 1));
	memcpy(to->nonfinite_count, from->nonfinite_count, sizeof(int64) * (p + 1));
	to->labels = NULL;
}

int64
MmUsableRows(const MmPassCounts *counts)
{
	const MmPassStateHeader *h = &counts->head;

	return h->rows_seen - h->rows_null_target - h->rows_bad_features - h->rows_bad_target;
}
