/*
 * floor: the least any CSV scorer must do, as the benchmark's baseline
 * (bench/score.sh).  It reads the CSV as mm-score does (src/scorer/csv.c),
 * parses every field of every row with the same number parser (strtod), and
 * prints one number per row with the same printer (the shortest text that
 * reads back to the same double) — the sum of the row, so that no parse can
 * be skipped — and scores nothing.
 *
 *	floor INPUT.csv > /dev/null
 */
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"

int
main(int argc, char **argv)
{
	FILE	   *in;
	CsvReader	r;
	CsvWriter	w;
	int			rc,
				i;

	if (argc != 2 || (in = fopen(argv[1], "rb")) == NULL)
	{
		fprintf(stderr, "usage: floor INPUT.csv\n");
		return 2;
	}
	if (csv_open(&r, in) < 0 || csv_writer_open(&w, stdout) < 0)
		return 1;
	if (csv_read(&r) <= 0)		/* the header */
		return 1;
	csv_put_raw(&w, "sum\n", 4);
	while ((rc = csv_read(&r)) > 0)
	{
		double		sum = 0.0;

		for (i = 0; i < r.n_fields; i++)
		{
			char	   *end;

			sum += strtod(r.field[i], &end);
			if (*end != '\0')
			{
				fprintf(stderr, "floor: line %ld: not a number\n", r.line);
				return 1;
			}
		}
		csv_put_double(&w, sum);
		csv_put_char(&w, '\n');
	}
	if (rc < 0)
	{
		fprintf(stderr, "floor: line %ld: %s\n", r.line, r.error);
		return 1;
	}
	return csv_writer_close(&w) < 0;
}
