/*
 * selectscore.c: the tests of feature selection from their sums, and the
 * ranking (see selectscore.h).  Tests of different kinds rank on one scale,
 * their p-values.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "distributions.h"
#include "selectscore.h"
#include "util.h"

void
MmSelectRequireTarget(bool has_target)
{
	if (!has_target)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess option \"select\" needs a target"),
				 errdetail("Features are chosen by how well each alone predicts the target.")));
}

void
MmSelectAnova(double between, double within, int used, double rows, MmSelectScore *s)
{
	double		f;

	s->p_value = 1.0;
	s->per_df = 0.0;
	if (used < 2 || rows <= used)
		return;
	f = within > 0.0 ? (between / (used - 1)) / (within / (rows - used)) : (between > 0.0 ? INFINITY : 0.0);
	s->per_df = f;
	s->p_value = mm_f_upper_p(f, used - 1, rows - used);
}

void
MmSelectCorrelation(double sxx, double syy, double sxy, double n, MmSelectScore *s)
{
	double		r2,
				f;

	s->p_value = 1.0;
	s->per_df = 0.0;
	if (n < 3 || !(sxx > 0.0) || !(syy > 0.0))
		return;
	r2 = Min(sxy * sxy / (sxx * syy), 1.0);
	f = r2 < 1.0 ? r2 / (1.0 - r2) * (n - 2) : INFINITY;
	s->per_df = f;
	s->p_value = mm_f_upper_p(f, 1, n - 2);
}

void
MmSelectChiSquare(const double *table, int na, int nb, MmSelectScore *s)
{
	double	   *ra = palloc0(sizeof(double) * Max(na, 1));
	double	   *rb = palloc0(sizeof(double) * Max(nb, 1));
	double		rows = 0.0,
				stat = 0.0;
	int			i,
				j,
				da = 0,
				db = 0;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
		{
			ra[i] += table[i * nb + j];
			rb[j] += table[i * nb + j];
			rows += table[i * nb + j];
		}
	for (i = 0; i < na; i++)
		da += ra[i] > 0;
	for (j = 0; j < nb; j++)
		db += rb[j] > 0;
	s->p_value = 1.0;
	s->per_df = 0.0;
	if (da >= 2 && db >= 2)
	{
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
	pfree(ra);
	pfree(rb);
}

static int
score_order(const void *a, const void *b)
{
	const MmSelectScore *x = a,
			   *y = b;

	if (x->p_value != y->p_value)
		return x->p_value < y->p_value ? -1 : 1;
	if (x->per_df != y->per_df)
		return x->per_df > y->per_df ? -1 : 1;
	return x->feature - y->feature;
}

void
MmSelectRank(int k_best, const MmSource *src, MmSelectScore *scores, int n, bool *keep,
			 MmPreprocessFit *fit)
{
	StringInfoData json;
	int			r;

	qsort(scores, n, sizeof(MmSelectScore), score_order);
	initStringInfo(&json);
	appendStringInfo(&json, "{\"k_best\": %d, \"p_values\": {", k_best);
	for (r = 0; r < n; r++)
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
