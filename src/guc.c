/*
 * guc.c: the modelmgr.* settings, all defined here.
 */
#include "modelmgr.h"

#include <limits.h>

#include "utils/guc.h"

int			mm_model_cache_kb = 65536;
int			mm_metric_sample_rows = 5000;

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

	MarkGUCPrefixReserved("modelmgr");
}
