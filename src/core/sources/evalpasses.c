/*
 * evalpasses.c: measuring a fitted classifier or clustering by passes
 * (see evalpasses.h).
 */
#include "evalpasses.h"

#include <math.h>
#include <string.h>

#include "algorithm.h"
#include "artifact.h"
#include "classmetrics.h"
#include "inference.h"
#include "keyed_sample.h"
#include "regmetrics.h"
#include "silhouette_sample.h"

#define EVAL_MAGIC UINT32_C(0x4d4d4576)	/* "MMEv" */

/* The head of an evaluation pass's arg; the artifact's len bytes follow. */
typedef struct EvalHead
{
	uint32_t	magic;
	int32_t		task;			/* MmTask of the model */
	int32_t		p;				/* its design width */
	int32_t		k;				/* classes or clusters */
	int32_t		slots;			/* clustering: rows kept for the silhouette */
	int32_t		has_proba;
	double		mean;			/* regression: the training mean the trivial model predicts */
	uint64_t	len;
	uint64_t	hash;			/* of the artifact's bytes (mm_eval_bytes_hash) */
} EvalHead;

/* Fixed fields at the front of either state. */
enum
{
	S_P,
	S_K,
	S_SLOTS,					/* histogram bins (classifier) or sample slots (clustering) */
	S_ROWS,
	S_SUM,						/* the summed log-loss terms, or the inertia */
	S_LLF,						/* classifier: the log-likelihood */
	S_UNREAD,
	S_HELD,						/* clustering: rows in the sample */
	S_ROC_FULL,					/* classifier: a bin of the histogram can count no more rows */
	S_HEAD
};

static MmEvalModelLoader model_loader = mm_eval_load_model;

/* The default loader's one model, and the length and hash of the bytes it was read from. */
static size_t kept_len;
static uint64_t kept_hash;
static MmModel *kept_model;

uint64_t
mm_eval_bytes_hash(const uint8_t *bytes, size_t len)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i;

	/* FNV-1a: computed once per model a process reads, never per row */
	for (i = 0; i < len; i++)
		h = (h ^ bytes[i]) * UINT64_C(0x100000001b3);
	return h;
}

const MmModel *
mm_eval_load_model(const uint8_t *bytes, size_t len, uint64_t hash)
{
	MmModel    *model;
	MmError		err;

	if (kept_model != NULL && kept_len == len && kept_hash == hash)
		return kept_model;
	mm_model_free(kept_model);
	kept_model = NULL;
	if (mm_eval_bytes_hash(bytes, len) != hash ||
		mm_artifact_read(bytes, len, &model, &err) != MM_OK)
		return NULL;
	kept_len = len;
	kept_hash = hash;
	kept_model = model;
	return model;
}

void
mm_eval_set_model_loader(MmEvalModelLoader loader)
{
	model_loader = loader != NULL ? loader : mm_eval_load_model;
}

static EvalHead
head_of(const void *arg)
{
	EvalHead	h;

	memcpy(&h, arg, sizeof(h));
	return h;
}

/* The model in arg, through the loader; NULL when it does not read. */
static const MmModel *
model_of(const void *arg)
{
	EvalHead	h = head_of(arg);

	return model_loader((const uint8_t *) arg + sizeof(EvalHead), (size_t) h.len, h.hash);
}

void *
mm_eval_regressor_arg_new(const MmModel *model, double train_mean, size_t *len, MmError *err)
{
	void	   *arg = mm_eval_arg_new(model, 0, len, err);
	EvalHead	h;

	if (arg == NULL)
		return NULL;
	h = head_of(arg);
	h.mean = train_mean;
	memcpy(arg, &h, sizeof(h));
	return arg;
}

void *
mm_eval_arg_new(const MmModel *model, int slots, size_t *len, MmError *err)
{
	EvalHead	h;
	uint8_t    *bytes,
			   *arg;
	size_t		n;

	if (mm_artifact_write(model, &bytes, &n, err) != MM_OK)
		return NULL;
	memset(&h, 0, sizeof(h));
	h.magic = EVAL_MAGIC;
	h.task = (int32_t) model->task;
	h.p = model->n_design;
	h.k = model->task == MM_TASK_CLASSIFICATION ? model->labels.n_classes : mm_model_n_scores(model);
	h.slots = model->task == MM_TASK_CLASSIFICATION ? (h.k == 2 ? MM_ROC_BINS : 0) : slots;
	h.has_proba = mm_model_has_proba(model);
	h.len = n;
	h.hash = mm_eval_bytes_hash(bytes, n);
	arg = mm_alloc(sizeof(h) + n);
	if (arg == NULL)
	{
		mm_free(bytes);
		mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory writing the arg of a pass");
		return NULL;
	}
	memcpy(arg, &h, sizeof(h));
	memcpy(arg + sizeof(h), bytes, n);
	mm_free(bytes);
	*len = sizeof(h) + n;
	return arg;
}

/*
 * The arg's bytes when it is an arg of the pass for task over p columns,
 * and its model reads and fits it: 0 otherwise.
 */
static size_t
eval_arg_size(int p, const void *arg, size_t avail, MmTask task)
{
	EvalHead	h;
	const MmModel *model;

	if (arg == NULL || avail < sizeof(h))
		return 0;
	h = head_of(arg);
	if (h.magic != EVAL_MAGIC || h.task != (int32_t) task || h.p != p ||
		h.len > (uint64_t) MM_ARTIFACT_MAX_BODY + 1024 || avail - sizeof(h) < h.len)
		return 0;
	if (task == MM_TASK_CLASSIFICATION ?
		(h.k < 2 || h.k > MM_MAX_CLASSES || h.slots != (h.k == 2 ? MM_ROC_BINS : 0)) :
		task == MM_TASK_REGRESSION ?
		(h.k < 1 || h.k > MM_MAX_CLASSES || h.slots != 0 || !isfinite(h.mean)) :
		(h.k < 1 || h.k > MM_MAX_CLUSTERS || h.slots < 0 || h.slots > MM_EVAL_MAX_SLOTS))
		return 0;
	model = model_of(arg);
	if (model == NULL || model->task != task || model->n_design != p ||
		mm_model_has_proba(model) != h.has_proba)
		return 0;
	if (task == MM_TASK_CLASSIFICATION ?
		(model->labels.n_classes != h.k || mm_model_n_scores(model) > h.k) :
		mm_model_n_scores(model) != h.k)
		return 0;
	return sizeof(h) + (size_t) h.len;
}

/* ---------------------------------------------------------------- classifier */

/*
 * Offsets past the head, in doubles: confusion (k x k), scratch (2 k);
 * then the histogram's counts as uint32 (see count_bin), pos then neg,
 * bins each.  A distributed database sends a shard's state as text: the
 * histogram is most of a binary classifier's state, and 32-bit counts
 * halve it.
 */
#define C_CONFUSION S_HEAD
#define C_SCRATCH(k) (S_HEAD + (size_t) (k) * (k))
#define C_HISTOGRAM(k) (C_SCRATCH(k) + 2 * (size_t) (k))

/* rows of a binary logistic model scored at a time */
#define LOGIT_CHUNK 32

static size_t
classifier_size(int p, const void *arg)
{
	EvalHead	h = head_of(arg);

	(void) p;
	return sizeof(double) * C_HISTOGRAM(h.k) + sizeof(uint32_t) * 2 * (size_t) h.slots;
}

/* The positive rows' bins, then the negative rows'. */
static uint32_t *
histogram_of(double *s, int k)
{
	return (uint32_t *) (s + C_HISTOGRAM(k));
}

/*
 * Counts a row in bin b of the histogram of its class.  A bin that can
 * count no more marks the state: its AUC is then not reported, rather than
 * wrong (over 4,294,967,295 rows of a class in one bin).
 */
static inline void
count_bin(double *s, uint32_t *histogram, int bins, int positive, int b)
{
	uint32_t   *c = histogram + (size_t) (positive ? 0 : bins) + (size_t) b;

	if (*c == UINT32_MAX)
		s[S_ROC_FULL] = 1.0;
	else
		(*c)++;
}

static void
classifier_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	EvalHead	h = head_of(arg);

	memset(s, 0, classifier_size(p, arg));
	s[S_P] = p;
	s[S_K] = h.k;
	s[S_SLOTS] = h.slots;
	/* read here, on the calling thread, so that add on worker threads finds it */
	s[S_UNREAD] = model_of(arg) == NULL;
}

/*
 * classifier_add for a binary logistic model: the one exponential of each
 * row's score gives its log-likelihood, its log-loss term and its
 * probability, which the general path computes one by one.  The
 * log-likelihood and the probability are those of the general path to the
 * bit; the log-loss term is the log-likelihood's, clipped, rather than the
 * log of the probability.  False when a row is of no class of the model.
 */
static int
add_binary_logit(double *s, const MmRows *rows, const MmModel *model)
{
	int			bins = (int) s[S_SLOTS],
				p = rows->p;
	uint32_t   *histogram = histogram_of(s, 2);
	/* kept out of the state while the block is summed: in the same order, so the same sums */
	double		llf = s[S_LLF],
				log_loss = s[S_SUM];
	uint64_t	confusion[4] = {0, 0, 0, 0};
	size_t		start;
	int			i;

	/*
	 * The scores of a chunk first, then their terms: each row's score is a
	 * chain of additions and its terms a chain through exp and log1p, and
	 * apart the chains of successive rows overlap in the processor.
	 */
	for (start = 0; start < rows->n; start += LOGIT_CHUNK)
	{
		double		score[LOGIT_CHUNK];
		size_t		n = rows->n - start < LOGIT_CHUNK ? rows->n - start : LOGIT_CHUNK,
					r;

		for (r = 0; r < n; r++)
			mm_model_scores(model, rows->x + (start + r) * (size_t) p, &score[r]);
		for (r = 0; r < n; r++)
		{
			int			y = rows->y[start + r],
						pred = (int) mm_model_decide(model, &score[r]);
			double		t = score[r],
						e,
						softplus,
						margin,
						neg_log_q;

			if (y < 0 || y > 1 || pred < 0 || pred > 1)
				return 0;
			confusion[y * 2 + pred]++;
			e = exp(-fabs(t));
			softplus = log1p(e);
			/* -log q = log(1 + exp(-m)) for the margin m toward the row's class */
			margin = y == 1 ? t : -t;
			neg_log_q = (margin < 0.0 ? -margin : 0.0) + softplus;
			/* summed row by row, as the general path sums */
			llf -= neg_log_q;
			log_loss += mm_log_loss_term_of_log(neg_log_q);
			/* the positive class's probability as the model gives it, for either sign */
			if (bins > 0)
				count_bin(s, histogram, bins, y == 1,
						  mm_roc_bin(t >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e), bins));
		}
	}
	s[S_LLF] = llf;
	s[S_SUM] = log_loss;
	/* whole counts below 2^53: added at once or one by one, the same double */
	for (i = 0; i < 4; i++)
		s[C_CONFUSION + i] += (double) confusion[i];
	s[S_ROWS] += (double) rows->n;
	return 1;
}

static void
classifier_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			k = (int) s[S_K],
				bins = (int) s[S_SLOTS],
				p = rows->p;
	double	   *scores = s + C_SCRATCH(k),
			   *proba = scores + k;
	const MmModel *model;
	int			logit,
				has_proba,
				n_scores;
	size_t		r;

	if (rows->y == NULL || rows->n == 0)
		return;
	model = model_of(arg);
	if (model == NULL)
	{
		s[S_UNREAD] = 1.0;
		return;
	}
	logit = model->algorithm->inference == MM_INFERENCE_LOGIT;
	has_proba = mm_model_has_proba(model);
	n_scores = mm_model_n_scores(model);
	if (logit && has_proba && n_scores == 1 && k == 2)
	{
		if (!add_binary_logit(s, rows, model))
			s[S_UNREAD] = 1.0;
		return;
	}
	for (r = 0; r < rows->n; r++)
	{
		int			y = rows->y[r],
					pred;
		double		u;

		mm_model_scores(model, rows->x + r * (size_t) p, scores);
		pred = (int) mm_model_decide(model, scores);
		/* a design with other labels than the model's (a header made by hand) measures nothing */
		if (y < 0 || y >= k || pred < 0 || pred >= k)
		{
			s[S_UNREAD] = 1.0;
			return;
		}
		s[C_CONFUSION + (size_t) y * k + pred] += 1.0;
		if (logit)
			s[S_LLF] += mm_logit_row_log_likelihood(scores, n_scores, y);
		if (has_proba)
		{
			mm_model_proba(model, scores, proba);
			s[S_SUM] += mm_log_loss_term(proba[y]);
		}
		if (bins > 0)
		{
			/* the ROC AUC ranks by the positive class's probability, or the decision score */
			u = has_proba ? proba[1] : 1.0 / (1.0 + exp(-scores[0]));
			count_bin(s, histogram_of(s, k), bins, y == 1, mm_roc_bin(u, bins));
		}
	}
	s[S_ROWS] += (double) rows->n;
}

static void
classifier_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			k = (int) s[S_K],
				bins = (int) s[S_SLOTS];
	uint32_t   *hs = histogram_of(s, k);
	const uint32_t *ho = histogram_of((double *) o, k);
	size_t		i,
				counted = C_SCRATCH(k);

	(void) p;
	(void) arg;
	for (i = S_ROWS; i < counted; i++)
		if (i != S_UNREAD && i != S_ROC_FULL)
			s[i] += o[i];
	for (i = 0; i < 2 * (size_t) bins; i++)
	{
		uint64_t	sum = (uint64_t) hs[i] + ho[i];

		if (sum > UINT32_MAX)
			s[S_ROC_FULL] = 1.0;
		hs[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t) sum;
	}
	s[S_UNREAD] = s[S_UNREAD] != 0.0 || o[S_UNREAD] != 0.0;
	s[S_ROC_FULL] = s[S_ROC_FULL] != 0.0 || o[S_ROC_FULL] != 0.0;
}

static size_t
classifier_arg_size(int p, const void *arg, size_t avail)
{
	return eval_arg_size(p, arg, avail, MM_TASK_CLASSIFICATION);
}

static int
classifier_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	EvalHead	h = head_of(arg);

	return s[S_P] == (double) p && s[S_K] == (double) h.k && s[S_SLOTS] == (double) h.slots &&
		s[S_ROWS] >= 0.0 && (s[S_ROC_FULL] == 0.0 || s[S_ROC_FULL] == 1.0);
}

const MmPass mm_pass_classifier_eval = {
	.name = "classifier_eval",
	.state_size = classifier_size,
	.init = classifier_init,
	.add = classifier_add,
	.merge = classifier_merge,
	.arg_size = classifier_arg_size,
	.check = classifier_check,
};

void
mm_classifier_eval_read(const void *state, MmClassifierCounts *out)
{
	const double *s = state;
	int			k = (int) s[S_K],
				bins = (int) s[S_SLOTS];

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->rows = s[S_ROWS];
	out->log_loss_sum = s[S_SUM];
	out->log_likelihood = s[S_LLF];
	out->confusion = s + C_CONFUSION;
	out->unread = s[S_UNREAD] != 0.0;
	out->roc_full = s[S_ROC_FULL] != 0.0;
	out->roc_auc = NAN;
	out->roc_auc_bound = NAN;
	if (bins > 0 && !out->roc_full)
	{
		const uint32_t *histogram = histogram_of((double *) s, k);

		out->roc_auc = mm_roc_auc_binned(histogram, histogram + bins, bins, &out->roc_auc_bound);
	}
}

/* ---------------------------------------------------------------- regressor */

/* Offsets past the head: the model's evaluation state, the training mean's, the scores. */
#define R_MODEL S_HEAD
#define R_MEAN (R_MODEL + MM_EVAL_STATE_LEN)
#define R_SCORES (R_MEAN + MM_EVAL_STATE_LEN)

static size_t
regressor_size(int p, const void *arg)
{
	EvalHead	h = head_of(arg);

	(void) p;
	return sizeof(double) * (R_SCORES + (size_t) h.k);
}

static void
regressor_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	EvalHead	h = head_of(arg);

	memset(s, 0, regressor_size(p, arg));
	s[S_P] = p;
	s[S_K] = h.k;
	mm_eval_init(s + R_MODEL);
	mm_eval_init(s + R_MEAN);
	s[S_UNREAD] = model_of(arg) == NULL;
}

static void
regressor_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state,
			   *scores = s + R_SCORES,
				mean = head_of(arg).mean,
				scratch[4];
	const MmModel *model;
	size_t		r;

	if (rows->t == NULL || rows->n == 0)
		return;
	if ((model = model_of(arg)) == NULL)
	{
		s[S_UNREAD] = 1.0;
		return;
	}
	for (r = 0; r < rows->n; r++)
	{
		mm_model_scores(model, rows->x + r * (size_t) rows->p, scores);
		mm_eval_add(s + R_MODEL, rows->t[r], mm_model_decide(model, scores), scratch);
		mm_eval_add(s + R_MEAN, rows->t[r], mean, scratch);
	}
	s[S_ROWS] += (double) rows->n;
}

static void
regressor_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	double		scratch[2];

	(void) p;
	(void) arg;
	mm_eval_merge(s + R_MODEL, o + R_MODEL, scratch);
	mm_eval_merge(s + R_MEAN, o + R_MEAN, scratch);
	s[S_ROWS] += o[S_ROWS];
	s[S_UNREAD] = s[S_UNREAD] != 0.0 || o[S_UNREAD] != 0.0;
}

static size_t
regressor_arg_size(int p, const void *arg, size_t avail)
{
	return eval_arg_size(p, arg, avail, MM_TASK_REGRESSION);
}

static int
regressor_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	EvalHead	h = head_of(arg);

	return s[S_P] == (double) p && s[S_K] == (double) h.k && s[S_ROWS] >= 0.0 &&
		(s[S_UNREAD] == 0.0 || s[S_UNREAD] == 1.0);
}

const MmPass mm_pass_regressor_eval = {
	.name = "regressor_eval",
	.state_size = regressor_size,
	.init = regressor_init,
	.add = regressor_add,
	.merge = regressor_merge,
	.arg_size = regressor_arg_size,
	.check = regressor_check,
};

int
mm_regressor_eval_read(const void *state, MmRegressionMetrics *model, MmRegressionMetrics *mean)
{
	const double *s = state;

	mm_eval_metrics(s + R_MODEL, model);
	mm_eval_metrics(s + R_MEAN, mean);
	return s[S_UNREAD] != 0.0;
}

/* ---------------------------------------------------------------- clustering */

/* Offsets past the head: sizes (k), keys (slots, as uint64), rows (slots x p), scratch (k). */
#define K_SIZES S_HEAD
#define K_KEYS(k) (S_HEAD + (size_t) (k))
#define K_ROWS(k, slots) (K_KEYS(k) + (size_t) (slots))
#define K_SCRATCH(k, slots, p) (K_ROWS(k, slots) + (size_t) (slots) * (p))

static size_t
cluster_size(int p, const void *arg)
{
	EvalHead	h = head_of(arg);

	return sizeof(double) * (K_SCRATCH(h.k, h.slots, p) + (size_t) h.k);
}

static void
cluster_init(void *state, int p, const void *arg)
{
	double	   *s = state;
	EvalHead	h = head_of(arg);

	memset(s, 0, cluster_size(p, arg));
	s[S_P] = p;
	s[S_K] = h.k;
	s[S_SLOTS] = h.slots;
	s[S_UNREAD] = model_of(arg) == NULL;
}

/* The clustering state's sample of rows. */
static MmKeyedSample
sample_of(double *s, int p)
{
	MmKeyedSample a;
	int			k = (int) s[S_K],
				slots = (int) s[S_SLOTS];

	a.keys = (uint64_t *) (s + K_KEYS(k));
	a.rows = s + K_ROWS(k, slots);
	a.p = p;
	return a;
}

static void
cluster_add(void *state, const MmRows *rows, const void *arg)
{
	double	   *s = state;
	int			p = rows->p,
				k = (int) s[S_K],
				slots = (int) s[S_SLOTS];
	double	   *scores = s + K_SCRATCH(k, slots, p);
	const MmModel *model;
	MmKeyedSample a = sample_of(s, p);
	size_t		r;

	if (rows->n == 0)
		return;
	model = model_of(arg);
	if (model == NULL)
	{
		s[S_UNREAD] = 1.0;
		return;
	}
	for (r = 0; r < rows->n; r++)
	{
		const double *x = rows->x + r * (size_t) p;
		int			cluster;

		/* a clustering's scores are the row's squared distances to the centers */
		mm_model_scores(model, x, scores);
		cluster = (int) mm_model_decide(model, scores);
		if (cluster < 0 || cluster >= k)
		{
			s[S_UNREAD] = 1.0;
			return;
		}
		s[S_SUM] += scores[cluster];
		s[K_SIZES + cluster] += 1.0;
		mm_keyed_sample_offer(&a, &s[S_HELD], (size_t) slots, mm_silhouette_key(x, p), x);
	}
	s[S_ROWS] += (double) rows->n;
}

static void
cluster_merge(void *state, const void *other, int p, const void *arg)
{
	double	   *s = state;
	const double *o = other;
	int			k = (int) s[S_K],
				slots = (int) s[S_SLOTS],
				c;
	MmKeyedSample a = sample_of(s, p);
	const uint64_t *keys = (const uint64_t *) (o + K_KEYS(k));
	const double *x = o + K_ROWS(k, slots);
	size_t		i;

	(void) arg;
	s[S_ROWS] += o[S_ROWS];
	s[S_SUM] += o[S_SUM];
	s[S_UNREAD] = s[S_UNREAD] != 0.0 || o[S_UNREAD] != 0.0;
	for (c = 0; c < k; c++)
		s[K_SIZES + c] += o[K_SIZES + c];
	for (i = 0; i < (size_t) o[S_HELD]; i++)
		mm_keyed_sample_offer(&a, &s[S_HELD], (size_t) slots, keys[i], x + i * (size_t) p);
}

static size_t
cluster_arg_size(int p, const void *arg, size_t avail)
{
	return eval_arg_size(p, arg, avail, MM_TASK_CLUSTERING);
}

static int
cluster_check(const void *state, int p, const void *arg)
{
	const double *s = state;
	EvalHead	h = head_of(arg);

	return s[S_P] == (double) p && s[S_K] == (double) h.k && s[S_SLOTS] == (double) h.slots &&
		mm_whole_in(s[S_HELD], 0, s[S_SLOTS]) &&
		s[S_ROWS] >= 0.0;
}

const MmPass mm_pass_cluster_eval = {
	.name = "cluster_eval",
	.state_size = cluster_size,
	.init = cluster_init,
	.add = cluster_add,
	.merge = cluster_merge,
	.arg_size = cluster_arg_size,
	.check = cluster_check,
};

void
mm_cluster_eval_read(void *state, int p, MmClusterCounts *out)
{
	double	   *s = state;
	int			k = (int) s[S_K];
	MmKeyedSample a = sample_of(s, p);
	size_t		n = (size_t) s[S_HELD];

	mm_keyed_sample_sort(&a, n);
	s[S_HELD] = 0.0;			/* no longer a heap: the state is read once */
	memset(out, 0, sizeof(*out));
	out->k = k;
	out->rows = s[S_ROWS];
	out->inertia = s[S_SUM];
	out->sizes = s + K_SIZES;
	out->sample_rows = (int) n;
	out->sample = a.rows;
	out->unread = s[S_UNREAD] != 0.0;
}

const MmPass *const mm_eval_passes[] = {
	&mm_pass_classifier_eval, &mm_pass_cluster_eval, &mm_pass_regressor_eval, NULL
};
