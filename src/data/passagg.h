/*
 * passagg.h: passes of the core's data sources as the aggregate mm_pass.
 */
#ifndef MM_PASSAGG_H
#define MM_PASSAGG_H

#include "postgres.h"

#include "fmgr.h"

#include "passstate.h"
#include "source.h"

extern bytea *MmPassHeader(int artifact_id, int index, int p, int target, double test_size,
						   int32 seed, const void *arg, size_t arg_len);
extern bytea *MmPassHeaderDesign(int artifact_id, int index, int p, int target, double test_size,
								 int32 seed, const void *arg, size_t arg_len, int raw_p, int part,
								 const void *design, size_t design_len);
extern bytea *MmPassStateFromDatum(Datum datum, MmPassStateView *view, const MmPass **pass);

/* For the aggregate's other forms (passtext.c). */
extern const MmPass *MmPassStatePass(const void *buf, Size len, bool full);
extern bytea *MmPassNewState(FunctionCallInfo fcinfo, MemoryContext aggcxt, const MmPass **pass);
extern void MmPassRequireSameHeader(FunctionCallInfo fcinfo, const MmPassStateView *view);

/*
 * A state an mm_pass transition returned, checked, and the header it was
 * read with: the bytea returned (datum), its payload (state) and the view
 * into it, which stay as they are while the aggregate hands the same
 * state back.
 */
typedef struct MmPassTrust
{
	const void *datum;
	Size		size;			/* the datum's bytes */
	uint64		stamp;			/* the state's stamp */
	const void *state;
	const void *header;
	const MmPass *pass;
	MmPassStateView view;
} MmPassTrust;

/*
 * Whether two trusts name the same state at the same place, read with the
 * same header: the view is read from the state alone, so theirs are the
 * same too.
 */
static inline bool
MmPassSameTrust(const MmPassTrust *a, const MmPassTrust *b)
{
	return a->datum == b->datum && a->state == b->state && a->size == b->size &&
		a->stamp == b->stamp && a->header == b->header && a->pass == b->pass;
}

extern bytea *MmPassAccumState(FunctionCallInfo fcinfo, MemoryContext aggcxt, MmPassTrust *trust,
							   void **buf, const MmPass **pass, MmPassStateView *room,
							   MmPassStateView **view);
extern void MmPassTrustState(FunctionCallInfo fcinfo, MmPassTrust *trust, bytea *state, void *buf,
							 const MmPass *pass, const MmPassStateView *view);

#endif							/* MM_PASSAGG_H */
