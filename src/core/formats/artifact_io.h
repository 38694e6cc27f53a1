/*
 * artifact_io.h: the byte primitives of the artifact format (artifact.c),
 * for the algorithms' codecs of their own part of the body.
 *
 * Every integer is little-endian and every double its IEEE-754 bits.  A
 * reader is a bounded cursor: a read past the end sets failed and returns
 * zero, so a codec reads its whole part and checks failed once.
 */
#ifndef MM_ARTIFACT_IO_H
#define MM_ARTIFACT_IO_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"

struct MmArtifactReader
{
	const uint8_t *p;
	size_t		left;
	int			failed;
	int			format;			/* the artifact's format version */
};

typedef struct MmArtifactReader MmArtifactReader;

extern void mm_put_u8(MmBuffer *w, uint8_t v);
extern void mm_put_u32(MmBuffer *w, uint32_t v);
extern void mm_put_f64(MmBuffer *w, double v);
extern void mm_put_f64_array(MmBuffer *w, const double *v, size_t n);
extern void mm_put_str(MmBuffer *w, const char *s);

extern uint8_t mm_get_u8(MmArtifactReader *r);
extern uint32_t mm_get_u32(MmArtifactReader *r);
extern double mm_get_f64(MmArtifactReader *r);

/* A string of up to MM_ARTIFACT_MAX_NAME bytes without NUL (empty only when allowed), or NULL. */
extern char *mm_get_string(MmArtifactReader *r, int allow_empty);

/* n doubles into a new array, or NULL (failed set) when they are not all there. */
extern double *mm_get_f64_array(MmArtifactReader *r, size_t n);

/* True when every one of n doubles is finite. */
extern int	mm_all_finite(const double *v, size_t n);

#endif							/* MM_ARTIFACT_IO_H */
