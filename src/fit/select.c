/*
 * select.c: univariate feature selection, preprocess option
 * {"select": {"k_best": k}}.
 *
 * Each feature the variance threshold kept is tested alone against the
 * target on the training rows: a number by the F test of its correlation
 * with a numeric target, or by one-way ANOVA across a classifier's classes;
 * a text feature by one-way ANOVA of a numeric target across its
 * categories, or by the chi-square test of its table against the classes.
 * The k features with the smallest p-values are kept (ties by the larger
 * statistic per degree of freedom, then by column order), so that tests of
 * different kinds rank on one scale.  Fitted inside each cross-validation
 * fold, the selection never sees the fold's validation rows.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "columns.h"
#include "dataset.h"
#include "distributions.h"
#include "model.h"
#include "preprocess.h"
#include "select.h"
#include "util.h"

typedef struct Score
{
	int			feature;
	double		p_value;
	double		per_df;			/* the statistic over its degrees of freedom */
} Score;

static int
score_order(const void *a, const void *b)
{
	const Score *x = a,
			   *y = b;

	if (x->p_value != y->p_value)
		return x->p_value < y->p_value ? -1 : 1;
	if (x->per_df != y->per_df)
		return x->per_df > y->per_df ? -1 : 1;
	return x->feature - y->feature;
}

/* One-way ANOVA of value across ngroups groups (group < 0: row left out). */
static void
anova(const double *value, const int *group, size_t n, int ngroups, Score *s)
{
	double	   *sum = palloc0(sizeof(double) * ngroups);
	double	   *count = palloc0(sizeof(double) * ngroups);
	double		total = 0.0,
				rows = 0.0,
				between = 0.0,
				within = 0.0,
				mean,
				f;
	int			used = 0,
				g;
	size_t		i;

	for (i = 0; i < n; i++)
		if (group[i] >= 0)
		{
			sum[group[i]] += value[i];
			count[group[i]] += 1.0;
			total += value[i];
			rows += 1.0;
		}
	mean = rows > 0 ? total / rows : 0.0;
	for (g = 0; g < ngroups; g++)
		if (count[g] > 0)
		{
			used++;
			sum[g] /= count[g];
			between += count[g] * (sum[g] - mean) * (sum[g] - mean);
		}
	for (i = 0; i < n; i++)
		if (group[i] >= 0)
			within += (value[i] - sum[group[i]]) * (value[i] - sum[group[i]]);
	s->p_value = 1.0;
	s->per_df = 0.0;
	if (used < 2 || rows <= used)
		return;
	f = within > 0.0 ? (between / (used - 1)) / (within / (rows - used)) : (between > 0.0 ? INFINITY : 0.0);
	s->per_df = f;
	s->p_value = mm_f_upper_p(f, used - 1, rows - used);
}

/* F test of the correlation of x and y. */
static void
correlation(const double *x, const double *y, size_t n, Score *s)
{
	double		mx = 0.0,
				my = 0.0,
				sxx = 0.0,
				syy = 0.0,
				sxy = 0.0,
				r2,
				f;
	size_t		i;

	s->p_value = 1.0;
	s->per_df = 0.0;
	if (n < 3)
		return;
	for (i = 0; i < n; i++)
	{
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++)
	{
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 0.0) || !(syy > 0.0))
		return;
	r2 = Min(sxy * sxy / (sxx * syy), 1.0);
	f = r2 < 1.0 ? r2 / (1.0 - r2) * (n - 2) : INFINITY;
	s->per_df = f;
	s->p_value = mm_f_upper_p(f, 1, n - 2);
}

/* Chi-square test of the table of two codes (a < 0: row left out). */
static void
chi_square(const int *a, int na, const int *b, int nb, size_t n, Score *s)
{
	double	   *table = palloc0(sizeof(double) * na * nb);
	double	   *ra = palloc0(sizeof(double) * na);
	double	   *rb = palloc0(sizeof(double) * nb);
	double		rows = 0.0,
				stat = 0.0;
	int			i,
				j,
				da = 0,
				db = 0;
	size_t		r;

	for (r = 0; r < n; r++)
		if (a[r] >= 0)
		{
			table[a[r] * nb + b[r]] += 1.0;
			ra[a[r]] += 1.0;
			rb[b[r]] += 1.0;
			rows += 1.0;
		}
	for (i = 0; i < na; i++)
		da += ra[i] > 0;
	for (j = 0; j < nb; j++)
		db += rb[j] > 0;
	s->p_value = 1.0;
	s->per_df = 0.0;
	if (da < 2 || db < 2)
		return;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (ra[i] > 0 && rb[j] > 0)
			{
				double		e = ra[i] * rb[j] / rows,
							o = table[i * nb + j];

				stat += (o - e) * (o - e) / e;
			}
	s->per_df = stat / ((da - 1) * (db - 1));
	s->p_value = mm_chi2_upper_p(stat, (da - 1) * (db - 1));
}

void
MmSelectFeatures(int k_best, const MmSource *src, const MmDataset *ds, bool *keep,
				 const MmFeatureTransform *all, double *const *code_of, const MmCategories *cats,
				 MmPreprocessFit *fit)
{
	StringInfoData json;
	int			p = ds->p,
				nkept = 0,
				j,
				r;
	size_t		n = ds->n[0],
				i;
	Score	   *scores = palloc(sizeof(Score) * Max(p, 1));
	double	   *value = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1));
	int		   *code = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int) * Max(n, 1));
	int		   *label = NULL;

	if (!ds->numeric_target && ds->label_kind == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess option \"select\" needs a target"),
				 errdetail("Features are chosen by how well each alone predicts the target.")));
	if (ds->label_kind != 0)
	{
		label = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int) * Max(n, 1));
		for (i = 0; i < n; i++)
			label[i] = ds->y[0][i];
	}
	for (j = 0; j < p; j++)
	{
		const double *x = ds->x[0] + j;
		bool		text = src->feature_kinds[j] == MM_FEATURE_CATEGORICAL;
		Score	   *s = &scores[nkept];

		if (!keep[j])
			continue;
		s->feature = j;
		nkept++;
		CHECK_FOR_INTERRUPTS();
		if (text)
		{
			int			ncodes = cats[j].n + 1;

			/* a missing value takes the imputed category, or sits out the test */
			for (i = 0; i < n; i++)
			{
				double		v = x[i * p];

				code[i] = isnan(v) ? (isnan(all[j].impute) ? -1 : (int) all[j].impute) :
					(int) code_of[j][(int) v];
				if (code[i] >= ncodes)
					code[i] = -1;
			}
			if (ds->numeric_target)
				anova(ds->t[0], code, n, ncodes, s);
			else
				chi_square(code, ncodes, label, ds->nlabels, n, s);
		}
		else
		{
			for (i = 0; i < n; i++)
			{
				double		v = x[i * p];

				v = isnan(v) ? all[j].impute : v;
				value[i] = Min(Max(v, all[j].clip_lo), all[j].clip_hi);
			}
			if (ds->numeric_target)
				correlation(value, ds->t[0], n, s);
			else
				anova(value, label, n, ds->nlabels, s);
		}
	}
	qsort(scores, nkept, sizeof(Score), score_order);

	initStringInfo(&json);
	appendStringInfo(&json, "{\"k_best\": %d, \"p_values\": {", k_best);
	for (r = 0; r < nkept; r++)
	{
		if (r)
			appendStringInfoString(&json, ", ");
		MmJsonString(&json, src->features[scores[r].feature]);
		appendStringInfoString(&json, ": ");
		MmJsonNumber(&json, scores[r].p_value);
		if (r >= k_best)
		{
			keep[scores[r].feature] = false;
			fit->dropped[fit->ndropped++] = src->features[scores[r].feature];
			fit->nselected_out++;
		}
	}
	appendStringInfoString(&json, "}}");
	fit->select_json = json.data;
}
