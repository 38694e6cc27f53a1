/*
 * guc.c: the modelmgr.* settings, all defined here.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "guc.h"
#include "linfit.h"
#include "mmcore.h"

int			mm_model_cache_kb = 65536;
int			mm_metric_sample_rows = 5000;
int			mm_max_train_memory_kb = 1048576;
int			mm_training_threads = 2;
int			mm_monitor_naptime = 10;
int			mm_max_monitor_workers = 2;
bool		mm_monitor_enabled = true;
bool		mm_tune_progress_notices = false;
bool		mm_train_progress_notices = false;
int			mm_train_in_passes = MM_PASSES_AUTO;

static const struct config_enum_entry train_in_passes_options[] = {
	{"auto", MM_PASSES_AUTO, false},
	{"on", MM_PASSES_ON, false},
	{"off", MM_PASSES_OFF, false},
	{"true", MM_PASSES_ON, true},
	{"false", MM_PASSES_OFF, true},
	{NULL, 0, false}
};

/* Hands the thread limit to the core, which knows no GUC. */
static void
assign_training_threads(int newval, void *extra)
{
	mm_set_threads(newval);
}

/* Defines every setting and reserves the prefix. */
void
MmGucInit(void)
{
	DefineCustomIntVariable("modelmgr.model_cache_size",
							"Memory each session may keep deserialized models in.",
							"Least recently used models are evicted beyond it; "
							"the model in use always stays.",
							&mm_model_cache_kb,
							65536, 0, INT_MAX / 1024,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("modelmgr.metric_sample_rows",
							"Rows per part sampled during training for metrics that need the fitted model.",
							"The mean absolute error comes from a uniform sample of at most this many "
							"training rows and as many held-out rows, gathered in the training pass.",
							&mm_metric_sample_rows,
							5000, 0, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	/*
	 * The limit protects the server's memory from any one role, so only a
	 * superuser sets it: ALTER ROLE ... SET raises it for a role that needs more.
	 */
	DefineCustomIntVariable("modelmgr.max_train_memory",
							"Memory a training or evaluation may hold its rows in.",
							"Algorithms that revisit rows (logistic regression, and any model with "
							"preprocessing) read the relation once into memory; past this much the "
							"call fails instead of taking the server's memory.",
							&mm_max_train_memory_kb,
							1048576, 1024, INT_MAX,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("modelmgr.train_in_passes",
							 "Whether a training reads its rows in passes over the relation.",
							 "auto trains in passes when the rows would not fit modelmgr.max_train_memory "
							 "or the relation is distributed; on always does, refusing algorithms that "
							 "need their rows in memory; off never does.",
							 &mm_train_in_passes,
							 MM_PASSES_AUTO, train_in_passes_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("modelmgr.training_threads",
							"Threads a training may use for its passes over rows in memory.",
							"k-means' passes and PCA's covariance run on up to this many threads of the "
							"backend; the model is the same whatever the number.",
							&mm_training_threads,
							2, 1, MM_MAX_THREADS,
							PGC_USERSET, 0,
							NULL, assign_training_threads, NULL);

	DefineCustomIntVariable("modelmgr.monitor_naptime",
							"Time between the monitor launcher's looks for due monitors.",
							"Each look starts a short-lived worker in every database that accepts "
							"connections; it runs the monitors due there and exits.",
							&mm_monitor_naptime,
							10, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("modelmgr.max_monitor_workers",
							"Databases whose monitors may run at once.",
							"Each is a background worker, taken from max_worker_processes like "
							"parallel query's.",
							&mm_max_monitor_workers,
							2, 1, 64,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("modelmgr.monitor_enabled",
							 "Whether background workers run due monitors.",
							 "Off, the launcher starts no worker; mm_monitor_run() still checks a "
							 "monitor by hand.",
							 &mm_monitor_enabled,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("modelmgr.tune_progress",
							 "Whether mm_tune reports each candidate as a NOTICE.",
							 "Each NOTICE names the candidate, its cross-validated score and its time.",
							 &mm_tune_progress_notices,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("modelmgr.train_progress",
							 "Whether a training reports each phase and each pass over the relation as a NOTICE.",
							 "Each NOTICE names the phase or pass, the passes and rows read so far and the time.",
							 &mm_train_progress_notices,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	/* the core reads its own variable: fits run in this backend only */
	DefineCustomRealVariable("modelmgr.rank_tolerance",
							 "Relative size below which a pivot of the least-squares factor counts as zero.",
							 "Linear fits take the rank of the design from a column-pivoted QR of its "
							 "factor, columns scaled to unit length; a pivot below this fraction of the "
							 "largest marks a collinear feature.",
							 &mm_rank_tolerance,
							 MM_RANK_TOLERANCE, 0.0, 0.01,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("modelmgr");
}
