/*
 * numberlabel.h: a classifier's number labels read from a column of any
 * numeric type.
 */
#ifndef MM_NUMBERLABEL_H
#define MM_NUMBERLABEL_H

#include "postgres.h"

/*
 * Beyond this magnitude a double no longer holds every integer, so two
 * labels could share one class value (model.h's class_values).
 */
#define MM_MAX_NUMBER_LABEL (INT64CONST(1) << 53)

/* What reading one value as a number label found. */
typedef enum MmNumberLabelRead
{
	MM_NUMBER_LABEL_OK,
	MM_NUMBER_LABEL_NONFINITE,	/* NaN or infinite */
	MM_NUMBER_LABEL_FRACTIONAL, /* not a whole number */
	MM_NUMBER_LABEL_TOO_LARGE	/* beyond MM_MAX_NUMBER_LABEL */
} MmNumberLabelRead;

extern Oid	MmNumberLabelSourceType(Oid type);
extern MmNumberLabelRead MmNumberLabelFrom(Datum value, Oid source, int64 *label);
extern char *MmNumberLabelText(Datum value, Oid source);

#endif							/* MM_NUMBERLABEL_H */
