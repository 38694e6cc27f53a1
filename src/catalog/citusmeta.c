/*
 * citusmeta.c: what the extension asks of Citus' metadata.  The extension
 * does not link Citus: it reads Citus' catalog table and calls its SQL
 * functions, and where Citus is not installed finds neither and asks nothing.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "citusmeta.h"

/* True when the Citus extension is installed in this database. */
bool
MmCitusInstalled(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/* True when relid is a table Citus manages (pg_dist_partition lists it). */
bool
MmIsCitusTable(Oid relid)
{
	Oid			catalog = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	Oid			index = get_relname_relid("pg_dist_partition_logical_relid_index", PG_CATALOG_NAMESPACE);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	bool		found;

	if (!OidIsValid(catalog) || !OidIsValid(index))
		return false;
	rel = table_open(catalog, AccessShareLock);
	/* logicalrelid is pg_dist_partition's first column */
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, index, true, NULL, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

static bool relation_reads_citus(Oid relid);

/*
 * True when a query (a view's: the view's oid in context), its subqueries,
 * CTEs and the views it reads included, reads a Citus table.
 */
static bool
query_reads_citus(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		/* a view's stored query names the view itself, as OLD and NEW */
		return rte->rtekind == RTE_RELATION && rte->relid != *(Oid *) context &&
			relation_reads_citus(rte->relid);
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, query_reads_citus, context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, query_reads_citus, context);
}

static bool
relation_reads_citus(Oid relid)
{
	Relation	view;
	bool		reads;

	if (get_rel_relkind(relid) != RELKIND_VIEW)
		return MmIsCitusTable(relid);
	/* views over views: as deep as the rewriter itself would go */
	check_stack_depth();
	view = relation_open(relid, AccessShareLock);
	reads = query_reads_citus((Node *) get_view_query(view), &relid);
	relation_close(view, AccessShareLock);
	return reads;
}

bool
MmQueryReadsCitusTable(Query *query)
{
	Oid			none = InvalidOid;

	return query_reads_citus((Node *) query, &none);
}

bool
MmReadsCitusTable(Oid relid)
{
	if (!MmCitusInstalled())
		return false;
	return relation_reads_citus(relid);
}

/*
 * The rows of a Citus table as its shards' statistics count them (0 for
 * shards never analyzed, as for a local table).  The coordinator's own
 * entry for the table holds no rows, and the planner's estimate for it is a
 * fixed guess; the sample of a training pass is sized from this number.
 * Each node adds up the shards it holds (one connection per node, not per
 * shard), and the total is divided by the copies each shard has.
 */
double
MmCitusTableRows(Oid relid)
{
	Oid			types[2] = {TEXTOID, OIDOID};
	Datum		values[2];
	double		rows = 0.0;
	bool		isnull;
	Datum		d;
	char	   *name = quote_literal_cstr(quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
																	get_rel_name(relid)));

	values[0] = CStringGetTextDatum(psprintf(
		"SELECT pg_catalog.sum(t.n) FROM (SELECT 0::pg_catalog.float8 AS n UNION ALL "
		"SELECT CASE WHEN c.reltuples OPERATOR(pg_catalog.>) 0 THEN c.reltuples ELSE 0 END "
		"FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) "
		"pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid)) "
		"WHERE s.logicalrelid OPERATOR(pg_catalog.=) %s::pg_catalog.regclass) t", name));
	values[1] = ObjectIdGetDatum(relid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* a node that failed gives its message as its result: its shards count for nothing */
	if (SPI_execute_with_args("SELECT (SELECT pg_catalog.sum(CASE WHEN n.success THEN n.result::pg_catalog.float8 "
							  "ELSE 0 END) FROM pg_catalog.run_command_on_all_nodes($1) n) "
							  "OPERATOR(pg_catalog./) (SELECT pg_catalog.count(*)::pg_catalog.float8 "
							  "OPERATOR(pg_catalog./) pg_catalog.count(DISTINCT p.shardid) "
							  "FROM pg_catalog.pg_dist_placement p JOIN pg_catalog.pg_dist_shard s "
							  "ON s.shardid OPERATOR(pg_catalog.=) p.shardid "
							  "WHERE s.logicalrelid OPERATOR(pg_catalog.=) $2)",
							  2, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the statistics of the shards of relation %s", name);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		rows = DatumGetFloat8(d);
	SPI_finish();
	return rows;
}
