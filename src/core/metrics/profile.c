/*
 * profile.c: baseline profiles, live windows and drift (see profile.h).
 */
#include "profile.h"

#include <math.h>
#include <string.h>

/* The quantile q of m sorted values, interpolated between order statistics (type 7). */
static double
sorted_quantile(const double *sorted, size_t m, double q)
{
	double		h = q * (double) (m - 1);
	size_t		lo = (size_t) floor(h);

	if (lo + 1 >= m)
		return sorted[m - 1];
	return sorted[lo] + (h - (double) lo) * (sorted[lo + 1] - sorted[lo]);
}

MmErrorCode
mm_profile_numeric(MmNumericProfile *prof, int64_t rows, int64_t missing, double min, double max,
				   double mean, double sd, const double *sorted, size_t m, MmError *err)
{
	int			i;
	size_t		t;

	memset(prof, 0, sizeof(*prof));
	prof->rows = rows;
	prof->missing = missing;
	if (rows == 0)
	{
		prof->min = prof->max = prof->mean = prof->sd = NAN;
		for (i = 0; i <= MM_PROFILE_SKETCH; i++)
			prof->quantile[i] = NAN;
		return MM_OK;
	}
	if (m == 0 || !(min <= max) || !isfinite(min) || !isfinite(max))
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "a profile needs values and a finite range");
	for (t = 1; t < m; t++)
		if (!(sorted[t - 1] <= sorted[t]))
			return mm_fail(err, MM_ERR_INVALID_INPUT, -1, "profile values are not sorted");
	prof->min = min;
	prof->max = max;
	/* values near the limits of a double may overflow the moments: those are unknown */
	prof->mean = isfinite(mean) ? mean : NAN;
	prof->sd = isfinite(sd) && sd >= 0.0 ? sd : NAN;
	prof->discrete = 1;
	for (t = 1, i = 1; t < m && prof->discrete; t++)
		if (sorted[t] != sorted[t - 1] && ++i > MM_PROFILE_DISCRETE)
			prof->discrete = 0;
	prof->quantile[0] = min;
	prof->quantile[MM_PROFILE_SKETCH] = max;
	for (i = 1; i < MM_PROFILE_SKETCH; i++)
	{
		double		q = sorted_quantile(sorted, m, (double) i / MM_PROFILE_SKETCH);

		/* a sample's quantiles stay inside the exact range, in order */
		q = q < prof->quantile[i - 1] ? prof->quantile[i - 1] : q;
		prof->quantile[i] = q > max ? max : q;
	}
	mm_profile_prepare(prof);
	/* the values are sorted, so their intervals (mm_profile_interval) come in order */
	for (t = 0, i = 0; t < m; t++)
	{
		while (i < MM_PROFILE_SKETCH - 1 && prof->quantile[1 + i] < sorted[t])
			i++;
		prof->share[i] += 1.0;
	}
	for (i = 0; i < MM_PROFILE_SKETCH; i++)
		prof->share[i] /= (double) m;
	return MM_OK;
}

int
mm_profile_interval(const MmNumericProfile *prof, double v)
{
	/* the count of inner quantiles below v, by a search whose steps do not branch */
	const double *inner = prof->quantile + 1,
			   *base = inner;
	int			n = MM_PROFILE_SKETCH - 1;

	while (n > 1)
	{
		int			half = n / 2;

		base = base[half] < v ? base + half : base;
		n -= half;
	}
	return (int) (base - inner) + (*base < v);
}

void
mm_profile_prepare(MmNumericProfile *prof)
{
	double		width = prof->max - prof->min;
	int			c;

	prof->cell_scale = 0.0;
	if (!(width > 0.0) || !isfinite(width) || !isfinite(MM_PROFILE_CELLS / width))
		return;
	prof->cell_scale = MM_PROFILE_CELLS / width;
	for (c = 0; c <= MM_PROFILE_CELLS; c++)
		prof->cell_first[c] = (uint8_t) mm_profile_interval(prof, prof->min + c / prof->cell_scale);
}

/*
 * mm_profile_locate, inlined where a window counts a value: a check counts
 * every value of its window, and a call to an exported function of the
 * library goes through its symbol table.
 */
static inline int
locate(const MmNumericProfile *prof, double v)
{
	const double *inner = prof->quantile + 1;
	double		cell;
	int			c,
				k,
				ok;

	if (prof->cell_scale == 0.0)
		return mm_profile_interval(prof, v);
	if (v <= prof->min)
		return 0;
	if (v > prof->max)
		return MM_PROFILE_SKETCH - 1;
	cell = (v - prof->min) * prof->cell_scale;
	c = cell < MM_PROFILE_CELLS ? (int) cell : MM_PROFILE_CELLS - 1;

	/*
	 * A cell rarely holds more than one inner quantile: one step from its
	 * left edge's interval is the answer, checked without branching (inner
	 * has a last element, the maximum, which v does not exceed here).  The
	 * check keeps the answer exact whatever the cell's width or the
	 * roundings of v and the edges; the rare miss searches.
	 */
	k = prof->cell_first[c];
	k += inner[k] < v;
	ok = ((k == MM_PROFILE_SKETCH - 1) | (inner[k] >= v)) & ((k == 0) | (inner[k > 0 ? k - 1 : 0] < v));
	return ok ? k : mm_profile_interval(prof, v);
}

int
mm_profile_locate(const MmNumericProfile *prof, double v)
{
	return locate(prof, v);
}

/* mm_window_add, inlined where a row's values are counted in one call. */
static inline void
window_add(MmNumericWindow *w, const MmNumericProfile *prof, double v)
{
	if (!isfinite(v))
	{
		w->missing++;
		return;
	}
	w->rows++;
	if (prof->rows == 0)
		return;
	w->count[locate(prof, v)]++;
	if (v < prof->min)
	{
		w->below++;
		w->below_gap += prof->min - v;
	}
	else if (v > prof->max)
	{
		w->above++;
		w->above_gap += v - prof->max;
	}
}

void
mm_window_add(MmNumericWindow *w, const MmNumericProfile *prof, double v)
{
	window_add(w, prof, v);
}

void
mm_window_add_values(MmNumericWindow *const *windows, const MmNumericProfile *const *profiles,
					 const double *values, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		window_add(windows[i], profiles[i], values[i]);
}

void
mm_window_merge(MmNumericWindow *a, const MmNumericWindow *b)
{
	int			i;

	a->rows += b->rows;
	a->missing += b->missing;
	for (i = 0; i < MM_PROFILE_SKETCH; i++)
		a->count[i] += b->count[i];
	a->below += b->below;
	a->above += b->above;
	a->below_gap += b->below_gap;
	a->above_gap += b->above_gap;
}

/* Shares summing to 1, floored at MM_PROFILE_FLOOR and summing to 1 again; 0 when they sum to 0. */
static int
floored_shares(const double *v, int k, double *out)
{
	double		total = 0.0,
				again = 0.0;
	int			i;

	for (i = 0; i < k; i++)
		total += v[i];
	if (!(total > 0.0))
		return 0;
	for (i = 0; i < k; i++)
	{
		out[i] = v[i] / total;
		out[i] = out[i] < MM_PROFILE_FLOOR ? MM_PROFILE_FLOOR : out[i];
		again += out[i];
	}
	for (i = 0; i < k; i++)
		out[i] /= again;
	return 1;
}

void
mm_drift_bins(const double *baseline, const double *live, int k, double *psi, double *js,
			  double *linf)
{
	double		b[MM_PROFILE_CATEGORIES + 1],
				l[MM_PROFILE_CATEGORIES + 1];
	double		p = 0.0,
				j = 0.0,
				d = 0.0;
	int			i;

	*psi = *js = *linf = NAN;
	if (k < 1 || k > MM_PROFILE_CATEGORIES + 1 ||
		!floored_shares(baseline, k, b) || !floored_shares(live, k, l))
		return;
	for (i = 0; i < k; i++)
	{
		double		m = 0.5 * (b[i] + l[i]);

		p += (l[i] - b[i]) * log(l[i] / b[i]);
		j += 0.5 * b[i] * log2(b[i] / m) + 0.5 * l[i] * log2(l[i] / m);
		d = fmax(d, fabs(l[i] - b[i]));
	}
	*psi = p;
	*js = fmin(1.0, fmax(0.0, j));
	*linf = d;
}

static double
share_of(int64_t part, int64_t whole)
{
	return whole > 0 ? (double) part / (double) whole : NAN;
}

/* The integral over [0, len] of |a + (b - a) x / len|. */
static double
abs_linear_area(double a, double b, double len)
{
	if ((a >= 0.0) == (b >= 0.0))
		return 0.5 * (fabs(a) + fabs(b)) * len;
	return 0.5 * (a * a + b * b) / (fabs(a) + fabs(b)) * len;
}

void
mm_drift_numeric(const MmNumericProfile *prof, const MmNumericWindow *w, MmDrift *out)
{
	double		base[MM_PROFILE_BINS],
				live[MM_PROFILE_BINS];
	double		n = (double) w->rows,
				fb = 0.0,
				fw = 0.0,
				prev_b,
				prev_w,
				ks,
				area;
	int			i;

	out->psi = out->js = out->linf = out->ks = out->wasserstein = NAN;
	out->unseen = NAN;
	out->missing_rate = share_of(w->missing, w->rows + w->missing);
	out->missing_rate_baseline = share_of(prof->missing, prof->rows + prof->missing);
	out->out_of_range = share_of(w->below + w->above, w->rows);
	if (w->rows == 0 || prof->rows == 0)
		return;

	memset(base, 0, sizeof(base));
	memset(live, 0, sizeof(live));
	for (i = 0; i < MM_PROFILE_SKETCH; i++)
	{
		base[i * MM_PROFILE_BINS / MM_PROFILE_SKETCH] += prof->share[i];
		live[i * MM_PROFILE_BINS / MM_PROFILE_SKETCH] += (double) w->count[i];
	}
	mm_drift_bins(base, live, MM_PROFILE_BINS, &out->psi, &out->js, &out->linf);

	/*
	 * The distribution functions at the quantiles: just below the minimum
	 * (none of the baseline), at each inner quantile, and at the maximum
	 * (all of it).  Between them both are taken as linear.
	 */
	prev_b = 0.0;
	prev_w = (double) w->below / n;
	ks = prev_w;
	area = 0.0;
	for (i = 1; i <= MM_PROFILE_SKETCH; i++)
	{
		if (i < MM_PROFILE_SKETCH)
		{
			fb += prof->share[i - 1];
			fw += (double) w->count[i - 1] / n;
		}
		else
		{
			fb = 1.0;
			fw = 1.0 - (double) w->above / n;
		}
		ks = fmax(ks, fabs(fw - fb));
		if (prof->discrete)
			area += fabs(prev_w - prev_b) * (prof->quantile[i] - prof->quantile[i - 1]);
		else
			area += abs_linear_area(prev_w - prev_b, fw - fb,
									prof->quantile[i] - prof->quantile[i - 1]);
		prev_b = fb;
		prev_w = fw;
	}
	out->ks = fmin(1.0, ks);
	/* beyond the range the baseline's function is 0 or 1, so the tails are exact */
	area += (w->below_gap + w->above_gap) / n;
	out->wasserstein = prof->sd > 0.0 ? area / prof->sd : NAN;
}

void
mm_drift_categorical(const MmCategoricalProfile *prof, const MmCategoricalWindow *w, MmDrift *out)
{
	double		live[MM_PROFILE_CATEGORIES + 1];
	int			i;

	out->psi = out->js = out->linf = out->ks = out->wasserstein = out->out_of_range = NAN;
	out->missing_rate = share_of(w->missing, w->rows + w->missing);
	out->missing_rate_baseline = share_of(prof->missing, prof->rows + prof->missing);
	out->unseen = share_of(w->unseen, w->rows);
	if (w->rows == 0 || prof->rows == 0)
		return;
	for (i = 0; i <= prof->n; i++)
		live[i] = (double) w->count[i];
	mm_drift_bins(prof->share, live, prof->n + 1, &out->psi, &out->js, &out->linf);
}
