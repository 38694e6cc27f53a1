/*
 * csv.c: streaming CSV in and out (see csv.h).
 */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's shortest round-trip printer (libpgcommon, common/shortest_dec.h). */
extern int	double_to_shortest_decimal_buf(double f, char *result);

#define BLOCK_SIZE (256u * 1024)
#define OUT_SIZE (256u * 1024)

int
csv_open(CsvReader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->block = malloc(BLOCK_SIZE);
	r->record_cap = 4096;
	r->record = malloc(r->record_cap);
	r->field_cap = 64;
	r->field = malloc(sizeof(char *) * r->field_cap);
	r->field_len = malloc(sizeof(size_t) * r->field_cap);
	r->field_missing = malloc(r->field_cap);
	r->next_line = 1;
	if (!r->block || !r->record || !r->field || !r->field_len || !r->field_missing)
	{
		csv_close(r);
		return -1;
	}
	return 0;
}

void
csv_close(CsvReader *r)
{
	free(r->block);
	free(r->record);
	free(r->field);
	free(r->field_len);
	free(r->field_missing);
	memset(r, 0, sizeof(*r));
}

/* The next input byte, or -1 at the end. */
static inline int
next_byte(CsvReader *r)
{
	if (r->block_pos == r->block_len)
	{
		if (r->at_eof)
			return -1;
		r->block_len = fread(r->block, 1, BLOCK_SIZE, r->in);
		r->block_pos = 0;
		if (r->block_len == 0)
		{
			r->at_eof = 1;
			return -1;
		}
	}
	return (unsigned char) r->block[r->block_pos++];
}

static int
grow_record(CsvReader *r, size_t need)
{
	size_t		cap = r->record_cap;
	char	   *grown;

	if (need > CSV_MAX_RECORD)
	{
		snprintf(r->error, sizeof(r->error), "a record longer than %u bytes", CSV_MAX_RECORD);
		return -1;
	}
	while (cap < need)
		cap *= 2;
	grown = realloc(r->record, cap);
	if (grown == NULL)
	{
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	r->record = grown;
	r->record_cap = cap;
	return 0;
}

static int
start_field(CsvReader *r, size_t at)
{
	if (r->n_fields == r->field_cap)
	{
		int			cap = r->field_cap * 2;
		char	  **f = realloc(r->field, sizeof(char *) * cap);
		size_t	   *l;
		unsigned char *m;

		if (f == NULL)
			goto oom;
		r->field = f;
		l = realloc(r->field_len, sizeof(size_t) * cap);
		if (l == NULL)
			goto oom;
		r->field_len = l;
		m = realloc(r->field_missing, cap);
		if (m == NULL)
			goto oom;
		r->field_missing = m;
		r->field_cap = cap;
	}
	r->field_len[r->n_fields] = at;	/* the start, as an offset, for now */
	r->field_missing[r->n_fields] = 1;
	r->n_fields++;
	return 0;
oom:
	snprintf(r->error, sizeof(r->error), "out of memory");
	return -1;
}

int
csv_read(CsvReader *r)
{
	size_t		len = 0;		/* bytes in record */
	int			c,
				quoted = 0,		/* inside quotes */
				field_quoted = 0,
				i;

	r->n_fields = 0;
	r->line = r->next_line;
	c = next_byte(r);
	/* a byte order mark, as spreadsheets write UTF-8, is not part of the first column's name */
	if (c == 0xEF && r->line == 1 && r->block_pos == 1 && r->block_len >= 3 &&
		(unsigned char) r->block[1] == 0xBB && (unsigned char) r->block[2] == 0xBF)
	{
		r->block_pos = 3;
		c = next_byte(r);
	}
	if (c < 0)
		return 0;
	if (start_field(r, 0) < 0)
		return -1;
	for (;; c = next_byte(r))
	{
		if (c < 0)
		{
			if (quoted)
			{
				snprintf(r->error, sizeof(r->error), "a quoted field is not closed before the end of the input");
				return -1;
			}
			break;
		}
		if (quoted)
		{
			if (c == '"')
			{
				int			d = next_byte(r);

				if (d == '"')
					goto store;
				quoted = 0;
				if (d < 0)
					break;
				c = d;
				/* fall through to the unquoted handling of the byte after the quote */
			}
			else
			{
				if (c == '\n')
					r->next_line++;
				goto store;
			}
		}
		if (c == ',')
		{
			if (len + 1 > r->record_cap && grow_record(r, len + 1) < 0)
				return -1;
			r->record[len++] = '\0';
			if (start_field(r, len) < 0)
				return -1;
			field_quoted = 0;
			continue;
		}
		if (c == '\n')
		{
			r->next_line++;
			break;
		}
		if (c == '\r')
		{
			int			d = next_byte(r);

			if (d == '\n' || d < 0)
			{
				r->next_line++;
				break;
			}
			r->block_pos--;		/* a lone CR is data */
		}
		if (c == '"')
		{
			size_t		field_start = r->field_len[r->n_fields - 1];

			if (len != field_start || field_quoted)
			{
				snprintf(r->error, sizeof(r->error), "a quote inside an unquoted field");
				return -1;
			}
			quoted = 1;
			field_quoted = 1;
			r->field_missing[r->n_fields - 1] = 0;
			continue;
		}
		if (field_quoted)
		{
			snprintf(r->error, sizeof(r->error), "data after a closing quote");
			return -1;
		}
store:
		if (c == '\0')
		{
			snprintf(r->error, sizeof(r->error), "a NUL byte, which no text value can hold");
			return -1;
		}
		if (len + 1 > r->record_cap && grow_record(r, len + 1) < 0)
			return -1;
		r->record[len++] = (char) c;
		r->field_missing[r->n_fields - 1] = 0;
	}
	if (len + 1 > r->record_cap && grow_record(r, len + 1) < 0)
		return -1;
	r->record[len] = '\0';
	/* offsets to pointers and lengths, now that the record no longer moves */
	for (i = 0; i < r->n_fields; i++)
	{
		size_t		start = r->field_len[i];
		size_t		end = i + 1 < r->n_fields ? r->field_len[i + 1] - 1 : len;

		r->field[i] = r->record + start;
		r->field_len[i] = end - start;
	}
	return 1;
}

int
csv_writer_open(CsvWriter *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->buf = malloc(OUT_SIZE);
	return w->buf ? 0 : -1;
}

static void
flush(CsvWriter *w)
{
	if (w->len > 0 && fwrite(w->buf, 1, w->len, w->out) != w->len)
		w->failed = 1;
	w->len = 0;
}

void
csv_put_raw(CsvWriter *w, const char *s, size_t n)
{
	while (n > 0)
	{
		size_t		room = OUT_SIZE - w->len,
					k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == OUT_SIZE)
			flush(w);
	}
}

void
csv_put_char(CsvWriter *w, char c)
{
	if (w->len == OUT_SIZE)
		flush(w);
	w->buf[w->len++] = c;
}

void
csv_put_text(CsvWriter *w, const char *s, size_t n)
{
	size_t		i;

	if (n > 0 && strcspn(s, ",\"\r\n") >= n)
	{
		csv_put_raw(w, s, n);
		return;
	}
	/* quoted: an empty string too, so that it does not read back as missing */
	csv_put_char(w, '"');
	for (i = 0; i < n; i++)
	{
		if (s[i] == '"')
			csv_put_char(w, '"');
		csv_put_char(w, s[i]);
	}
	csv_put_char(w, '"');
}

void
csv_put_double(CsvWriter *w, double v)
{
	char		buf[32];

	if (isnan(v))
		csv_put_raw(w, "NaN", 3);
	else if (isinf(v))
		csv_put_raw(w, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
	else
	{
		if (OUT_SIZE - w->len < sizeof(buf))
			flush(w);
		w->len += (size_t) double_to_shortest_decimal_buf(v, w->buf + w->len);
	}
}

int
csv_writer_close(CsvWriter *w)
{
	flush(w);
	if (fflush(w->out) != 0)
		w->failed = 1;
	free(w->buf);
	w->buf = NULL;
	return w->failed ? -1 : 0;
}
