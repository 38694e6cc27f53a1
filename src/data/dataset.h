/*
 * dataset.h: rows read into memory, split into a training and a held-out
 * part, and what a training reads besides its spec.
 */
#ifndef MM_DATASET_H
#define MM_DATASET_H

#include "postgres.h"

#include "columns.h"
#include "lsq.h"
#include "model.h"

/* The distinct values of a text column, in the order first seen, with their counts per part. */
typedef struct MmStringDict
{
	int			n;
	int			cap;
	char	  **names;
	int		   *lens;
	int64	   *count[2];
	int32	   *slots;			/* open addressing: index + 1, 0 empty */
	uint32		nslots;			/* a power of two */
} MmStringDict;

/* Rows read into memory, split into a training (0) and a held-out (1) part. */
typedef struct MmDataset
{
	MemoryContext cxt;
	int			p;
	MmLabelKind label_kind;		/* 0 when the rows carry no label */
	bool		numeric_target; /* the rows carry a number to predict, in t */
	double		test_size;
	uint64		salt;
	size_t		n[2];
	size_t		cap[2];
	size_t		first_cap[2];	/* the rows expected, allocated at the first row */
	double	   *x[2];			/* n x p, row-major; NaN where NULL; text as its dict index */
	uint64	   *hash[2];		/* each row's content hash, when kept (tuning), or NULL */
	bool		fold_copy;		/* a cross-validation fold copied from rows in memory */
	int32	   *y[2];			/* label indexes */
	double	   *t[2];			/* numeric targets */
	int			nlabels;
	char	  **labels;			/* as label::text renders them */
	double	   *label_values;	/* numeric and boolean labels as numbers */
	int32	   *label_slots;
	int64		rows_read;
	int64		null_target;
	int64		nonfinite_target;
	int64	   *null_count;		/* per feature */
	int64	   *nonfinite_count;	/* per feature */
	MmStringDict **dicts;		/* per feature: the text ones' values (NULL for the rest) */
	bool		any_text;
	uint64		fingerprint;
	Size		limit;			/* bytes the rows may take */
} MmDataset;

/*
 * Rows already in memory that a training copies instead of reading its
 * relation: the training rows of all outside fold (part 0) and those in it
 * (part 1), or with fold -1 all's two parts as they are.  Tuning reads the
 * relation once and fits every fold from these copies, through the fit
 * driver mm_train uses.
 */
typedef struct MmDatasetFold
{
	const MmDataset *all;
	const int32 *fold_of;		/* per training row of all */
	int			fold;
	const char *snapshot;		/* the one all was read under */
} MmDatasetFold;

/*
 * What a training reads besides its spec: where its rows come from, what
 * of them to keep, and where an iterative fit starts.  It travels down the
 * calls, from MmTrainVersion through MmFitAlgorithm (fit.c) to the
 * algorithm's fit and MmDatasetLoadTraining, so that tuning steers the fits it runs in the open
 * and nothing reaches a fit through module state; what else a fit is handed
 * (progress, its seed, cancellation) belongs here too.  All zero is a plain
 * training, the relation read and nothing carried over; MmTrainVersion,
 * MmFitAlgorithm and MmDatasetLoadTraining take NULL for it.
 */
typedef struct MmTrainContext
{
	/* the rows, in memory already; NULL reads the relation */
	const MmDatasetFold *rows;
	/* a linear regression's training pass, made already, and the snapshot it read; or NULL */
	const MmLsView *moments;
	const char *moments_snapshot;
	/* keep each row's content hash (MmDataset.hash), which tuning deals its folds by */
	bool		keep_hashes;

	/*
	 * Where an iterative fit starts (NULL: its own start): a
	 * neighbouring fit's coefficients, warm_rows rows of warm_width
	 * coefficients and the intercept; used only when the shape matches.
	 */
	const double *warm_start;
	int			warm_rows;
	int			warm_width;

	/*
	 * A cross-validation fold's fit in passes (tuning's): with pass_folds
	 * set, the fit reads the relation in passes whose training rows are
	 * every fold but pass_fold and whose held-out part is pass_fold
	 * (passstate.h), so the version's test metrics are the fold's score.
	 */
	int			pass_folds;
	int			pass_fold;
} MmTrainContext;

extern char *MmDatasetLoad(MmDataset *ds, const MmSource *src, MmLabelKind label_kind,
						   bool numeric_target, double test_size, int32 seed);
extern char *MmDatasetLoadTraining(MmDataset *ds, const MmSource *src, MmLabelKind label_kind,
								   bool numeric_target, double test_size, int32 seed,
								   const MmTrainContext *ctx);
extern Size MmDatasetBytes(const MmDataset *ds);
extern bool MmDatasetHasRoom(const MmDataset *ds, size_t rows, Size per_row);
extern void MmDatasetRequireRoom(const MmDataset *ds, const char *relation, size_t rows,
								 Size per_row, const char *detail);
extern void MmDatasetRequireFoldRoom(const MmDataset *all, const char *relation);
extern void MmDatasetOrderLabels(MmDataset *ds);
extern void MmDatasetRequireEvaluationRows(const MmDataset *ds, const MmSource *src);
extern void MmRequireEvaluationRows(int64 nonfinite_target, int64 rows, const MmSource *src);
extern void MmDatasetFree(MmDataset *ds);

#endif							/* MM_DATASET_H */
