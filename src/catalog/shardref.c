/*
 * shardref.c: model references resolved by a Citus coordinator for its
 * shards.
 *
 * The catalog lives on the coordinator.  A query running on a shard cannot
 * read it: from there a lookup would be a distributed query, which Citus
 * refuses inside a shard's query, and a copy on every node would need every
 * node up to train or deploy.  So the coordinator resolves a reference when
 * it plans the statement (shardplan.c) and passes down, in place of the
 * reference's text, the version it resolved to with that version's artifact:
 * "name@version#" and the artifact in hex.  An artifact never changes once
 * written, so the text names one model for good; a shard reads it without
 * the catalog.  '#' is in no model or stage name, so no reference of the
 * catalog takes this form; one written by hand is a model its writer
 * already holds in bytes, read with the checks an import makes.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "artifact.h"
#include "catalog.h"
#include "mmcore.h"
#include "privileges.h"
#include "shardref.h"
#include "util.h"

#define SHARD_REF_MARK '#'

/* True when the reference's text (len bytes, not terminated) carries its artifact. */
bool
MmIsShardRef(const char *text, int len)
{
	return memchr(text, SHARD_REF_MARK, len) != NULL;
}

/*
 * The text a shard resolves reference to: the version the reference names
 * now, for the current user, with its artifact.  Errors as a prediction
 * would for unknown models, versions and stages, and missing privileges.
 */
char *
MmShardRef(const char *reference)
{
	MmVersionRef v;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bytea	   *artifact;
	bool		isnull;
	bool		pushed = false;
	MemoryContext caller = CurrentMemoryContext;
	StringInfoData out;
	Size		len;

	/* the lookup reads under the statement's snapshot, which planning may not have set */
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(reference, true, MM_PRIV_USE, &v);
	values[0] = Int64GetDatum(v.version_id);
	if (MmCatalogQuery("SELECT artifact FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1",
					   1, types, values) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("version %d of model \"%s\" does not exist", v.version, v.model)));
	artifact = DatumGetByteaPP(MmCatalogGet(0, 1, &isnull));
	len = VARSIZE_ANY_EXHDR(artifact);

	MemoryContextSwitchTo(caller);
	initStringInfo(&out);
	appendStringInfo(&out, "%s@%d%c", v.model, v.version, SHARD_REF_MARK);
	enlargeStringInfo(&out, len * 2);
	out.len += hex_encode(VARDATA_ANY(artifact), len, out.data + out.len);
	out.data[out.len] = '\0';
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
	return out.data;
}

/*
 * The model a shard reference (MmIsShardRef) carries, read in the current
 * memory context, and the model and version it names in out (for messages;
 * the catalog's ids are unknown here and stay 0).
 */
MmModel *
MmShardRefModel(const char *text, int len, MmVersionRef *out)
{
	const char *mark = memchr(text, SHARD_REF_MARK, len);
	const char *at = memchr(text, '@', mark - text);
	int			hex_len = len - (mark + 1 - text);
	char	   *bytes;
	Size		n;
	MmModel    *model;
	MmError		err;
	long		version = 0;

	if (at != NULL)
	{
		char	   *digits = pnstrdup(at + 1, mark - at - 1);
		char	   *end;

		version = strtol(digits, &end, 10);
		if (*end != '\0' || end == digits)
			version = 0;
	}
	if (at == NULL || version < 1 || version > PG_INT32_MAX || hex_len % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid model reference \"%s\"", pnstrdup(text, Min(len, 64))),
				 errhint("Refer to a model as 'name', 'name@3' or 'name@stage'.")));
	memset(out, 0, sizeof(*out));
	out->model = pnstrdup(text, at - text);
	MmCheckName(out->model, "model");
	out->version = (int32) version;

	bytes = palloc(hex_len / 2 + 1);
	n = hex_decode(mark + 1, hex_len, bytes);
	if (mm_artifact_read((uint8 *) bytes, n, &model, &err) != MM_OK)
		ereport(ERROR,
				(errcode(err.code == MM_ERR_UNSUPPORTED ? ERRCODE_FEATURE_NOT_SUPPORTED
						 : ERRCODE_DATA_CORRUPTED),
				 errmsg("version %d of model \"%s\" is damaged", out->version, out->model),
				 errdetail("Its artifact failed a check: %s.", err.message)));
	pfree(bytes);
	return model;
}
