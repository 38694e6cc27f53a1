/*
 * document_io.h: the JSON primitives of the model document (document.c),
 * for the algorithms' codecs of their own part, the document's "model".
 *
 * Writing appends to a buffer, every double through the one formatter
 * (shortest round-trip digits; NaN and infinities as null).  Reading goes
 * through a reader that records the first failure as a message naming the
 * field, so a codec reads its whole part and the document reader reports
 * the first fault.  Objects are opaque here (jansson's json_t behind them),
 * so that algorithm files need no JSON library of their own.
 */
#ifndef MM_DOCUMENT_IO_H
#define MM_DOCUMENT_IO_H

#include <stddef.h>

#include "mmcore.h"

struct MmDocumentReader
{
	MmError    *err;
	int			failed;
};

typedef struct MmDocumentReader MmDocumentReader;

/* writing */
extern void mm_out_str(MmBuffer *o, const char *s);
extern void mm_out_int(MmBuffer *o, long v);
extern void mm_out_double(MmBuffer *o, double v);
extern void mm_out_string(MmBuffer *o, const char *s);
extern void mm_out_bool(MmBuffer *o, int v);
extern void mm_out_doubles(MmBuffer *o, const double *v, int n);
extern void mm_out_matrix(MmBuffer *o, const double *v, int rows, int width);
extern void mm_out_names(MmBuffer *o, char **names, int n);

/* reading: obj is a JSON object; a missing or mistyped member fails the reader */

/* Fails with "document field \"key\" what". */
extern void mm_doc_bad(MmDocumentReader *in, const char *what, const char *key);

/* Fails on a member of obj that keys (NULL-terminated) does not list; where names obj. */
extern void mm_doc_only_keys(MmDocumentReader *in, const void *obj, const char *const *keys,
							 const char *where);

/* A number, or null where allowed (as NaN). */
extern double mm_doc_number(MmDocumentReader *in, const void *obj, const char *key, int null_ok);
extern long mm_doc_int(MmDocumentReader *in, const void *obj, const char *key, long lo, long hi);
extern int	mm_doc_bool(MmDocumentReader *in, const void *obj, const char *key);
extern const char *mm_doc_string(MmDocumentReader *in, const void *obj, const char *key);

/* Member key is present and null. */
extern int	mm_doc_is_null(const void *obj, const char *key);

/* The length of member key when it is an array, else -1. */
extern long mm_doc_array_size(const void *obj, const char *key);

/* n numbers from an array of exactly n, into an mm_alloc'd array (NULL on failure). */
extern double *mm_doc_numbers(MmDocumentReader *in, const void *obj, const char *key, int n,
							  int null_ok);

/* rows arrays of width numbers, flattened. */
extern double *mm_doc_matrix(MmDocumentReader *in, const void *obj, const char *key, int rows,
							 int width, int null_ok);

/*
 * An array of up to max names; sorted: in increasing byte order (category
 * names), else only distinct (classes).
 */
extern char **mm_doc_names(MmDocumentReader *in, const void *obj, const char *key, int *n, int max,
						   int sorted);

#endif							/* MM_DOCUMENT_IO_H */
