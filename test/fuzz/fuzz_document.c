/*
 * Fuzz target: the JSON document reader (document.h), the path every
 * mm_import and every mm-score run takes.  A document read is written
 * again and must read back to a model that writes the same document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmModel    *m,
			   *again;
	MmDocumentExtras extras,
				extras2;
	MmError		err;
	char	   *text,
			   *text2;

	if (mm_document_read((const char *) data, size, &m, &extras, &err) != MM_OK)
		return 0;
	if (mm_document_write(m, &extras, &text, &err) != MM_OK)
		abort();
	if (mm_document_read(text, strlen(text), &again, &extras2, &err) != MM_OK)
		abort();
	if (mm_document_write(again, &extras2, &text2, &err) != MM_OK || strcmp(text, text2) != 0)
		abort();
	mm_free(text);
	mm_free(text2);
	mm_document_free_extras(&extras);
	mm_document_free_extras(&extras2);
	mm_model_free(m);
	mm_model_free(again);
	return 0;
}
