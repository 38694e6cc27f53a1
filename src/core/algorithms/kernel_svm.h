/*
 * kernel_svm.h: what the two tables of the kernel SVM (kernel_svm.c), the
 * classifier and the regressor, share: the payload's prediction and codecs
 * (kernel_svm_codec.c).
 */
#ifndef MM_KERNEL_SVM_H
#define MM_KERNEL_SVM_H

#include "algorithm.h"

extern void mm_ksvm_write(MmBuffer *w, const MmModel *model);
extern MmErrorCode mm_ksvm_read(struct MmArtifactReader *r, MmModel *model);
extern void mm_ksvm_to_json(MmBuffer *o, const MmModel *model);
extern MmErrorCode mm_ksvm_from_json(struct MmDocumentReader *in, const void *part, MmModel *model);

#endif							/* MM_KERNEL_SVM_H */
