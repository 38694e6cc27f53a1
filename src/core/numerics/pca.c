/*
 * pca.c: principal component analysis from the covariance matrix.
 *
 * The covariance of p features is p x p however many rows there are, so
 * the rows are read twice (the means, then the centered products) and the
 * decomposition is one symmetric eigensolve (LAPACK dsyevd): with many more
 * rows than features that is far cheaper than a singular value
 * decomposition of the rows themselves, and gives the same components.
 */
#include "pca.h"

#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "moments.h"

#define INTERRUPT_ROWS 65536

/* Memory the per-chunk partial covariances may take before one matrix is used. */
#define PARTIAL_BYTES (32u * 1024u * 1024u)

/* What the passes computing a covariance share. */
typedef struct CovPass
{
	const double *x;
	int			p;
	const double *mean;
	double	   *partial;		/* per chunk: p sums, or p x p products */
	int			per_chunk;		/* 1: a partial per chunk; 0: one, filled by a single chunk at a time */
} CovPass;

/* A chunk's column sums. */
static void
sums_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	CovPass    *c = arg;
	double	   *s = c->partial + (size_t) chunk * c->p;
	size_t		i;
	int			a;

	for (a = 0; a < c->p; a++)
		s[a] = 0.0;
	for (i = begin; i < end; i++)
		for (a = 0; a < c->p; a++)
			s[a] += c->x[i * c->p + a];
}

/* A chunk's sums of centered products, the upper triangle of p x p. */
static void
products_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	CovPass    *c = arg;
	int			p = c->p;
	double	   *cov = c->partial + (c->per_chunk ? (size_t) chunk * p * p : 0);
	double		d[1024];
	double	   *dev = p <= 1024 ? d : NULL;
	size_t		i;
	int			a,
				b;

	if (c->per_chunk)
		memset(cov, 0, sizeof(double) * p * p);
	for (i = begin; i < end; i++)
	{
		const double *xi = c->x + i * p;

		if (dev != NULL)
		{
			/* the centered row once, then a rank-one update that vectorizes */
			for (a = 0; a < p; a++)
				dev[a] = xi[a] - c->mean[a];
			for (a = 0; a < p; a++)
			{
				double		da = dev[a];
				double	   *row = cov + (size_t) a * p;

				for (b = a; b < p; b++)
					row[b] += da * dev[b];
			}
		}
		else
			for (a = 0; a < p; a++)
			{
				double		da = xi[a] - c->mean[a];
				double	   *row = cov + (size_t) a * p;

				for (b = a; b < p; b++)
					row[b] += da * (xi[b] - c->mean[b]);
			}
	}
}

/*
 * Means and the covariance (n - 1 degrees of freedom) of n rows, in chunks
 * merged in chunk order (the same bits on any number of threads).  Wide
 * rows, whose per-chunk matrices would take too much memory, are summed in
 * one matrix on the calling thread.
 */
static MmErrorCode
covariance(const double *x, size_t n, int p, double *mean, double *cov)
{
	int			chunks = mm_chunks(n),
				ch,
				a,
				b;
	CovPass		c;
	size_t		cells = (size_t) p * p;

	c.x = x;
	c.p = p;
	c.mean = mean;
	c.partial = mm_alloc(sizeof(double) * (size_t) chunks * p);
	if (c.partial == NULL)
		return MM_ERR_NO_MEMORY;
	c.per_chunk = 1;
	mm_parallel(n, sums_chunk, &c);
	mm_check_interrupts();
	memset(mean, 0, sizeof(double) * p);
	for (ch = 0; ch < chunks; ch++)
		for (a = 0; a < p; a++)
			mean[a] += c.partial[(size_t) ch * p + a];
	for (a = 0; a < p; a++)
		mean[a] /= (double) n;
	mm_free(c.partial);

	c.per_chunk = (size_t) chunks * cells * sizeof(double) <= PARTIAL_BYTES;
	c.partial = c.per_chunk ? mm_alloc(sizeof(double) * chunks * cells) : cov;
	if (c.partial == NULL)
		return MM_ERR_NO_MEMORY;
	if (c.per_chunk)
	{
		mm_parallel(n, products_chunk, &c);
		memset(cov, 0, sizeof(double) * cells);
		for (ch = 0; ch < chunks; ch++)
			for (a = 0; a < p; a++)
				for (b = a; b < p; b++)
					cov[(size_t) a * p + b] += c.partial[(size_t) ch * cells + (size_t) a * p + b];
		mm_free(c.partial);
	}
	else
	{
		size_t		begin;

		memset(cov, 0, sizeof(double) * cells);
		for (begin = 0; begin < n; begin += MM_CHUNK_ROWS)
		{
			products_chunk(&c, begin, begin + MM_CHUNK_ROWS < n ? begin + MM_CHUNK_ROWS : n, 0);
			mm_check_interrupts();
		}
	}
	mm_check_interrupts();
	for (a = 0; a < p; a++)
		for (b = a; b < p; b++)
		{
			double		v = cov[(size_t) a * p + b] / (double) (n - 1);

			cov[(size_t) a * p + b] = v;
			cov[(size_t) b * p + a] = v;
		}
	return MM_OK;
}

/*
 * The principal components from a covariance (destroyed) and the means,
 * which out keeps; frees what it does not keep.
 */
static MmErrorCode
decompose(double *mean, double *cov, int p, int n_components, double variance_kept, MmPCA *out,
		  MmError *err)
{
	double	   *eig = mm_alloc(sizeof(double) * p);
	double		total = 0.0,
				cumulative = 0.0;
	int			c,
				j,
				keep;

	if (eig == NULL)
	{
		mm_free(mean);
		mm_free(cov);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory in PCA");
	}
	if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', p, cov, p, eig) != 0)
	{
		mm_free(mean);
		mm_free(cov);
		mm_free(eig);
		return mm_fail(err, MM_ERR_NUMERIC, -1, "the eigendecomposition of the covariance failed");
	}
	for (j = 0; j < p; j++)
	{
		if (eig[j] < 0.0)
			eig[j] = 0.0;		/* rounding below an exact zero */
		total += eig[j];
	}
	if (!(total > 0.0))
	{
		mm_free(mean);
		mm_free(cov);
		mm_free(eig);
		return mm_fail(err, MM_ERR_CONSTANT_FEATURE, -1, "the rows have no variance");
	}
	keep = n_components;
	if (keep == 0)
	{
		/* the fewest components whose cumulative share exceeds the fraction */
		for (keep = 1; keep < p; keep++)
		{
			cumulative += eig[p - keep] / total;
			if (cumulative > variance_kept)
				break;
		}
	}
	if (keep > p)
		keep = p;

	out->n_components = keep;
	out->mean = mean;
	out->components = mm_alloc(sizeof(double) * keep * p);
	out->explained_variance = mm_alloc(sizeof(double) * keep);
	out->explained_variance_ratio = mm_alloc(sizeof(double) * keep);
	if (!out->components || !out->explained_variance || !out->explained_variance_ratio)
	{
		mm_free(cov);
		mm_free(eig);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory in PCA");
	}
	for (c = 0; c < keep; c++)
	{
		int			col = p - 1 - c;	/* dsyevd sorts ascending */
		double		top = 0.0,
					sign;

		for (j = 0; j < p; j++)
			if (fabs(cov[(size_t) j * p + col]) > fabs(top))
				top = cov[(size_t) j * p + col];
		sign = top < 0.0 ? -1.0 : 1.0;
		for (j = 0; j < p; j++)
			out->components[(size_t) c * p + j] = sign * cov[(size_t) j * p + col];
		out->explained_variance[c] = eig[col];
		out->explained_variance_ratio[c] = eig[col] / total;
	}
	mm_free(cov);
	mm_free(eig);
	return MM_OK;
}


/* Finds the principal components of rows (see pca.h). */
MmErrorCode
mm_pca_fit(const double *x, size_t n, int p, int n_components, double variance_kept,
		   MmPCA *out, MmError *err)
{
	double	   *mean = mm_alloc(sizeof(double) * p),
			   *cov = mm_alloc(sizeof(double) * p * p);

	if (!mean || !cov || n < 2 || covariance(x, n, p, mean, cov) != MM_OK)
	{
		mm_free(mean);
		mm_free(cov);
		if (n < 2)
			return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "PCA needs at least 2 rows, and there are %zu", n);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory in PCA");
	}
	return decompose(mean, cov, p, n_components, variance_kept, out, err);
}

/* Finds the principal components from a moments block (see pca.h). */
MmErrorCode
mm_pca_from_moments(const double *moments, int d, int p, int n_components, double variance_kept,
					MmPCA *out, MmError *err)
{
	double		n = moments[0];
	double	   *mean = mm_alloc(sizeof(double) * p),
			   *cov = mm_alloc(sizeof(double) * p * p);
	int			a,
				b;

	if (!mean || !cov || n < 2)
	{
		mm_free(mean);
		mm_free(cov);
		if (n < 2)
			return mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "PCA needs at least 2 rows, and there are %.0f", n);
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory in PCA");
	}
	for (a = 0; a < p; a++)
	{
		mean[a] = moments[1 + a];
		for (b = a; b < p; b++)
		{
			double		v = mm_moments_co(moments, d, a, b) / (n - 1.0);

			cov[(size_t) a * p + b] = v;
			cov[(size_t) b * p + a] = v;
		}
	}
	return decompose(mean, cov, p, n_components, variance_kept, out, err);
}

/* The share of a part's variance each component captures, from its moments (see pca.h). */
void
mm_pca_captured_moments(const MmModel *model, const double *moments, int d, double *ratio)
{
	int			p = model->n_design,
				nc = ((const MmPCA *) model->fit)->n_components,
				c,
				a,
				b;
	double		total = 0.0;

	for (a = 0; a < p; a++)
		total += mm_moments_co(moments, d, a, a);
	for (c = 0; c < nc; c++)
	{
		const double *v = ((const MmPCA *) model->fit)->components + (size_t) c * p;
		double		q = 0.0;

		/* v' C v over the co-moments: the component's sum of squares */
		for (a = 0; a < p; a++)
			for (b = 0; b < p; b++)
				q += v[a] * mm_moments_co(moments, d, a, b) * v[b];
		ratio[c] = total > 0.0 && moments[0] > 1.0 ? q / total : NAN;
	}
}

/* The share of n rows' total variance each component captures (see pca.h). */
void
mm_pca_captured(const MmModel *model, const double *x, size_t n, double *ratio)
{
	int			p = model->n_design,
				nc = ((const MmPCA *) model->fit)->n_components,
				c,
				j;
	double	   *proj = mm_alloc(sizeof(double) * nc);
	double	   *mean = mm_alloc0(sizeof(double) * p);
	double	   *pmean = mm_alloc0(sizeof(double) * nc);
	double	   *pvar = mm_alloc0(sizeof(double) * nc);
	double		total = 0.0;
	size_t		i;

	if (!proj || !mean || !pmean || !pvar || n < 2)
	{
		for (c = 0; c < nc; c++)
			ratio[c] = NAN;
		mm_free(proj);
		mm_free(mean);
		mm_free(pmean);
		mm_free(pvar);
		return;
	}
	for (i = 0; i < n; i++)
	{
		mm_model_project(model, x + i * p, proj);
		for (c = 0; c < nc; c++)
			pmean[c] += proj[c];
		for (j = 0; j < p; j++)
			mean[j] += x[i * p + j];
	}
	for (c = 0; c < nc; c++)
		pmean[c] /= (double) n;
	for (j = 0; j < p; j++)
		mean[j] /= (double) n;
	for (i = 0; i < n; i++)
	{
		mm_model_project(model, x + i * p, proj);
		for (c = 0; c < nc; c++)
			pvar[c] += (proj[c] - pmean[c]) * (proj[c] - pmean[c]);
		for (j = 0; j < p; j++)
			total += (x[i * p + j] - mean[j]) * (x[i * p + j] - mean[j]);
		if ((i + 1) % INTERRUPT_ROWS == 0)
			mm_check_interrupts();
	}
	for (c = 0; c < nc; c++)
		ratio[c] = total > 0.0 ? pvar[c] / total : NAN;
	mm_free(proj);
	mm_free(mean);
	mm_free(pmean);
	mm_free(pvar);
}
