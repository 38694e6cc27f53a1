/*
 * cache.c: the session's cache of deserialized models.
 *
 * Prediction resolves a model reference to a version once per statement;
 * the version's artifact is then read, checked and deserialized once per
 * session and kept here, keyed by the version's database-wide id (never
 * reused) together with its checksum.  An artifact never changes after it is
 * written, so an entry can never be stale; the checksum guards the one case
 * where an id could come back with other contents (a catalog restored over
 * itself).
 *
 * The cache is bounded by modelmgr.model_cache_size and evicts the least
 * recently used model, never the one just asked for.  Callers that keep a
 * pointer to a cached model across rows also keep the cache's generation,
 * which changes on every eviction, and ask again when it moved.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/ilist.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "artifact.h"
#include "cache.h"
#include "catalog.h"
#include "guc.h"
#include "mmcore.h"
#include "model.h"

struct MmCachedModel
{
	int64		id;				/* hash key: the version's id */
	uint32		crc;
	MmModel    *model;
	MemoryContext cxt;			/* holds the model */
	Size		bytes;
	dlist_node	lru;			/* most recently used first */
};

static HTAB *cache = NULL;
static MemoryContext cache_cxt = NULL;
static dlist_head cache_lru = DLIST_STATIC_INIT(cache_lru);
static Size cache_bytes = 0;
static uint64 cache_generation = 1;

/* Creates the cache on first use. */
static void
cache_init(void)
{
	HASHCTL		ctl;

	cache_cxt = AllocSetContextCreate(TopMemoryContext, "modelmgr model cache",
									  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(MmCachedModel);
	ctl.hcxt = cache_cxt;
	cache = hash_create("modelmgr models", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Drops an entry; pointers to its model become invalid. */
static void
cache_evict(MmCachedModel *entry)
{
	int64		id = entry->id;

	dlist_delete(&entry->lru);
	cache_bytes -= entry->bytes;
	MemoryContextDelete(entry->cxt);
	hash_search(cache, &id, HASH_REMOVE, NULL);
	cache_generation++;
}

/*
 * Reads and checks a version's artifact into the current memory context.
 * SPI is connected; the catalog is read under the current snapshot.
 */
MmModel *
MmModelLoad(const MmVersionRef *ref)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(ref->version_id)};
	MemoryContext target = CurrentMemoryContext;
	bytea	   *artifact;
	bool		isnull;
	MmModel    *model;
	MmError		err;

	if (MmCatalogQuery("SELECT artifact FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("version %d of model \"%s\" does not exist", ref->version, ref->model)));
	artifact = DatumGetByteaPP(MmCatalogGet(0, 1, &isnull));
	MemoryContextSwitchTo(target);
	if (mm_artifact_read((uint8 *) VARDATA_ANY(artifact), VARSIZE_ANY_EXHDR(artifact),
						 &model, &err) != MM_OK)
		ereport(ERROR,
				(errcode(err.code == MM_ERR_UNSUPPORTED ? ERRCODE_FEATURE_NOT_SUPPORTED
						 : ERRCODE_DATA_CORRUPTED),
				 errmsg("version %d of model \"%s\" is damaged", ref->version, ref->model),
				 errdetail("Its stored artifact failed a check: %s.", err.message),
				 errhint("Train a new version, or deploy another one.")));
	return model;
}

/*
 * The deserialized model of a version, from the cache or read now.  SPI is
 * connected.  The returned pointer stays valid while MmModelCacheValid says
 * so for the generation read after this call.
 */
MmModel *
MmModelCacheGet(const MmVersionRef *ref, MmCachedModel **entry_out)
{
	MmCachedModel *entry;
	MemoryContext cxt,
				old;
	MmModel    *model;
	bool		found;

	if (cache == NULL)
		cache_init();
	entry = hash_search(cache, &ref->version_id, HASH_FIND, NULL);
	if (entry != NULL && entry->crc == ref->crc)
	{
		dlist_move_head(&cache_lru, &entry->lru);
		*entry_out = entry;
		return entry->model;
	}
	if (entry != NULL)
		cache_evict(entry);

	cxt = AllocSetContextCreate(cache_cxt, "modelmgr model", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		model = MmModelLoad(ref);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);

	entry = hash_search(cache, &ref->version_id, HASH_ENTER, &found);
	entry->crc = ref->crc;
	entry->model = model;
	entry->cxt = cxt;
	entry->bytes = MemoryContextMemAllocated(cxt, true);
	dlist_push_head(&cache_lru, &entry->lru);
	cache_bytes += entry->bytes;

	/* evict from the cold end, never the model just loaded */
	while (cache_bytes > (Size) mm_model_cache_kb * 1024 && !dlist_is_empty(&cache_lru))
	{
		MmCachedModel *victim = dlist_tail_element(MmCachedModel, lru, &cache_lru);

		if (victim == entry)
			break;
		cache_evict(victim);
	}
	*entry_out = entry;
	return model;
}

/* The cache's generation; it changes whenever a model is evicted. */
uint64
MmModelCacheGeneration(void)
{
	return cache_generation;
}

/* True while a model pointer taken at generation is still valid. */
bool
MmModelCacheValid(MmCachedModel *entry, uint64 generation)
{
	return entry != NULL && generation == cache_generation;
}
