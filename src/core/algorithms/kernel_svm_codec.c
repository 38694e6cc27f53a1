/*
 * kernel_svm_codec.c: the kernel SVM's payload in the artifact and the
 * document (see kernel_svm.h).  Reading checks every count and index the
 * prediction trusts (groups, support vectors per group, the classes they
 * stand for), so that damaged bytes fail as MM_ERR_CORRUPT instead of
 * reading out of bounds.
 */
#include <math.h>
#include <string.h>

#include "artifact_io.h"
#include "document_io.h"
#include "kernel_svm.h"
#include "ksvm.h"
#include "labels_codec.h"

/* Most support vectors a model may hold: libsvm's own bound on training rows. */
#define MAX_SV (INT32_MAX / 2)

static int
n_coef_rows(const MmKernelSvm *m)
{
	return m->regression ? 1 : m->n_groups - 1;
}

/* ---------------------------------------------------------------- artifact */

void
mm_ksvm_write(MmBuffer *w, const MmModel *model)
{
	const MmKernelSvm *m = model->fit;
	int			n_dec = mm_ksvm_n_decisions(m),
				g;

	if (!m->regression)
		mm_labels_write(w, &model->labels);
	mm_put_u8(w, (uint8_t) m->kernel);
	mm_put_u32(w, (uint32_t) m->degree);
	mm_put_f64(w, m->gamma);
	mm_put_f64(w, m->coef0);
	mm_put_u32(w, (uint32_t) m->n_groups);
	for (g = 0; !m->regression && g < m->n_groups; g++)
	{
		mm_put_u32(w, (uint32_t) m->group_class[g]);
		mm_put_u32(w, (uint32_t) m->group_sv[g]);
	}
	mm_put_u32(w, (uint32_t) m->n_sv);
	mm_put_f64_array(w, m->sv, (size_t) m->n_sv * model->n_design);
	mm_put_f64_array(w, m->sv_coef, (size_t) n_coef_rows(m) * m->n_sv);
	mm_put_f64_array(w, m->rho, (size_t) n_dec);
	mm_put_u8(w, (uint8_t) (m->prob_a != NULL));
	if (m->prob_a != NULL)
	{
		mm_put_f64_array(w, m->prob_a, (size_t) n_dec);
		mm_put_f64_array(w, m->prob_b, (size_t) n_dec);
	}
	mm_put_f64(w, m->C);
	mm_put_f64(w, m->epsilon);
	mm_put_f64(w, m->tol);
	mm_put_f64(w, m->cache_size);
	mm_put_u8(w, (uint8_t) m->shrinking);
	mm_put_u8(w, (uint8_t) m->balanced);
}

/* The groups: distinct classes in increasing order, their support vectors adding up to n_sv. */
static int
groups_valid(const MmKernelSvm *m, int n_classes)
{
	int64_t		total = 0;
	int			g;

	for (g = 0; g < m->n_groups; g++)
	{
		if (m->group_class[g] < 0 || m->group_class[g] >= n_classes ||
			(g > 0 && m->group_class[g] <= m->group_class[g - 1]) || m->group_sv[g] < 0)
			return 0;
		total += m->group_sv[g];
	}
	return total == m->n_sv;
}

/* The settings: a kernel libsvm knows, a scale and tolerances it accepts. */
static int
settings_valid(const MmKernelSvm *m)
{
	return m->kernel >= MM_KERNEL_LINEAR && m->kernel <= MM_KERNEL_SIGMOID &&
		m->degree >= 0 && m->degree <= 1000 && isfinite(m->gamma) && m->gamma >= 0 &&
		isfinite(m->coef0) && isfinite(m->C) && m->C > 0 && isfinite(m->epsilon) &&
		m->epsilon >= 0 && isfinite(m->tol) && m->tol > 0 && isfinite(m->cache_size) &&
		m->cache_size > 0 && m->shrinking <= 1 && m->balanced <= 1;
}

MmErrorCode
mm_ksvm_read(MmArtifactReader *r, MmModel *model)
{
	MmKernelSvm *m;
	size_t		p = (size_t) model->n_design;
	uint32_t	groups,
				n_sv;
	int			n_dec,
				g;
	uint8_t		has_prob;

	if ((m = mm_alloc0(sizeof(MmKernelSvm))) == NULL)
		return MM_ERR_CORRUPT;
	model->fit = m;
	m->regression = model->task == MM_TASK_REGRESSION;
	if (!m->regression && !mm_labels_read(r, &model->labels))
		return MM_ERR_CORRUPT;
	m->kernel = mm_get_u8(r);
	m->degree = (int) mm_get_u32(r);
	m->gamma = mm_get_f64(r);
	m->coef0 = mm_get_f64(r);
	groups = mm_get_u32(r);
	if (r->failed || (m->regression ? groups != 1 :
					  groups < 2 || groups > (uint32_t) model->labels.n_classes))
		return MM_ERR_CORRUPT;
	m->n_groups = (int) groups;
	if (!m->regression)
	{
		m->group_class = mm_alloc(sizeof(int) * groups);
		m->group_sv = mm_alloc(sizeof(int) * groups);
		if (m->group_class == NULL || m->group_sv == NULL)
			return MM_ERR_CORRUPT;
		for (g = 0; g < m->n_groups; g++)
		{
			m->group_class[g] = (int) mm_get_u32(r);
			m->group_sv[g] = (int) mm_get_u32(r);
		}
	}
	n_sv = mm_get_u32(r);
	if (r->failed || n_sv > MAX_SV || (size_t) n_sv * p * sizeof(double) > r->left)
		return MM_ERR_CORRUPT;
	m->n_sv = (int) n_sv;
	if (!m->regression && !groups_valid(m, model->labels.n_classes))
		return MM_ERR_CORRUPT;
	n_dec = mm_ksvm_n_decisions(m);
	m->sv = mm_get_f64_array(r, (size_t) n_sv * p);
	m->sv_coef = mm_get_f64_array(r, (size_t) n_coef_rows(m) * n_sv);
	m->rho = mm_get_f64_array(r, (size_t) n_dec);
	has_prob = mm_get_u8(r);
	if (r->failed || has_prob > 1 || (has_prob && m->regression))
		return MM_ERR_CORRUPT;
	if (has_prob)
	{
		m->prob_a = mm_get_f64_array(r, (size_t) n_dec);
		m->prob_b = mm_get_f64_array(r, (size_t) n_dec);
		if (r->failed || m->n_groups > MM_KSVM_MAX_PROBA_CLASSES ||
			!mm_all_finite(m->prob_a, n_dec) || !mm_all_finite(m->prob_b, n_dec))
			return MM_ERR_CORRUPT;
	}
	m->C = mm_get_f64(r);
	m->epsilon = mm_get_f64(r);
	m->tol = mm_get_f64(r);
	m->cache_size = mm_get_f64(r);
	m->shrinking = mm_get_u8(r);
	m->balanced = mm_get_u8(r);
	if (r->failed || !settings_valid(m) ||
		!mm_all_finite(m->sv, (size_t) n_sv * p) ||
		!mm_all_finite(m->sv_coef, (size_t) n_coef_rows(m) * n_sv) || !mm_all_finite(m->rho, n_dec))
		return MM_ERR_CORRUPT;
	if (!mm_ksvm_prepare(m, (int) p))
		return MM_ERR_NO_MEMORY;
	return MM_OK;
}

/* ---------------------------------------------------------------- document */

static const char *const kernel_names[] = {"linear", "poly", "rbf", "sigmoid"};

static void
out_ints(MmBuffer *o, const int *v, int n)
{
	int			i;

	mm_out_str(o, "[");
	for (i = 0; i < n; i++)
	{
		if (i)
			mm_out_str(o, ", ");
		mm_out_int(o, v[i]);
	}
	mm_out_str(o, "]");
}

void
mm_ksvm_to_json(MmBuffer *o, const MmModel *model)
{
	const MmKernelSvm *m = model->fit;
	int			n_dec = mm_ksvm_n_decisions(m);

	mm_out_str(o, "{");
	if (!m->regression)
	{
		mm_labels_to_json(o, &model->labels);
		mm_out_str(o, ", \"group_class\": ");
		out_ints(o, m->group_class, m->n_groups);
		mm_out_str(o, ", \"group_sv\": ");
		out_ints(o, m->group_sv, m->n_groups);
		mm_out_str(o, ", ");
	}
	mm_out_str(o, "\"kernel\": ");
	mm_out_string(o, kernel_names[m->kernel]);
	mm_out_str(o, ", \"degree\": ");
	mm_out_int(o, m->degree);
	mm_out_str(o, ", \"gamma\": ");
	mm_out_double(o, m->gamma);
	mm_out_str(o, ", \"coef0\": ");
	mm_out_double(o, m->coef0);
	mm_out_str(o, ", \"n_sv\": ");
	mm_out_int(o, m->n_sv);
	mm_out_str(o, ", \"support_vectors\": ");
	mm_out_matrix(o, m->sv, m->n_sv, model->n_design);
	mm_out_str(o, ", \"dual_coef\": ");
	mm_out_matrix(o, m->sv_coef, n_coef_rows(m), m->n_sv);
	mm_out_str(o, ", \"rho\": ");
	mm_out_doubles(o, m->rho, n_dec);
	mm_out_str(o, ", \"prob_a\": ");
	if (m->prob_a != NULL)
		mm_out_doubles(o, m->prob_a, n_dec);
	else
		mm_out_str(o, "null");
	mm_out_str(o, ", \"prob_b\": ");
	if (m->prob_b != NULL)
		mm_out_doubles(o, m->prob_b, n_dec);
	else
		mm_out_str(o, "null");
	mm_out_str(o, ", \"C\": ");
	mm_out_double(o, m->C);
	mm_out_str(o, ", \"epsilon\": ");
	mm_out_double(o, m->epsilon);
	mm_out_str(o, ", \"tol\": ");
	mm_out_double(o, m->tol);
	mm_out_str(o, ", \"cache_size\": ");
	mm_out_double(o, m->cache_size);
	mm_out_str(o, ", \"shrinking\": ");
	mm_out_bool(o, m->shrinking);
	mm_out_str(o, ", \"balanced\": ");
	mm_out_bool(o, m->balanced);
	mm_out_str(o, "}");
}

/* n whole numbers from an array of exactly n, each in [lo, hi], into an mm_alloc'd array. */
static int *
doc_ints(MmDocumentReader *in, const void *part, const char *key, int n, double lo, double hi)
{
	double	   *v = mm_doc_numbers(in, part, key, n, 0);
	int		   *out = in->failed ? NULL : mm_alloc(sizeof(int) * (n > 0 ? n : 1));
	int			i;

	for (i = 0; out != NULL && i < n; i++)
	{
		if (v[i] != floor(v[i]) || v[i] < lo || v[i] > hi)
		{
			mm_doc_bad(in, "must hold whole numbers in range", key);
			mm_free(out);
			out = NULL;
			break;
		}
		out[i] = (int) v[i];
	}
	mm_free(v);
	return out;
}

MmErrorCode
mm_ksvm_from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const svc_keys[] = {"label_kind", "classes", "class_values", "group_class",
		"group_sv", "kernel", "degree", "gamma", "coef0", "n_sv", "support_vectors", "dual_coef", "rho",
	"prob_a", "prob_b", "C", "epsilon", "tol", "cache_size", "shrinking", "balanced", NULL};
	const char *const *svr_keys = svc_keys + 5;
	MmKernelSvm *m;
	const char *kernel;
	int			n_dec,
				k;

	if ((m = mm_alloc0(sizeof(MmKernelSvm))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = m;
	m->regression = model->task == MM_TASK_REGRESSION;
	mm_doc_only_keys(in, part, m->regression ? svr_keys : svc_keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	m->n_groups = 1;
	if (!m->regression)
	{
		long		groups;

		if (mm_labels_from_json(in, part, &model->labels) != MM_OK)
			return MM_ERR_INVALID_INPUT;
		groups = mm_doc_array_size(part, "group_class");
		if (groups < 2 || groups > model->labels.n_classes)
		{
			mm_doc_bad(in, "must be an array of 2 to the number of classes", "group_class");
			return MM_ERR_INVALID_INPUT;
		}
		m->n_groups = (int) groups;
		m->group_class = doc_ints(in, part, "group_class", m->n_groups, 0, model->labels.n_classes - 1);
		m->group_sv = doc_ints(in, part, "group_sv", m->n_groups, 0, MAX_SV);
	}
	kernel = mm_doc_string(in, part, "kernel");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	for (k = 0; k < 4 && strcmp(kernel_names[k], kernel) != 0; k++)
		;
	if (k == 4)
	{
		mm_doc_bad(in, "must be linear, poly, rbf or sigmoid", "kernel");
		return MM_ERR_INVALID_INPUT;
	}
	m->kernel = k;
	m->degree = (int) mm_doc_int(in, part, "degree", 0, 1000);
	m->gamma = mm_doc_number(in, part, "gamma", 0);
	m->coef0 = mm_doc_number(in, part, "coef0", 0);
	m->n_sv = (int) mm_doc_int(in, part, "n_sv", 0, MAX_SV);
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	n_dec = mm_ksvm_n_decisions(m);
	m->sv = mm_doc_matrix(in, part, "support_vectors", m->n_sv, model->n_design, 0);
	m->sv_coef = mm_doc_matrix(in, part, "dual_coef", n_coef_rows(m), m->n_sv, 0);
	m->rho = mm_doc_numbers(in, part, "rho", n_dec, 0);
	if (!mm_doc_is_null(part, "prob_a") || !mm_doc_is_null(part, "prob_b"))
	{
		if (m->regression || m->n_groups > MM_KSVM_MAX_PROBA_CLASSES)
		{
			mm_doc_bad(in, "must be null for this model", "prob_a");
			return MM_ERR_INVALID_INPUT;
		}
		m->prob_a = mm_doc_numbers(in, part, "prob_a", n_dec, 0);
		m->prob_b = mm_doc_numbers(in, part, "prob_b", n_dec, 0);
	}
	m->C = mm_doc_number(in, part, "C", 0);
	m->epsilon = mm_doc_number(in, part, "epsilon", 0);
	m->tol = mm_doc_number(in, part, "tol", 0);
	m->cache_size = mm_doc_number(in, part, "cache_size", 0);
	m->shrinking = mm_doc_bool(in, part, "shrinking");
	m->balanced = mm_doc_bool(in, part, "balanced");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((!m->regression && !groups_valid(m, model->labels.n_classes)) || !settings_valid(m))
	{
		mm_doc_bad(in, "holds settings or support vector counts no fit makes", "model");
		return MM_ERR_INVALID_INPUT;
	}
	if (!mm_ksvm_prepare(m, model->n_design))
	{
		in->failed = 1;
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	}
	return MM_OK;
}
