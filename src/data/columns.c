/*
 * columns.c: which relation and columns a training or evaluation reads.
 *
 * Users name relations and columns as text.  Relations are resolved to an
 * OID (with the usual name lookup and errors) and written back into queries
 * fully qualified and quoted; columns are matched exactly against the
 * relation's attributes and quoted.  No user text reaches SQL otherwise.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/tupdesc.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "access/htup_details.h"
#include "utils/syscache.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"

#include "citusmeta.h"
#include "columns.h"
#include "datepart.h"
#include "dateparts.h"
#include "mmcore.h"
#include "model.h"
#include "trainspec.h"

/* True for the SQL number types a model reads as doubles. */
bool
MmIsNumericType(Oid type)
{
	switch (getBaseType(type))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return true;
		default:
			return false;
	}
}

/* The kind of feature a column type gives, or 0 when it cannot be one. */
static uint8
feature_kind(Oid type)
{
	char		category;
	bool		preferred;

	if (MmIsNumericType(type))
		return MM_FEATURE_NUMERIC;
	if (getBaseType(type) == BOOLOID)
		return MM_FEATURE_BOOLEAN;
	/* a date becomes its parts (MmExpandDateParts) */
	if (MmIsDateType(type))
		return MM_FEATURE_DATE_PART;
	get_type_category_preferred(getBaseType(type), &category, &preferred);
	if (category == TYPCATEGORY_STRING)
		return MM_FEATURE_CATEGORICAL;
	return 0;
}

/* Resolves a relation name to a table, view or materialized view. */
Oid
MmResolveRelation(const char *relation, char **qualified, char **display)
{
	List	   *names = stringToQualifiedNameList(relation);
	Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(names), AccessShareLock, false);
	char		kind = get_rel_relkind(relid);

	if (kind != RELKIND_RELATION && kind != RELKIND_VIEW && kind != RELKIND_MATVIEW &&
		kind != RELKIND_PARTITIONED_TABLE && kind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table, view or materialized view", relation)));
	*qualified = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											get_rel_name(relid));
	if (display)
		*display = *qualified;
	return relid;
}

/* Index of a live column named name, or -1. */
static int
find_column(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

/* Errors unless the relation has the column. */
static int
require_column(TupleDesc desc, const char *name, const MmSource *src)
{
	int			i = find_column(desc, name);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation %s does not exist", name, src->display)));
	return i;
}

/*
 * The date column a part's name (column.part) stands for, or -1; sets
 * *column to the column's name.  A version records its features by these
 * names, and retraining lists them again.
 */
static int
date_part_column(TupleDesc desc, const char *name, char **column)
{
	const char *dot = strrchr(name, '.');
	int			col;

	if (dot == NULL || mm_date_part_by_name(dot + 1, strlen(dot + 1)) == 0)
		return -1;
	*column = pnstrdup(name, dot - name);
	col = find_column(desc, *column);
	if (col < 0 || !MmIsDateType(TupleDescAttr(desc, col)->atttypid))
		return -1;
	return col;
}

/* True when name is among the first n of list. */
static bool
listed(char **list, int n, const char *name)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* Errors for a column that cannot be a feature, with a hint to leave it out. */
static void
unusable_feature(const char *name, Oid type, bool explicit_list)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("feature \"%s\" has type %s, which cannot be used as a feature",
					name, format_type_be(type)),
			 errdetail("Features are numeric, boolean, text, date or timestamp columns."),
			 explicit_list ?
			 errhint("Remove \"%s\" from features.", name) :
			 errhint("Leave it out with exclude => ARRAY['%s'].", name)));
}

/*
 * Resolves the relation, target and features of a training.  Features
 * default to every column but the target and the excluded ones.
 */
void
MmResolveSource(const MmTrainSpec *spec, MmSource *src)
{
	Relation	rel;
	TupleDesc	desc;
	int			i,
				n = 0;

	memset(src, 0, sizeof(*src));
	src->relid = MmResolveRelation(spec->relation, &src->qualified, &src->display);
	rel = relation_open(src->relid, NoLock);
	desc = RelationGetDescr(rel);

	if (spec->target != NULL)
	{
		i = require_column(desc, spec->target, src);
		src->target = pstrdup(spec->target);
		src->target_type = TupleDescAttr(desc, i)->atttypid;
	}
	for (i = 0; i < spec->nexclude; i++)
		(void) require_column(desc, spec->exclude[i], src);

	src->features = palloc(sizeof(char *) * (desc->natts + spec->nfeatures + 1));
	src->feature_types = palloc(sizeof(Oid) * (desc->natts + spec->nfeatures + 1));
	if (spec->features != NULL)
	{
		if (spec->nfeatures == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("features must name at least one column")));
		for (i = 0; i < spec->nfeatures; i++)
		{
			char	   *name = spec->features[i];
			int			col = find_column(desc, name);

			/* the parts of a date name its column, once; preprocess chooses the parts */
			if (col < 0 && (col = date_part_column(desc, spec->features[i], &name)) >= 0)
			{
				if (listed(src->features, n, name))
					continue;
			}
			else
				col = require_column(desc, name, src);
			if (listed(src->features, n, name))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("feature \"%s\" is listed more than once", name)));
			if (src->target && strcmp(name, src->target) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" cannot be both the target and a feature", name)));
			if (listed(spec->exclude, spec->nexclude, name))
				continue;
			src->features[n] = pstrdup(name);
			src->feature_types[n++] = TupleDescAttr(desc, col)->atttypid;
		}
	}
	else
	{
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			const char *name = NameStr(att->attname);

			if (att->attisdropped || (src->target && strcmp(name, src->target) == 0) ||
				listed(spec->exclude, spec->nexclude, name))
				continue;
			src->features[n] = pstrdup(name);
			src->feature_types[n++] = att->atttypid;
		}
	}
	relation_close(rel, NoLock);

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no feature columns are left in relation %s", src->display),
				 errhint("Every column but the target and the excluded ones is a feature.")));
	if (n > MM_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d features exceed the limit of %d", n, MM_MAX_FEATURES)));
	src->nfeatures = n;
	src->feature_kinds = palloc(n);
	for (i = 0; i < n; i++)
	{
		src->feature_kinds[i] = feature_kind(src->feature_types[i]);
		if (src->feature_kinds[i] == 0)
			unusable_feature(src->features[i], src->feature_types[i], spec->features != NULL);
	}
	MmExpandDateParts(src, spec->preprocess);
}

/* The column feature j of src reads. */
const char *
MmFeatureColumn(const MmSource *src, int j)
{
	return src->columns != NULL ? src->columns[j] : src->features[j];
}

/* Sets the columns and parts of src's features from a model with date parts. */
void
MmSourceDatesFromModel(MmSource *src, const MmModel *model)
{
	int			j;

	src->columns = NULL;
	src->date_parts = NULL;
	if (model->date_parts == NULL)
		return;
	src->date_parts = model->date_parts;
	src->columns = palloc(sizeof(char *) * model->n_features);
	for (j = 0; j < model->n_features; j++)
		src->columns[j] = pnstrdup(model->feature_names[j], mm_feature_column_length(model, j));
}

/*
 * Resolves, in a relation to evaluate on, the columns a model reads: each
 * feature, with a type of its kind, and the target (a number for regression;
 * classification checks its labels itself).
 */
void
MmResolveColumns(MmSource *src, const MmModel *model)
{
	Relation	rel = relation_open(src->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	src->nfeatures = model->n_features;
	src->features = palloc(sizeof(char *) * model->n_features);
	src->feature_types = palloc(sizeof(Oid) * model->n_features);
	src->feature_kinds = palloc(model->n_features);
	MmSourceDatesFromModel(src, model);
	for (i = 0; i < model->n_features; i++)
	{
		const char *column = src->columns != NULL ? src->columns[i] : model->feature_names[i];
		int			col = require_column(desc, column, src);
		Oid			type = TupleDescAttr(desc, col)->atttypid;
		uint8		have = feature_kind(type),
					want = model->feature_kinds[i];

		if (have == 0 ||
			(have == MM_FEATURE_CATEGORICAL) != (want == MM_FEATURE_CATEGORICAL) ||
			(have == MM_FEATURE_DATE_PART) != (want == MM_FEATURE_DATE_PART))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation %s has type %s, which cannot be feature \"%s\"",
							column, src->display, format_type_be(type),
							model->feature_names[i])));
		src->features[i] = model->feature_names[i];
		src->feature_types[i] = type;
		src->feature_kinds[i] = feature_kind(type);
	}
	if (model->target != NULL)
	{
		int			col = require_column(desc, model->target, src);

		src->target = model->target;
		src->target_type = TupleDescAttr(desc, col)->atttypid;
		if (model->task == MM_TASK_REGRESSION && !MmIsNumericType(src->target_type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("target \"%s\" of relation %s has type %s, not a number",
							src->target, src->display, format_type_be(src->target_type))));
	}
	relation_close(rel, NoLock);
}

/* The SQL expression reading feature j of src as float8 (text for a text feature). */
char *
MmFeatureExpression(const MmSource *src, int j, const char *alias)
{
	uint8		kind = src->feature_kinds[j];
	const char *col = quote_identifier(MmFeatureColumn(src, j));

	if (kind == MM_FEATURE_DATE_PART)
		return MmDatePartExpression(MmFeatureColumn(src, j), src->feature_types[j], src->date_parts[j],
									alias);
	if (kind == MM_FEATURE_BOOLEAN)
		return psprintf("(%s.%s)::pg_catalog.int4::pg_catalog.float8", alias, col);
	if (kind == MM_FEATURE_CATEGORICAL)
		return psprintf("(%s.%s)::pg_catalog.text", alias, col);
	return psprintf("(%s.%s)::pg_catalog.float8", alias, col);
}

/* The planner's estimate of a relation's rows, or 0 where it has none. */
double
MmEstimatedRows(Oid relid)
{
	char		kind = get_rel_relkind(relid);
	double		rows = 0.0;

	if (kind == RELKIND_PARTITIONED_TABLE)
	{
		ListCell   *lc;

		foreach(lc, find_all_inheritors(relid, AccessShareLock, NULL))
			if (lfirst_oid(lc) != relid)
				rows += MmEstimatedRows(lfirst_oid(lc));
	}
	else if (kind == RELKIND_RELATION && MmIsCitusTable(relid))
		rows = MmCitusTableRows(relid);
	else if (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW || kind == RELKIND_FOREIGN_TABLE)
	{
		HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));

		if (HeapTupleIsValid(tuple))
		{
			rows = Max(((Form_pg_class) GETSTRUCT(tuple))->reltuples, 0.0);
			ReleaseSysCache(tuple);
		}
	}
	return rows;
}
