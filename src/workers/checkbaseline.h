/*
 * checkbaseline.h: a version's baseline profile read for a check: each
 * feature's profile and its predictions', with the window counted against
 * each, and the name lookups counting needs.
 */
#ifndef MM_CHECKBASELINE_H
#define MM_CHECKBASELINE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "model.h"
#include "profile.h"

/* A small string set: each name's position, by open addressing. */
typedef struct MmNameIndex
{
	int			n;
	char	  **names;
	int		   *lens;
	int32	   *slots;			/* position + 1, 0 empty */
	uint32		mask;
} MmNameIndex;

extern void MmNameIndexInit(MmNameIndex *ix, char **names, int n);
extern int	MmNameIndexFind(const MmNameIndex *ix, const char *s, int len);

/* One feature (or the predictions): its profile and what the window counted. */
typedef struct MmWatch
{
	bool		categorical;
	MmNumericProfile num;
	MmNumericWindow nw;
	MmCategoricalProfile cat;
	MmCategoricalWindow cw;
	MmNameIndex index;
} MmWatch;

/*
 * Reads a baseline for model: a profile of each feature into watch (one per
 * feature), of its predictions into prediction; false when it is damaged,
 * with the field to blame (named from the baseline down) and what it must be.
 */
extern bool MmReadBaseline(Jsonb *baseline, const MmModel *model, MmWatch *watch, MmWatch *prediction,
						   char **field, const char **what);

#endif							/* MM_CHECKBASELINE_H */
