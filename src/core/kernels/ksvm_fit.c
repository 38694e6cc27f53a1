/*
 * ksvm_fit.c: a kernel SVM fitted by libsvm (see ksvm_fit.h).
 *
 * The rows go to libsvm dense (every column, zeros included, so that the
 * library's kernels add the same terms as the core's prediction) and
 * grouped by class in increasing order.  libsvm orders the classes by
 * first appearance; scikit-learn's copy of it sorts them; rows grouped so
 * give both the same classes in the same order and every one-vs-one
 * problem the same rows in the same order, hence the same solution, and
 * the same vote among ties.
 */
#include "ksvm_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "model.h"
#include "roworder.h"

/* libsvm reports its progress on stdout unless given a function; a backend's stdout is no place for it. */
static void
silent(const char *text)
{
	(void) text;
}

double
mm_ksvm_fit_memory(size_t n, int p, const MmKsvmOptions *opts)
{
	double		rows = (double) n;
	/* epsilon-SVR solves over two variables per row */
	double		vars = opts->regression ? 2.0 * rows : rows;
	double		problem = rows * (p + 1) * sizeof(struct svm_node) + rows * 3 * sizeof(double);
	/* alpha, G, G_bar, b, p, QD, status, y, active set, the cache's heads, the grouping */
	double		solver = vars * 96.0;
	/* the model and the core's copy of its support vectors: at most every row */
	double		model = rows * ((double) p * sizeof(double) + 4 * sizeof(double));
	double		full = rows * rows * sizeof(float);
	double		cache = opts->cache_size * 1048576.0;

	/* libsvm fills its cache as far as the kernel matrix needs, and keeps two columns at least */
	if (cache > full)
		cache = full;
	if (cache < 2.0 * rows * sizeof(float))
		cache = 2.0 * rows * sizeof(float);
	return problem + solver + model + cache;
}

/*
 * Whether libsvm sees the rows in an order of their contents (roworder.h)
 * rather than as they came.  The solver visits its working sets, and the
 * cross-validation that fits the probabilities deals its folds, by the rows'
 * positions: in the order of their contents, the same rows in any order, or
 * from a distributed table's shards, give the same model to the bit.  The
 * sigmoid kernel without probabilities keeps the order read: not positive
 * semi-definite, its solutions themselves depend on the order, and so
 * scikit-learn's SVC fed the same rows gives the same classes (svm.md).
 */
static int
by_contents(const MmKsvmOptions *opts)
{
	return opts->kernel != MM_KERNEL_SIGMOID || (opts->probability && !opts->regression);
}

/* Row i's class, counting a regressor's rows as one class. */
static inline int
class_of(const MmRows *rows, const MmKsvmOptions *opts, size_t i)
{
	return opts->regression ? 0 : rows->y[i];
}

/*
 * The order of the rows libsvm sees: grouped by class (a regressor's all
 * one), each class's rows in the order of their contents, or as they came
 * when by_contents says so; NULL when out of memory.  n_classes is 1 for a
 * regressor.
 */
static size_t *
row_order(const MmRows *rows, int n_classes, const MmKsvmOptions *opts)
{
	size_t	   *order = mm_alloc(sizeof(size_t) * (rows->n > 0 ? rows->n : 1));
	size_t	   *start = mm_alloc0(sizeof(size_t) * ((size_t) n_classes + 1));
	size_t	   *contents = by_contents(opts) ?
		mm_row_order(rows->x, opts->regression ? NULL : rows->y, opts->regression ? rows->t : NULL,
					 rows->n, rows->p) : NULL;
	size_t		i;
	int			c;

	if (order == NULL || start == NULL || (by_contents(opts) && contents == NULL))
	{
		mm_free(order);
		mm_free(start);
		mm_free(contents);
		return NULL;
	}
	for (i = 0; i < rows->n; i++)
		start[class_of(rows, opts, i) + 1]++;
	for (c = 0; c < n_classes; c++)
		start[c + 1] += start[c];
	for (i = 0; i < rows->n; i++)
	{
		size_t		r = contents != NULL ? contents[i] : i;

		order[start[class_of(rows, opts, r)]++] = r;
	}
	mm_free(start);
	mm_free(contents);
	return order;
}

/* Copies what prediction needs out of libsvm's model. */
static MmErrorCode
copy_model(const struct svm_model *lm, int p, const MmKsvmOptions *opts, MmKernelSvm *m,
		   MmError *err)
{
	int			l = lm->l,
				k = lm->nr_class,
				n_dec = opts->regression ? 1 : k * (k - 1) / 2,
				rows = opts->regression ? 1 : k - 1,
				s,
				j,
				g;

	m->regression = opts->regression;
	m->n_groups = opts->regression ? 1 : k;
	m->n_sv = l;
	m->sv = mm_alloc(sizeof(double) * (size_t) (l > 0 ? l : 1) * p);
	m->sv_coef = mm_alloc(sizeof(double) * (size_t) (l > 0 ? l : 1) * rows);
	m->rho = mm_alloc(sizeof(double) * n_dec);
	if (!opts->regression)
	{
		m->group_class = mm_alloc(sizeof(int) * k);
		m->group_sv = mm_alloc(sizeof(int) * k);
	}
	if (opts->probability && !opts->regression)
	{
		m->prob_a = mm_alloc(sizeof(double) * n_dec);
		m->prob_b = mm_alloc(sizeof(double) * n_dec);
	}
	if (m->sv == NULL || m->sv_coef == NULL || m->rho == NULL ||
		(!opts->regression && (m->group_class == NULL || m->group_sv == NULL)) ||
		(opts->probability && !opts->regression && (m->prob_a == NULL || m->prob_b == NULL)))
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the support vectors");
	for (s = 0; s < l; s++)
	{
		const struct svm_node *node = lm->SV[s];

		/* the rows went in dense, every column present */
		for (j = 0; j < p; j++)
			m->sv[(size_t) s * p + j] = 0.0;
		for (; node->index != -1; node++)
			m->sv[(size_t) s * p + node->index - 1] = node->value;
	}
	for (j = 0; j < rows; j++)
		memcpy(m->sv_coef + (size_t) j * l, lm->sv_coef[j], sizeof(double) * l);
	memcpy(m->rho, lm->rho, sizeof(double) * n_dec);
	if (!opts->regression)
		for (g = 0; g < k; g++)
		{
			m->group_class[g] = lm->label[g];
			m->group_sv[g] = lm->nSV[g];
		}
	if (m->prob_a != NULL)
	{
		memcpy(m->prob_a, lm->probA, sizeof(double) * n_dec);
		memcpy(m->prob_b, lm->probB, sizeof(double) * n_dec);
	}
	if (!mm_ksvm_prepare(m, p))
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the support vectors");
	return MM_OK;
}

MmErrorCode
mm_ksvm_fit(const MmRows *rows, int n_classes, const MmKsvmOptions *opts, MmKernelSvm **out,
			MmError *err)
{
	struct svm_parameter param;
	struct svm_problem prob;
	struct svm_node *nodes = NULL;
	struct svm_model *lm = NULL;
	size_t	   *order = NULL;
	int		   *weight_label = NULL;
	double	   *weight = NULL;
	MmKernelSvm *m = NULL;
	const char *refused;
	int			p = rows->p;
	size_t		i;
	int			j,
				c;
	MmErrorCode rc = MM_OK;
	double		need = mm_ksvm_fit_memory(rows->n, p, opts);

	*out = NULL;
	if (rows->n > (size_t) INT32_MAX / 2)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "the kernel SVM takes at most %d training rows", INT32_MAX / 2);
	if (opts->memory_limit > 0 && need > opts->memory_limit)
		return mm_fail(err, MM_ERR_INVALID_INPUT, -1,
					   "the kernel SVM of %zu training rows needs %.0f MB, more than modelmgr.max_train_memory "
					   "(%.0f MB)", rows->n, ceil(need / 1048576.0), floor(opts->memory_limit / 1048576.0));

	memset(&param, 0, sizeof(param));
	param.svm_type = opts->regression ? EPSILON_SVR : C_SVC;
	param.kernel_type = opts->kernel;
	param.degree = opts->degree;
	param.gamma = opts->gamma;
	param.coef0 = opts->coef0;
	param.cache_size = opts->cache_size;
	param.eps = opts->tol;
	param.C = opts->C;
	param.nu = 0.5;
	param.p = opts->epsilon;
	param.shrinking = opts->shrinking;
	param.probability = opts->probability && !opts->regression;

	prob.l = (int) rows->n;
	prob.y = mm_alloc(sizeof(double) * (rows->n > 0 ? rows->n : 1));
	prob.x = mm_alloc(sizeof(struct svm_node *) * (rows->n > 0 ? rows->n : 1));
	nodes = mm_alloc(sizeof(struct svm_node) * (rows->n > 0 ? rows->n : 1) * (p + 1));
	order = row_order(rows, opts->regression ? 1 : n_classes, opts);
	if (!opts->regression && opts->class_weight != NULL)
	{
		weight_label = mm_alloc(sizeof(int) * n_classes);
		weight = mm_alloc(sizeof(double) * n_classes);
	}
	if (prob.y == NULL || prob.x == NULL || nodes == NULL || order == NULL ||
		(!opts->regression && opts->class_weight != NULL && (weight_label == NULL || weight == NULL)))
	{
		rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory setting up the kernel SVM's problem");
		goto done;
	}
	for (i = 0; i < rows->n; i++)
	{
		size_t		r = order != NULL ? order[i] : i;
		struct svm_node *row = nodes + i * (p + 1);

		for (j = 0; j < p; j++)
		{
			row[j].index = j + 1;
			row[j].value = rows->x[r * p + j];
		}
		row[p].index = -1;
		row[p].value = 0;
		prob.x[i] = row;
		prob.y[i] = opts->regression ? rows->t[r] : (double) rows->y[r];
	}
	if (weight != NULL)
	{
		for (c = 0; c < n_classes; c++)
		{
			weight_label[c] = c;
			weight[c] = opts->class_weight[c];
		}
		param.nr_weight = n_classes;
		param.weight_label = weight_label;
		param.weight = weight;
	}
	if ((refused = svm_check_parameter(&prob, &param)) != NULL)
	{
		rc = mm_fail(err, MM_ERR_INVALID_INPUT, -1, "libsvm refuses the parameters: %s", refused);
		goto done;
	}
	svm_set_print_string_function(silent);
	/* the cross-validation of the probabilities draws its folds from rand() */
	srand((unsigned int) opts->seed);
	/* a cancel leaves through the hook: not while libsvm holds memory of its own */
	mm_check_interrupts();
	lm = svm_train(&prob, &param);
	if (!opts->regression && lm->nr_class < 2)
	{
		rc = mm_fail(err, MM_ERR_TOO_FEW_ROWS, -1, "the kernel SVM needs rows of two classes at least");
		goto done;
	}
	if ((m = mm_alloc0(sizeof(MmKernelSvm))) == NULL)
	{
		rc = mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory keeping the support vectors");
		goto done;
	}
	m->kernel = opts->kernel;
	m->degree = opts->degree;
	m->gamma = opts->gamma;
	m->coef0 = opts->coef0;
	m->C = opts->C;
	m->epsilon = opts->regression ? opts->epsilon : 0.0;
	m->tol = opts->tol;
	m->cache_size = opts->cache_size;
	m->shrinking = opts->shrinking;
	rc = copy_model(lm, p, opts, m, err);

done:
	/* libsvm's model points into the problem's rows: free it first */
	if (lm != NULL)
		svm_free_and_destroy_model(&lm);
	mm_free(nodes);
	mm_free(prob.x);
	mm_free(prob.y);
	mm_free(order);
	mm_free(weight_label);
	mm_free(weight);
	if (rc != MM_OK)
	{
		mm_ksvm_free(m);
		return rc;
	}
	*out = m;
	mm_check_interrupts();
	return MM_OK;
}
