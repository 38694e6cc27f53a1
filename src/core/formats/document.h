/*
 * document.h: the portable JSON document of a model (doc/export-format.md).
 *
 * The document carries everything prediction needs — the features, the
 * fitted preprocessing and categories, the fitted model — with every double
 * written so that it reads back to the same bits, and, opaque to the core,
 * what the host adds (hyperparameters, metrics, the baseline profile,
 * provenance) as JSON text.  Reading checks the document's shape strictly
 * (types, sizes, bounds) and then every value as the binary artifact's
 * reader does (artifact.h), so a hostile or truncated document is an error
 * and never a model.
 */
#ifndef MM_DOCUMENT_H
#define MM_DOCUMENT_H

#include <stddef.h>

#include "mmcore.h"
#include "model.h"

#define MM_DOCUMENT_FORMAT "modelmgr-model"
#define MM_DOCUMENT_VERSION 1

/* Largest document read, in bytes. */
#define MM_DOCUMENT_MAX_BYTES (256u * 1024 * 1024)

/*
 * The most elements an array, or members an object, of a document may hold
 * wherever nothing tighter applies: the longest a model has, a design
 * column's inference statistics with the intercept's.  A reader refuses a
 * larger one before it reads it; only the document's bytes bound the rest.
 */
#define MM_DOCUMENT_MAX_ELEMENTS (MM_MAX_DESIGN + 1)

/*
 * The most elements an array (or members an object) of a document may hold,
 * by where it is: top is the document's field it is in, NULL for the
 * document itself; key is the member whose value it is, NULL for an
 * element of an array.  Each limit is one the model or the profile has
 * (features, categories, classes, clusters, the profiles' fixed sketches).
 */
extern size_t mm_document_max_elements(const char *top, const char *key);

/* Host fields: JSON text of any value, or NULL for null. */
typedef struct MmDocumentExtras
{
	char	   *params;
	char	   *metrics;
	char	   *baseline;
	char	   *provenance;
	char	   *feature_types;	/* an array of the features' SQL types */
} MmDocumentExtras;

/*
 * Writes the document of model with extras (whose fields may be NULL) as
 * JSON text in *out (mm_alloc'd, NUL-terminated).
 */
extern MmErrorCode mm_document_write(const MmModel *model, const MmDocumentExtras *extras, char **out,
									 MmError *err);

/*
 * Reads a document of len bytes: the model into *model (mm_model_free it)
 * and, when extras is not NULL, the host fields as compact JSON text
 * (mm_document_free_extras them).  On failure nothing is left allocated.
 */
extern MmErrorCode mm_document_read(const char *text, size_t len, MmModel **model,
									MmDocumentExtras *extras, MmError *err);
extern void mm_document_free_extras(MmDocumentExtras *extras);

/*
 * Sets how doubles are written: fn writes the shortest text that reads back
 * to the same double into buf (at least 32 bytes) and returns its length.
 * Without it, the fewest significant digits that read back to the same
 * double are found by trying each count in turn.
 */
typedef int (*MmDoubleFormatFn) (double value, char *buf);
extern void mm_set_double_format(MmDoubleFormatFn fn);

#endif							/* MM_DOCUMENT_H */
