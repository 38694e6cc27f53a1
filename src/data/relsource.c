/*
 * relsource.c: a data source (core/sources/source.h) whose passes run over a
 * relation, each as one mm_pass aggregate query (passagg.c).
 *
 * A fit asks for a pass; the source names it by where it is listed (the
 * algorithm's artifact id and the pass's index, or the source's own passes),
 * builds its header with the split and the pass's arg, and runs
 *
 *   SELECT <schema>.mm_pass($1, (r.<target>)::float8, ARRAY[<features>]::float8[])
 *     FROM <relation> r
 *
 * as the calling user (MmSpiRun), read-only.  PostgreSQL may run it in
 * parallel workers, a distributed database on its shards: each finds the
 * pass again from the header.  The rows a pass sees are the training part
 * of the split every other way of training uses, so the passes of one fit
 * see the same rows, and read-only statements share the calling
 * statement's snapshot, so they see the same rows even while others write.
 * The source holds no rows: rows() is NULL, and n_rows is the training
 * rows the last pass saw (0 before the first).
 *
 * A source with a design (MmRelationSourceDesign, for training in passes,
 * fitpasses.c) runs the aggregate's form with text columns instead,
 *
 *   SELECT <schema>.mm_pass($1, <y>, ARRAY[<numbers>]::float8[], ARRAY[<text>]::text[])
 *
 * (c NULL::text[] when the pass reads no text)
 *     FROM <relation> r
 *
 * whose header carries the fitted design each row goes through
 * (passtext.c); its passes see the part of the split it is set to, and it
 * keeps what the last pass counted for the fit's checks.  A pass may also
 * ride on a grouping query of the caller's (MmRelationSourceGroupWith),
 * which counts other things in the same read of the relation.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "catalog.h"
#include "citusmeta.h"
#include "columns.h"
#include "mmcore.h"
#include "model.h"
#include "momentspass.h"
#include "passagg.h"
#include "passstate.h"
#include "relsource.h"
#include "security.h"
#include "source.h"
#include "trainprogress.h"
#include "util.h"

/* What a relation source keeps between passes. */
typedef struct RelationSource
{
	const MmSource *src;
	int			artifact_id;	/* the algorithm whose passes the fit asks for */
	double		test_size;
	int32		seed;
	MmPassTarget target;
	char	   *query;
	/* with a design: its bytes, and the part of the split the passes see */
	const void *design;
	size_t		design_len;
	int			part;
	/* evaluating: refused rows and an empty relation are the caller's to report */
	bool		evaluating;
	int			folds;			/* with a design: 0, or a fold's passes (MmRelationSourceSetFold) */
	int			fold;
	bool		count_labels;	/* with a design: the passes count labels (MmRelationSourceCountLabels) */
	bool		count_texts;	/* with a design: they count text values (MmRelationSourceCountTexts) */
	MmPassCounts counts;		/* what the last pass counted */
	char	   *call;			/* with a design: the aggregate's call over row alias r */
	MmLabelKind label_kind;		/* with a design: a classifier's labels, as the call reads them */
	/* a pass over both parts already run with other sources' (MmRelationSourceRunManyParts) */
	const MmPass *ready_pass;
	void	   *ready_arg;
	size_t		ready_arg_len;
	void	   *ready_train;
	void	   *ready_test;
	/* the next pass only: its result read with other sources' (MmRelationSourceOffer) */
	const MmRelationPrefetch *offered;
	/* the next pass only: a grouping query that carries it (MmRelationSourceGroupWith) */
	const char *grouped;
	void		(*read_groups) (void *ctx);
	void	   *groups_ctx;
} RelationSource;

/* The text features of src. */
static int
text_features(const MmSource *src)
{
	int			j,
				n = 0;

	for (j = 0; j < src->nfeatures; j++)
		n += src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
	return n;
}

/* The pass query over src (see the file comment). */
static char *
pass_query(const MmSource *src, const char *schema)
{
	StringInfoData q;
	int			j;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s.mm_pass($1, %s, ARRAY[", schema,
					 src->target ? psprintf("(r.%s)::pg_catalog.float8", quote_identifier(src->target)) :
					 "0::pg_catalog.float8");
	for (j = 0; j < src->nfeatures; j++)
		appendStringInfo(&q, "%s%s", j ? ", " : "",
						 MmFeatureExpression(src, j, "r"));
	appendStringInfo(&q, "]::pg_catalog.float8[]) FROM %s r", src->qualified);
	return q.data;
}

/* Keeps what a pass counted, for the fit's checks. */
static void
keep_counts(RelationSource *rs, const MmPassStateView *view)
{
	int			c = view->counts_p;

	rs->counts.head = *view->head;
	if (rs->counts.null_count == NULL)
	{
		rs->counts.null_count = palloc(sizeof(int64) * c);
		rs->counts.nonfinite_count = palloc(sizeof(int64) * (c + 1));
	}
	memcpy(rs->counts.null_count, view->null_count, sizeof(int64) * c);
	memcpy(rs->counts.nonfinite_count, view->nonfinite_count, sizeof(int64) * (c + 1));
	rs->counts.rows_untransformed = view->design->rows_untransformed;
	rs->counts.untransformed_feature = view->design->untransformed_feature;
	rs->counts.labels = NULL;
	if (view->labels != NULL)
	{
		rs->counts.labels = palloc(sizeof(MmLabelCounts));
		memcpy(rs->counts.labels, view->labels, sizeof(MmLabelCounts));
	}
	rs->counts.text_labels = NULL;
	if (view->text_labels != NULL)
	{
		rs->counts.text_labels = palloc(sizeof(MmTextCounts));
		memcpy(rs->counts.text_labels, view->text_labels, sizeof(MmTextCounts));
	}
	rs->counts.texts = NULL;
	if (view->texts != NULL)
	{
		int			j,
					t = 0;

		/* the design's text features in order are the source's */
		rs->counts.texts = palloc0(sizeof(MmTextCounts *) * c);
		for (j = 0; j < c && t < view->n_texts; j++)
			if (rs->src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			{
				rs->counts.texts[j] = palloc(sizeof(MmTextCounts));
				memcpy(rs->counts.texts[j], &view->texts[t++], sizeof(MmTextCounts));
			}
	}
	/* the preprocessing's fit refused NULLs it does not impute: the rest overflowed */
	if (view->design->rows_untransformed > 0 && !rs->evaluating)
	{
		const char *name = rs->src->features[Max(view->design->untransformed_feature, 0)];

		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is not finite after preprocessing", name),
				 errdetail("A value of %s, scaled by the training part's statistics, overflows.", name),
				 errhint("Clip the feature with preprocess => '{\"%s\": {\"clip\": {\"z\": 10}}}'.",
						 name)));
	}
}

/* The counts of a pass that saw no row: the aggregate of none is NULL. */
static void
empty_counts(RelationSource *rs)
{
	int			c = rs->src->nfeatures;

	memset(&rs->counts.head, 0, sizeof(rs->counts.head));
	if (rs->counts.null_count == NULL)
	{
		rs->counts.null_count = palloc(sizeof(int64) * c);
		rs->counts.nonfinite_count = palloc(sizeof(int64) * (c + 1));
	}
	memset(rs->counts.null_count, 0, sizeof(int64) * c);
	memset(rs->counts.nonfinite_count, 0, sizeof(int64) * (c + 1));
	rs->counts.rows_untransformed = 0;
	rs->counts.untransformed_feature = -1;
	rs->counts.labels = NULL;
	rs->counts.text_labels = NULL;
	rs->counts.texts = NULL;
}

/* The SQL expression of src's target as a design pass reads it in y. */
char *
MmPassTargetExpression(const MmSource *src, int target, MmLabelKind label_kind, const char *alias)
{
	const char *col;

	if (target == MM_PASS_TARGET_NONE || label_kind == MM_LABEL_TEXT)
		return "0::pg_catalog.float8";
	col = quote_identifier(src->target);
	/* number labels are whole and within 2^53, checked before: a double holds them exactly */
	if (target == MM_PASS_TARGET_CLASS && label_kind == MM_LABEL_BOOLEAN)
		return psprintf("(%s.%s)::pg_catalog.int4::pg_catalog.float8", alias, col);
	return psprintf("(%s.%s)::pg_catalog.float8", alias, col);
}

/*
 * The x and c arguments of a design pass (see relsource.h).  Without text
 * features or a text label, c is a NULL array: none is built per row.
 */
char *
MmPassRowArguments(const MmSource *src, int target, MmLabelKind label_kind, const char *alias)
{
	StringInfoData q,
				texts;
	int			j;

	initStringInfo(&q);
	initStringInfo(&texts);
	appendStringInfoString(&q, "ARRAY[");
	for (j = 0; j < src->nfeatures; j++)
	{
		appendStringInfo(&q, "%s%s", j ? ", " : "",
						 src->feature_kinds[j] == MM_FEATURE_CATEGORICAL ? "NULL::pg_catalog.float8" :
						 MmFeatureExpression(src, j, alias));
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			appendStringInfo(&texts, "%s%s", texts.len ? ", " : "", MmFeatureExpression(src, j, alias));
	}
	if (target == MM_PASS_TARGET_CLASS && label_kind == MM_LABEL_TEXT)
		appendStringInfo(&texts, "%s(%s.%s)::pg_catalog.text", texts.len ? ", " : "", alias,
						 quote_identifier(src->target));
	appendStringInfoString(&q, "]::pg_catalog.float8[], ");
	if (texts.len > 0)
		appendStringInfo(&q, "ARRAY[%s]::pg_catalog.text[]", texts.data);
	else
		appendStringInfoString(&q, "NULL::pg_catalog.text[]");
	pfree(texts.data);
	return q.data;
}

/*
 * Runs a grouping query that carries a pass (MmRelationSourceGroupWith)
 * with grouping by hashing.  Grouping by sorting would hand the pass's rows
 * to its aggregate in the sort's order, which no key of the pass's single
 * group fixes, instead of the order they are read in, and so change its
 * sums in their last bits; and it would sort every row of the relation
 * once per group it joins, spilling to disk on a large one.
 */
static void
run_grouped(const char *query, Oid *types, Datum *values)
{
	int			level = NewGUCNestLevel();

	/* the result's ORDER BY sorts once either way: a grouping by sorting sorts twice */
	(void) set_config_option("enable_sort", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("enable_incremental_sort", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* nor should the cost a disabled sort adds make the planner compile the query */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	if (MmSpiRun(query, 1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "pass query failed");
	AtEOXact_GUC(true, level);
}

/*
 * The header of pass with arg over the source's part (and fold), for its
 * query; NULL with err set when the arg cannot travel as bytes.
 */
static bytea *
pass_header(MmDataSource *self, const MmPass *pass, const void *arg, MmError *err)
{
	RelationSource *rs = self->impl;
	int			listed_id,
				index = mm_pass_index(rs->artifact_id, pass, &listed_id);
	size_t		arg_len;
	bytea	   *header;

	/* workers find a pass by where it is listed: one that is not cannot run here */
	if (index < 0)
		elog(ERROR, "pass \"%s\" is not listed for algorithm %d", pass->name, rs->artifact_id);
	arg_len = pass->arg_size != NULL && arg != NULL ? pass->arg_size(self->p, arg, SIZE_MAX) : 0;
	/* an arg that cannot travel as bytes would be lost on the way: the pass runs here only */
	if (arg != NULL && arg_len == 0)
	{
		mm_fail(err, MM_ERR_UNSUPPORTED, -1,
				"pass \"%s\" takes an arg that cannot reach other processes", pass->name);
		return NULL;
	}
	header = MmPassHeaderDesign(listed_id, index, self->p, rs->target, rs->test_size, rs->seed, arg,
								arg_len, rs->src->nfeatures, rs->part, rs->design, rs->design_len);
	if (rs->design != NULL && rs->folds > 0)
		mm_pass_spec_set_folds(VARDATA(header), rs->folds, rs->fold);
	if (rs->design != NULL && rs->count_labels && rs->label_kind == MM_LABEL_TEXT)
		mm_pass_spec_count_text_labels(VARDATA(header));
	else if (rs->design != NULL && rs->count_labels)
		mm_pass_spec_count_labels(VARDATA(header));
	if (rs->design != NULL && rs->count_texts)
		mm_pass_spec_count_texts(VARDATA(header), text_features(rs->src));
	return header;
}

/*
 * Takes the aggregate's result (isnull: no rows) of pass with arg into
 * state (and test_state, over both parts), keeping or checking its counts;
 * returns the rows it saw.
 */
static int64
take_result(MmDataSource *self, const MmPass *pass, const void *arg, Datum result, bool isnull,
			void *state, void *test_state)
{
	RelationSource *rs = self->impl;
	MmPassStateView view;
	const MmPass *returned;
	bytea	   *copy;
	int64		seen;

	if (isnull && rs->evaluating)
	{
		empty_counts(rs);
		pass->init(state, self->p, arg);
		self->n_rows = 0;
		return 0;
	}
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows", rs->src->display)));
	copy = MmPassStateFromDatum(result, &view, &returned);
	if (returned != pass || view.head->pass_size != pass->state_size(self->p, arg))
		elog(ERROR, "pass query returned the state of another pass");
	/* a design's rows are checked by the fit, which knows what it imputes */
	if (rs->design == NULL)
		MmCheckRowCounts(view.p, view.null_count, view.nonfinite_count,
						 (double) (view.head->rows_train + view.head->rows_test), rs->src);
	else
		keep_counts(rs, &view);
	memcpy(state, view.pass_state, view.head->pass_size);
	if (test_state != NULL)
		memcpy(test_state, view.pass_state_test, view.head->pass_size);
	self->n_rows = (size_t) (rs->part == 1 ? view.head->rows_test : view.head->rows_train);
	seen = view.head->rows_seen;
	pfree(copy);
	return seen;
}

/*
 * Takes the result offered to the source's next pass (MmRelationSourceOffer)
 * into state and test_state, as take_result takes a query's, when it was
 * run with the very header the pass has now (same pass, arg, split, design
 * and counting): true then.  The offer serves the next pass only.
 */
static bool
take_offered(MmDataSource *self, const MmPass *pass, const void *arg, const bytea *header,
			 void *state, void *test_state)
{
	RelationSource *rs = self->impl;
	const MmRelationPrefetch *offered = rs->offered;

	rs->offered = NULL;
	if (offered == NULL || offered->header == NULL || rs->grouped != NULL ||
		VARSIZE(offered->header) != VARSIZE(header) ||
		memcmp(offered->header, header, VARSIZE(header)) != 0)
		return false;
	(void) take_result(self, pass, arg, PointerGetDatum(offered->result), offered->result == NULL,
					   state, test_state);
	return true;
}

/*
 * Runs pass over the rows of the source's part into state, or over both
 * parts into state and test_state (the source's part MM_PASS_PARTS_BOTH);
 * SPI is connected.
 */
static MmErrorCode
run_query(MmDataSource *self, const MmPass *pass, const void *arg, void *state, void *test_state,
		  MmError *err)
{
	RelationSource *rs = self->impl;
	Oid			types[1] = {BYTEAOID};
	Datum		values[1];
	Datum		result;
	bool		isnull;
	bytea	   *header = pass_header(self, pass, arg, err);

	if (header == NULL)
		return err != NULL ? err->code : MM_ERR_UNSUPPORTED;
	if (take_offered(self, pass, arg, header, state, test_state))
		return MM_OK;
	values[0] = PointerGetDatum(header);
	MmTrainProgressPassStart(pass->name);
	if (rs->grouped != NULL)
	{
		const char *query = rs->grouped;

		/* one pass only: the next runs alone unless it is given a grouping of its own */
		rs->grouped = NULL;
		ereport(DEBUG1, (errmsg_internal("modelmgr pass \"%s\" with its grouping: %s", pass->name,
										 query)));
		run_grouped(query, types, values);
		/* no rows, no groups: the state of none, as the aggregate alone gives NULL */
		isnull = true;
		result = (Datum) 0;
		if (SPI_processed > 0)
			result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								   SPI_tuptable->tupdesc->natts, &isnull);
		if (!isnull)
			rs->read_groups(rs->groups_ctx);
	}
	else
	{
		ereport(DEBUG1, (errmsg_internal("modelmgr pass \"%s\": %s", pass->name, rs->query)));
		if (MmSpiRun(rs->query, 1, types, values, NULL, true, 0) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "pass query failed");
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	}
	MmTrainProgressPassEnd(take_result(self, pass, arg, result, isnull, state, test_state));
	SPI_freetuptable(SPI_tuptable);
	return MM_OK;
}

/* Runs pass over the training rows into state (MmDataSource.run). */
static MmErrorCode
relation_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	return run_query(self, pass, arg, state, NULL, err);
}

/* A relation source holds no rows. */
static const MmRows *
relation_rows(MmDataSource *self)
{
	return NULL;
}

/*
 * The values of a design pass over src's row alias as separate arguments,
 * for the variadic form: each feature in the source's order (a number or
 * text), then a text label.
 */
static char *
separate_arguments(const MmSource *src, int target, MmLabelKind label_kind, const char *alias)
{
	StringInfoData q;
	int			j;

	initStringInfo(&q);
	for (j = 0; j < src->nfeatures; j++)
		appendStringInfo(&q, "%s%s", j ? ", " : "", MmFeatureExpression(src, j, alias));
	if (target == MM_PASS_TARGET_CLASS && label_kind == MM_LABEL_TEXT)
		appendStringInfo(&q, ", (%s.%s)::pg_catalog.text", alias, quote_identifier(src->target));
	return q.data;
}

/*
 * The aggregate's call in the pass query of a design source (see the file
 * comment), over row alias r and the header in parameter $param.  The
 * passes over a Citus table, or a view that reads one, need the aggregate's
 * fixed-signature form, which Citus pushes down; any other relation's read
 * each row's values as separate arguments and build no array per row.
 */
static char *
design_call(const MmSource *src, const char *schema, int target, MmLabelKind label_kind, int param)
{
	if (MmReadsCitusTable(src->relid))
		return psprintf("%s.mm_pass($%d, %s, %s)", schema, param,
						MmPassTargetExpression(src, target, label_kind, "r"),
						MmPassRowArguments(src, target, label_kind, "r"));
	return psprintf("%s.mm_pass($%d, %s, %s)", schema, param,
					MmPassTargetExpression(src, target, label_kind, "r"),
					separate_arguments(src, target, label_kind, "r"));
}

void
MmRelationSourceDesign(MmDataSource *out, const MmSource *src, int artifact_id, double test_size,
					   int32 seed, const void *design, size_t design_len, int design_width,
					   int target, MmLabelKind label_kind)
{
	RelationSource *rs = palloc0(sizeof(RelationSource));

	rs->src = src;
	rs->artifact_id = artifact_id;
	rs->test_size = test_size;
	rs->seed = seed;
	rs->target = (MmPassTarget) target;
	rs->design = design;
	rs->design_len = design_len;
	rs->label_kind = label_kind;
	rs->call = design_call(src, MmExtensionSchema(), target, label_kind, 1);
	rs->query = psprintf("SELECT %s FROM %s r", rs->call, src->qualified);
	memset(out, 0, sizeof(*out));
	out->p = design_width;
	out->run = relation_run;
	out->rows = relation_rows;
	out->impl = rs;
}

/* Makes the source's passes see part (0 training, 1 held out) of the split. */
void
MmRelationSourceSetPart(MmDataSource *source, int part)
{
	((RelationSource *) source->impl)->part = part;
}

/*
 * Makes a design source's passes leave to the caller what evaluation
 * reports in its own words: rows the design's transform refused (counted in
 * MmPassCounts) and a relation without rows (a pass of no rows: the pass's
 * initial state, every count 0).
 */
void
MmRelationSourceForEvaluation(MmDataSource *source)
{
	((RelationSource *) source->impl)->evaluating = true;
}

/*
 * Makes the source's passes a cross-validation fold's (passstate.h): part 0
 * the training rows of every fold but fold, part 1 the fold's; folds 0
 * restores the split's parts.
 */
void
MmRelationSourceSetFold(MmDataSource *source, int folds, int fold)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL);
	rs->folds = folds;
	rs->fold = fold;
}

void
MmRelationSourceCountTexts(MmDataSource *source, bool on)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL);
	rs->count_texts = on && text_features(rs->src) > 0;
}

void
MmRelationSourceCountLabels(MmDataSource *source, bool on)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL && (!on || rs->target == MM_PASS_TARGET_CLASS));
	rs->count_labels = on;
}

/*
 * Takes the states of pass with arg over both parts, run before with other
 * sources' (MmRelationSourceRunManyParts), into train and test; false, the
 * states dropped, when that was another pass or arg.
 */
static bool
take_ready(MmDataSource *source, const MmPass *pass, const void *arg, void *train, void *test)
{
	RelationSource *rs = source->impl;
	size_t		arg_len = pass->arg_size != NULL && arg != NULL ?
		pass->arg_size(source->p, arg, SIZE_MAX) : 0;
	bool		same = rs->ready_pass == pass && rs->ready_arg_len == arg_len &&
		(arg_len == 0 || memcmp(rs->ready_arg, arg, arg_len) == 0);
	size_t		size = pass->state_size(source->p, arg);

	if (same)
	{
		memcpy(train, rs->ready_train, size);
		memcpy(test, rs->ready_test, size);
	}
	rs->ready_pass = NULL;
	return same;
}

/*
 * Runs pass over both parts of a design source's split in one read of the
 * relation: the training rows into train, the held-out rows into test
 * (each of the pass's state size), as two passes set to each part would.
 */
void
MmRelationSourceRunParts(MmDataSource *source, const MmPass *pass, const void *arg, void *train,
						 void *test)
{
	RelationSource *rs = source->impl;
	int			part = rs->part;
	MmError		err;

	Assert(rs->design != NULL);
	if (rs->ready_pass != NULL && take_ready(source, pass, arg, train, test))
		return;
	rs->part = MM_PASS_PARTS_BOTH;
	if (run_query(source, pass, arg, train, test, &err) != MM_OK)
		MmReportCoreError(&err, psprintf("could not run pass \"%s\"", pass->name));
	rs->part = part;
}

/* The aggregate's call of a design source's passes, over row alias r and header $1. */
const char *
MmRelationSourceCall(MmDataSource *source)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL);
	return rs->call;
}

/*
 * Runs the next pass of a design source as query instead of its own: a
 * query over the relation whose first row carries the pass's aggregate (the
 * call MmRelationSourceCall gives, header $1) in its last column, and whose
 * other rows are groups the same read of the relation counted.  read(ctx)
 * reads those from SPI_tuptable once the pass's state is taken, unless the
 * relation has no rows.
 */
void
MmRelationSourceGroupWith(MmDataSource *source, const char *query, void (*read) (void *ctx),
						  void *ctx)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL);
	rs->grouped = query;
	rs->read_groups = read;
	rs->groups_ctx = ctx;
}

/* What the source's last pass counted; NULL before its first. */
const MmPassCounts *
MmRelationSourceCounts(MmDataSource *source)
{
	RelationSource *rs = source->impl;

	return rs->counts.null_count != NULL ? &rs->counts : NULL;
}

/*
 * A data source over the relation and columns of src, whose passes are
 * those of the algorithm of artifact_id (and the source's own), over the
 * training part of the split of test_size and seed.  Features must be
 * numbers or booleans and the target, if any, a number: the passes read
 * each row as a float8 array.  src must outlive the source.
 */
void
MmRelationSource(MmDataSource *out, const MmSource *src, int artifact_id, double test_size,
				 int32 seed)
{
	RelationSource *rs = palloc0(sizeof(RelationSource));
	int			j;

	for (j = 0; j < src->nfeatures; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a pass over relation %s reads numbers, and feature \"%s\" is text",
							src->display, src->features[j])));
	if (src->target != NULL && !MmIsNumericType(src->target_type))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a pass over relation %s reads numbers, and target \"%s\" is not one",
						src->display, src->target)));
	rs->src = src;
	rs->artifact_id = artifact_id;
	rs->test_size = test_size;
	rs->seed = seed;
	rs->target = src->target != NULL ? MM_PASS_TARGET_NUMERIC : MM_PASS_TARGET_NONE;
	rs->query = pass_query(src, MmExtensionSchema());
	memset(out, 0, sizeof(*out));
	out->p = src->nfeatures;
	out->n_rows = 0;
	out->run = relation_run;
	out->rows = relation_rows;
	out->impl = rs;
}

/*
 * Runs n passes of design sources over one relation in one read of it:
 * sources[i]'s pass passes[i] with args[i] into states[i] (each of its
 * pass's state size), as that source's run would, each over its own part
 * and fold.  The query carries one aggregate per pass,
 *
 *   SELECT mm_pass($1, ...), mm_pass($2, ...), ... FROM <relation> r
 *
 * so PostgreSQL (or Citus, on each shard) reads each row once and hands it
 * to every aggregate; each state sums the rows a query of its own would,
 * in the order of the same scan.  The sources share the relation, the
 * target and the label kind (the folds of one search).
 */
static void run_many(MmDataSource **sources, const MmPass **passes, const void **args,
					 void **states, void **test_states, int n);

void
MmRelationSourceRunMany(MmDataSource **sources, const MmPass **passes, const void **args,
						void **states, int n)
{
	run_many(sources, passes, args, states, NULL, n);
}

/*
 * Runs n passes over both parts of design sources' splits in one read (as
 * MmRelationSourceRunMany does over their own parts), for each source's
 * next MmRelationSourceRunParts of the same pass and arg to take instead
 * of a read of its own: the metrics of a search's folds.
 */
void
MmRelationSourceRunManyParts(MmDataSource **sources, const MmPass **passes, const void **args,
							 int n)
{
	void	  **train = palloc(sizeof(void *) * n);
	void	  **test = palloc(sizeof(void *) * n);
	int		   *part = palloc(sizeof(int) * n);
	int			i;

	for (i = 0; i < n; i++)
	{
		RelationSource *rs = sources[i]->impl;
		size_t		size = passes[i]->state_size(sources[i]->p, args[i]);

		train[i] = palloc(size);
		test[i] = palloc(size);
		part[i] = rs->part;
		rs->part = MM_PASS_PARTS_BOTH;
	}
	run_many(sources, passes, args, train, test, n);
	for (i = 0; i < n; i++)
	{
		RelationSource *rs = sources[i]->impl;

		rs->part = part[i];
		rs->ready_pass = passes[i];
		rs->ready_arg_len = passes[i]->arg_size != NULL && args[i] != NULL ?
			passes[i]->arg_size(sources[i]->p, args[i], SIZE_MAX) : 0;
		rs->ready_arg = rs->ready_arg_len > 0 ? palloc(rs->ready_arg_len) : NULL;
		if (rs->ready_arg_len > 0)
			memcpy(rs->ready_arg, args[i], rs->ready_arg_len);
		rs->ready_train = train[i];
		rs->ready_test = test[i];
	}
}

/*
 * The one read of n passes (see MmRelationSourceRunMany), its row left in
 * SPI_tuptable, each pass's result in the column of its index; returns the
 * headers the passes ran with.  The caller reports the read's end.
 */
static Datum *
read_many(MmDataSource **sources, const MmPass **passes, const void **args, int n)
{
	RelationSource *first = sources[0]->impl;
	Oid		   *types = palloc(sizeof(Oid) * n);
	Datum	   *values = palloc(sizeof(Datum) * n);
	StringInfoData q;
	int			i;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (i = 0; i < n; i++)
	{
		RelationSource *rs = sources[i]->impl;
		MmError		err;
		bytea	   *header;

		Assert(rs->design != NULL && rs->grouped == NULL);
		if (strcmp(rs->src->qualified, first->src->qualified) != 0 || rs->target != first->target ||
			rs->label_kind != first->label_kind)
			elog(ERROR, "passes over different relations cannot share a read");
		header = pass_header(sources[i], passes[i], args[i], &err);
		if (header == NULL)
			MmReportCoreError(&err, psprintf("could not run pass \"%s\"", passes[i]->name));
		types[i] = BYTEAOID;
		values[i] = PointerGetDatum(header);
		appendStringInfo(&q, "%s%s", i ? ", " : "",
						 design_call(rs->src, MmExtensionSchema(), rs->target, rs->label_kind, i + 1));
	}
	appendStringInfo(&q, " FROM %s r", first->src->qualified);
	MmTrainProgressPassStart(passes[0]->name);
	ereport(DEBUG1, (errmsg_internal("modelmgr %d passes \"%s\" in one read: %s", n, passes[0]->name,
									 q.data)));
	if (MmSpiRun(q.data, n, types, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "pass query failed");
	pfree(q.data);
	return values;
}

/* MmRelationSourceRunMany, over both parts into test_states too when not NULL. */
static void
run_many(MmDataSource **sources, const MmPass **passes, const void **args, void **states,
		 void **test_states, int n)
{
	int64		seen = 0;
	int			i;

	(void) read_many(sources, passes, args, n);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);

		seen = take_result(sources[i], passes[i], args[i], result, isnull, states[i],
						   test_states != NULL ? test_states[i] : NULL);
	}
	MmTrainProgressPassEnd(seen);
	SPI_freetuptable(SPI_tuptable);
}

void
MmRelationSourcePrefetch(MmDataSource **sources, const MmPass **passes, const void **args, int n,
						 MmRelationPrefetch *out)
{
	Datum	   *headers = read_many(sources, passes, args, n);
	int64		seen = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);

		out[i].header = (bytea *) DatumGetPointer(headers[i]);
		/* copied out of SPI's memory, whole */
		out[i].result = isnull ? NULL : DatumGetByteaPCopy(result);
		if (out[i].result != NULL)
			seen = ((const MmPassStateHeader *) VARDATA(out[i].result))->rows_seen;
	}
	MmTrainProgressPassEnd(seen);
	SPI_freetuptable(SPI_tuptable);
}

void
MmRelationSourceOffer(MmDataSource *source, const MmRelationPrefetch *prefetched)
{
	RelationSource *rs = source->impl;

	Assert(rs->design != NULL);
	rs->offered = prefetched;
}
