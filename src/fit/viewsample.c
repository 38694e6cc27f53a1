/*
 * viewsample.c: a repeatable uniform sample of a relation that has no
 * TABLESAMPLE (a view), for the baseline of a training in passes.
 *
 * A table is sampled with TABLESAMPLE bernoulli ... REPEATABLE (seed); a
 * view has no pages to sample, and its first rows through a LIMIT are
 * whatever its query yields first (the oldest rows of a view ordered by
 * time, say), not a sample.  So a view's rows are kept by their draw: the
 * hash of a row's values that the training's split is decided by
 * (mm_pass_part), salted apart from the split, falls below the rate with
 * that probability.  The same rows are kept for the same seed while the
 * view's rows are unchanged, in whatever order they come and wherever
 * they are read: in parallel workers, or on the shards of a distributed
 * table the view reads, each of which then sends about its share.  A
 * LIMIT a few deviations above the rows expected bounds the read, and
 * states the bound in the query itself.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"

#include "catalog.h"
#include "relsource.h"
#include "viewsample.h"

char *
MmSampledRows(const MmSource *src, const char *relation, bytea *header, int target,
			  MmLabelKind label_kind, const char *where, double bound)
{
	size_t		len = VARSIZE_ANY_EXHDR(header);
	char	   *hex = palloc(2 * len + 1);

	hex[hex_encode(VARDATA_ANY(header), len, hex)] = '\0';
	/* an escape string literal reads alike whatever standard_conforming_strings says */
	return psprintf("(SELECT * FROM %s r WHERE %s%s%s.mm_pass_part(E'\\\\x%s'::pg_catalog.bytea, %s, %s) "
					"OPERATOR(pg_catalog.=) 1 LIMIT %.0f)",
					relation, where != NULL ? where : "", where != NULL ? " AND " : "",
					MmExtensionSchema(), hex, MmPassTargetExpression(src, target, label_kind, "r"),
					MmPassRowArguments(src, target, label_kind, "r"), ceil(bound));
}

double
MmSampleBound(double want)
{
	/* a Bernoulli count's deviation is below its mean's square root; 4 of them are rarely passed */
	return ceil(want + 4.0 * sqrt(want) + 16.0);
}
