/*
 * fitstats.h: the train metrics that describe an unpenalized linear or
 * logistic regression as a statistical model, as statsmodels reports them
 * (likelihood, information criteria, the overall F test).
 */
#ifndef MM_FITSTATS_H
#define MM_FITSTATS_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "fit.h"
#include "regmetrics.h"

/*
 * Adds a linear regression's statistics to the train metrics object buf
 * ends with (train: that part's metrics); nothing for other algorithms, and
 * for a penalized fit a NOTICE instead.
 */
extern void MmAppendOlsStatistics(StringInfo buf, const MmFitOutcome *in,
								  const MmRegressionMetrics *train);

/*
 * Adds a logistic regression's statistics, from the training rows in
 * memory, to the train metrics object buf ends with; nothing for other
 * algorithms, and for a penalized or weighted fit a NOTICE instead.
 */
extern void MmAppendLogitStatistics(StringInfo buf, const MmFitOutcome *in);

#endif							/* MM_FITSTATS_H */
