/*
 * svm_pass.h: the pass of the squared-hinge SVM's Newton steps
 * (svm_primal.c drives it), and the layout of its arg and state.
 *
 * The pass serves several one-against-the-rest problems at once, each with
 * its coefficients w and a direction s.  Its state holds, per problem, the
 * summed margin losses C_i max(0, 1 - y_i (w + t s).x_i)^2 at each trial
 * step t of the line search, and the gradient and the generalized Hessian
 * of the summed losses at w + s; and, whatever the problems, the rows of
 * each class, so that a pass of no problems counts the classes alone.
 *
 * The arg is an array of doubles: the head below, then the weight of each
 * of the k classes, the trial steps, and per problem its positive class, w
 * and s (d each, d = p, or p + 1 with the intercept, whose column is a
 * constant 1).  The state is an array of doubles: its head, the rows of
 * each class and then the rows without a class in [0, k), then per problem
 * the losses at each step, the gradient (d) and the Hessian's upper
 * triangle packed by rows.  Every count and size of the state is the
 * arg's, which the state repeats so that a state is never read against
 * another arg's layout.
 */
#ifndef MM_SVM_PASS_H
#define MM_SVM_PASS_H

#include <stddef.h>

#include "source.h"

#define MM_SVM_MAX_STEPS 20		/* trial steps in one pass at most */

/* The arg's head. */
enum
{
	MM_SVM_A_P,
	MM_SVM_A_D,
	MM_SVM_A_K,
	MM_SVM_A_PROBLEMS,
	MM_SVM_A_STEPS,
	MM_SVM_A_C,
	MM_SVM_A_HEAD
};

/* The state's head. */
enum
{
	MM_SVM_S_D,
	MM_SVM_S_K,
	MM_SVM_S_PROBLEMS,
	MM_SVM_S_STEPS,
	MM_SVM_S_HEAD
};

/* Doubles each problem takes in the state: the losses, the gradient, the Hessian's triangle. */
static inline size_t
mm_svm_problem_len(int d, int steps)
{
	return (size_t) steps + (size_t) d + (size_t) d * (size_t) (d + 1) / 2;
}

/* Doubles of an arg. */
static inline size_t
mm_svm_arg_len(int d, int k, int problems, int steps)
{
	return (size_t) MM_SVM_A_HEAD + (size_t) k + (size_t) steps +
		(size_t) problems * (1 + 2 * (size_t) d);
}

extern const MmPass mm_svm_newton_pass;

#endif							/* MM_SVM_PASS_H */
