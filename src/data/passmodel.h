/*
 * passmodel.h: the process's copy of the model a pass measures.
 */
#ifndef MM_PASSMODEL_H
#define MM_PASSMODEL_H

/* Points the evaluation passes' model loader at memory that outlives a query. */
extern void MmPassModelInit(void);

#endif							/* MM_PASSMODEL_H */
