/*
 * passmodel.c: where a server process keeps the model a pass measures
 * (evalpasses.h).
 *
 * The model arrives as artifact bytes in every call of the pass aggregate;
 * read on each block of rows it would cost more than the rows' predictions.
 * The core's own loader keeps it in mm_alloc memory, which here is the
 * current memory context and would not outlive the call, so the server
 * keeps it in a context of its own under TopMemoryContext: one model, read
 * again only when other bytes arrive (the next training's), told apart by
 * their length and the hash the arg carries.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "artifact.h"
#include "evalpasses.h"
#include "passmodel.h"

static MemoryContext model_context;
static Size kept_len;
static uint64 kept_hash;
static MmModel *kept_model;

/* The model read from bytes, kept for the process; NULL when they do not read. */
static const MmModel *
load_model(const uint8_t *bytes, size_t len, uint64_t hash)
{
	MemoryContext old;
	MmModel    *model;
	MmError		err;

	if (kept_model != NULL && kept_len == len && kept_hash == hash)
		return kept_model;
	if (model_context == NULL)
		model_context = AllocSetContextCreate(TopMemoryContext, "modelmgr pass model",
											  ALLOCSET_SMALL_SIZES);
	kept_model = NULL;
	MemoryContextReset(model_context);
	if (mm_eval_bytes_hash(bytes, len) != hash)
		return NULL;
	old = MemoryContextSwitchTo(model_context);
	if (mm_artifact_read(bytes, len, &model, &err) == MM_OK)
	{
		kept_len = len;
		kept_hash = hash;
		kept_model = model;
	}
	MemoryContextSwitchTo(old);
	return kept_model;
}

void
MmPassModelInit(void)
{
	mm_eval_set_model_loader(load_model);
}
