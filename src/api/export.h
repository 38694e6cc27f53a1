/*
 * export.h: mm_export and mm_import's setup at load.
 */
#ifndef MM_EXPORT_H
#define MM_EXPORT_H



extern void MmExportInit(void);

#endif							/* MM_EXPORT_H */
