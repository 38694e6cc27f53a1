/*
 * searchspace.h: mm_tune's search space and the candidates drawn from it.
 */
#ifndef MM_SEARCHSPACE_H
#define MM_SEARCHSPACE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "algorithm.h"

typedef enum MmDimKind
{
	MM_DIM_LIST,
	MM_DIM_UNIFORM,
	MM_DIM_LOG_UNIFORM,
	MM_DIM_INT_UNIFORM
} MmDimKind;

/* One entry of a search space. */
typedef struct MmDimension
{
	const char *key;			/* a hyperparameter, or preprocess.<path> */
	bool		preprocess;
	MmDimKind	kind;
	int			nvalues;		/* a list's values, as JSON text */
	char	  **values;
	double		lo;				/* a range's bounds */
	double		hi;
} MmDimension;

typedef struct MmSpace
{
	int			n;
	MmDimension *dims;
} MmSpace;

/* One point of a search, and how cross-validation scored it. */
typedef struct MmCandidate
{
	const MmAlgorithm *algorithm;
	const MmSpace *space;
	char	  **values;			/* per dimension of space, as JSON text */
	Jsonb	   *params;
	Jsonb	   *preprocess;
	double	   *fold_score;
	double		mean;
	double		sd;
	double		seconds;
	const char *status;			/* ok, failed, or not run when the budget ran out */
	char	   *error;
} MmCandidate;

typedef struct MmCandidateList
{
	int			n;
	int			cap;
	MmCandidate *items;
} MmCandidateList;

extern const char *MmDefaultSpace(const MmAlgorithm *algorithm, bool random);
extern void MmParseSpace(Jsonb *search, MmSpace *space);
extern void MmSpaceCandidates(const MmSpace *space, const MmAlgorithm *algorithm, const char *method,
							  int trials, int32 seed, MmCandidateList *out);
extern MmCandidate *MmCandidateAdd(MmCandidateList *list, const MmAlgorithm *algorithm,
								   const MmSpace *space);

#endif							/* MM_SEARCHSPACE_H */
