/*
 * trainspec.h: what a training asks.  The reading of its rows (columns.c,
 * momentspass.c) needs it below the fit driver, so it stands alone.
 */
#ifndef MM_TRAINSPEC_H
#define MM_TRAINSPEC_H

#include "postgres.h"

#include "utils/jsonb.h"

/* What one training needs; mm_train, mm_retrain and mm_tune fill it. */
typedef struct MmTrainSpec
{
	char	   *model;
	char	   *relation;
	char	   *target;
	char	   *algorithm;
	char	  **features;		/* NULL: every usable column */
	int			nfeatures;
	char	  **exclude;
	int			nexclude;
	Jsonb	   *params;
	Jsonb	   *preprocess;
	double		test_size;
	int32		seed;
	char	   *deploy;
	int32		parent_version;	/* the version retrained, or 0 */
} MmTrainSpec;

#endif							/* MM_TRAINSPEC_H */
