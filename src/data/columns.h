/*
 * columns.h: the relation and columns a training or evaluation reads.
 */
#ifndef MM_COLUMNS_H
#define MM_COLUMNS_H

#include "postgres.h"

#include "model.h"
#include "trainspec.h"

/* The relation and columns a training or evaluation reads. */
typedef struct MmSource
{
	Oid			relid;
	char	   *qualified;		/* schema.relation, quoted */
	char	   *display;		/* as the user would write it */
	int			nfeatures;
	char	  **features;
	Oid		   *feature_types;
	uint8	   *feature_kinds;	/* MmFeatureKind */
	/*
	 * The column each feature reads (its own name but for a part of a date,
	 * dateparts.h) and the MmDatePart of each feature (0 for the others);
	 * both NULL without date features.
	 */
	char	  **columns;
	uint8	   *date_parts;
	char	   *target;
	Oid			target_type;
} MmSource;

extern Oid	MmResolveRelation(const char *relation, char **qualified, char **display);
extern void MmResolveSource(const MmTrainSpec *spec, MmSource *src);
extern void MmResolveColumns(MmSource *src, const MmModel *model);
extern const char *MmFeatureColumn(const MmSource *src, int j);
extern void MmSourceDatesFromModel(MmSource *src, const MmModel *model);
extern char *MmFeatureExpression(const MmSource *src, int j, const char *alias);
extern bool MmIsNumericType(Oid type);
extern double MmEstimatedRows(Oid relid);

#endif							/* MM_COLUMNS_H */
