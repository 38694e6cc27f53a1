/*
 * selectpasses.c: feature selection from a statistics pass (see
 * selectpasses.h).
 *
 * The selection in memory tests the training rows' values after imputation
 * and clipping, and a text feature's category codes.  Here the pass reads
 * the rows through a design of the features still kept that does just that:
 * each number's fitted imputation and clipping with no centering or
 * scaling, each text feature's categories coded as ordinals (its imputed
 * category in place of a NULL, a code below 0 for a value training never
 * saw).  The pass sums per feature what its test needs; the tests and the
 * ranking are the ones the selection in memory calls (selectscore.h), so
 * the kept features are the same and the p-values equal to rounding.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "designpasses.h"
#include "guc.h"
#include "mmcore.h"
#include "passdesign.h"
#include "passstate.h"
#include "relsource.h"
#include "selectpasses.h"
#include "selectscore.h"
#include "selectstats.h"
#include "util.h"

/*
 * The design bytes of the kept features (keep over pd->raw's), as the tests
 * see them; *width gets their count.
 */
static void *
selection_design(const MmPassesData *pd, const bool *keep, const MmFeatureTransform *all,
				 const MmCategories *cats, size_t *len, int *width)
{
	int			p = pd->raw.nfeatures,
				k = 0,
				j;
	int32	   *kinds = palloc(sizeof(int32) * p),
			   *kept = palloc(sizeof(int32) * p);
	uint8	   *kept_kinds = palloc(Max(p, 1));
	MmFeatureTransform *t = palloc(sizeof(MmFeatureTransform) * Max(p, 1));
	MmCategories *c = palloc0(sizeof(MmCategories) * Max(p, 1));
	bool		any_text = false;
	MmPassDesign d;
	void	   *out;
	MmError		err;

	for (j = 0; j < p; j++)
	{
		kinds[j] = pd->raw.feature_kinds[j];
		kept[j] = keep[j] ? k : -1;
		if (!keep[j])
			continue;
		kept_kinds[k] = pd->raw.feature_kinds[j];
		t[k] = all[j];
		t[k].center = 0.0;
		t[k].scale = 1.0;
		if (pd->raw.feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		{
			/* the code itself, the one column ANOVA and chi-square group by */
			c[k] = cats[j];
			c[k].encoding = MM_ENCODE_ORDINAL;
			c[k].has_reference = 0;
			c[k].reference = 0;
			any_text = true;
		}
		k++;
	}
	memset(&d, 0, sizeof(d));
	d.raw_p = p;
	d.kinds = kinds;
	d.kept = kept;
	d.shell.n_features = k;
	d.shell.feature_kinds = kept_kinds;
	d.shell.transform = t;
	d.shell.categories = any_text ? c : NULL;
	d.shell.n_design = mm_model_design_width(&d.shell);
	d.label_kind = pd->label_kind;
	d.n_labels = pd->labels.n;
	d.labels = pd->labels.labels;
	d.label_values = pd->labels.values;
	if (mm_pass_design_write(&d, &out, len, &err) != MM_OK)
		MmReportCoreError(&err, "could not write the design of the selection pass");
	*width = d.shell.n_design;
	return out;
}

/* Scores kept feature k (source feature j) from its block b of the state. */
static void
score_feature(const double *b, const double *a, int k, MmSelectScore *s)
{
	int			classes = (int) a[1],
				codes = (int) a[2 + k],
				used = 0,
				g;
	double		rows = 0.0,
				total = 0.0,
				mean,
				between = 0.0,
				within = 0.0;
	int			ngroups = classes == 0 ? codes : classes;

	if (classes == 0 && codes == 0)
	{
		MmSelectCorrelation(b[3], b[4], b[5], b[0], s);
		return;
	}
	if (classes > 0 && codes > 0)
	{
		MmSelectChiSquare(b, codes, classes, s);
		return;
	}
	/* groups of (rows, mean, sum of squared deviations): by code or by class */
	for (g = 0; g < ngroups; g++)
	{
		rows += b[3 * g];
		total += b[3 * g] * b[3 * g + 1];
	}
	mean = rows > 0 ? total / rows : 0.0;
	for (g = 0; g < ngroups; g++)
		if (b[3 * g] > 0)
		{
			double		d = b[3 * g + 1] - mean;

			used++;
			between += b[3 * g] * d * d;
			within += b[3 * g + 2];
		}
	MmSelectAnova(between, within, used, rows, s);
}

void
MmSelectFeaturesByPasses(int k_best, const MmTrainSpec *spec, const MmPassesData *pd,
						 const MmSource *src, bool *keep, const MmFeatureTransform *all,
						 const MmCategories *cats, MmPreprocessFit *fit)
{
	int			p = pd->raw.nfeatures,
				width,
				k = 0,
				j;
	size_t		len,
				state_size;
	void	   *design;
	double	   *arg = palloc(sizeof(double) * (p + 2));
	double	   *state;
	MmDataSource source;
	MmSelectScore *scores = palloc(sizeof(MmSelectScore) * Max(p, 1));
	MmError		err;

	MmSelectRequireTarget(pd->target != MM_PASS_TARGET_NONE);
	design = selection_design(pd, keep, all, cats, &len, &width);
	arg[1] = pd->target == MM_PASS_TARGET_CLASS ? pd->labels.n : 0;
	for (j = 0; j < p; j++)
		if (keep[j])
			arg[2 + k++] = pd->raw.feature_kinds[j] == MM_FEATURE_CATEGORICAL ? cats[j].n + 1 : 0;
	arg[0] = k;
	if (k != width || mm_pass_select_stats.arg_size(k, arg, SIZE_MAX) == 0)
		elog(ERROR, "the selection pass cannot take %d features of %d columns", k, width);
	state_size = mm_pass_select_stats.state_size(k, arg);
	/* a text feature's table by the classes grows as their product: as in memory, within the limit */
	if ((double) state_size > (double) mm_max_train_memory_kb * 1024.0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the statistics of feature selection over relation %s exceed modelmgr.max_train_memory (%d kB)",
						src->display, mm_max_train_memory_kb),
				 errdetail("They take %zu bytes: a text feature's table by the classes holds a count per category and class.",
						   state_size),
				 errhint("Cap the categories with preprocess => '{\"*\": {\"max_categories\": 50}}', "
						 "or raise modelmgr.max_train_memory.")));

	MmRelationSourceDesign(&source, &pd->raw, MM_PASS_DESIGN_ID, spec->test_size, spec->seed,
						   design, len, width, pd->target, pd->label_kind);
	state = palloc(state_size);
	if (source.run(&source, &mm_pass_select_stats, arg, state, &err) != MM_OK)
		MmReportCoreError(&err, "could not run the feature-selection pass");

	for (j = 0, k = 0; j < p; j++)
	{
		if (!keep[j])
			continue;
		scores[k].feature = j;
		score_feature(state + mm_select_stats_offset(arg, k), arg, k, &scores[k]);
		k++;
		CHECK_FOR_INTERRUPTS();
	}
	MmSelectRank(k_best, src, scores, k, keep, fit);
	pfree(state);
	mm_free(design);
}
