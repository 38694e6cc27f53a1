/*
 * searchspace.c: the search space of mm_tune and the candidates drawn from it.
 *
 * A space maps each hyperparameter (or preprocess.<path>) to a list of
 * values or a range ({"uniform": [lo, hi]}, {"log_uniform": ...},
 * {"int_uniform": ...}).  method grid takes the product of the lists;
 * random draws trials candidates, each value independently, from a
 * generator seeded by the seed argument, so a search is repeatable.
 */
#include "postgres.h"

#include <math.h>

#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "algorithm.h"
#include "mmcore.h"
#include "params.h"
#include "random.h"
#include "rowhash.h"
#include "searchspace.h"
#include "util.h"

/* Most candidates a search may have. */
#define MAX_CANDIDATES 10000

/* The algorithm's default space (see doc/tuning.md), from its parameters' declarations. */
const char *
MmDefaultSpace(const MmAlgorithm *algorithm, bool random)
{
	MmBuffer	b = {0};

	mm_params_search_space(algorithm, random, &b);
	if (b.failed)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory writing a search space")));
	return b.data;
}

/* A JSON scalar as JSON text. */
static char *
scalar_json(const JsonbValue *v)
{
	StringInfoData buf;

	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvBool:
			return v->val.boolean ? "true" : "false";
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvString:
			initStringInfo(&buf);
			MmJsonString(&buf, pnstrdup(v->val.string.val, v->val.string.len));
			return buf.data;
		default:
			return NULL;
	}
}

static void
bad_space(const char *key, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("search entry \"%s\" %s", key, why),
			 errhint("Give a list of values, as {\"alpha\": [0.1, 1, 10]}, or a range, as "
					 "{\"alpha\": {\"log_uniform\": [0.001, 10]}} (uniform, log_uniform, int_uniform).")));
}

/* Parses one entry of a search object. */
static void
parse_dimension(const char *key, const JsonbValue *v, MmDimension *d)
{
	memset(d, 0, sizeof(*d));
	d->key = key;
	d->preprocess = strncmp(key, "preprocess.", 11) == 0;
	if (d->preprocess && strlen(key) == 11)
		bad_space(key, "names no preprocessing option");
	/* the parts are columns of the rows the search reads once, before any candidate */
	if (d->preprocess && strlen(key) >= 11 + 10 &&
		strcmp(key + strlen(key) - 10, "date_parts") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("search entry \"%s\" cannot be searched", key),
				 errdetail("A date's parts are the columns the search reads, fixed before any candidate runs."),
				 errhint("Choose them with preprocess => '{\"column\": {\"date_parts\": [...]}}', and compare choices with separate searches.")));
	if (v->type != jbvBinary)
		bad_space(key, "is neither a list of values nor a range");
	if (JsonContainerIsArray(v->val.binary.data))
	{
		int			n = JsonContainerSize(v->val.binary.data),
					i;

		if (n == 0)
			bad_space(key, "is an empty list");
		d->kind = MM_DIM_LIST;
		d->nvalues = n;
		d->values = palloc(sizeof(char *) * n);
		for (i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);

			d->values[i] = scalar_json(e);
			if (d->values[i] == NULL)
				bad_space(key, "lists a value that is not a number, string, boolean or null");
		}
		return;
	}
	else
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		char	   *range;
		JsonbValue	bounds;
		JsonbValue *lo,
				   *hi;

		if (JsonContainerSize(v->val.binary.data) != 1 || !MmJsonbNextPair(&it, &range, &bounds))
			bad_space(key, "must have exactly one of uniform, log_uniform, int_uniform");
		if (strcmp(range, "uniform") == 0)
			d->kind = MM_DIM_UNIFORM;
		else if (strcmp(range, "log_uniform") == 0)
			d->kind = MM_DIM_LOG_UNIFORM;
		else if (strcmp(range, "int_uniform") == 0)
			d->kind = MM_DIM_INT_UNIFORM;
		else
			bad_space(key, psprintf("has range \"%s\", which is not uniform, log_uniform or int_uniform", range));
		if (bounds.type != jbvBinary || !JsonContainerIsArray(bounds.val.binary.data) ||
			JsonContainerSize(bounds.val.binary.data) != 2)
			bad_space(key, "must give its range as [low, high]");
		lo = getIthJsonbValueFromContainer(bounds.val.binary.data, 0);
		hi = getIthJsonbValueFromContainer(bounds.val.binary.data, 1);
		d->lo = MmJsonbNumber(lo);
		d->hi = MmJsonbNumber(hi);
		if (!isfinite(d->lo) || !isfinite(d->hi) || !(d->lo < d->hi))
			bad_space(key, "must give a range of two finite numbers, the low one first");
		if (d->kind == MM_DIM_LOG_UNIFORM && !(d->lo > 0.0))
			bad_space(key, "must give a log_uniform range above 0");
		if (d->kind == MM_DIM_INT_UNIFORM && (d->lo != floor(d->lo) || d->hi != floor(d->hi)))
			bad_space(key, "must give an int_uniform range of integers");
	}
}

void
MmParseSpace(Jsonb *search, MmSpace *space)
{
	JsonbIterator *it;
	char	   *key;
	JsonbValue	v;
	int			cap = 8;

	MmJsonbRequireObject(search, "search");
	memset(space, 0, sizeof(*space));
	space->dims = palloc(sizeof(MmDimension) * cap);
	it = JsonbIteratorInit(&search->root);
	while (MmJsonbNextPair(&it, &key, &v))
	{
		if (space->n == cap)
		{
			cap *= 2;
			space->dims = repalloc(space->dims, sizeof(MmDimension) * cap);
		}
		parse_dimension(key, &v, &space->dims[space->n++]);
	}
	if (space->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("search is empty"),
				 errhint("Leave search null for the algorithm's default space.")));
}

/* The value of a dimension a draw u in [0, 1) picks, as JSON text. */
static char *
draw_value(const MmDimension *d, double u)
{
	double		x;
	StringInfoData buf;

	switch (d->kind)
	{
		case MM_DIM_LIST:
			return d->values[Min((int) (u * d->nvalues), d->nvalues - 1)];
		case MM_DIM_UNIFORM:
			x = d->lo + u * (d->hi - d->lo);
			break;
		case MM_DIM_LOG_UNIFORM:
			x = exp(log(d->lo) + u * (log(d->hi) - log(d->lo)));
			break;
		default:
			x = floor(d->lo + u * (d->hi - d->lo + 1.0));
			x = Min(x, d->hi);
			break;
	}
	initStringInfo(&buf);
	MmJsonNumber(&buf, x);
	return buf.data;
}

/* Appends the candidates of one algorithm over space to out. */
void
MmSpaceCandidates(const MmSpace *space, const MmAlgorithm *algorithm, const char *method, int trials,
				  int32 seed, MmCandidateList *out)
{
	int			i,
				j;
	double		total = 1.0;
	bool		all_lists = true;

	for (i = 0; i < space->n; i++)
	{
		const MmDimension *d = &space->dims[i];

		if (d->kind != MM_DIM_LIST)
		{
			all_lists = false;
			if (strcmp(method, "grid") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("search entry \"%s\" is a range, which method grid cannot enumerate", d->key),
						 errhint("Pass method => 'random' to draw from ranges, or list the values.")));
		}
		else
			total *= d->nvalues;
	}

	if (strcmp(method, "grid") == 0 || (all_lists && total <= trials))
	{
		int		   *index = palloc0(sizeof(int) * Max(space->n, 1));
		int			count = (int) total;

		if (total > MAX_CANDIDATES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the search grid has %.0f candidates, more than %d", total, MAX_CANDIDATES),
					 errhint("Search fewer values, or pass method => 'random' with a number of trials.")));
		for (j = 0; j < count; j++)
		{
			MmCandidate *c = MmCandidateAdd(out, algorithm, space);

			for (i = 0; i < space->n; i++)
				c->values[i] = space->dims[i].values[index[i]];
			/* the next combination, the last dimension fastest */
			for (i = space->n - 1; i >= 0; i--)
			{
				if (++index[i] < space->dims[i].nvalues)
					break;
				index[i] = 0;
			}
		}
		return;
	}

	{
		MmRandom	draws = mm_random(mm_seed_salt(seed) ^ UINT64CONST(0x7475726e));	/* their own stream */

		for (j = 0; j < trials; j++)
		{
			MmCandidate *c = MmCandidateAdd(out, algorithm, space);

			for (i = 0; i < space->n; i++)
				c->values[i] = draw_value(&space->dims[i], mm_random_uniform(&draws));
		}
	}
}

MmCandidate *
MmCandidateAdd(MmCandidateList *list, const MmAlgorithm *algorithm, const MmSpace *space)
{
	MmCandidate *c;

	if (list->n == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 16;
		list->items = list->items ? repalloc(list->items, sizeof(MmCandidate) * list->cap) :
			palloc(sizeof(MmCandidate) * list->cap);
	}
	if (list->n >= MAX_CANDIDATES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the search has more than %d candidates", MAX_CANDIDATES)));
	c = &list->items[list->n++];
	memset(c, 0, sizeof(*c));
	c->algorithm = algorithm;
	c->space = space;
	c->values = palloc0(sizeof(char *) * Max(space->n, 1));
	return c;
}
