/*
 * Fuzz target: mm-score's CSV reader (src/scorer/csv.h), record by record
 * to the end of the input; every field must lie inside the record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE	   *in;
	CsvReader	r;
	int			rc,
				i;

	if (size == 0 || (in = fmemopen((void *) data, size, "rb")) == NULL)
		return 0;
	if (csv_open(&r, in) == 0)
	{
		while ((rc = csv_read(&r)) > 0)
			for (i = 0; i < r.n_fields; i++)
				if (strlen(r.field[i]) != r.field_len[i] || (r.field_missing[i] && r.field_len[i] != 0))
					abort();
		csv_close(&r);
	}
	fclose(in);
	return 0;
}
