/*
 * numberlabel.c: a classifier's number labels read from a column of any
 * numeric type.
 *
 * Integer columns are read as bigint.  Float and numeric columns are read in
 * their own type, not cast to bigint, since the cast would round 2.5 to a
 * class silently: each value must be a whole number, and one that is not is
 * the caller's error to report.  A label is kept as an int64 (its text, its
 * hash) and as a double (class_values, what mm_predict returns), so it must
 * lie within MM_MAX_NUMBER_LABEL, where the double is exact.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "numberlabel.h"

/* The type a number label of a column of this type is read as. */
Oid
MmNumberLabelSourceType(Oid type)
{
	Oid			base = getBaseType(type);

	if (base == FLOAT4OID || base == FLOAT8OID || base == NUMERICOID)
		return base;
	return INT8OID;
}

/* A float's value as a label. */
static MmNumberLabelRead
float_label(double v, int64 *label)
{
	if (!isfinite(v))
		return MM_NUMBER_LABEL_NONFINITE;
	if (v != trunc(v))
		return MM_NUMBER_LABEL_FRACTIONAL;
	if (fabs(v) > (double) MM_MAX_NUMBER_LABEL)
		return MM_NUMBER_LABEL_TOO_LARGE;
	*label = (int64) v;
	return MM_NUMBER_LABEL_OK;
}

/* A numeric's value as a label, compared exactly: no rounding through a double. */
static MmNumberLabelRead
numeric_label(Datum value, int64 *label)
{
	Numeric		num = DatumGetNumeric(value);
	Datum		whole;
	Datum		bound;

	if (numeric_is_nan(num) || numeric_is_inf(num))
		return MM_NUMBER_LABEL_NONFINITE;
	whole = DirectFunctionCall2(numeric_trunc, value, Int32GetDatum(0));
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, value, whole)))
		return MM_NUMBER_LABEL_FRACTIONAL;
	bound = NumericGetDatum(int64_to_numeric(MM_MAX_NUMBER_LABEL));
	if (DatumGetBool(DirectFunctionCall2(numeric_gt, DirectFunctionCall1(numeric_abs, value), bound)))
		return MM_NUMBER_LABEL_TOO_LARGE;
	*label = DatumGetInt64(DirectFunctionCall1(numeric_int8, whole));
	return MM_NUMBER_LABEL_OK;
}

/*
 * Reads a value of the source type (MmNumberLabelSourceType) as a label,
 * setting *label when the value is one.
 */
MmNumberLabelRead
MmNumberLabelFrom(Datum value, Oid source, int64 *label)
{
	switch (source)
	{
		case FLOAT4OID:
			return float_label((double) DatumGetFloat4(value), label);
		case FLOAT8OID:
			return float_label(DatumGetFloat8(value), label);
		case NUMERICOID:
			return numeric_label(value, label);
		default:
			*label = DatumGetInt64(value);
			/* labels are compared as doubles, which hold each integer alone up to 2^53 */
			if (*label > MM_MAX_NUMBER_LABEL || *label < -MM_MAX_NUMBER_LABEL)
				return MM_NUMBER_LABEL_TOO_LARGE;
			return MM_NUMBER_LABEL_OK;
	}
}

/* The value as its type renders it, for errors that name it. */
char *
MmNumberLabelText(Datum value, Oid source)
{
	Oid			output;
	bool		varlena;

	getTypeOutputInfo(source, &output, &varlena);
	return OidOutputFunctionCall(output, value);
}
