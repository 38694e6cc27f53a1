/*
 * xgb_json.h: XGBoost's JSON model format, read into a tree ensemble.
 *
 * The booster a fit trains is saved in XGBoost's own JSON format
 * (XGBoosterSaveModelToBuffer with "format": "json") and that text is what
 * a model keeps: the artifact stores it, the export document embeds it for
 * xgboost.Booster().load_model, and the flat arrays prediction walks are
 * read from it here.  Only what this build predicts is accepted: gbtree
 * boosters of numerical splits under the objectives tree_ensemble.h names.
 * Trees grown here (hist_trees.h) are written in the same format.
 */
#ifndef MM_XGB_JSON_H
#define MM_XGB_JSON_H

#include <stddef.h>

#include "mmcore.h"
#include "tree_ensemble.h"

/*
 * The ensemble of a booster's JSON model, parsed from text (len bytes) or
 * given as a jansson object (the document's); NULL with err set,
 * MM_ERR_CORRUPT when the model is damaged or not one this build predicts.
 */
extern MmTreeEnsemble *mm_xgb_parse(const char *text, size_t len, MmError *err);
extern MmTreeEnsemble *mm_xgb_from_json(const void *booster, MmError *err);

/*
 * The JSON model (mm_alloc'd text, its length in *len) of an ensemble this
 * build grew, of parallel_trees trees a round (xgb_json_write.c): what
 * mm_xgb_parse reads back to the same trees, and XGBoost 1.7 loads.  NULL
 * with err set when memory runs out.
 */
extern char *mm_xgb_write(const MmTreeEnsemble *e, int parallel_trees, size_t *len, MmError *err);

#endif							/* MM_XGB_JSON_H */
