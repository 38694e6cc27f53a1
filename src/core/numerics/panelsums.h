/*
 * panelsums.h: a batch's products summed a panel at a time, for the
 * Hessians of the passes (logistic_passes.c, svm_pass.c).
 *
 * A panel is PANEL_ROWS rows of the Hessian's triangle by PANEL_COLS
 * columns (or a last PANEL_COLS / 2).  Its sums stay in registers: a sum's
 * additions wait on each other, and many independent sums at once keep the
 * adder busy where a few would wait on its latency.  Each sum still takes
 * the batch's rows one at a time in their order, from the value it starts
 * with, so the bits do not depend on the panels.
 */
#ifndef MM_PANELSUMS_H
#define MM_PANELSUMS_H

#include <stddef.h>

#define PANEL_ROWS 4
#define PANEL_COLS 8

/*
 * Adds to acc (row-major, PANEL_COLS apart) the sums over n rows (of W
 * columns) of z[i][a + u] x[i][b + v], for u < PANEL_ROWS and v < cols
 * (PANEL_COLS or PANEL_COLS / 2), each in the rows' order; the other
 * entries of acc keep their values.
 */
static inline void
mm_panel_sums(const double *z, const double *x, int W, int n, int a, int b, int cols, double *acc)
{
	double		s[PANEL_ROWS][PANEL_COLS];
	int			i,
				u,
				v;

	for (u = 0; u < PANEL_ROWS; u++)
		for (v = 0; v < PANEL_COLS; v++)
			s[u][v] = acc[u * PANEL_COLS + v];
	if (cols == PANEL_COLS)
		for (i = 0; i < n; i++)
		{
			const double *xi = x + (size_t) i * W + b,
					   *zi = z + (size_t) i * W + a;

			for (u = 0; u < PANEL_ROWS; u++)
				for (v = 0; v < PANEL_COLS; v++)
					s[u][v] += zi[u] * xi[v];
		}
	else
		for (i = 0; i < n; i++)
		{
			const double *xi = x + (size_t) i * W + b,
					   *zi = z + (size_t) i * W + a;

			for (u = 0; u < PANEL_ROWS; u++)
				for (v = 0; v < PANEL_COLS / 2; v++)
					s[u][v] += zi[u] * xi[v];
		}
	for (u = 0; u < PANEL_ROWS; u++)
		for (v = 0; v < PANEL_COLS; v++)
			acc[u * PANEL_COLS + v] = s[u][v];
}

#endif							/* MM_PANELSUMS_H */
