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
	char	   *target;
	Oid			target_type;
} MmSource;

extern Oid	MmResolveRelation(const char *relation, char **qualified, char **display);
extern void MmResolveSource(const MmTrainSpec *spec, MmSource *src);
extern void MmResolveColumns(MmSource *src, const MmModel *model);
extern char *MmFeatureExpression(const char *column, uint8 kind, const char *alias);
extern bool MmIsNumericType(Oid type);
extern double MmEstimatedRows(Oid relid);

#endif							/* MM_COLUMNS_H */
