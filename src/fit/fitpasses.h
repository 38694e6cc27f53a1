/*
 * fitpasses.h: training in passes over the relation, never holding its rows.
 */
#ifndef MM_FITPASSES_H
#define MM_FITPASSES_H

#include "postgres.h"

#include "algorithm.h"
#include "columns.h"
#include "discover.h"
#include "fit.h"
#include "params.h"
#include "preprocess.h"
#include "relsource.h"
#include "source.h"
#include "trainspec.h"

/*
 * The rows the baseline profiles: the training rows as the relation holds
 * them, before any duplicates are dropped, as the fit in memory profiles
 * them.
 */
typedef struct MmProfiledRows
{
	const char *qualified;		/* the relation, to sample */
	int64		rows_read;
	int64		rows_train;
	/*
	 * Their column statistics (column_stats.h), over raw's features, or NULL
	 * where their state would not fit (see fitpasses.c); the text features'
	 * values with their training counts, and the training rows where each
	 * is NULL.
	 */
	void	   *stats;
	MmStringDict **dicts;
	int64	   *text_nulls;
} MmProfiledRows;

/* What the passes before the fit found, and the source the fit runs over. */
typedef struct MmPassesData
{
	MmSource	raw;			/* every feature, as the pass queries read them */
	MmPreprocessFit prep;
	int			n_design;
	MmLabelKind label_kind;		/* a classifier's; 0 otherwise */
	int			target;			/* MmPassTarget */
	MmDiscoveredLabels labels;
	const void *design;			/* the fitted design's bytes (passdesign.h) */
	size_t		design_len;
	MmDataSource data;			/* the relation through the design */
	int64		rows_read;		/* as the relation holds them */
	int64		rows_train;
	int64		rows_test;
	int64		null_target;
	uint64		fingerprint;
	double		train_mean;		/* of the target, over the training rows */
	char	   *snapshot;
	/*
	 * The column statistics of the training rows the fit sees (column_stats.h),
	 * over raw's features, or NULL where their state would not fit (see
	 * fitpasses.c)
	 */
	void	   *stats;
	int			stats_passes;	/* column-statistics passes run: 0, 1 or 2 */
	MmProfiledRows profiled;
} MmPassesData;

/*
 * NULL when algorithm, with params and spec's preprocessing, can train in passes;
 * else why not, a sentence for an error's detail.
 */
extern const char *MmPassesObstacle(const MmTrainSpec *spec, const MmSource *src,
									const MmAlgorithm *algorithm, const MmParams *params);

/*
 * Whether the rows of src would not fit modelmgr.max_train_memory, with
 * what spec's preprocessing (when not NULL) keeps beside them, or are
 * distributed.
 */
extern bool MmPassesPreferred(const MmTrainSpec *spec, const MmSource *src);

/*
 * MmPassesPreferred for a training of algorithm: one whose passes send
 * each shard more than its rows (MmAlgorithm.rows_when_they_fit) trains in
 * passes on a distributed relation only when its rows would not fit.
 */
extern bool MmPassesPreferredFor(const MmAlgorithm *algorithm, const MmTrainSpec *spec,
								 const MmSource *src);

/*
 * The passes before the fit: labels and categories, the column profile and
 * its checks, the preprocessing fitted from them; src keeps the features the
 * model keeps, as fitting the preprocessing in memory leaves it.
 */
extern void MmPassesPrepare(const MmTrainSpec *spec, MmSource *src, const MmAlgorithm *algorithm,
							const MmParams *params, MmPassesData *pd);

/*
 * MmPassesPrepare for a cross-validation fold (passstate.h): with folds
 * set, the passes' training rows are those of every fold but fold, and
 * their held-out part (the metrics' test part) is fold, so the
 * preprocessing is fitted on the fold's training rows alone.  first_read,
 * when not NULL, is the result of its first read, read already
 * (MmPassesPrefetchFirstReads).
 */
extern void MmPassesPrepareFold(const MmTrainSpec *spec, MmSource *src,
								const MmAlgorithm *algorithm, const MmParams *params, int folds,
								int fold, MmPassesData *pd, const MmRelationPrefetch *first_read);

/*
 * The first read of each of n folds' preparations (src and params the
 * folds'), in one read of the relation, into first[f]: the first_read to
 * hand MmPassesPrepareFold for fold f.  None is read (first[f].header
 * NULL), and each preparation reads on its own, where the folds' first
 * reads cannot share a scan.
 */
extern void MmPassesPrefetchFirstReads(const MmTrainSpec *spec, MmSource *srcs,
									   const MmAlgorithm *algorithm, const MmParams *params,
									   int n, MmRelationPrefetch *first);

/* The fitted model's measures on both parts, by passes. */
extern void MmPassesMetrics(MmPassesData *pd, const MmModel *model, MmPassMetrics *out);

/*
 * The pass over both parts (and its arg) MmPassesMetrics runs for model,
 * for a caller that runs it with other fits' in one read
 * (MmRelationSourceRunManyParts); false when it runs none such.
 */
extern bool MmPassesMetricsPass(const MmPassesData *pd, const MmModel *model,
								const MmPass **pass, const void **arg);

/* The baseline profile, from a bounded sample of the relation (MM_BASELINE_SAMPLE rows). */
extern char *MmPassesBaseline(const MmPassesData *pd, const MmTrainSpec *spec,
							  const MmModel *model);

#endif							/* MM_FITPASSES_H */
