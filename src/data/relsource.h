/*
 * relsource.h: a data source whose passes run over a relation.
 */
#ifndef MM_RELSOURCE_H
#define MM_RELSOURCE_H

#include "postgres.h"

#include "columns.h"
#include "model.h"
#include "passstate.h"
#include "source.h"

extern void MmRelationSource(MmDataSource *out, const MmSource *src, int artifact_id,
							 double test_size, int32 seed);

/* What the last pass of a relation source counted (passstate.h), per source feature. */
typedef struct MmPassCounts
{
	MmPassStateHeader head;
	int64	   *null_count;		/* per source feature */
	int64	   *nonfinite_count;	/* per source feature, then the target */
	int64		rows_untransformed; /* refused by the design's transform */
	int32		untransformed_feature;	/* the first source feature blamed, or -1 */
	MmLabelCounts *labels;		/* the labels counted (MmRelationSourceCountLabels), or NULL */
	MmTextCounts *text_labels;	/* the text labels counted (the same), or NULL */
	MmTextCounts **texts;		/* per source feature: its values counted
								 * (MmRelationSourceCountTexts), or NULL */
} MmPassCounts;

/*
 * A data source over src whose rows go through a design (passdesign.h) of
 * design_len bytes, design_width columns wide, before a pass sees them:
 * target says what the pass reads as the target (a number, a class label
 * of label_kind, or none).  Text features and text labels travel in the
 * aggregate's text array.  The passes see the training part until
 * MmRelationSourceSetPart says otherwise; MmRelationSourceRunParts runs a
 * pass over both parts at once, a state each.
 */
extern void MmRelationSourceDesign(MmDataSource *out, const MmSource *src, int artifact_id,
								   double test_size, int32 seed, const void *design,
								   size_t design_len, int design_width, int target,
								   MmLabelKind label_kind);
extern void MmRelationSourceSetPart(MmDataSource *source, int part);
extern void MmRelationSourceForEvaluation(MmDataSource *source);
extern void MmRelationSourceSetFold(MmDataSource *source, int folds, int fold);
extern const MmPassCounts *MmRelationSourceCounts(MmDataSource *source);
/*
 * Makes a design source's passes count a classifier's labels per part, into
 * MmPassCounts.labels for number or boolean ones and MmPassCounts.text_labels
 * for text (on), or not (off).
 */
extern void MmRelationSourceCountLabels(MmDataSource *source, bool on);
/*
 * Makes a design source's passes count the values of its text features
 * per part, into MmPassCounts.texts (on), or not (off).
 */
extern void MmRelationSourceCountTexts(MmDataSource *source, bool on);
extern void MmRelationSourceRunParts(MmDataSource *source, const MmPass *pass, const void *arg,
									 void *train, void *test);

/*
 * n passes of design sources over one relation (a search's folds), in one
 * read of it: each state as its source's own run would make it.
 */
extern void MmRelationSourceRunMany(MmDataSource **sources, const MmPass **passes,
									const void **args, void **states, int n);

/*
 * n passes over both parts of design sources' splits in one read, each
 * source's for its next MmRelationSourceRunParts of the same pass and arg
 * (another runs as it would have).
 */
extern void MmRelationSourceRunManyParts(MmDataSource **sources, const MmPass **passes,
										 const void **args, int n);

/* A pass's result read with other sources' (MmRelationSourcePrefetch). */
typedef struct MmRelationPrefetch
{
	bytea	   *header;			/* the header it ran with; NULL: none was read */
	bytea	   *result;			/* its state; NULL when the relation had no rows */
} MmRelationPrefetch;

/*
 * Runs passes[i] with args[i] over each of n design sources, set as each
 * will be for its next pass, in one read of the relation (as
 * MmRelationSourceRunMany does), into out[i]: a result for a source made
 * later, for MmRelationSourceOffer.
 */
extern void MmRelationSourcePrefetch(MmDataSource **sources, const MmPass **passes,
									 const void **args, int n, MmRelationPrefetch *out);

/*
 * Offers a prefetched result to the source's next pass, which takes it
 * instead of a read of its own when it has the very header the result was
 * read with: the same pass, arg, relation, split, design and counting.
 * Whether taken or not, the offer serves the next pass only.
 */
extern void MmRelationSourceOffer(MmDataSource *source, const MmRelationPrefetch *prefetched);

/*
 * Carrying a design source's next pass in a grouping query of the same
 * relation, so that one read of it gives both: the aggregate's call the
 * query must hold, and the query (see relsource.c).
 */
extern const char *MmRelationSourceCall(MmDataSource *source);
extern void MmRelationSourceGroupWith(MmDataSource *source, const char *query,
									  void (*read) (void *ctx), void *ctx);

/* The SQL expression of src's target as a design pass reads it in y. */
extern char *MmPassTargetExpression(const MmSource *src, int target, MmLabelKind label_kind,
									const char *alias);
/* The x and c arguments of a design pass over src's row alias: ARRAY[...]::float8[], ARRAY[...]::text[]. */
extern char *MmPassRowArguments(const MmSource *src, int target, MmLabelKind label_kind,
								const char *alias);

#endif							/* MM_RELSOURCE_H */
