/*
 * csv.h: streaming CSV in and out for the standalone scorer (and the
 * benchmark's floor program, which must read and print exactly as it does).
 *
 * Records follow RFC 4180 as PostgreSQL's COPY ... CSV writes them: fields
 * separated by commas, quoted with double quotes when they hold a comma, a
 * quote or a line break, a quote inside doubled; an unquoted empty field is
 * missing (NULL), a quoted one ("") the empty string.  Lines end in LF or
 * CRLF; a UTF-8 byte order mark at the start is skipped.  Memory is one
 * input block and the longest record, which is bounded.
 */
#ifndef MM_CSV_H
#define MM_CSV_H

#include <stddef.h>
#include <stdio.h>

/* The longest record read, in bytes. */
#define CSV_MAX_RECORD (64u * 1024 * 1024)

typedef struct CsvReader
{
	FILE	   *in;
	char	   *block;			/* input read ahead */
	size_t		block_len;
	size_t		block_pos;
	int			at_eof;
	char	   *record;			/* the current record's fields, each NUL-terminated */
	size_t		record_cap;
	char	  **field;			/* start of each field in record */
	size_t	   *field_len;
	unsigned char *field_missing;	/* unquoted and empty */
	int			n_fields;
	int			field_cap;
	long		line;			/* line where the current record starts */
	long		next_line;
	char		error[128];
} CsvReader;

/* Starts reading in; returns 0, or -1 out of memory. */
extern int	csv_open(CsvReader *r, FILE *in);
extern void csv_close(CsvReader *r);

/* Reads the next record: 1, 0 at the end, -1 with r->error set. */
extern int	csv_read(CsvReader *r);

/* Buffered output. */
typedef struct CsvWriter
{
	FILE	   *out;
	char	   *buf;
	size_t		len;
	int			failed;
} CsvWriter;

extern int	csv_writer_open(CsvWriter *w, FILE *out);
extern void csv_put_raw(CsvWriter *w, const char *s, size_t n);
/* A field, quoted when it needs to be. */
extern void csv_put_text(CsvWriter *w, const char *s, size_t n);
/*
 * A double in the shortest text that reads back to it (PostgreSQL's own
 * printer, as float8out with the default extra_float_digits).
 */
extern void csv_put_double(CsvWriter *w, double v);
extern void csv_put_char(CsvWriter *w, char c);
/* Flushes; returns 0, or -1 when a write failed. */
extern int	csv_writer_close(CsvWriter *w);

#endif							/* MM_CSV_H */
