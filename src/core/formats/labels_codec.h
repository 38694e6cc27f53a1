/*
 * labels_codec.h: a classifier's labels in the artifact and the document,
 * which every classifier's codec writes first in its part.
 */
#ifndef MM_LABELS_CODEC_H
#define MM_LABELS_CODEC_H

#include "artifact_io.h"
#include "document_io.h"
#include "model.h"

/* The kind, the count, then each class (and its value unless text). */
extern void mm_labels_write(MmBuffer *w, const MmLabels *l);

/* Reads them back into l (allocating); 0 when they are malformed or classes repeat. */
extern int	mm_labels_read(MmArtifactReader *r, MmLabels *l);

/* The members "label_kind", "classes" and "class_values", without the object's braces. */
extern void mm_labels_to_json(MmBuffer *o, const MmLabels *l);

/* Reads those members of part into l; the reader records the first fault. */
extern MmErrorCode mm_labels_from_json(MmDocumentReader *in, const void *part, MmLabels *l);

#endif							/* MM_LABELS_CODEC_H */
