/*
 * viewsample.h: a repeatable uniform sample of a relation that has no
 * TABLESAMPLE (a view), for the baseline of a training in passes.
 */
#ifndef MM_VIEWSAMPLE_H
#define MM_VIEWSAMPLE_H

#include "postgres.h"

#include "columns.h"
#include "discover.h"

/*
 * The rows of relation (read as src's features, target and label_kind
 * read them) that header's split holds out, where the condition where
 * holds (NULL: every row), at most bound of them, as a subquery: header
 * is a design pass header over src's raw features whose test_size is the
 * rate to sample at and whose seed sets the sample apart from the
 * training's split.
 */
extern char *MmSampledRows(const MmSource *src, const char *relation, bytea *header, int target,
						   MmLabelKind label_kind, const char *where, double bound);

/*
 * The query of view, a view that reads one table row by row, with that
 * table sampled by TABLESAMPLE bernoulli (percent) REPEATABLE (seed), as
 * SQL that reads the rows the view would, each at that rate; NULL when
 * view is no such view, or the caller, reading the table directly, could
 * read other rows than through the view (viewsample.c says when).
 */
extern char *MmViewTableSample(Oid view, double percent, int32 seed);

/* A bound on the rows a sample expecting want of them returns: a few deviations above. */
extern double MmSampleBound(double want);

#endif
