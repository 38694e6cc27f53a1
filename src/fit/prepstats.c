/*
 * prepstats.c: the preprocess argument fitted from column-statistics passes
 * (see prepstats.h); the statistics and the fit of each feature are the
 * core's (prepfit.h), this file maps the options, words the errors and
 * records the fit as MmFitPreprocess records it.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "algorithm.h"
#include "column_stats.h"
#include "columns.h"
#include "mmcore.h"
#include "model.h"
#include "prepfit.h"
#include "preprocess.h"
#include "prepstats.h"
#include "source.h"
#include "util.h"

/* Errors for an option of the feature's that per-column statistics cannot fit. */
static void
refuse(const MmSource *src, int j, const char *option, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 j >= 0 ?
			 errmsg("preprocess option \"%s\" of feature \"%s\" cannot be fitted in passes over relation %s",
					option, src->features[j], src->display) :
			 errmsg("preprocess option \"%s\" cannot be fitted in passes over relation %s",
					option, src->display),
			 errdetail("%s", why),
			 errhint("Train on fewer rows than modelmgr.max_train_memory holds, "
					 "or leave the option out.")));
}

void
MmCheckPreprocessByPasses(const MmPreprocess *pp, const MmSource *src)
{
	int			j;

	if (pp->dedupe)
		refuse(src, -1, "dedupe", "Finding duplicate rows needs every row at once.");
	if (pp->select_k_best > 0)
		refuse(src, -1, "select", "Feature selection scores each feature against the label.");
	for (j = 0; j < src->nfeatures; j++)
	{
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("feature \"%s\" is text, and statistics passes over relation %s read numbers",
							src->features[j], src->display)));
		if (pp->column[j].impute == MM_IMPUTE_MOST_FREQUENT)
			refuse(src, j, "most_frequent", "The most frequent number needs a count of every value.");
	}
}

/* The core's options for feature j. */
static void
column_options(const MmColumnPrep *prep, MmPrepColumn *out)
{
	static const MmPrepImpute impute[] = {
		[MM_IMPUTE_ERROR] = MM_PREP_IMPUTE_NONE,
		[MM_IMPUTE_MEAN] = MM_PREP_IMPUTE_MEAN,
		[MM_IMPUTE_MEDIAN] = MM_PREP_IMPUTE_MEDIAN,
		[MM_IMPUTE_MOST_FREQUENT] = MM_PREP_IMPUTE_NONE,	/* refused before */
		[MM_IMPUTE_ZERO] = MM_PREP_IMPUTE_ZERO,
		[MM_IMPUTE_CONSTANT] = MM_PREP_IMPUTE_CONSTANT,
	};
	static const MmPrepClip clip[] = {
		[MM_CLIP_NONE] = MM_PREP_CLIP_NONE,
		[MM_CLIP_QUANTILES] = MM_PREP_CLIP_QUANTILES,
		[MM_CLIP_ZSCORE] = MM_PREP_CLIP_Z,
	};
	static const MmPrepScale scale[] = {
		[MM_SCALE_NONE] = MM_PREP_SCALE_NONE,
		[MM_SCALE_STANDARD] = MM_PREP_SCALE_STANDARD,
		[MM_SCALE_MINMAX] = MM_PREP_SCALE_MINMAX,
		[MM_SCALE_ROBUST] = MM_PREP_SCALE_ROBUST,
	};

	out->impute = impute[prep->impute];
	out->impute_value = prep->impute_value;
	out->clip = clip[prep->clip];
	out->clip_lo = prep->clip_lo;
	out->clip_hi = prep->clip_hi;
	out->scale = scale[prep->scale];
}

/* Errors for the core's failure on feature j, worded as MmFitPreprocess words them. */
static void
report_failure(const MmError *err, const MmSource *src, const MmPrepResult *res)
{
	int			j = err->item;

	if (err->code == MM_ERR_INVALID_INPUT && j >= 0 && j < src->nfeatures && res->present[j] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature \"%s\" is null in every training row", src->features[j]),
				 errhint("Leave it out with exclude => ARRAY['%s'].", src->features[j])));
	if (err->code == MM_ERR_INVALID_INPUT && j >= 0 && j < src->nfeatures && res->missing[j] > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg_plural("feature \"%s\" is null in " INT64_FORMAT " row",
							   "feature \"%s\" is null in " INT64_FORMAT " rows",
							   (unsigned long) res->missing[j],
							   src->features[j], (int64) res->missing[j]),
				 errhint("Impute them with preprocess => '{\"%s\": {\"impute\": \"mean\"}}', "
						 "or filter those rows out.", src->features[j])));
	MmReportCoreError(err, "preprocessing statistics");
}

/*
 * The core's options for src's features, and what a text feature is to the
 * statistics: not a number, left to the caller.
 */
static MmPrepColumn *
options_of(const MmPreprocess *pp, const MmSource *src)
{
	MmPrepColumn *opts = palloc0(sizeof(MmPrepColumn) * Max(src->nfeatures, 1));
	int			j;

	for (j = 0; j < src->nfeatures; j++)
	{
		column_options(&pp->column[j], &opts[j]);
		opts[j].not_numeric = src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
		opts[j].keeps_missing = pp->algorithm != NULL && pp->algorithm->missing_values;
	}
	return opts;
}

bool
MmFeatureTakesQuantiles(const MmPreprocess *pp, int j)
{
	MmPrepColumn opt;

	column_options(&pp->column[j], &opt);
	return mm_prep_uses_sketch(&opt) != 0;
}

int
MmFitNumericFromStats(const MmPreprocess *pp, const MmSource *src, MmDataSource *source,
					  const void *stats, MmFeatureTransform *transform, uint8 *keep,
					  uint8 *constant, double *rank_error)
{
	int			p = src->nfeatures;
	MmPrepResult res;
	MmError		err;

	if (source->p != p)
		elog(ERROR, "a source over %d columns cannot fit the preprocessing of %d features",
			 source->p, p);
	res.transform = transform;
	res.keep = keep;
	res.constant = constant;
	res.present = palloc(sizeof(int64_t) * Max(p, 1));
	res.missing = palloc(sizeof(int64_t) * Max(p, 1));
	if (mm_prep_fit_from_stats(source, stats, options_of(pp, src),
							   pp->variance_threshold_set ? pp->variance_threshold : -1.0,
							   &res, &err) != MM_OK)
		report_failure(&err, src, &res);
	if (rank_error != NULL)
		*rank_error = res.rank_error;
	return res.passes;
}

int
MmFitPreprocessFromPasses(const MmPreprocess *pp, MmSource *src, MmDataSource *source,
						  MmPreprocessFit *fit, double *rank_error)
{
	int			p = src->nfeatures,
				j,
				q,
				passes;
	MmFeatureTransform *all = palloc(sizeof(MmFeatureTransform) * p);
	uint8	   *keep = palloc(sizeof(uint8) * p);
	uint8	   *constant = palloc(sizeof(uint8) * p);
	MmColumnStatsArg *arg = palloc(sizeof(MmColumnStatsArg) * p);
	void	   *stats = palloc(mm_pass_column_stats.state_size(p, arg));
	MmError		err;
	bool		identity = true;
	StringInfoData json;

	if (source->p != p)
		elog(ERROR, "a source over %d columns cannot fit the preprocessing of %d features",
			 source->p, p);
	MmCheckPreprocessByPasses(pp, src);
	mm_column_stats_identity(arg, p);
	if (source->run(source, &mm_pass_column_stats, arg, stats, &err) != MM_OK)
		MmReportCoreError(&err, "could not run the column-statistics pass");
	passes = MmFitNumericFromStats(pp, src, source, stats, all, keep, constant, rank_error);
	pfree(stats);

	memset(fit, 0, sizeof(*fit));
	fit->dropped = palloc(sizeof(char *) * p);
	fit->constant = palloc(sizeof(char *) * p);
	for (j = 0; j < p; j++)
		if (constant[j])
			fit->constant[fit->nconstant++] = src->features[j];
		else if (!keep[j])
			fit->dropped[fit->ndropped++] = src->features[j];
	MmRequireVaryingFeature(fit, p);
	MmRequireKeptFeature(fit, p);

	initStringInfo(&json);
	appendStringInfoString(&json, "{\"features\": {");
	for (j = 0, q = 0; j < p; j++)
		if (keep[j])
		{
			if (q)
				appendStringInfoString(&json, ", ");
			MmAppendFitted(&json, src->features[j], &all[j]);
			all[q++] = all[j];
		}
	appendStringInfoChar(&json, '}');
	MmAppendPreprocessOutcome(&json, fit, false);
	fit->json = json.data;
	if (q < p)
	{
		bool	   *kept = palloc(sizeof(bool) * p);

		for (j = 0; j < p; j++)
			kept[j] = keep[j] != 0;
		MmSourceKeepFeatures(src, kept);
	}

	/* numbers only: each kept feature is one column of the design */
	fit->n_design = q;
	for (j = 0; j < q; j++)
		if (!isnan(all[j].impute) || !isinf(all[j].clip_lo) || !isinf(all[j].clip_hi) ||
			all[j].center != 0.0 || all[j].scale != 1.0)
			identity = false;
	fit->transform = identity ? NULL : all;
	return passes;
}
