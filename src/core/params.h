/*
 * params.h: hyperparameters, declared once.
 *
 * Each algorithm declares its hyperparameters as an array of MmParamSpec:
 * name, type, default, range and what the parameter means.  From that one
 * declaration follow the parsing and validation of params (with messages
 * that state the range), the resolved params JSON a version records, the
 * "Valid parameters" hint, the default search space of mm_tune and the
 * table in doc/algorithms.md, which a test regenerates and compares.
 */
#ifndef MM_PARAMS_H
#define MM_PARAMS_H

#include <stdint.h>

#include "mmcore.h"

typedef enum MmParamType
{
	MM_PARAM_NUMBER = 1,		/* a finite double in the range */
	MM_PARAM_INTEGER,			/* a whole number in the range */
	MM_PARAM_BOOLEAN,			/* true or false, held as 1 or 0 */
	MM_PARAM_CHOICE				/* one of choices, held as its index */
} MmParamType;

/* flags */
#define MM_PARAM_MIN_OPEN 0x01	/* the range excludes min */
#define MM_PARAM_NULLABLE 0x02	/* also takes null: a choice holds it as -1, a number or an integer as NaN */
#define MM_PARAM_FREE 0x04		/* any number: the algorithm's check_params judges it */
/*
 * a number in the range, or one of the words in choices, held as -1 - its
 * index (so the range must exclude negative numbers)
 */
#define MM_PARAM_WORDS 0x08
/*
 * a choice that also takes an object of class labels (as label::text
 * renders them) and positive numbers, held as MM_PARAM_LABEL_MAP with the
 * pairs in the params' maps; the fit resolves it against the model's labels
 */
#define MM_PARAM_LABELS 0x10
/*
 * a number that is a count or a fraction, as scikit-learn's int and float
 * forms: a whole number in the range is a count, a number written as a
 * fraction (mm_param_set_fraction, JSON 0.5 or 1.0) in (0, 1] is a
 * fraction, held with its bit in fraction set, so that 1 (one) and 1.0
 * (all) differ; a whole number above 1 written with a point is a count
 */
#define MM_PARAM_SHARE 0x20
/* with MM_PARAM_SHARE: the fraction excludes 1, as for a share of the rows */
#define MM_PARAM_SHARE_BELOW_ONE 0x40

/* The value of an MM_PARAM_LABELS parameter given an object. */
#define MM_PARAM_LABEL_MAP (-2.0)

typedef struct MmParamSpec
{
	const char *name;
	MmParamType type;
	double		default_value;	/* number, integer, 0/1, or choice index (-1: null) */
	double		min;			/* numbers and integers */
	double		max;			/* HUGE_VAL: no upper bound */
	unsigned	flags;
	const char *const *choices; /* MM_PARAM_CHOICE, MM_PARAM_WORDS: NULL-terminated */
	const char *meaning;		/* one sentence, for the doc table */
	/* mm_tune's default search over the parameter, as JSON, or NULL: not searched */
	const char *grid;			/* a list, as [0.1, 1, 10] */
	const char *random;			/* a range, as {"log_uniform": [0.001, 100]} */
} MmParamSpec;

/* Most hyperparameters an algorithm may declare. */
#define MM_MAX_PARAMS 24

struct MmAlgorithm;

/* The (key, number) pairs an MM_PARAM_LABELS parameter was given, in the object's order. */
typedef struct MmParamMap
{
	int			n;
	const char *const *keys;
	const double *values;
} MmParamMap;

/* An algorithm's hyperparameters once resolved: spec i's value is value[i]. */
typedef struct MmParams
{
	const struct MmAlgorithm *algorithm;
	double		value[MM_MAX_PARAMS];
	uint32_t	given;			/* bit i: the caller set parameter i */
	uint32_t	fraction;		/* bit i: MM_PARAM_SHARE parameter i holds a fraction */
	/* spec i's pairs when value[i] is MM_PARAM_LABEL_MAP; the caller owns them */
	MmParamMap	map[MM_MAX_PARAMS];
} MmParams;

/*
 * The operations on declared hyperparameters (params.c).  A caller resolves
 * params as: mm_params_defaults, then one mm_param_set_* per given key (the
 * key found with mm_param_index), then the algorithm's check_params; the
 * setters' messages are the ones SQL reports, each naming the parameter and
 * stating its range.
 */

/* Every parameter at its default, none given. */
extern void mm_params_defaults(const struct MmAlgorithm *algorithm, MmParams *params);

/* The index of a parameter of the algorithm, or -1. */
extern int	mm_param_index(const struct MmAlgorithm *algorithm, const char *name);

/*
 * Sets parameter i from a JSON number (NaN for a value that is not a
 * number), a boolean, a string or null; a value the parameter does not take
 * fails with MM_ERR_INVALID_INPUT and the parameter's message.
 */
extern MmErrorCode mm_param_set_number(MmParams *params, int i, double value, MmError *err);
/*
 * Sets parameter i from a JSON number written as a fraction (with digits
 * after the point: 1.0, not 1): an MM_PARAM_SHARE parameter reads it as a
 * fraction, any other as mm_param_set_number does.
 */
extern MmErrorCode mm_param_set_fraction(MmParams *params, int i, double value, MmError *err);
extern MmErrorCode mm_param_set_boolean(MmParams *params, int i, int value, MmError *err);
extern MmErrorCode mm_param_set_string(MmParams *params, int i, const char *value, size_t len,
									   MmError *err);
extern MmErrorCode mm_param_set_null(MmParams *params, int i, MmError *err);

/*
 * Sets an MM_PARAM_LABELS parameter from an object's pairs (a value that is
 * not a number given as NaN), which params keeps by reference.
 */
extern MmErrorCode mm_param_set_map(MmParams *params, int i, const MmParamMap *map, MmError *err);

/*
 * The number parameter i gives each of n classes (labels as label::text
 * renders them): its pairs' numbers, 1 for a class no key names.  A key
 * that names no class fails with MM_ERR_INVALID_INPUT and the parameter's
 * index as the item.
 */
extern MmErrorCode mm_param_label_values(const MmParams *params, int i, const char *const *labels, int n,
										 double *out, MmError *err);

/* The resolved params as a JSON object, in declaration order (the params a version records). */
extern void mm_params_json(const MmParams *params, MmBuffer *out);

/* The hint listing the valid parameters: "Valid parameters: a, b, c." */
extern void mm_params_hint(const struct MmAlgorithm *algorithm, MmBuffer *out);

/* mm_tune's default search space, {"name": values, ...}, grid (lists) or random (ranges). */
extern void mm_params_search_space(const struct MmAlgorithm *algorithm, int random, MmBuffer *out);

/* A markdown section per algorithm with a table of its parameters (doc/algorithms.md). */
extern void mm_params_markdown(MmBuffer *out);

#endif							/* MM_PARAMS_H */
