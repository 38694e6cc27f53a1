/*
 * mm-score: scores CSV rows with a model exported by mm_export, outside the
 * database (doc/export-format.md, The standalone scorer).
 *
 *	mm-score [options] MODEL.json [INPUT.csv]
 *
 * Reads the document, then the CSV (a header naming the columns, then a
 * row per line; standard input without INPUT.csv, or with "-") one record at
 * a time, and writes a CSV row of results per input row.  Columns are
 * matched to the model's features by name; others are ignored unless kept.
 * A bad row stops the run with its line number, or is reported and skipped
 * with --skip-errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithm.h"
#include "csv.h"
#include "datepart.h"
#include "document.h"
#include "scorer.h"

#ifndef MM_SCORE_VERSION
#error "MM_SCORE_VERSION: the extension's version, set by the Makefile"
#endif

typedef struct Options
{
	int			number;
	int			proba;
	int			transform;
	int			skip_errors;
	const char *keep;			/* comma-separated input columns */
	const char *output;
} Options;

static const char *progname = "mm-score";

static void
usage(FILE *f)
{
	fprintf(f,
			"Usage: %s [OPTION]... MODEL.json [INPUT.csv]\n"
			"Scores CSV rows with a model exported by mm_export.\n"
			"\n"
			"INPUT.csv has a header row naming its columns; without it, or with -, rows are\n"
			"read from standard input.  Each row's result is written as a CSV row:\n"
			"  regression       prediction (as mm_predict)\n"
			"  classification   prediction (the label, as mm_predict_label)\n"
			"  clustering       prediction (the cluster, as mm_predict)\n"
			"  decomposition    pc1, pc2, ... (as mm_transform)\n"
			"\n"
			"Options:\n"
			"  -k, --keep=COLUMNS    copy these input columns (comma-separated) first\n"
			"  -n, --number          for a classifier with numeric or boolean labels, the\n"
			"                        label as a number (as mm_predict) instead of its text\n"
			"  -p, --proba           add a probability per class (as mm_predict_proba)\n"
			"  -t, --transform       add the coordinates: k-means distances to each center\n"
			"  -s, --skip-errors     report bad rows on standard error and go on\n"
			"  -o, --output=FILE     write to FILE instead of standard output\n"
			"  -h, --help            show this help and exit\n"
			"  -V, --version         show the version and exit\n"
			"\n"
			"Exit status: 0 when every row scored, 1 on an error that stops the run,\n"
			"2 on bad usage, 3 when --skip-errors skipped rows.\n",
			progname);
}

static void die(const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 1, 2), noreturn))
#endif
			;

/* Reports an error that stops the run, and exits with status 1. */
static void
die(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The registered algorithms keep accepts, as "a or b" (the text lives as long as the program). */
static char *
algorithm_list(int (*keep) (const MmAlgorithm *algorithm))
{
	MmBuffer	buf = {0};

	mm_algorithm_list(keep, " or ", &buf);
	return buf.failed || buf.data == NULL ? "(none)" : buf.data;
}

/* Reports a bad input line. */
static void
report_line(long line, const char *message)
{
	fprintf(stderr, "%s: line %ld: %s\n", progname, line, message);
}

/* Writes the comma before every column but the first of a row. */
static void
next_column(CsvWriter *w, int *first)
{
	if (!*first)
		csv_put_char(w, ',');
	*first = 0;
}

/* malloc, or the end of the run. */
static void *
allocate(size_t size)
{
	void	   *p = malloc(size);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* The whole of a file, NUL-terminated. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0,
				n = 0;

	if (f == NULL)
		die("could not open model document \"%s\": %s", path, strerror(errno));
	for (;;)
	{
		size_t		got;

		if (cap - n < 65536)
		{
			char	   *grown;

			cap = cap ? cap * 2 : 1 << 20;
			if (cap > MM_DOCUMENT_MAX_BYTES + (size_t) (1 << 20))
				die("model document \"%s\" is larger than the document limit", path);
			grown = realloc(buf, cap + 1);
			if (grown == NULL)
				die("out of memory reading \"%s\"", path);
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("could not read model document \"%s\": %s", path, strerror(errno));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

typedef struct Layout
{
	int			n_columns;		/* in the header */
	int		   *feature_column; /* for each feature, its column */
	int		   *keep_column;
	int			n_keep;
} Layout;

/* Matches the header to the model's features and to --keep. */
static void
map_header(const CsvReader *r, const MmScorer *s, const Options *opt, Layout *lay)
{
	const MmModel *m = mm_scorer_model(s);
	int			j,
				c;

	lay->n_columns = r->n_fields;
	lay->feature_column = allocate(sizeof(int) * m->n_features);
	for (j = 0; j < m->n_features; j++)
	{
		/* the parts of a date all read its column, named without ".part" */
		size_t		len = mm_feature_column_length(m, j);

		lay->feature_column[j] = -1;
		for (c = 0; c < r->n_fields; c++)
			if (strlen(r->field[c]) == len && memcmp(r->field[c], m->feature_names[j], len) == 0)
			{
				if (lay->feature_column[j] >= 0)
					die("the header names column \"%.*s\" twice", (int) len, m->feature_names[j]);
				lay->feature_column[j] = c;
			}
		if (lay->feature_column[j] < 0 && len == strlen(m->feature_names[j]))
			die("the header has no column \"%s\", a feature of the model", m->feature_names[j]);
		if (lay->feature_column[j] < 0)
			die("the header has no column \"%.*s\", which feature \"%s\" of the model reads",
				(int) len, m->feature_names[j], m->feature_names[j]);
	}
	lay->n_keep = 0;
	lay->keep_column = NULL;
	if (opt->keep != NULL)
	{
		char	   *list = strdup(opt->keep),
				   *save = NULL,
				   *name;

		lay->keep_column = allocate(sizeof(int) * (strlen(opt->keep) + 1));
		for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save))
		{
			for (c = 0; c < r->n_fields; c++)
				if (strcmp(r->field[c], name) == 0)
					break;
			if (c == r->n_fields)
				die("the header has no column \"%s\" to keep", name);
			lay->keep_column[lay->n_keep++] = c;
		}
		free(list);
	}
}

static void
put_header(CsvWriter *w, const CsvReader *r, const MmScorer *s, const Options *opt, const Layout *lay)
{
	const MmModel *m = mm_scorer_model(s);
	int			i,
				first = 1;
	char		name[64];

	for (i = 0; i < lay->n_keep; i++)
	{
		next_column(w, &first);
		csv_put_text(w, r->field[lay->keep_column[i]], r->field_len[lay->keep_column[i]]);
	}
	if (m->task != MM_TASK_DECOMPOSITION)
	{
		next_column(w, &first);
		csv_put_raw(w, "prediction", 10);
	}
	if (opt->proba)
		for (i = 0; i < m->labels.n_classes; i++)
		{
			const char *cls = m->labels.classes[i];
			char	   *col = allocate(strlen(cls) + 7);

			next_column(w, &first);
			sprintf(col, "proba_%s", cls);
			csv_put_text(w, col, strlen(col));
			free(col);
		}
	if (opt->transform || m->task == MM_TASK_DECOMPOSITION)
		for (i = 0; i < mm_scorer_coordinates(s); i++)
		{
			next_column(w, &first);
			snprintf(name, sizeof(name), m->task == MM_TASK_DECOMPOSITION ? "pc%d" : "distance_%d",
					 m->task == MM_TASK_DECOMPOSITION ? i + 1 : i);
			csv_put_raw(w, name, strlen(name));
		}
	csv_put_char(w, '\n');
}

/* Scores the current record into w; 0, or -1 with err set. */
static int
score_record(CsvReader *r, MmScorer *s, const Options *opt, const Layout *lay, CsvWriter *w,
			 double *values, MmError *err)
{
	const MmModel *m = mm_scorer_model(s);
	int			j,
				i,
				n,
				first = 1;

	if (r->n_fields != lay->n_columns)
	{
		snprintf(err->message, sizeof(err->message), "the row has %d fields, the header %d",
				 r->n_fields, lay->n_columns);
		return -1;
	}
	for (j = 0; j < m->n_features; j++)
	{
		int			c = lay->feature_column[j];

		if (r->field_missing[c])
			mm_scorer_set_missing(s, j);
		else if (mm_scorer_set_field(s, j, r->field[c], r->field_len[c], err) != MM_OK)
			return -1;
	}
	if (mm_scorer_run(s, err) != MM_OK)
		return -1;

	for (i = 0; i < lay->n_keep; i++)
	{
		int			c = lay->keep_column[i];

		next_column(w, &first);
		if (!r->field_missing[c])
			csv_put_text(w, r->field[c], r->field_len[c]);
	}
	if (m->task == MM_TASK_CLASSIFICATION && !opt->number)
	{
		const char *label = mm_scorer_label(s);

		next_column(w, &first);
		csv_put_text(w, label, strlen(label));
	}
	else if (m->task != MM_TASK_DECOMPOSITION)
	{
		next_column(w, &first);
		csv_put_double(w, mm_scorer_value(s));
	}
	if (opt->proba)
	{
		n = mm_scorer_proba(s, values);
		for (i = 0; i < n; i++)
		{
			next_column(w, &first);
			csv_put_double(w, values[i]);
		}
	}
	if (opt->transform || m->task == MM_TASK_DECOMPOSITION)
	{
		n = mm_scorer_transform(s, values);
		for (i = 0; i < n; i++)
		{
			next_column(w, &first);
			csv_put_double(w, values[i]);
		}
	}
	csv_put_char(w, '\n');
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"keep", required_argument, NULL, 'k'},
		{"number", no_argument, NULL, 'n'},
		{"proba", no_argument, NULL, 'p'},
		{"transform", no_argument, NULL, 't'},
		{"skip-errors", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	Options		opt = {0};
	int			c;
	const char *model_path,
			   *input_path = NULL;
	char	   *doc;
	size_t		doc_len;
	MmScorer   *s;
	const MmModel *m;
	MmError		err;
	FILE	   *in = stdin,
			   *out = stdout;
	CsvReader	r;
	CsvWriter	w;
	Layout		lay;
	double	   *values;
	long		skipped = 0;
	int			rc;

	while ((c = getopt_long(argc, argv, "k:nptso:hV", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'k':
				opt.keep = optarg;
				break;
			case 'n':
				opt.number = 1;
				break;
			case 'p':
				opt.proba = 1;
				break;
			case 't':
				opt.transform = 1;
				break;
			case 's':
				opt.skip_errors = 1;
				break;
			case 'o':
				opt.output = optarg;
				break;
			case 'h':
				usage(stdout);
				return 0;
			case 'V':
				printf("mm-score (modelmgr) %s, document format %d\n", MM_SCORE_VERSION, MM_DOCUMENT_VERSION);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	if (optind >= argc || argc - optind > 2)
	{
		usage(stderr);
		return 2;
	}
	model_path = argv[optind];
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-") != 0)
		input_path = argv[optind + 1];

	doc = slurp(model_path, &doc_len);
	if (mm_scorer_load(doc, doc_len, &s, &err) != MM_OK)
		die("%s is not a model document: %s", model_path, err.message);
	free(doc);
	m = mm_scorer_model(s);
	/* an algorithm whose models have probabilities when trained for them (svm) says so */
	if (opt.proba && mm_algorithm_gives_probabilities(m->algorithm) && !mm_model_has_proba(m))
		die("--proba needs probabilities, and the %s model %s was trained without them",
			m->algorithm->name, model_path);
	if (opt.proba && (m->task != MM_TASK_CLASSIFICATION || !mm_model_has_proba(m)))
		die("--proba needs a %s model, and %s is a %s",
			algorithm_list(mm_algorithm_gives_probabilities), model_path, m->algorithm->name);
	if (opt.transform && mm_model_n_coordinates(m) == 0)
		die("--transform needs a %s model, and %s is a %s",
			algorithm_list(mm_algorithm_has_coordinates), model_path, m->algorithm->name);
	if (opt.number && (m->task != MM_TASK_CLASSIFICATION || m->labels.label_kind == MM_LABEL_TEXT))
		die("--number needs a classifier with numeric or boolean labels, and %s has %s", model_path,
			m->task != MM_TASK_CLASSIFICATION ? "no labels" : "text labels");

	if (input_path != NULL && (in = fopen(input_path, "rb")) == NULL)
		die("could not open \"%s\": %s", input_path, strerror(errno));
	if (opt.output != NULL && (out = fopen(opt.output, "wb")) == NULL)
		die("could not open \"%s\" for writing: %s", opt.output, strerror(errno));
	if (csv_open(&r, in) < 0 || csv_writer_open(&w, out) < 0)
		die("out of memory");
	values = allocate(sizeof(double) * (size_t) (m->task == MM_TASK_CLASSIFICATION ? m->labels.n_classes :
												 mm_scorer_coordinates(s) + 1));

	rc = csv_read(&r);
	if (rc < 0)
	{
		report_line(r.line, r.error);
		return 1;
	}
	if (rc == 0)
		die("the input is empty: it needs a header row naming the columns");
	map_header(&r, s, &opt, &lay);
	put_header(&w, &r, s, &opt, &lay);

	while ((rc = csv_read(&r)) > 0)
	{
		if (score_record(&r, s, &opt, &lay, &w, values, &err) == 0)
			continue;
		report_line(r.line, err.message);
		if (!opt.skip_errors)
		{
			csv_writer_close(&w);
			return 1;
		}
		skipped++;
	}
	if (rc < 0)
	{
		report_line(r.line, r.error);
		csv_writer_close(&w);
		return 1;
	}
	if (csv_writer_close(&w) < 0 || (out != stdout && fclose(out) != 0))
		die("could not write the results: %s", strerror(errno));
	if (in != stdin)
		fclose(in);
	csv_close(&r);
	free(values);
	mm_scorer_free(s);
	if (skipped > 0)
	{
		fprintf(stderr, "%s: %ld rows skipped\n", progname, skipped);
		return 3;
	}
	return 0;
}
