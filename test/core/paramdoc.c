/*
 * paramdoc.c: prints the parameter tables of doc/algorithms.md, one per
 * algorithm of the registry, from the hyperparameters each declares
 * (mm_params_markdown).  scripts/gen-docs-params.sh puts them in the page,
 * or with --check fails when the page's differ, which make unittest runs.
 */
#include <stdio.h>

#include "algorithm.h"

int
main(void)
{
	MmBuffer	tables = {0};
	int			failed;

	mm_params_markdown(&tables);
	if (tables.failed)
	{
		fprintf(stderr, "paramdoc: out of memory\n");
		return 1;
	}
	failed = fputs(tables.data, stdout) == EOF || fflush(stdout) != 0;
	mm_free(tables.data);
	return failed;
}
