/*
 * viewsample.c: a repeatable uniform sample of a relation that has no
 * TABLESAMPLE (a view), for the baseline of a training in passes.
 *
 * A table is sampled with TABLESAMPLE bernoulli ... REPEATABLE (seed); a
 * view has no pages to sample, and its first rows through a LIMIT are
 * whatever its query yields first (the oldest rows of a view ordered by
 * time, say), not a sample.  So a view's rows are kept by their draw: the
 * hash of a row's values that the training's split is decided by
 * (mm_pass_part), salted apart from the split, falls below the rate with
 * that probability.  The same rows are kept for the same seed while the
 * view's rows are unchanged, in whatever order they come and wherever
 * they are read: in parallel workers, or on the shards of a distributed
 * table the view reads, each of which then sends about its share.  A
 * LIMIT a few deviations above the rows expected bounds the read, and
 * states the bound in the query itself.
 *
 * That draw reads the whole view.  A view that reads one table row by row
 * (no grouping, DISTINCT, window, set operation, LIMIT, subquery or
 * function returning rows) keeps each row of the table or drops it, so
 * sampling the table keeps each of the view's rows independently at the
 * same rate: such a view is read as its own query with TABLESAMPLE on its
 * table, which reads only the pages the sample touches.  That query runs
 * with the caller's privileges, not the view owner's, so it is taken only
 * where they read the same rows: the caller may read the whole table,
 * which has no row security, and the view is no security barrier.
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/table.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "catalog.h"
#include "relsource.h"
#include "security.h"
#include "viewsample.h"

char *
MmSampledRows(const MmSource *src, const char *relation, bytea *header, int target,
			  MmLabelKind label_kind, const char *where, double bound)
{
	size_t		len = VARSIZE_ANY_EXHDR(header);
	char	   *hex = palloc(2 * len + 1);

	hex[hex_encode(VARDATA_ANY(header), len, hex)] = '\0';
	/* an escape string literal reads alike whatever standard_conforming_strings says */
	return psprintf("(SELECT * FROM %s r WHERE %s%s%s.mm_pass_part(E'\\\\x%s'::pg_catalog.bytea, %s, %s) "
					"OPERATOR(pg_catalog.=) 1 LIMIT %.0f)",
					relation, where != NULL ? where : "", where != NULL ? " AND " : "",
					MmExtensionSchema(), hex, MmPassTargetExpression(src, target, label_kind, "r"),
					MmPassRowArguments(src, target, label_kind, "r"), ceil(bound));
}

double
MmSampleBound(double want)
{
	/* a Bernoulli count's deviation is below its mean's square root; 4 of them are rarely passed */
	return ceil(want + 4.0 * sqrt(want) + 16.0);
}

/*
 * The entry of the one table a view's query reads row by row, or NULL: a
 * query whose rows are its table's rows, filtered and computed, one for
 * one.
 */
static RangeTblEntry *
row_by_row_table(Query *q)
{
	RangeTblEntry *rte;
	RangeTblRef *ref;

	if (q->commandType != CMD_SELECT || q->hasAggs || q->hasWindowFuncs || q->hasTargetSRFs ||
		q->hasSubLinks || q->hasRecursive || q->hasModifyingCTE || q->hasForUpdate ||
		q->cteList != NIL || q->groupClause != NIL || q->groupingSets != NIL ||
		q->havingQual != NULL || q->distinctClause != NIL || q->setOperations != NULL ||
		q->limitCount != NULL || q->limitOffset != NULL || q->rowMarks != NIL ||
		q->jointree == NULL || list_length(q->jointree->fromlist) != 1 ||
		!IsA(linitial(q->jointree->fromlist), RangeTblRef))
		return NULL;
	ref = linitial_node(RangeTblRef, q->jointree->fromlist);
	rte = rt_fetch(ref->rtindex, q->rtable);
	if (rte->rtekind != RTE_RELATION || rte->tablesample != NULL ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW &&
		 rte->relkind != RELKIND_PARTITIONED_TABLE))
		return NULL;
	return rte;
}

char *
MmViewTableSample(Oid view, double percent, int32 seed)
{
	Relation	rel = relation_open(view, AccessShareLock);
	Query	   *q = NULL;
	RangeTblEntry *rte = NULL;
	TableSampleClause *sample;
	bool		same_rows = false;
	MmScope		scope;
	char	   *sql;

	if (rel->rd_rel->relkind == RELKIND_VIEW && !RelationIsSecurityView(rel))
	{
		q = copyObject(get_view_query(rel));
		rte = row_by_row_table(q);
	}
	relation_close(rel, AccessShareLock);
	if (rte != NULL &&
		pg_class_aclcheck(rte->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
	{
		Relation	table = table_open(rte->relid, AccessShareLock);

		same_rows = !table->rd_rel->relrowsecurity;
		table_close(table, AccessShareLock);
	}
	if (!same_rows)
		return NULL;
	sample = makeNode(TableSampleClause);
	sample->tsmhandler = F_BERNOULLI;
	sample->args = list_make1(makeConst(FLOAT4OID, -1, InvalidOid, sizeof(float4),
										Float4GetDatum((float4) percent), false, true));
	sample->repeatable = (Expr *) makeConst(FLOAT8OID, -1, InvalidOid, sizeof(float8),
											Float8GetDatum((float8) seed), false, FLOAT8PASSBYVAL);
	rte->tablesample = sample;
	/* named as the statement that reads it will resolve them: under the extension's search_path */
	MmScopeBegin(&scope, InvalidOid, false);
	sql = pg_get_querydef(q, false);
	MmScopeEnd(&scope);
	return sql;
}
