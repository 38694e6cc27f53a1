/*
 * dataset.c: reading a relation once into memory, split into a training and
 * a held-out part.
 *
 * Algorithms that revisit rows (Newton steps, preprocessing fitted on the
 * training part) read the relation once, through the executor and as the
 * calling user, into a compact row-major matrix of doubles per part.  The
 * rows arrive at a DestReceiver of our own, so no tuple is copied on the way:
 * per row, the columns are deformed and the doubles stored.  The split is the
 * one least squares uses (rowhash.h): a function of the seed and the row's
 * content, so the same rows are held out whatever the plan.  The matrix may
 * take modelmgr.max_train_memory, no more.
 *
 * Labels are kept as a dictionary of the distinct values seen, each row
 * holding an index into it; MmDatasetOrderLabels puts them in the label
 * type's sort order once the scan is over.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "algorithm_names.h"
#include "citusmeta.h"
#include "columns.h"
#include "dataset.h"
#include "guc.h"
#include "model.h"
#include "numberlabel.h"
#include "rowhash.h"
#include "trainprogress.h"
#include "security.h"

#define LABEL_SLOTS 4096		/* open addressing, above twice MM_MAX_CLASSES */
#define FIRST_ROWS 1024

/* The receiver the scan's rows go to. */
typedef struct LoadReceiver
{
	DestReceiver pub;
	MmDataset  *ds;
	double	   *row;			/* p features and a slot for the label's hash input */
	const char *relation;
	const char *target;
	/* why the scan was stopped: reported once SPI has returned */
	enum
	{
		LOAD_OK, LOAD_TOO_MANY_LABELS, LOAD_TOO_MUCH_MEMORY, LOAD_READ_BOUND, LOAD_TOO_MANY_CATEGORIES,
		LOAD_FRACTIONAL_LABEL, LOAD_LABEL_TOO_LARGE
	}			stopped;
	int			stopped_column;
	char	   *stopped_label;	/* the target value that stopped the scan, as text */
	Oid			label_source;	/* the type number labels are read as (numberlabel.h) */
	uint64	   *text_hash;		/* per feature: the hash of a text value, for the split */
	double	   *hash_row;		/* the row as the split hashes it */
	bool		keep_hashes;	/* give the parts hash arrays, which keep each row's hash */
} LoadReceiver;

/* A new, empty dictionary in cxt. */
static MmStringDict *
dict_create(MemoryContext cxt)
{
	MmStringDict *d = MemoryContextAllocZero(cxt, sizeof(MmStringDict));

	d->cap = 16;
	d->names = MemoryContextAlloc(cxt, sizeof(char *) * d->cap);
	d->lens = MemoryContextAlloc(cxt, sizeof(int) * d->cap);
	d->count[0] = MemoryContextAllocZero(cxt, sizeof(int64) * d->cap);
	d->count[1] = MemoryContextAllocZero(cxt, sizeof(int64) * d->cap);
	d->nslots = 64;
	d->slots = MemoryContextAllocZero(cxt, sizeof(int32) * d->nslots);
	return d;
}

/* Rebuilds the slots of a dictionary at twice the size. */
static void
dict_rehash(MmStringDict *d, MemoryContext cxt)
{
	int			i;

	pfree(d->slots);
	d->nslots *= 2;
	d->slots = MemoryContextAllocZero(cxt, sizeof(int32) * d->nslots);
	for (i = 0; i < d->n; i++)
	{
		uint32		s = (uint32) hash_bytes_extended((const unsigned char *) d->names[i], d->lens[i], 0)
			& (d->nslots - 1);

		while (d->slots[s] != 0)
			s = (s + 1) & (d->nslots - 1);
		d->slots[s] = i + 1;
	}
}

/*
 * The index of a string in a dictionary, added when new; -1 once the
 * dictionary holds MM_MAX_CATEGORIES values.
 */
static int32
dict_lookup(MmStringDict *d, MemoryContext cxt, const char *str, int len, uint64 hash)
{
	uint32		s = (uint32) hash & (d->nslots - 1);

	for (;; s = (s + 1) & (d->nslots - 1))
	{
		int32		i = d->slots[s] - 1;

		if (i < 0)
			break;
		if (d->lens[i] == len && memcmp(d->names[i], str, len) == 0)
			return i;
	}
	if (d->n >= MM_MAX_CATEGORIES)
		return -1;
	if (d->n == d->cap)
	{
		d->cap *= 2;
		d->names = repalloc(d->names, sizeof(char *) * d->cap);
		d->lens = repalloc(d->lens, sizeof(int) * d->cap);
		d->count[0] = repalloc(d->count[0], sizeof(int64) * d->cap);
		d->count[1] = repalloc(d->count[1], sizeof(int64) * d->cap);
	}
	d->names[d->n] = MemoryContextAlloc(cxt, len + 1);
	memcpy(d->names[d->n], str, len);
	d->names[d->n][len] = '\0';
	d->lens[d->n] = len;
	d->count[0][d->n] = d->count[1][d->n] = 0;
	d->slots[s] = d->n + 1;
	d->n++;
	if ((uint32) d->n * 2 > d->nslots)
		dict_rehash(d, cxt);
	return d->n - 1;
}

/* Bytes one row takes in a part's arrays: features, label index, target, hash. */
static Size
row_bytes(const MmDataset *ds, bool with_hash)
{
	return sizeof(double) * ds->p + sizeof(int32) +
		(ds->numeric_target ? sizeof(double) : 0) + (with_hash ? sizeof(uint64) : 0);
}

/*
 * Gives part room for cap rows: allocates its arrays, moves them, or releases
 * them for 0.  The rows it holds must fit.
 */
static void
resize_part(MmDataset *ds, int part, size_t cap, bool with_hash)
{
	if (cap == 0)
	{
		if (ds->x[part] != NULL)
			pfree(ds->x[part]);
		if (ds->y[part] != NULL)
			pfree(ds->y[part]);
		if (ds->t[part] != NULL)
			pfree(ds->t[part]);
		if (ds->hash[part] != NULL)
			pfree(ds->hash[part]);
		ds->x[part] = NULL;
		ds->y[part] = NULL;
		ds->t[part] = NULL;
		ds->hash[part] = NULL;
	}
	else if (ds->x[part] == NULL)
	{
		ds->x[part] = MemoryContextAllocHuge(ds->cxt, sizeof(double) * ds->p * cap);
		ds->y[part] = MemoryContextAllocHuge(ds->cxt, sizeof(int32) * cap);
		if (ds->numeric_target)
			ds->t[part] = MemoryContextAllocHuge(ds->cxt, sizeof(double) * cap);
		if (with_hash)
			ds->hash[part] = MemoryContextAllocHuge(ds->cxt, sizeof(uint64) * cap);
	}
	else
	{
		ds->x[part] = repalloc_huge(ds->x[part], sizeof(double) * ds->p * cap);
		ds->y[part] = repalloc_huge(ds->y[part], sizeof(int32) * cap);
		if (ds->t[part] != NULL)
			ds->t[part] = repalloc_huge(ds->t[part], sizeof(double) * cap);
		if (ds->hash[part] != NULL)
			ds->hash[part] = repalloc_huge(ds->hash[part], sizeof(uint64) * cap);
	}
	ds->cap[part] = cap;
}

/*
 * Makes room for one more row in part, within the memory limit; false past
 * it.  Capacity counts, not rows: what is allocated is what the limit bounds.
 * All sizes are rows, at most limit / row_bytes, so no product wraps.
 */
static bool
grow_part(MmDataset *ds, int part, bool with_hash)
{
	int			other = 1 - part;
	size_t		room = ds->limit / row_bytes(ds, with_hash);	/* rows both parts may hold */
	size_t		want = Max(ds->cap[part] * 2, ds->first_cap[part]);
	size_t		held,
				grant;

	if (want > ds->cap[part] && want <= room && ds->cap[other] <= room - want)
	{
		resize_part(ds, part, want, with_hash);
		return true;
	}

	/*
	 * Near the limit, the room left is shared as the two parts have filled so
	 * far, and the other part gives back what it holds beyond that: neither
	 * keeps capacity the other's rows need.  Each such step leaves the parts
	 * about the square root of the room before, so they are few.
	 */
	held = ds->n[0] + ds->n[1];
	if (held >= room)
		return false;
	grant = (size_t) ((double) (room - held) * (ds->n[part] + 1) / (held + 2));
	grant = Max(grant, 1);
	if (ds->cap[other] > room - ds->n[part] - grant)
		resize_part(ds, other, room - ds->n[part] - grant, with_hash);
	resize_part(ds, part, ds->n[part] + grant, with_hash);
	return true;
}

/* label_index's answer for a NaN or infinite number label: the row is counted, not kept. */
#define LABEL_NONFINITE (-2)

/*
 * The dictionary index of a label, added when new; -1 when the scan must
 * stop (past MM_MAX_CLASSES, or a number that is no label: lr->stopped says
 * which), LABEL_NONFINITE for NaN or an infinity.
 */
static int32
label_index(LoadReceiver *lr, Datum value, uint64 *hash)
{
	MmDataset  *ds = lr->ds;
	const char *str = NULL;
	int			len = 0;
	double		number = 0.0;
	int64		whole = 0;
	uint32		slot;

	switch (ds->label_kind)
	{
		case MM_LABEL_NUMBER:
			switch (MmNumberLabelFrom(value, lr->label_source, &whole))
			{
				case MM_NUMBER_LABEL_OK:
					break;
				case MM_NUMBER_LABEL_NONFINITE:
					return LABEL_NONFINITE;
				case MM_NUMBER_LABEL_FRACTIONAL:
					lr->stopped = LOAD_FRACTIONAL_LABEL;
					lr->stopped_label = MmNumberLabelText(value, lr->label_source);
					return -1;
				case MM_NUMBER_LABEL_TOO_LARGE:
					lr->stopped = LOAD_LABEL_TOO_LARGE;
					lr->stopped_label = MmNumberLabelText(value, lr->label_source);
					return -1;
			}
			/* as a bigint label hashes, so a float 0/1 target splits as an integer one */
			number = (double) whole;
			*hash = hash_bytes_uint32_extended((uint32) whole, (uint64) (whole >> 32));
			break;
		case MM_LABEL_BOOLEAN:
			number = DatumGetBool(value) ? 1.0 : 0.0;
			*hash = DatumGetBool(value) ? 1 : 0;
			break;
		case MM_LABEL_TEXT:
			{
				text	   *t = DatumGetTextPP(value);

				str = VARDATA_ANY(t);
				len = VARSIZE_ANY_EXHDR(t);
				*hash = hash_bytes_extended((const unsigned char *) str, len, 0);
				break;
			}
	}
	for (slot = (uint32) (*hash % LABEL_SLOTS);; slot = (slot + 1) % LABEL_SLOTS)
	{
		int32		i = ds->label_slots[slot] - 1;

		if (i < 0)
			break;
		if (ds->label_kind == MM_LABEL_TEXT ?
			(strlen(ds->labels[i]) == (size_t) len && memcmp(ds->labels[i], str, len) == 0) :
			ds->label_values[i] == number)
			return i;
	}
	if (ds->nlabels >= MM_MAX_CLASSES)
		return -1;
	{
		MemoryContext old = MemoryContextSwitchTo(ds->cxt);

		ds->labels[ds->nlabels] = ds->label_kind == MM_LABEL_TEXT ? pnstrdup(str, len) :
			ds->label_kind == MM_LABEL_BOOLEAN ? pstrdup(number != 0.0 ? "true" : "false") :
			psprintf(INT64_FORMAT, whole);
		MemoryContextSwitchTo(old);
	}
	ds->label_values[ds->nlabels] = number;
	ds->label_slots[slot] = ds->nlabels + 1;
	return ds->nlabels++;
}

/* The row's content hash, with each text value's own hash in place of its code. */
static uint64
row_content_hash(LoadReceiver *lr, int p)
{
	MmDataset  *ds = lr->ds;
	int			j;

	if (!ds->any_text)
		return mm_row_hash(lr->row, p + 1);
	memcpy(lr->hash_row, lr->row, sizeof(double) * (p + 1));
	for (j = 0; j < p; j++)
		if (ds->dicts[j] != NULL && !isnan(lr->row[j]))
			memcpy(&lr->hash_row[j], &lr->text_hash[j], sizeof(double));
	return mm_row_hash(lr->hash_row, p + 1);
}

/* One row: features into the matrix of its part, the label as an index. */
static bool
load_receive(TupleTableSlot *slot, DestReceiver *self)
{
	LoadReceiver *lr = (LoadReceiver *) self;
	MmDataset  *ds = lr->ds;
	int			p = ds->p;
	uint64		label_hash = 0,
				h;
	double		target = 0.0;
	int32		label = -1;
	int			part = 0;
	int			j;
	double	   *dst;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	ds->rows_read++;
	MmTrainProgressRows(ds->rows_read);
	if (ds->numeric_target)
	{
		if (slot->tts_isnull[p])
		{
			ds->null_target++;
			return true;
		}
		target = DatumGetFloat8(slot->tts_values[p]);
		if (!isfinite(target))
			ds->nonfinite_target++;
	}
	else if (ds->label_kind != 0)
	{
		if (slot->tts_isnull[p])
		{
			ds->null_target++;
			return true;
		}
		label = label_index(lr, slot->tts_values[p], &label_hash);
		if (label == LABEL_NONFINITE)
		{
			/* the caller reports these rows, as it does a numeric target's */
			ds->nonfinite_target++;
			return true;
		}
		if (label < 0)
		{
			if (lr->stopped == LOAD_OK)
				lr->stopped = LOAD_TOO_MANY_LABELS;
			return false;
		}
	}
	for (j = 0; j < p; j++)
	{
		double		v;

		if (slot->tts_isnull[j])
		{
			ds->null_count[j]++;
			v = NAN;
			lr->text_hash[j] = 0;
		}
		else if (ds->dicts[j] != NULL)
		{
			text	   *t = DatumGetTextPP(slot->tts_values[j]);
			int			len = VARSIZE_ANY_EXHDR(t);
			uint64		th = hash_bytes_extended((const unsigned char *) VARDATA_ANY(t), len, 0);
			int32		code = dict_lookup(ds->dicts[j], ds->cxt, VARDATA_ANY(t), len, th);

			if (code < 0)
			{
				lr->stopped = LOAD_TOO_MANY_CATEGORIES;
				lr->stopped_column = j;
				return false;
			}
			v = (double) code;
			/* the split hashes the text, not its code, which depends on the scan order */
			lr->text_hash[j] = th;
		}
		else
		{
			v = DatumGetFloat8(slot->tts_values[j]);
			if (!isfinite(v))
				ds->nonfinite_count[j]++;
		}
		lr->row[j] = v;
	}
	if (ds->numeric_target || ds->label_kind == 0)
	{
		/*
		 * As the one-pass aggregate hashes a row (with the target, or the 0
		 * it reads in its place for algorithms without one): the same seed
		 * holds out the same rows whichever way a model trains.
		 */
		lr->row[p] = target;
		h = row_content_hash(lr, p);
		ds->fingerprint += h;
	}
	else
	{
		lr->row[p] = 0.0;
		h = row_content_hash(lr, p);
		h = mm_mix64(h ^ label_hash);
		ds->fingerprint += mm_mix64(h ^ MM_HASH_SPLIT);
	}
	if (ds->test_size > 0.0 && mm_draw_is_test(mm_row_draw(h, ds->salt), ds->test_size))
		part = 1;
	if (ds->n[part] == ds->cap[part] && !grow_part(ds, part, lr->keep_hashes))
	{
		lr->stopped = LOAD_TOO_MUCH_MEMORY;
		return false;
	}
	dst = ds->x[part] + ds->n[part] * p;
	memcpy(dst, lr->row, sizeof(double) * p);
	for (j = 0; j < p; j++)
		if (ds->dicts[j] != NULL && !isnan(lr->row[j]))
			ds->dicts[j]->count[part][(int) lr->row[j]]++;
	ds->y[part][ds->n[part]] = label;
	if (ds->numeric_target)
		ds->t[part][ds->n[part]] = target;
	if (ds->hash[part] != NULL)
		ds->hash[part][ds->n[part]] = h;
	ds->n[part]++;
	return true;
}

static void
load_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
load_shutdown(DestReceiver *self)
{
}

static void
load_destroy(DestReceiver *self)
{
}

/* The SQL type a label kind is read as (number labels: as numberlabel.c says). */
static const char *
label_sql_type(MmLabelKind kind, Oid number_source)
{
	switch (kind)
	{
		case MM_LABEL_NUMBER:
			switch (number_source)
			{
				case FLOAT4OID:
					return "pg_catalog.float4";
				case FLOAT8OID:
					return "pg_catalog.float8";
				case NUMERICOID:
					return "pg_catalog.numeric";
			}
			return "pg_catalog.int8";
		case MM_LABEL_BOOLEAN:
			return "pg_catalog.bool";
		case MM_LABEL_TEXT:
			return "pg_catalog.text";
	}
	return NULL;
}

/* Appends row i of part of all to part of ds (room made). */
static void
copy_row(MmDataset *ds, int to, const MmDataset *all, int from, size_t i)
{
	size_t		r = ds->n[to];
	const double *row = all->x[from] + i * all->p;
	int			j;

	memcpy(ds->x[to] + r * ds->p, row, sizeof(double) * ds->p);
	ds->y[to][r] = all->y[from][i];
	if (ds->numeric_target)
	{
		ds->t[to][r] = all->t[from][i];
		ds->nonfinite_target += !isfinite(all->t[from][i]);
	}
	for (j = 0; j < ds->p; j++)
	{
		if (isnan(row[j]))
			ds->null_count[j]++;
		else if (ds->dicts[j] != NULL)
			ds->dicts[j]->count[to][(int) row[j]]++;
		else if (!isfinite(row[j]))
			ds->nonfinite_count[j]++;
	}
	ds->n[to]++;
}

/*
 * A dataset copied from rows in memory (MmDatasetFold): the training
 * rows of all outside the fold and in it, or all's two parts.  Text values
 * keep their dictionaries' names, with counts of the copy's own parts.
 */
static char *
fold_copy(MmDataset *ds, const MmSource *src, const MmDatasetFold *f)
{
	const MmDataset *all = f->all;
	size_t		i,
				n[2] = {0, 0};
	int			part,
				j;

	if (src->nfeatures != all->p)
		elog(ERROR, "a fold must be read with the features of its rows");
	memset(ds, 0, sizeof(*ds));
	ds->cxt = AllocSetContextCreate(CurrentMemoryContext, "modelmgr fold", ALLOCSET_DEFAULT_SIZES);
	ds->p = all->p;
	ds->label_kind = all->label_kind;
	ds->numeric_target = all->numeric_target;
	ds->salt = all->salt;
	ds->fold_copy = f->fold >= 0;
	ds->nlabels = all->nlabels;
	ds->labels = MemoryContextAlloc(ds->cxt, sizeof(char *) * Max(all->nlabels, 1));
	ds->label_values = MemoryContextAlloc(ds->cxt, sizeof(double) * Max(all->nlabels, 1));
	memcpy(ds->labels, all->labels, sizeof(char *) * all->nlabels);
	memcpy(ds->label_values, all->label_values, sizeof(double) * all->nlabels);
	ds->null_count = MemoryContextAllocZero(ds->cxt, sizeof(int64) * Max(ds->p, 1));
	ds->nonfinite_count = MemoryContextAllocZero(ds->cxt, sizeof(int64) * Max(ds->p, 1));
	ds->dicts = MemoryContextAllocZero(ds->cxt, sizeof(MmStringDict *) * Max(ds->p, 1));
	for (j = 0; j < ds->p; j++)
		if (all->dicts[j] != NULL)
		{
			MmStringDict *d = MemoryContextAlloc(ds->cxt, sizeof(MmStringDict));

			*d = *all->dicts[j];
			d->count[0] = MemoryContextAllocZero(ds->cxt, sizeof(int64) * Max(d->n, 1));
			d->count[1] = MemoryContextAllocZero(ds->cxt, sizeof(int64) * Max(d->n, 1));
			ds->dicts[j] = d;
			ds->any_text = true;
		}

	if (f->fold < 0)
	{
		n[0] = all->n[0];
		n[1] = all->n[1];
	}
	else
		for (i = 0; i < all->n[0]; i++)
		{
			n[f->fold_of[i] == f->fold]++;
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}

	/*
	 * The copy shares the limit with the rows it is made from and their folds'
	 * numbers, which stay in memory meanwhile.
	 */
	{
		Size		outside = MmDatasetBytes(all) +
			(f->fold_of != NULL ? sizeof(int32) * all->n[0] : 0);

		ds->limit = all->limit > outside ? all->limit - outside : 0;
		MmDatasetRequireRoom(ds, src->display, n[0] + n[1], row_bytes(ds, false),
							 psprintf("%zu rows of %d features were read; a copy of %zu of them to fit "
									  "a model does not fit beside them.",
									  all->n[0] + all->n[1], all->p, n[0] + n[1]));
	}
	for (part = 0; part < 2; part++)
		resize_part(ds, part, Max(n[part], 1), false);
	if (f->fold < 0)
	{
		for (part = 0; part < 2; part++)
			for (i = 0; i < all->n[part]; i++)
			{
				copy_row(ds, part, all, part, i);
				if ((i & 0xffff) == 0)
					CHECK_FOR_INTERRUPTS();
			}
		ds->fingerprint = all->fingerprint;
		ds->null_target = all->null_target;
		ds->rows_read = all->rows_read;
	}
	else
		for (i = 0; i < all->n[0]; i++)
		{
			copy_row(ds, f->fold_of[i] == f->fold, all, 0, i);
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	if (f->fold >= 0)
		ds->rows_read = (int64) (ds->n[0] + ds->n[1]);
	return pstrdup(f->snapshot);
}

/*
 * Reads src's features (and target: as a label when label_kind is not 0, as
 * a number when numeric_target) into ds,
 * holding out test_size of the rows as seed draws them.  SPI is connected.
 * Returns the snapshot the rows were read under, as text.
 */
char *
MmDatasetLoad(MmDataset *ds, const MmSource *src, MmLabelKind label_kind, bool numeric_target,
			  double test_size, int32 seed)
{
	return MmDatasetLoadTraining(ds, src, label_kind, numeric_target, test_size, seed, NULL);
}

/*
 * The rows a training fits, as MmDatasetLoad reads them, or copied from
 * ctx->rows when the context holds them in memory already; row hashes kept
 * when ctx asks.  ctx may be NULL.
 */
char *
MmDatasetLoadTraining(MmDataset *ds, const MmSource *src, MmLabelKind label_kind,
					  bool numeric_target, double test_size, int32 seed, const MmTrainContext *ctx)
{
	StringInfoData q;
	LoadReceiver lr;
	char	   *snapshot;
	bool		keep_hashes = ctx != NULL && ctx->keep_hashes;
	Oid			label_source = label_kind == MM_LABEL_NUMBER ?
		MmNumberLabelSourceType(src->target_type) : InvalidOid;
	size_t		read_bound;
	int			j,
				part,
				rc;

	if (ctx != NULL && ctx->rows != NULL)
		return fold_copy(ds, src, ctx->rows);
	memset(ds, 0, sizeof(*ds));
	ds->cxt = AllocSetContextCreate(CurrentMemoryContext, "modelmgr rows", ALLOCSET_DEFAULT_SIZES);
	ds->p = src->nfeatures;
	ds->label_kind = label_kind;
	ds->numeric_target = numeric_target;
	ds->test_size = test_size;
	ds->salt = mm_seed_salt(seed);
	ds->limit = (Size) mm_max_train_memory_kb * 1024;
	ds->null_count = MemoryContextAllocZero(ds->cxt, sizeof(int64) * ds->p);
	ds->nonfinite_count = MemoryContextAllocZero(ds->cxt, sizeof(int64) * ds->p);
	ds->labels = MemoryContextAllocZero(ds->cxt, sizeof(char *) * MM_MAX_CLASSES);
	ds->label_values = MemoryContextAllocZero(ds->cxt, sizeof(double) * MM_MAX_CLASSES);
	ds->label_slots = MemoryContextAllocZero(ds->cxt, sizeof(int32) * LABEL_SLOTS);
	ds->dicts = MemoryContextAllocZero(ds->cxt, sizeof(MmStringDict *) * ds->p);
	for (j = 0; j < ds->p; j++)
		if (src->feature_kinds[j] == MM_FEATURE_CATEGORICAL)
		{
			ds->dicts[j] = dict_create(ds->cxt);
			ds->any_text = true;
		}

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (j = 0; j < src->nfeatures; j++)
		appendStringInfo(&q, "%s%s", j ? ", " : "",
						 MmFeatureExpression(src, j, "r"));
	if (numeric_target)
		appendStringInfo(&q, ", (r.%s)::pg_catalog.float8", quote_identifier(src->target));
	else if (label_kind != 0)
		appendStringInfo(&q, ", (r.%s)::%s", quote_identifier(src->target),
						 label_sql_type(label_kind, label_source));
	appendStringInfo(&q, " FROM %s r", src->qualified);

	/*
	 * From a distributed table, no more rows are read than the limit holds,
	 * and one: the one that shows the relation does not fit.  The bound goes
	 * to every shard, so that what the coordinator gathers (Citus holds a
	 * multi-shard result before it hands the rows on) is bounded too, not
	 * only what is kept.  A local scan stops at the row that does not fit.
	 */
	read_bound = SIZE_MAX;
	if (MmReadsCitusTable(src->relid))
	{
		read_bound = ds->limit / row_bytes(ds, keep_hashes) + 1;
		appendStringInfo(&q, " LIMIT %zu", read_bound);
	}

	/* both queries run under the caller's snapshot: the one recorded is the one read */
	if (MmSpiRun("SELECT pg_catalog.pg_current_snapshot()::pg_catalog.text", 0, NULL, NULL, NULL, true, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "could not read the current snapshot");
	snapshot = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	memset(&lr, 0, sizeof(lr));
	lr.pub.receiveSlot = load_receive;
	lr.pub.rStartup = load_startup;
	lr.pub.rShutdown = load_shutdown;
	lr.pub.rDestroy = load_destroy;
	lr.pub.mydest = DestNone;
	lr.ds = ds;
	lr.row = palloc(sizeof(double) * (ds->p + 1));
	lr.text_hash = palloc0(sizeof(uint64) * (ds->p + 1));
	lr.hash_row = palloc0(sizeof(double) * (ds->p + 1));
	lr.keep_hashes = keep_hashes;
	/*
	 * Sized from the planner's estimate, the rows are written once: doubling
	 * from a small start would copy (and the kernel zero) the matrix again
	 * at every step.  An estimate that is too high costs address space only.
	 */
	{
		double		est = Max(MmEstimatedRows(src->relid), 0.0);
		double		half = (double) (ds->limit / row_bytes(ds, keep_hashes) / 2);

		ds->first_cap[0] = (size_t) Min(est * (1.0 - test_size) * 1.02 + FIRST_ROWS, half);
		ds->first_cap[1] = (size_t) Min(est * test_size * 1.02 + FIRST_ROWS, half);
	}
	lr.relation = src->display;
	lr.target = src->target;
	lr.label_source = label_source;
	ereport(DEBUG1, (errmsg_internal("modelmgr rows query: %s", q.data)));
	/* SPI reports a SELECT whose rows went to a DestNone receiver as a utility */
	rc = MmSpiRunTo(q.data, NULL, (DestReceiver *) &lr);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "could not read the rows of %s: %s", src->display, SPI_result_code_string(rc));
	/* the estimate's margin given back, so that what follows counts the rows only */
	if (lr.stopped == LOAD_OK)
		for (part = 0; part < 2; part++)
			if (ds->cap[part] > ds->n[part])
				resize_part(ds, part, ds->n[part], keep_hashes);
	if (lr.stopped == LOAD_TOO_MANY_LABELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("target \"%s\" has more than %d distinct values", src->target, MM_MAX_CLASSES),
				 errhint("A classifier learns at most %d classes; a numeric target with many values "
						 "calls for algorithm => '%s'.", MM_MAX_CLASSES, MmAlgorithmForTask(MM_TASK_REGRESSION))));
	if (lr.stopped == LOAD_FRACTIONAL_LABEL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("target \"%s\" has value %s, which is not a whole number",
						src->target, lr.stopped_label),
				 errdetail("A classifier learns a %s target as classes only when every value is a whole number.",
						   format_type_be(src->target_type)),
				 errhint("Round the target in a view, or pass algorithm => '%s' to predict a number.",
						 MmAlgorithmForTask(MM_TASK_REGRESSION))));
	if (lr.stopped == LOAD_LABEL_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("target \"%s\" has value %s, beyond the labels a classifier holds exactly",
						src->target, lr.stopped_label),
				 errdetail("A number label lies between -" INT64_FORMAT " and " INT64_FORMAT " (2^53).",
						   MM_MAX_NUMBER_LABEL, MM_MAX_NUMBER_LABEL),
				 errhint("Map the values to smaller codes, or to text, in a view.")));
	if (lr.stopped == LOAD_TOO_MANY_CATEGORIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("feature \"%s\" has more than %d distinct values",
						src->features[lr.stopped_column], MM_MAX_CATEGORIES),
				 errhint("Leave it out with exclude => ARRAY['%s'], or group its values in a view.",
						 src->features[lr.stopped_column])));
	/* a bound reached with rows left out for their target: more rows may follow */
	if (lr.stopped == LOAD_OK && (uint64) ds->rows_read >= (uint64) read_bound)
		lr.stopped = LOAD_READ_BOUND;
	if (lr.stopped == LOAD_TOO_MUCH_MEMORY || lr.stopped == LOAD_READ_BOUND)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the rows of %s exceed modelmgr.max_train_memory (%d kB)",
						src->display, mm_max_train_memory_kb),
				 lr.stopped == LOAD_READ_BOUND ?
				 errdetail("The read stops at %zu rows, one more than the limit holds; "
						   INT64_FORMAT " of them were left out for their target.",
						   read_bound, ds->rows_read - (int64) (ds->n[0] + ds->n[1])) :
				 errdetail("%zu rows of %d features were read before the limit.",
						   ds->n[0] + ds->n[1], ds->p),
				 errhint("Raise modelmgr.max_train_memory, or train on a sample of the rows "
						 "(for example a view with TABLESAMPLE).")));
	return snapshot;
}

/* Bytes the arrays of ds's rows take: their capacity, which is what is allocated. */
Size
MmDatasetBytes(const MmDataset *ds)
{
	return ds->cap[0] * row_bytes(ds, ds->hash[0] != NULL) +
		ds->cap[1] * row_bytes(ds, ds->hash[1] != NULL);
}

/*
 * Whether rows more of per_row bytes each fit beside ds's rows within its
 * limit.  A division, not a product, so that no count can wrap around.
 */
bool
MmDatasetHasRoom(const MmDataset *ds, size_t rows, Size per_row)
{
	Size		held = MmDatasetBytes(ds);

	if (held > ds->limit)
		return false;
	return per_row == 0 || rows <= (ds->limit - held) / per_row;
}

/*
 * Errors as a read past the limit does, with detail (a full sentence),
 * unless rows more of per_row bytes fit beside ds's rows: called before the
 * allocation, never after.
 */
void
MmDatasetRequireRoom(const MmDataset *ds, const char *relation, size_t rows, Size per_row,
					 const char *detail)
{
	if (MmDatasetHasRoom(ds, rows, per_row))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the rows of %s exceed modelmgr.max_train_memory (%d kB)",
					relation, mm_max_train_memory_kb),
			 errdetail("%s", detail),
			 errhint("Raise modelmgr.max_train_memory, or train on a sample of the rows "
					 "(for example a view with TABLESAMPLE).")));
}

/*
 * Errors unless cross-validation fits beside the rows read, before any of it
 * is allocated: a fold number per training row, and, while a model is
 * fitted, a copy of the rows it fits (every row, for the winner's refit).
 */
void
MmDatasetRequireFoldRoom(const MmDataset *all, const char *relation)
{
	size_t		rows = all->n[0] + all->n[1];
	Size		folds = sizeof(int32) * all->n[0];	/* below the rows' own bytes: no wrap */
	MmDataset	after = *all;

	/* the rows and the folds' numbers, as one part of the same limit */
	after.limit = all->limit > folds ? all->limit - folds : 0;
	MmDatasetRequireRoom(&after, relation, rows, row_bytes(all, false),
						 psprintf("%zu rows of %d features were read; cross-validation's copy of "
								  "them does not fit beside them.", rows, all->p));
}

/* Orders label indexes of the dataset arg by their labels' values (MmDatasetOrderLabels). */
static int
label_cmp(const void *a, const void *b, void *arg)
{
	const MmDataset *ds = arg;
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (ds->label_kind == MM_LABEL_TEXT)
		return strcmp(ds->labels[i], ds->labels[j]);
	return (ds->label_values[i] > ds->label_values[j]) - (ds->label_values[i] < ds->label_values[j]);
}

/*
 * Puts the labels in the sort order of their type (text in C collation) and
 * renumbers the rows' indexes to match.
 */
void
MmDatasetOrderLabels(MmDataset *ds)
{
	int			k = ds->nlabels;
	int		   *order = palloc(sizeof(int) * Max(k, 1));
	int32	   *rank = palloc(sizeof(int32) * Max(k, 1));
	char	  **labels = palloc(sizeof(char *) * Max(k, 1));
	double	   *values = palloc(sizeof(double) * Max(k, 1));
	int			i,
				part;
	size_t		r;

	for (i = 0; i < k; i++)
		order[i] = i;
	qsort_arg(order, k, sizeof(int), label_cmp, ds);
	for (i = 0; i < k; i++)
	{
		rank[order[i]] = i;
		labels[i] = ds->labels[order[i]];
		values[i] = ds->label_values[order[i]];
	}
	for (i = 0; i < k; i++)
	{
		ds->labels[i] = labels[i];
		ds->label_values[i] = values[i];
	}
	for (part = 0; part < 2; part++)
		for (r = 0; r < ds->n[part]; r++)
			ds->y[part][r] = rank[ds->y[part][r]];
	/* the lookup table indexes the old order and is no longer needed */
	ds->label_slots = NULL;
}

/*
 * Errors unless rows read to evaluate a model on (every row in part 0) have
 * a target to score against: none NaN or infinite, and at least one.
 */
void
MmDatasetRequireEvaluationRows(const MmDataset *ds, const MmSource *src)
{
	MmRequireEvaluationRows(ds->nonfinite_target, (int64) ds->n[0], src);
}

/*
 * Errors unless rows were read with a non-null target to evaluate on, none
 * of them NaN or infinite (nonfinite_target of them are).
 */
void
MmRequireEvaluationRows(int64 nonfinite_target, int64 rows, const MmSource *src)
{
	if (nonfinite_target > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg_plural("target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " row",
							   "target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " rows",
							   (unsigned long) nonfinite_target, src->target, src->display,
							   nonfinite_target),
				 errhint("Filter those rows out, for example through a view.")));
	if (rows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows with a non-null target to evaluate on",
						src->display)));
}

/* Releases the rows. */
void
MmDatasetFree(MmDataset *ds)
{
	MemoryContextDelete(ds->cxt);
	memset(ds, 0, sizeof(*ds));
}
