/*
 * passmodel.c: where a server process keeps the models a pass measures
 * (evalpasses.h).
 *
 * A model arrives as artifact bytes in every call of the pass aggregate;
 * read on each block of rows it would cost more than the rows' predictions.
 * The core's own loader keeps it in mm_alloc memory, which here is the
 * current memory context and would not outlive the call, so the server
 * keeps it in a context of its own under TopMemoryContext, read again only
 * when other bytes arrive (the next training's), told apart by their length
 * and the hash the arg carries.  A query may measure several models at once
 * (a search's folds, each an aggregate of its own, whose blocks of rows
 * take turns), so a few are kept, the one used longest ago making room.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "artifact.h"
#include "evalpasses.h"
#include "passmodel.h"

/* The models kept: a search's folds measured in one read, up to this many */
#define MODELS_KEPT 16

typedef struct KeptModel
{
	MemoryContext context;
	Size		len;
	uint64		hash;
	MmModel    *model;			/* NULL: the slot is free */
	uint64		used;			/* when it was last asked for */
} KeptModel;

static KeptModel kept[MODELS_KEPT];
static uint64 asked;		/* models asked for so far */

/* The model read from bytes, kept for the process; NULL when they do not read. */
static const MmModel *
load_model(const uint8_t *bytes, size_t len, uint64_t hash)
{
	KeptModel  *slot = NULL;
	MemoryContext old;
	MmModel    *model;
	MmError		err;
	int			i;

	asked++;
	for (i = 0; i < MODELS_KEPT; i++)
	{
		if (kept[i].model != NULL && kept[i].len == len && kept[i].hash == hash)
		{
			kept[i].used = asked;
			return kept[i].model;
		}
		/* a free slot, else the one asked for longest ago */
		if (kept[i].model == NULL)
		{
			if (slot == NULL || slot->model != NULL)
				slot = &kept[i];
		}
		else if (slot == NULL || (slot->model != NULL && kept[i].used < slot->used))
			slot = &kept[i];
	}
	if (slot->context == NULL)
		slot->context = AllocSetContextCreate(TopMemoryContext, "modelmgr pass model",
											  ALLOCSET_SMALL_SIZES);
	slot->model = NULL;
	MemoryContextReset(slot->context);
	if (mm_eval_bytes_hash(bytes, len) != hash)
		return NULL;
	old = MemoryContextSwitchTo(slot->context);
	if (mm_artifact_read(bytes, len, &model, &err) == MM_OK)
	{
		slot->len = len;
		slot->hash = hash;
		slot->model = model;
		slot->used = asked;
	}
	MemoryContextSwitchTo(old);
	return slot->model;
}

void
MmPassModelInit(void)
{
	mm_eval_set_model_loader(load_model);
}
