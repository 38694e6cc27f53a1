/*
 * artifact.h: the binary format of a stored model.
 *
 * An artifact is a 24-byte header followed by a zlib-compressed body:
 *
 *   offset  size  field
 *        0     4  magic "MMDL"
 *        4     2  format version (little-endian): 2, or 3 for a model
 *                 with a reference-coded text feature or a body that ends
 *                 with optional sections (artifact_sections.h)
 *        6     2  algorithm (its artifact id, algorithm.h)
 *        8     4  flags, 0
 *       12     4  body length before compression
 *       16     4  body length after compression
 *       20     4  CRC-32 of bytes 0..19 and of the compressed body
 *
 * The body holds the task, the features (name and kind), the target name,
 * the fitted preprocessing (from format 2) and the algorithm's parameters, every integer little-endian and every double as
 * its IEEE-754 bits, so an artifact reads back to the same bits on any
 * machine.  Reading checks every length and value before use: damaged or
 * hostile bytes give MM_ERR_CORRUPT, never a crash or a half-read model.
 */
#ifndef MM_ARTIFACT_H
#define MM_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "mmcore.h"
#include "model.h"

#define MM_ARTIFACT_HEADER 24
/* the format of models that need neither reference coding nor sections: their bytes stay format 2's */
#define MM_ARTIFACT_FORMAT 2
/* the newest format this build reads and writes (see artifact.c) */
#define MM_ARTIFACT_FORMAT_MAX 3
#define MM_ARTIFACT_MAX_BODY (256u * 1024u * 1024u)
#define MM_ARTIFACT_MAX_NAME 4096

/* Serializes a model; *out is allocated with mm_alloc. */
extern MmErrorCode mm_artifact_write(const MmModel *model, uint8_t **out, size_t *len,
									 MmError *err);

/* Reads an artifact back into a model allocated with mm_alloc. */
extern MmErrorCode mm_artifact_read(const uint8_t *data, size_t len, MmModel **model,
									MmError *err);

/* The CRC-32 stored in an artifact's header (0 if too short to have one). */
extern uint32_t mm_artifact_crc(const uint8_t *data, size_t len);

#endif							/* MM_ARTIFACT_H */
