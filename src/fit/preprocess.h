/*
 * preprocess.h: the preprocess argument, fitted on the training rows and
 * applied to rows read for a model.
 */
#ifndef MM_PREPROCESS_H
#define MM_PREPROCESS_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "dataset.h"
#include "columns.h"
#include "model.h"

/* What the preprocess argument asks of one feature. */
typedef enum MmImpute
{
	MM_IMPUTE_ERROR,
	MM_IMPUTE_MEAN,
	MM_IMPUTE_MEDIAN,
	MM_IMPUTE_MOST_FREQUENT,
	MM_IMPUTE_ZERO,
	MM_IMPUTE_CONSTANT
} MmImpute;

typedef enum MmScale
{
	MM_SCALE_NONE,
	MM_SCALE_STANDARD,
	MM_SCALE_MINMAX,
	MM_SCALE_ROBUST
} MmScale;

typedef enum MmClip
{
	MM_CLIP_NONE,
	MM_CLIP_QUANTILES,
	MM_CLIP_ZSCORE
} MmClip;

typedef struct MmColumnPrep
{
	MmImpute	impute;
	double		impute_value;	/* for MM_IMPUTE_CONSTANT on a number */
	char	   *impute_text;	/* for MM_IMPUTE_CONSTANT on text */
	MmScale		scale;
	MmClip		clip;
	double		clip_lo;		/* quantiles, or the z bound in clip_hi */
	double		clip_hi;
	MmEncoding	encoding;		/* text columns */
	char	   *reference;		/* the reference level named, or NULL: the first */
	int			max_categories; /* 0: every category */
} MmColumnPrep;

typedef struct MmPreprocess
{
	bool		dedupe;
	bool		variance_threshold_set;
	double		variance_threshold;
	int			select_k_best;	/* 0: no feature selection */
	bool		reference_coding;	/* one-hot text drops its reference's column */
	MmColumnPrep *column;		/* per feature of the source */
	/* the algorithm the rows are for, or NULL: one that takes missing values gets NULL numbers as NaN */
	const struct MmAlgorithm *algorithm;
} MmPreprocess;

/* What fitting the preprocessing did, for the version row and the notices. */
typedef struct MmPreprocessFit
{
	MmFeatureTransform *transform;	/* per kept feature */
	MmCategories *categories;	/* per kept feature, or NULL without text features */
	int			n_design;		/* the columns the kept features encode into */
	int64		unseen[2];		/* per part: text values of categories not in training */
	int64		duplicates;
	int			ndropped;
	char	  **dropped;		/* by the variance threshold, then by feature selection */
	int			nselected_out;	/* the last of dropped, by feature selection */
	int			nconstant;
	char	  **constant;		/* left out for having one value in every training row */
	char	   *select_json;	/* the selection's scores, or NULL */
	char	   *json;			/* the fitted statistics, a JSON object */
} MmPreprocessFit;

extern void MmParsePreprocess(Jsonb *preprocess, const MmSource *src, MmPreprocess *out);
extern bool MmPreprocessIsEmpty(Jsonb *preprocess);
extern void MmFitPreprocess(const MmPreprocess *pp, MmSource *src, MmDataset *ds,
							MmPreprocessFit *fit);
extern void MmAppendFitted(StringInfo buf, const char *name, const MmFeatureTransform *t);
extern void MmAppendPreprocessOutcome(StringInfo json, const MmPreprocessFit *fit, bool any_text);
extern void MmCheckFeatureCounts(const MmPreprocess *pp, const MmSource *src,
								 const int64 *null_count, const int64 *nonfinite_count);
extern void MmSourceKeepFeatures(MmSource *src, const bool *keep);
extern void MmRequireVaryingFeature(const MmPreprocessFit *fit, int p);
extern void MmRequireKeptFeature(const MmPreprocessFit *fit, int p);
extern bool MmFitTextFeature(const MmPreprocess *pp, const MmSource *src, int j,
							 const MmStringDict *d, int64 nulls_train, MmCategories *cats,
							 MmFeatureTransform *t, double **code_of, bool *constant);
extern void MmPreprocessDescribe(const MmSource *src, const bool *keep, MmFeatureTransform *all,
								 MmCategories *cats, double **code_of, MmStringDict **dicts,
								 bool any_text, MmPreprocessFit *fit);
extern void MmAppendUnseen(StringInfo metrics, const MmPreprocessFit *fit);
extern void MmReportPreprocessFit(const MmPreprocessFit *fit);
extern void MmDatasetEncode(const MmModel *model, const MmSource *src, MmDataset *ds,
							int64 *unseen);
extern void MmRequireFiniteFeature(const MmModel *model, const MmSource *src, int j,
								   int64 nonfinite);
extern void MmReportUntransformed(const MmModel *model, const MmSource *src, int j,
								  bool is_null) pg_attribute_noreturn();

#endif							/* MM_PREPROCESS_H */
