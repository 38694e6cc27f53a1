/*
 * kmeans_clustering.c: k-means, k-means|| starts and Lloyd's iterations,
 * each a pass over the fit's data source (numerics/kmeans.c), so that it
 * fits wherever the source runs passes.  A row's scores are its squared
 * distances to the centers; its cluster is the nearest center, the first
 * among ties; its coordinates are the distances.
 */
#include <math.h>

#include "algorithm.h"
#include "artifact_io.h"
#include "document_io.h"
#include "kmeans.h"
#include "kmeans_passes.h"

/* The hyperparameters, in the order of the resolved params JSON. */
enum
{
	P_K,
	P_MAX_ITER,
	P_TOL,
	N_PARAMS
};

static const MmParamSpec params[N_PARAMS] = {
	{"k", MM_PARAM_INTEGER, 8, 1, MM_MAX_CLUSTERS, 0, NULL,
		"The number of clusters.",
	"[2, 3, 4, 5, 6, 7, 8, 9, 10]", "{\"int_uniform\": [2, 10]}"},
	{"max_iter", MM_PARAM_INTEGER, 300, 1, 100000, 0, NULL,
	"The most Lloyd iterations the fit makes.", NULL, NULL},
	{"tol", MM_PARAM_NUMBER, 1e-4, 0.0, HUGE_VAL, 0, NULL,
	"The fit stops once the centers' squared movement, relative to the data's variance, falls below it.", NULL, NULL}
};

static const MmPass *const passes[] = {
	&mm_kmeans_start_pass, &mm_kmeans_round_pass, &mm_kmeans_weight_pass, &mm_kmeans_lloyd_pass, NULL
};

static MmErrorCode
fit(MmFitContext *ctx, MmModel *model, MmError *err)
{
	const double *v = ctx->params->value;
	MmKMeansOptions opts;
	MmKMeansStats stats;
	MmKMeans   *km;
	MmErrorCode rc;

	opts.k = (int) v[P_K];
	opts.max_iter = (int) v[P_MAX_ITER];
	opts.tol = v[P_TOL];
	opts.seed = (int32_t) (uint32_t) ctx->seed;
	km = mm_alloc0(sizeof(MmKMeans));
	model->fit = km;
	ctx->report.sizes = mm_alloc(sizeof(int64_t) * (size_t) opts.k);
	if (km == NULL || ctx->report.sizes == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory fitting k-means");
	rc = mm_kmeans_fit_source(ctx->data, &opts, km, ctx->report.sizes, &stats, err);
	/* a setting the rows cannot meet, said in the training's terms */
	if (rc == MM_ERR_TOO_FEW_ROWS)
		return mm_fail(err, MM_ERR_INVALID_INPUT, P_K,
					   "k = %d clusters need at least as many training rows, and there are %.0f",
					   opts.k, stats.n_rows);
	if (rc == MM_OK)
	{
		ctx->report.n_iter = km->n_iter;
		ctx->report.converged = km->converged;
		ctx->report.inertia = km->inertia;
	}
	return rc;
}

static int
n_clusters(const MmModel *model)
{
	return ((const MmKMeans *) model->fit)->k;
}

/* The squared distance of the row to each center. */
static void
score(const MmModel *model, const double *z, double *scores)
{
	const MmKMeans *km = model->fit;
	int			p = model->n_design,
				c,
				j;

	for (c = 0; c < km->k; c++)
	{
		const double *center = km->centers + (size_t) c * p;
		double		s = 0.0;

		for (j = 0; j < p; j++)
		{
			double		dz = z[j] - center[j];

			s += dz * dz;
		}
		scores[c] = s;
	}
}

static double
decide(const MmModel *model, const double *scores)
{
	int			best = 0,
				c;

	for (c = 1; c < n_clusters(model); c++)
		if (scores[c] < scores[best])
			best = c;
	return (double) best;
}

static void
project(const MmModel *model, const double *z, double *out)
{
	int			c;

	score(model, z, out);
	for (c = 0; c < n_clusters(model); c++)
		out[c] = sqrt(out[c]);
}

static void
free_fit(void *fit)
{
	MmKMeans   *km = fit;

	mm_free(km->centers);
	mm_free(km);
}

static void
write(MmBuffer *w, const MmModel *model)
{
	const MmKMeans *km = model->fit;

	mm_put_u32(w, (uint32_t) km->k);
	mm_put_f64_array(w, km->centers, (size_t) km->k * model->n_design);
	mm_put_f64(w, km->inertia);
	mm_put_u32(w, (uint32_t) km->max_iter);
	mm_put_f64(w, km->tol);
	mm_put_u32(w, (uint32_t) km->seed);
	mm_put_u32(w, (uint32_t) km->n_iter);
	mm_put_u8(w, (uint8_t) (km->converged ? 1 : 0));
}

static MmErrorCode
read(MmArtifactReader *r, MmModel *model)
{
	MmKMeans   *km;
	uint32_t	k;
	uint8_t		conv;

	if (r->format < 2 || (km = mm_alloc0(sizeof(MmKMeans))) == NULL)
		return MM_ERR_CORRUPT;
	model->fit = km;
	k = mm_get_u32(r);
	if (r->failed || k < 1 || k > MM_MAX_CLUSTERS)
		return MM_ERR_CORRUPT;
	km->k = (int) k;
	km->centers = mm_get_f64_array(r, (size_t) km->k * (size_t) model->n_design);
	km->inertia = mm_get_f64(r);
	km->max_iter = (int) mm_get_u32(r);
	km->tol = mm_get_f64(r);
	km->seed = (int32_t) mm_get_u32(r);
	km->n_iter = (int) mm_get_u32(r);
	conv = mm_get_u8(r);
	if (r->failed || conv > 1 || !(km->inertia >= 0.0) || !isfinite(km->inertia) ||
		km->max_iter < 1 || km->n_iter < 0 || km->n_iter > km->max_iter ||
		!(km->tol >= 0.0) || !isfinite(km->tol))
		return MM_ERR_CORRUPT;
	km->converged = conv;
	if (!mm_all_finite(km->centers, (size_t) km->k * model->n_design))
		return MM_ERR_CORRUPT;
	return MM_OK;
}

static void
to_json(MmBuffer *o, const MmModel *model)
{
	const MmKMeans *k = model->fit;

	mm_out_str(o, "{\"k\": ");
	mm_out_int(o, k->k);
	mm_out_str(o, ", \"centers\": ");
	mm_out_matrix(o, k->centers, k->k, model->n_design);
	mm_out_str(o, ", \"inertia\": ");
	mm_out_double(o, k->inertia);
	mm_out_str(o, ", \"max_iter\": ");
	mm_out_int(o, k->max_iter);
	mm_out_str(o, ", \"tol\": ");
	mm_out_double(o, k->tol);
	mm_out_str(o, ", \"seed\": ");
	mm_out_int(o, k->seed);
	mm_out_str(o, ", \"n_iter\": ");
	mm_out_int(o, k->n_iter);
	mm_out_str(o, ", \"converged\": ");
	mm_out_bool(o, k->converged);
	mm_out_str(o, "}");
}

static MmErrorCode
from_json(MmDocumentReader *in, const void *part, MmModel *model)
{
	static const char *const keys[] = {"k", "centers", "inertia", "max_iter", "tol", "seed",
	"n_iter", "converged", NULL};
	MmKMeans   *k;

	mm_doc_only_keys(in, part, keys, "the model");
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if ((k = mm_alloc0(sizeof(MmKMeans))) == NULL)
		return mm_fail(in->err, MM_ERR_NO_MEMORY, -1, "out of memory reading the document");
	model->fit = k;
	k->k = (int) mm_doc_int(in, part, "k", 1, MM_MAX_CLUSTERS);
	k->centers = mm_doc_matrix(in, part, "centers", k->k, model->n_design, 0);
	k->inertia = mm_doc_number(in, part, "inertia", 0);
	k->max_iter = (int) mm_doc_int(in, part, "max_iter", 1, 1000000000);
	k->tol = mm_doc_number(in, part, "tol", 0);
	k->seed = (int32_t) mm_doc_int(in, part, "seed", INT32_MIN, INT32_MAX);
	k->n_iter = (int) mm_doc_int(in, part, "n_iter", 0, 1000000000);
	k->converged = mm_doc_bool(in, part, "converged");
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}

const MmAlgorithm mm_kmeans = {
	.name = "kmeans",
	.task = MM_TASK_CLUSTERING,
	.artifact_id = 4,
	.params = params,
	.n_params = N_PARAMS,
	.params_note = " (the seed argument seeds the starts)",
	.texts = {
		.display_name = "k-means",
		.not_converged = "Raise max_iter, or raise tol.",
		.params_for_rows = "Lower k, or lower test_size.",
	},
	.fit = fit,
	.n_scores = n_clusters,
	.score = score,
	.decide = decide,
	.n_coordinates = n_clusters,
	.project = project,
	.free = free_fit,
	.write = write,
	.read = read,
	.to_json = to_json,
	.from_json = from_json,
	.passes = passes,
};
