/*
 * ksvm_block.c: a kernel SVM's decision values, from its support vectors
 * laid out in blocks for prediction (see ksvm.h).
 *
 * Scoring a row costs a kernel value per support vector, and a training's
 * metrics score every training row against thousands of them.  Stored row
 * after row, each kernel is a short sum over the p values and a call to
 * exp, one support vector at a time.  In blocks whose columns are
 * contiguous, a row's sums over a block advance in vector lanes, one
 * support vector per lane, column after column, and the rbf kernel's exp
 * (ksvm_exp.h) runs over the block's sums in lanes too.  Each lane still
 * adds its p terms in column order from zero, as libsvm does, so the sums
 * and the linear, poly and sigmoid kernels keep libsvm's bits.  The
 * copies compiled for wider vectors (widevectors.h) give the same bits:
 * each lane does the same operations in the same order.
 */
#include "ksvm.h"

#include <math.h>

#include "ksvm_exp.h"
#include "lanedot.h"
#include "widevectors.h"

int
mm_ksvm_prepare(MmKernelSvm *m, int p)
{
	size_t		n_blocks = ((size_t) m->n_sv + MM_KSVM_BLOCK - 1) / MM_KSVM_BLOCK,
				size = n_blocks * MM_KSVM_BLOCK * (size_t) p;
	int			s,
				j;

	mm_free(m->sv_block);
	m->sv_block = mm_alloc0(sizeof(double) * (size > 0 ? size : 1));
	if (m->sv_block == NULL)
		return 0;
	for (s = 0; s < m->n_sv; s++)
	{
		double	   *block = m->sv_block + (size_t) (s / MM_KSVM_BLOCK) * MM_KSVM_BLOCK * p;

		for (j = 0; j < p; j++)
			block[(size_t) j * MM_KSVM_BLOCK + s % MM_KSVM_BLOCK] = m->sv[(size_t) s * p + j];
	}
	return 1;
}

/* x^times by squaring, libsvm's powi, in every lane: pow() would round differently. */
static inline void
power(double *restrict x, int times)
{
	double		base[MM_KSVM_BLOCK];
	int			s,
				t;

	for (s = 0; s < MM_KSVM_BLOCK; s++)
	{
		base[s] = x[s];
		x[s] = 1.0;
	}
	for (t = times; t > 0; t /= 2)
	{
		if (t % 2 == 1)
			for (s = 0; s < MM_KSVM_BLOCK; s++)
				x[s] *= base[s];
		for (s = 0; s < MM_KSVM_BLOCK; s++)
			base[s] *= base[s];
	}
}

static inline void
block_kernels(const MmKernelSvm *m, int p, const double *z, int b, double *restrict k)
{
	const double *block = m->sv_block + (size_t) b * MM_KSVM_BLOCK * p;
	double		gamma = m->gamma,
				coef0 = m->coef0,
				sum[MM_KSVM_BLOCK];
	int			j,
				s;

	for (s = 0; s < MM_KSVM_BLOCK; s++)
		sum[s] = 0.0;
	if (m->kernel == MM_KERNEL_RBF)
	{
		for (j = 0; j < p; j++)
		{
			const double *column = block + (size_t) j * MM_KSVM_BLOCK;
			double		zj = z[j];

			for (s = 0; s < MM_KSVM_BLOCK; s++)
			{
				double		d = zj - column[s];

				sum[s] += d * d;
			}
		}
		for (s = 0; s < MM_KSVM_BLOCK; s++)
			k[s] = mm_exp_nonpositive(-gamma * sum[s]);
		return;
	}
	for (j = 0; j < p; j++)
	{
		const double *column = block + (size_t) j * MM_KSVM_BLOCK;
		double		zj = z[j];

		for (s = 0; s < MM_KSVM_BLOCK; s++)
			sum[s] += zj * column[s];
	}
	switch (m->kernel)
	{
		case MM_KERNEL_POLY:
			for (s = 0; s < MM_KSVM_BLOCK; s++)
				k[s] = gamma * sum[s] + coef0;
			power(k, m->degree);
			break;
		case MM_KERNEL_SIGMOID:
			for (s = 0; s < MM_KSVM_BLOCK; s++)
				k[s] = tanh(gamma * sum[s] + coef0);
			break;
		default:
			for (s = 0; s < MM_KSVM_BLOCK; s++)
				k[s] = sum[s];
			break;
	}
}

/*
 * A decision sums its terms block by block of support vectors, a block's
 * share being one weighted_sum per group it holds, added to the running
 * value in the order of the support vectors.  Pair (i, j)'s function takes
 * group i's support vectors with coefficient row j - 1 and group j's with
 * row i, libsvm's layout; with two groups (or regression) that is row 0
 * for every support vector, one sum per block.
 */
MM_WIDEST_VECTORS void
mm_ksvm_decision_values(const MmKernelSvm *m, int p, const double *z, double *dec)
{
	double		k[MM_KSVM_BLOCK];
	int			n = mm_ksvm_n_decisions(m),
				n_blocks = (m->n_sv + MM_KSVM_BLOCK - 1) / MM_KSVM_BLOCK,
				g = 0,
				g_end = m->regression ? m->n_sv : m->group_sv[0],
				b,
				d;

	for (d = 0; d < n; d++)
		dec[d] = 0;
	for (b = 0; b < n_blocks; b++)
	{
		int			start = b * MM_KSVM_BLOCK,
					end = m->n_sv - start < MM_KSVM_BLOCK ? m->n_sv : start + MM_KSVM_BLOCK,
					a;

		block_kernels(m, p, z, b, k);
		if (m->regression || m->n_groups == 2)
		{
			dec[0] += mm_lane_dot(m->sv_coef + start, k, end - start);
			continue;
		}
		for (a = start; a < end;)
		{
			int			e,
						other;

			while (a >= g_end)
				g_end += m->group_sv[++g];
			e = g_end < end ? g_end : end;
			for (other = 0; other < m->n_groups; other++)
			{
				int			i = other < g ? other : g,
							j = other < g ? g : other,
							pair = i * m->n_groups - i * (i + 1) / 2 + (j - i - 1),
							row = other < g ? other : other - 1;

				if (other != g)
					dec[pair] += mm_lane_dot(m->sv_coef + (size_t) row * m->n_sv + a, k + (a - start), e - a);
			}
			a = e;
		}
	}
	for (d = 0; d < n; d++)
		dec[d] -= m->rho[d];
}
