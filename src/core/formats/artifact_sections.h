/*
 * artifact_sections.h: the optional sections at the end of an artifact's
 * body (format 3), each written only for a model that needs it.
 *
 * From format 3 the algorithm's part of the body may be followed by
 * sections, each a tag byte, a 32-bit length and that many bytes, which a
 * reader that knows the tag checks to the last byte.  A model that needs
 * no section is written as format 2, byte for byte as before sections
 * existed, so that only models using a feature a reader may not know carry
 * the higher format number.
 */
#ifndef MM_ARTIFACT_SECTIONS_H
#define MM_ARTIFACT_SECTIONS_H

#include "artifact_io.h"
#include "model.h"

/* The first format whose bodies may end with sections. */
#define MM_ARTIFACT_FORMAT_SECTIONS 3

/* Section tags: stored, never renumber them. */
#define MM_SECTION_DATE_PARTS 1	/* the part of each feature of a date (datepart.h) */

/* True when the model needs any section, and so format 3. */
extern int	mm_artifact_needs_sections(const MmModel *model);

/* Appends the sections the model needs. */
extern void mm_artifact_write_sections(MmBuffer *body, const MmModel *model);

/*
 * Reads the sections to the end of the body and checks the model they
 * complete (a date part feature needs its part); returns 0 when malformed.
 */
extern int	mm_artifact_read_sections(MmArtifactReader *r, MmModel *model);

#endif							/* MM_ARTIFACT_SECTIONS_H */
