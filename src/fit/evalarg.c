/*
 * evalarg.c: the model a metrics pass carries, and the check of what every
 * process that ran it could read and count (evalpasses.h).
 */
#include "postgres.h"

#include "algorithm.h"
#include "designpasses.h"
#include "evalarg.h"
#include "evalpasses.h"
#include "mmcore.h"
#include "util.h"

/*
 * The arg of an evaluation pass of model (evalpasses.h), slots rows kept
 * for the silhouette; mm_free it.
 */
void *
MmEvalPassArg(const MmModel *model, int slots)
{
	void	   *arg;
	size_t		len;
	MmError		err;

	if ((arg = mm_eval_arg_new(model, slots, &len, &err)) == NULL)
		MmReportCoreError(&err, "could not write the model for its metrics");
	return arg;
}

/*
 * The pass that measures a regression of model, and its arg (mm_free it),
 * measuring the training mean train_mean beside the model: a linear form's
 * (designpasses.h) from its coefficients, any other model's by the
 * regressor pass that carries the model (evalpasses.h).
 */
void
MmRegressionMetricsPass(const MmModel *model, double train_mean, const MmPass **pass, void **arg)
{
	int			p = model->n_design;
	double		intercept;
	const double *coef;
	double	   *a;
	size_t		len;
	MmError		err;

	if (model->algorithm->linear_form == NULL)
	{
		*pass = &mm_pass_regressor_eval;
		if ((*arg = mm_eval_regressor_arg_new(model, train_mean, &len, &err)) == NULL)
			MmReportCoreError(&err, "could not write the model for its metrics");
		return;
	}
	coef = model->algorithm->linear_form(model, &intercept);
	if ((a = mm_alloc(sizeof(double) * (p + 3))) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory writing the coefficients for their metrics")));
	a[0] = p;
	a[1] = intercept;
	memcpy(a + 2, coef, sizeof(double) * p);
	a[2 + p] = train_mean;
	*pass = &mm_pass_linear_eval;
	*arg = a;
}

/* The model's metrics and the training mean's from a finished state of that pass. */
void
MmRegressionMetricsRead(const MmPass *pass, const void *state, MmRegressionMetrics *model,
						MmRegressionMetrics *mean)
{
	const double *s = state;

	if (pass == &mm_pass_regressor_eval)
	{
		MmCheckEvalPassRead(mm_regressor_eval_read(state, model, mean));
		return;
	}
	mm_eval_metrics(s + 1, model);
	mm_eval_metrics(s + 1 + MM_EVAL_STATE_LEN, mean);
}

/*
 * Errors when a process that ran an evaluation pass could not read the
 * model in its arg, or met rows of classes the model does not have: the
 * metrics would be of part of the rows.
 */
void
MmCheckEvalPassRead(int unread)
{
	if (unread)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not measure the model on every row"),
				 errdetail("A process running a metrics pass could not read the model, or met a class it does not have.")));
}

/*
 * Says why a binary classifier's metrics have no ROC AUC when a bin of the
 * pass's histogram could count no more rows.
 */
void
MmNoteRocFull(int full)
{
	if (full)
		ereport(NOTICE,
				(errmsg("the ROC AUC is not reported"),
				 errdetail("A bin of the histogram it is measured from would hold more than %u rows of a class.",
						   (unsigned) UINT32_MAX)));
}
