/*
 * evalarg.c: the model a metrics pass carries, and the check of what every
 * process that ran it could read and count (evalpasses.h).
 */
#include "postgres.h"

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
 * The arg of the regressor pass of model (evalpasses.h), the training mean
 * its trivial model predicts beside it; mm_free it.
 */
void *
MmRegressorPassArg(const MmModel *model, double train_mean)
{
	void	   *arg;
	size_t		len;
	MmError		err;

	if ((arg = mm_eval_regressor_arg_new(model, train_mean, &len, &err)) == NULL)
		MmReportCoreError(&err, "could not write the model for its metrics");
	return arg;
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
