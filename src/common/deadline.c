/*
 * deadline.c: a time limit on the core's long loops.
 *
 * A fit cannot know how long it will run: a linear SVM with a large C or a
 * logistic regression with a tight tol may take thousands of passes.  Every
 * iterative fit of the core already checks for cancellation between its
 * iterations (mm_check_interrupts), so the deadline is checked there too,
 * as PostgreSQL checks statement_timeout where it checks for a cancel: the
 * fit stops with an error between two iterations, at most one iteration (or
 * one chunk of rows) past the deadline, and the subtransaction it runs in
 * (tuning's, for each candidate) frees what it had allocated.  Nothing is
 * set outside a search, so trainings are never limited.
 */
#include "postgres.h"

#include "utils/timestamp.h"

#include "deadline.h"

static TimestampTz fit_deadline = 0;	/* 0: none */
static bool deadline_passed = false;

/* Stops the core's loops with an error from deadline on. */
void
MmSetFitDeadline(TimestampTz deadline)
{
	fit_deadline = deadline;
	deadline_passed = false;
}

/* Lets the core's loops run on; whether the deadline stopped one stays readable. */
void
MmClearFitDeadline(void)
{
	fit_deadline = 0;
}

/* Whether the last deadline set stopped a loop. */
bool
MmFitDeadlinePassed(void)
{
	return deadline_passed;
}

/* Errors when the deadline has passed; called between iterations. */
void
MmCheckFitDeadline(void)
{
	if (fit_deadline == 0 || GetCurrentTimestamp() < fit_deadline)
		return;
	/* once: the error's cleanup may check again */
	fit_deadline = 0;
	deadline_passed = true;
	/* not query_canceled: that ends the whole call, and this ends one candidate */
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the time budget ran out during the fit")));
}
