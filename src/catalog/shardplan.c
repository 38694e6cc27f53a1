/*
 * shardplan.c: statements that predict on the shards of a Citus table.
 *
 * When Citus is loaded, a statement that reads a Citus table and calls a
 * prediction function with a model reference known at planning (a literal,
 * or a parameter whose value is fixed for the plan) has that reference
 * resolved here, on the coordinator, before Citus plans it: the reference
 * becomes the version it names with its artifact (shardref.c), which the
 * shards read without the catalog.  Resolution at each planning is what
 * makes a deploy or rollback visible to the next statement; a plan kept
 * across transactions is planned again, since it may hold a version the
 * stage has left.
 *
 * Without Citus in shared_preload_libraries the hook is not installed, and
 * nothing here runs.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "citusmeta.h"
#include "shardplan.h"
#include "shardref.h"

static planner_hook_type prev_planner = NULL;

/* The functions whose first argument is a model reference read per row. */
static const char *const prediction_functions[] = {
	"mm_predict", "mm_predict_label", "mm_predict_proba", "mm_transform", "mm_classes"
};

typedef struct RewriteContext
{
	Oid			extension;		/* modelmgr's pg_extension oid */
	ParamListInfo bound;
	bool		rewritten;
} RewriteContext;

/* True when funcid is one of the extension's prediction functions. */
static bool
is_prediction_function(Oid funcid, Oid extension)
{
	char	   *name = get_func_name(funcid);
	int			i;

	if (name == NULL)
		return false;
	for (i = 0; i < lengthof(prediction_functions); i++)
		if (strcmp(name, prediction_functions[i]) == 0)
			return getExtensionOfObject(ProcedureRelationId, funcid) == extension;
	return false;
}

/* The text of a reference known at planning, or NULL. */
static char *
planned_reference(Node *arg, ParamListInfo bound)
{
	if (IsA(arg, Const))
	{
		Const	   *c = (Const *) arg;

		return c->consttype == TEXTOID && !c->constisnull ? TextDatumGetCString(c->constvalue) : NULL;
	}
	if (IsA(arg, Param) && ((Param *) arg)->paramkind == PARAM_EXTERN && bound != NULL)
	{
		Param	   *p = (Param *) arg;
		ParamExternData workspace;
		ParamExternData *prm;

		if (p->paramid < 1 || p->paramid > bound->numParams)
			return NULL;
		prm = bound->paramFetch ? bound->paramFetch(bound, p->paramid, false, &workspace) :
			&bound->params[p->paramid - 1];
		/* only a value fixed for this plan may be resolved into it */
		if (prm == NULL || prm->isnull || prm->ptype != TEXTOID || !(prm->pflags & PARAM_FLAG_CONST))
			return NULL;
		return TextDatumGetCString(prm->value);
	}
	return NULL;
}

/* Replaces the model references of prediction calls by shard references. */
static Node *
rewrite_mutator(Node *node, RewriteContext *cxt)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, rewrite_mutator, cxt, 0);
	if (IsA(node, FuncExpr))
	{
		FuncExpr   *f = (FuncExpr *) expression_tree_mutator(node, rewrite_mutator, cxt);
		Node	   *arg = f->args != NIL ? linitial(f->args) : NULL;
		char	   *reference;

		if (arg != NULL && exprType(arg) == TEXTOID && is_prediction_function(f->funcid, cxt->extension) &&
			(reference = planned_reference(arg, cxt->bound)) != NULL &&
			!MmIsShardRef(reference, strlen(reference)))
		{
			Const	   *c = makeConst(TEXTOID, -1, exprCollation(arg), -1,
									  CStringGetTextDatum(MmShardRef(reference)), false, false);

			c->location = exprLocation(arg);
			linitial(f->args) = c;
			cxt->rewritten = true;
		}
		return (Node *) f;
	}
	return expression_tree_mutator(node, rewrite_mutator, cxt);
}

static PlannedStmt *
shard_planner(Query *parse, const char *query_string, int cursor_options, ParamListInfo bound)
{
	RewriteContext cxt = {InvalidOid, bound, false};
	PlannedStmt *result;

	if (parse->commandType != CMD_UTILITY && IsTransactionState() && !creating_extension &&
		OidIsValid(cxt.extension = get_extension_oid("modelmgr", true)) &&
		MmQueryReadsCitusTable(parse))
		parse = (Query *) rewrite_mutator((Node *) parse, &cxt);
	if (prev_planner)
		result = prev_planner(parse, query_string, cursor_options, bound);
	else
		result = standard_planner(parse, query_string, cursor_options, bound);
	/* a plan kept past this transaction is made again, with the stages of then */
	if (cxt.rewritten)
		result->transientPlan = true;
	return result;
}

/* Installs the planner hook where Citus is preloaded. */
void
MmShardPlanInit(void)
{
	const char *preload = GetConfigOption("shared_preload_libraries", true, false);
	char	   *copy;
	List	   *names;
	ListCell   *lc;
	bool		citus = false;

	if (preload == NULL)
		return;
	copy = pstrdup(preload);
	if (!SplitIdentifierString(copy, ',', &names))
		return;
	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), "citus") == 0)
			citus = true;
	if (!citus)
		return;
	prev_planner = planner_hook;
	planner_hook = shard_planner;
}
