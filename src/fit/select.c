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

#include "miscadmin.h"

#include "columns.h"
#include "dataset.h"
#include "model.h"
#include "preprocess.h"
#include "select.h"
#include "selectscore.h"
#include "util.h"

/* One-way ANOVA of value across ngroups groups (group < 0: row left out). */
static void
anova(const double *value, const int *group, size_t n, int ngroups, MmSelectScore *s)
{
	double	   *sum = palloc0(sizeof(double) * ngroups);
	double	   *count = palloc0(sizeof(double) * ngroups);
	double		total = 0.0,
				rows = 0.0,
				between = 0.0,
				within = 0.0,
				mean;
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
	MmSelectAnova(between, within, used, rows, s);
	pfree(sum);
	pfree(count);
}

/* F test of the correlation of x and y. */
static void
correlation(const double *x, const double *y, size_t n, MmSelectScore *s)
{
	double		mx = 0.0,
				my = 0.0,
				sxx = 0.0,
				syy = 0.0,
				sxy = 0.0;
	size_t		i;

	if (n < 3)
	{
		MmSelectCorrelation(0.0, 0.0, 0.0, (double) n, s);
		return;
	}
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
	MmSelectCorrelation(sxx, syy, sxy, (double) n, s);
}

/* Chi-square test of the table of two codes (a < 0: row left out). */
static void
chi_square(const int *a, int na, const int *b, int nb, size_t n, MmSelectScore *s)
{
	double	   *table = palloc0(sizeof(double) * na * nb);
	size_t		r;

	for (r = 0; r < n; r++)
		if (a[r] >= 0)
			table[a[r] * nb + b[r]] += 1.0;
	MmSelectChiSquare(table, na, nb, s);
	pfree(table);
}

void
MmSelectFeatures(int k_best, const MmSource *src, const MmDataset *ds, bool *keep,
				 const MmFeatureTransform *all, double *const *code_of, const MmCategories *cats,
				 MmPreprocessFit *fit)
{
	int			p = ds->p,
				nkept = 0,
				j;
	size_t		n = ds->n[0],
				i;
	MmSelectScore *scores = palloc(sizeof(MmSelectScore) * Max(p, 1));
	double	   *value = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(n, 1));
	int		   *code = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int) * Max(n, 1));
	int		   *label = NULL;

	MmSelectRequireTarget(ds->numeric_target || ds->label_kind != 0);
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
		MmSelectScore *s = &scores[nkept];

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
	MmSelectRank(k_best, src, scores, nkept, keep, fit);
}
