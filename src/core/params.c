/*
 * params.c: hyperparameters from their declarations (see params.h).
 */
#include "params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "algorithm.h"
#include "document_io.h"

void
mm_params_defaults(const MmAlgorithm *algorithm, MmParams *params)
{
	int			i;

	memset(params, 0, sizeof(*params));
	params->algorithm = algorithm;
	for (i = 0; i < algorithm->n_params; i++)
		params->value[i] = algorithm->params[i].default_value;
}

int
mm_param_index(const MmAlgorithm *algorithm, const char *name)
{
	int			i;

	for (i = 0; i < algorithm->n_params; i++)
		if (strcmp(algorithm->params[i].name, name) == 0)
			return i;
	return -1;
}

/* An integer bound as the messages print it. */
static long
bound(double v)
{
	return (long) v;
}

/* Appends the choices as "a", "b" or "c", with "or null" for a nullable one. */
static void
choices_text(const MmParamSpec *s, char *buf, size_t size)
{
	size_t		n = 0,
				len = 0;
	int			i;

	while (s->choices[n] != NULL)
		n++;
	buf[0] = '\0';
	for (i = 0; i < (int) n; i++)
	{
		const char *sep = i == 0 ? "" : (i == (int) n - 1 && !(s->flags & MM_PARAM_NULLABLE)) ? " or " : ", ";

		len += snprintf(buf + len, len < size ? size - len : 0, "%s\"%s\"", sep, s->choices[i]);
	}
	if (s->flags & MM_PARAM_NULLABLE)
		snprintf(buf + len, len < size ? size - len : 0, " or null");
	len = strlen(buf);
	if (s->flags & MM_PARAM_LABELS)
		snprintf(buf + len, len < size ? size - len : 0, ", or an object of class labels and positive numbers");
}

/* Appends the words a number parameter also takes: ", \"a\" or \"b\"". */
static void
append_words(const MmParamSpec *s, char *buf, size_t size)
{
	size_t		len = strlen(buf);
	int			i;

	for (i = 0; s->choices[i] != NULL; i++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s\"%s\"",
						s->choices[i + 1] == NULL ? " or " : ", ", s->choices[i]);
}

/*
 * What a count-or-fraction parameter takes, its words and null included:
 * "a count of at least 1, a fraction in (0, 1], \"sqrt\" or null".
 */
static void
share_text(const MmParamSpec *s, char *buf, size_t size)
{
	/* the count, the fraction, up to six words and null */
	const char *alternative[9];
	char		count[64],
				fraction[32],
				words[6][32];
	int			n = 0,
				i;
	size_t		len = 0;

	if (isinf(s->max))
		snprintf(count, sizeof(count), "a count of at least %ld", bound(s->min));
	else
		snprintf(count, sizeof(count), "a count from %ld to %ld", bound(s->min), bound(s->max));
	alternative[n++] = count;
	snprintf(fraction, sizeof(fraction), "a fraction in (0, 1%c",
			 s->flags & MM_PARAM_SHARE_BELOW_ONE ? ')' : ']');
	alternative[n++] = fraction;
	for (i = 0; (s->flags & MM_PARAM_WORDS) && i < 6 && s->choices[i] != NULL; i++)
	{
		snprintf(words[i], sizeof(words[i]), "\"%s\"", s->choices[i]);
		alternative[n++] = words[i];
	}
	if (s->flags & MM_PARAM_NULLABLE)
		alternative[n++] = "null";
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						i == 0 ? "" : i == n - 1 ? " or " : ", ", alternative[i]);
}

/* Fails with what parameter i takes. */
static MmErrorCode
refuse(const MmParams *params, int i, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];
	char		what[200];

	switch (s->type)
	{
		case MM_PARAM_NUMBER:
			if (s->flags & MM_PARAM_SHARE)
				share_text(s, what, sizeof(what));
			else if (s->min == 0.0 && isinf(s->max))
				snprintf(what, sizeof(what), "a finite %s number",
						 s->flags & MM_PARAM_MIN_OPEN ? "positive" : "non-negative");
			else if (isinf(s->min) && isinf(s->max))
				snprintf(what, sizeof(what), "a finite number");
			else if (isinf(s->max))
				snprintf(what, sizeof(what), "a finite number %s %g",
						 s->flags & MM_PARAM_MIN_OPEN ? "above" : "of at least", s->min);
			else
				snprintf(what, sizeof(what), "a finite number between %g and %g", s->min, s->max);
			if ((s->flags & MM_PARAM_WORDS) && !(s->flags & MM_PARAM_SHARE))
				append_words(s, what, sizeof(what));
			break;
		case MM_PARAM_INTEGER:
			snprintf(what, sizeof(what), "an integer between %ld and %ld%s", bound(s->min), bound(s->max),
					 s->flags & MM_PARAM_NULLABLE ? ", or null" : "");
			break;
		case MM_PARAM_BOOLEAN:
			snprintf(what, sizeof(what), "true or false");
			break;
		case MM_PARAM_CHOICE:
			choices_text(s, what, sizeof(what));
			break;
	}
	return mm_fail(err, MM_ERR_INVALID_INPUT, i, "parameter \"%s\" must be %s", s->name, what);
}

static void
mark_given(MmParams *params, int i, double value)
{
	params->value[i] = value;
	params->given |= (uint32_t) 1 << i;
	params->fraction &= ~((uint32_t) 1 << i);
}

/* Whether value is a fraction an MM_PARAM_SHARE spec takes. */
static int
share_fraction(const MmParamSpec *s, double value)
{
	return value > 0.0 && (s->flags & MM_PARAM_SHARE_BELOW_ONE ? value < 1.0 : value <= 1.0);
}

/*
 * Sets a count-or-fraction parameter: a number written as a fraction that
 * the fraction's range holds is one (1.0: all), as is a number below 1
 * that is not whole (from a caller that has only the double); else a whole
 * number in the range is a count, also written with a point (5.0), which
 * the parameters took as counts before they took fractions.
 */
static MmErrorCode
set_share(MmParams *params, int i, double value, int written_fraction, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];
	int			whole = isfinite(value) && value == floor(value);

	if (isfinite(value) && share_fraction(s, value) && (written_fraction || !whole))
	{
		mark_given(params, i, value);
		params->fraction |= (uint32_t) 1 << i;
		return MM_OK;
	}
	if (whole && value >= s->min && value <= s->max)
	{
		mark_given(params, i, value);
		return MM_OK;
	}
	return refuse(params, i, err);
}

MmErrorCode
mm_param_set_number(MmParams *params, int i, double value, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];
	int			in_range;

	if (s->flags & MM_PARAM_FREE && s->type == MM_PARAM_NUMBER)
	{
		mark_given(params, i, value);
		return MM_OK;
	}
	if (s->type == MM_PARAM_NUMBER && (s->flags & MM_PARAM_SHARE))
		return set_share(params, i, value, 0, err);
	in_range = isfinite(value) &&
		(s->flags & MM_PARAM_MIN_OPEN ? value > s->min : value >= s->min) && value <= s->max;
	if ((s->type != MM_PARAM_NUMBER && s->type != MM_PARAM_INTEGER) || !in_range ||
		(s->type == MM_PARAM_INTEGER && value != floor(value)))
		return refuse(params, i, err);
	mark_given(params, i, value);
	return MM_OK;
}

MmErrorCode
mm_param_set_fraction(MmParams *params, int i, double value, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];

	if (s->type == MM_PARAM_NUMBER && (s->flags & MM_PARAM_SHARE))
		return set_share(params, i, value, 1, err);
	return mm_param_set_number(params, i, value, err);
}

MmErrorCode
mm_param_set_boolean(MmParams *params, int i, int value, MmError *err)
{
	if (params->algorithm->params[i].type != MM_PARAM_BOOLEAN)
		return params->algorithm->params[i].flags & MM_PARAM_FREE ?
			mm_param_set_number(params, i, NAN, err) : refuse(params, i, err);
	mark_given(params, i, value ? 1.0 : 0.0);
	return MM_OK;
}

MmErrorCode
mm_param_set_string(MmParams *params, int i, const char *value, size_t len, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];
	int			c;

	if (s->type == MM_PARAM_NUMBER && (s->flags & MM_PARAM_WORDS))
	{
		for (c = 0; s->choices[c] != NULL; c++)
			if (strlen(s->choices[c]) == len && memcmp(s->choices[c], value, len) == 0)
			{
				mark_given(params, i, -1.0 - c);
				return MM_OK;
			}
		return refuse(params, i, err);
	}
	if (s->type != MM_PARAM_CHOICE)
		return s->flags & MM_PARAM_FREE ? mm_param_set_number(params, i, NAN, err) :
			refuse(params, i, err);
	for (c = 0; s->choices[c] != NULL; c++)
		if (strlen(s->choices[c]) == len && memcmp(s->choices[c], value, len) == 0)
		{
			mark_given(params, i, (double) c);
			return MM_OK;
		}
	return refuse(params, i, err);
}

MmErrorCode
mm_param_set_null(MmParams *params, int i, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];

	if (s->flags & MM_PARAM_NULLABLE)
	{
		mark_given(params, i, s->type == MM_PARAM_CHOICE ? -1.0 : NAN);
		return MM_OK;
	}
	if (s->flags & MM_PARAM_FREE)
		return mm_param_set_number(params, i, NAN, err);
	return refuse(params, i, err);
}

MmErrorCode
mm_param_set_map(MmParams *params, int i, const MmParamMap *map, MmError *err)
{
	const MmParamSpec *s = &params->algorithm->params[i];
	int			k;

	if (!(s->flags & MM_PARAM_LABELS))
		return refuse(params, i, err);
	for (k = 0; k < map->n; k++)
		if (!isfinite(map->values[k]) || !(map->values[k] > 0.0))
			return refuse(params, i, err);
	mark_given(params, i, MM_PARAM_LABEL_MAP);
	params->map[i] = *map;
	return MM_OK;
}

MmErrorCode
mm_param_label_values(const MmParams *params, int i, const char *const *labels, int n, double *out,
					  MmError *err)
{
	const MmParamMap *map = &params->map[i];
	int			c,
				k;

	for (c = 0; c < n; c++)
		out[c] = 1.0;
	if (params->value[i] != MM_PARAM_LABEL_MAP)
		return MM_OK;
	for (k = 0; k < map->n; k++)
	{
		for (c = 0; c < n; c++)
			if (strcmp(labels[c], map->keys[k]) == 0)
				break;
		if (c == n)
			return mm_fail(err, MM_ERR_INVALID_INPUT, i, "%s names \"%s\", which is not a class of the training rows",
						   params->algorithm->params[i].name, map->keys[k]);
		out[c] = map->values[k];
	}
	return MM_OK;
}

/*
 * A number as the server's JSON writer prints it: the shortest digits that
 * read back (the document's formatter), and a negative zero as -0.
 */
static void
out_number(MmBuffer *out, double v)
{
	if (v == 0.0 && signbit(v))
		mm_out_str(out, "-0");
	else
		mm_out_double(out, v);
}

/* An MM_PARAM_LABELS parameter's pairs as a JSON object. */
static void
out_map(MmBuffer *out, const MmParamMap *map)
{
	int			k;

	mm_out_str(out, "{");
	for (k = 0; k < map->n; k++)
	{
		if (k)
			mm_out_str(out, ", ");
		mm_out_string(out, map->keys[k]);
		mm_out_str(out, ": ");
		out_number(out, map->values[k]);
	}
	mm_out_str(out, "}");
}

/*
 * Parameter i's value as JSON; fraction: a count-or-fraction parameter
 * holds a fraction, which keeps its point (1.0, all, is not 1, one).
 */
static void
out_value(MmBuffer *out, const MmParamSpec *s, double v, const MmParamMap *map, int fraction)
{
	char		buf[32];

	switch (s->type)
	{
		case MM_PARAM_NUMBER:
			if (isnan(v) && (s->flags & MM_PARAM_NULLABLE))
				mm_out_str(out, "null");
			else if ((s->flags & MM_PARAM_WORDS) && v < 0.0)
				mm_out_string(out, s->choices[(int) (-1.0 - v)]);
			else if ((s->flags & MM_PARAM_SHARE) && fraction && v == 1.0)
				mm_out_str(out, "1.0");
			/* a free number (PCA's count or fraction) or a share's count prints as an integer */
			else if ((s->flags & (MM_PARAM_FREE | MM_PARAM_SHARE)) && v == floor(v) && fabs(v) < 1e15)
			{
				snprintf(buf, sizeof(buf), "%ld", (long) v);
				mm_out_str(out, buf);
			}
			else
				out_number(out, v);
			break;
		case MM_PARAM_INTEGER:
			if (isnan(v))
			{
				mm_out_str(out, "null");
				break;
			}
			snprintf(buf, sizeof(buf), "%ld", (long) v);
			mm_out_str(out, buf);
			break;
		case MM_PARAM_BOOLEAN:
			mm_out_bool(out, v != 0.0);
			break;
		case MM_PARAM_CHOICE:
			if (v == MM_PARAM_LABEL_MAP)
				out_map(out, map);
			else if (v < 0.0)
				mm_out_str(out, "null");
			else
				mm_out_string(out, s->choices[(int) v]);
			break;
	}
}

void
mm_params_json(const MmParams *params, MmBuffer *out)
{
	const MmAlgorithm *a = params->algorithm;
	int			i;

	mm_out_str(out, "{");
	for (i = 0; i < a->n_params; i++)
	{
		if (i)
			mm_out_str(out, ", ");
		mm_out_string(out, a->params[i].name);
		mm_out_str(out, ": ");
		out_value(out, &a->params[i], params->value[i], &params->map[i], (params->fraction >> i) & 1);
	}
	mm_out_str(out, "}");
}

void
mm_params_hint(const MmAlgorithm *algorithm, MmBuffer *out)
{
	int			i;

	mm_out_str(out, "Valid parameters: ");
	for (i = 0; i < algorithm->n_params; i++)
	{
		if (i)
			mm_out_str(out, ", ");
		mm_out_str(out, algorithm->params[i].name);
	}
	if (algorithm->params_note)
		mm_out_str(out, algorithm->params_note);
	mm_out_str(out, ".");
}

void
mm_params_search_space(const MmAlgorithm *algorithm, int random, MmBuffer *out)
{
	int			i,
				n = 0;

	mm_out_str(out, "{");
	for (i = 0; i < algorithm->n_params; i++)
	{
		const char *space = random ? algorithm->params[i].random : algorithm->params[i].grid;

		if (space == NULL)
			continue;
		if (n++)
			mm_out_str(out, ", ");
		mm_out_string(out, algorithm->params[i].name);
		mm_out_str(out, ": ");
		mm_out_str(out, space);
	}
	mm_out_str(out, "}");
}

/* The default of parameter s as the table shows it. */
static void
out_default(MmBuffer *out, const MmParamSpec *s)
{
	if (s->flags & MM_PARAM_FREE)
	{
		mm_out_str(out, "(see meaning)");
		return;
	}
	mm_out_str(out, "`");
	out_value(out, s, s->default_value, NULL, 0);
	mm_out_str(out, "`");
}

/* What a count-or-fraction parameter takes, as the table shows it. */
static void
share_range(const MmParamSpec *s, char *buf, size_t size)
{
	size_t		len;
	int			i;

	if (isinf(s->max))
		snprintf(buf, size, "integer >= %ld (a count), ", bound(s->min));
	else
		snprintf(buf, size, "integer in [%ld, %ld] (a count), ", bound(s->min), bound(s->max));
	len = strlen(buf);
	len += snprintf(buf + len, len < size ? size - len : 0, "fraction in (0, 1%c",
					s->flags & MM_PARAM_SHARE_BELOW_ONE ? ')' : ']');
	for (i = 0; (s->flags & MM_PARAM_WORDS) && s->choices[i] != NULL; i++)
		len += snprintf(buf + len, len < size ? size - len : 0, ", \"%s\"", s->choices[i]);
	if (s->flags & MM_PARAM_NULLABLE)
		snprintf(buf + len, len < size ? size - len : 0, " or null");
}

/* The values s takes, as the table shows them. */
static void
out_range(MmBuffer *out, const MmParamSpec *s)
{
	char		buf[200];

	switch (s->type)
	{
		case MM_PARAM_NUMBER:
			if (s->flags & MM_PARAM_SHARE)
				share_range(s, buf, sizeof(buf));
			else if ((s->flags & MM_PARAM_FREE) || (isinf(s->min) && isinf(s->max)))
				snprintf(buf, sizeof(buf), "number");
			else if (isinf(s->max))
				snprintf(buf, sizeof(buf), "number %s %g", s->flags & MM_PARAM_MIN_OPEN ? ">" : ">=", s->min);
			else
				snprintf(buf, sizeof(buf), "number in %c%g, %g]",
						 s->flags & MM_PARAM_MIN_OPEN ? '(' : '[', s->min, s->max);
			if ((s->flags & MM_PARAM_WORDS) && !(s->flags & MM_PARAM_SHARE))
				append_words(s, buf, sizeof(buf));
			break;
		case MM_PARAM_INTEGER:
			snprintf(buf, sizeof(buf), "integer in [%ld, %ld]%s", bound(s->min), bound(s->max),
					 s->flags & MM_PARAM_NULLABLE ? " or null" : "");
			break;
		case MM_PARAM_BOOLEAN:
			snprintf(buf, sizeof(buf), "true or false");
			break;
		case MM_PARAM_CHOICE:
			choices_text(s, buf, sizeof(buf));
			break;
	}
	mm_out_str(out, buf);
}

void
mm_params_markdown(MmBuffer *out)
{
	int			count,
				a,
				i;
	const MmAlgorithm *const *all = mm_algorithms(&count);

	for (a = 0; a < count; a++)
	{
		const MmAlgorithm *alg = all[a];

		mm_out_str(out, a ? "\n## " : "## ");
		mm_out_str(out, alg->name);
		/* a name with a table per task says which table this is */
		if (mm_algorithm_by_name_task(alg->name, alg->task) != mm_algorithm_by_name(alg->name) ||
			(a + 1 < count && strcmp(all[a + 1]->name, alg->name) == 0))
		{
			mm_out_str(out, " (");
			mm_out_str(out, mm_task_name(alg->task));
			mm_out_str(out, ")");
		}
		mm_out_str(out, "\n\n| parameter | values | default | tuned by default | meaning |\n"
				   "|---|---|---|---|---|\n");
		for (i = 0; i < alg->n_params; i++)
		{
			const MmParamSpec *s = &alg->params[i];

			mm_out_str(out, "| `");
			mm_out_str(out, s->name);
			mm_out_str(out, "` | ");
			out_range(out, s);
			mm_out_str(out, " | ");
			out_default(out, s);
			mm_out_str(out, " | ");
			mm_out_str(out, s->grid || s->random ? "yes" : "no");
			mm_out_str(out, " | ");
			mm_out_str(out, s->meaning);
			mm_out_str(out, " |\n");
		}
	}
}
