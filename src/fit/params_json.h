/*
 * params_json.h: an algorithm's params argument resolved from the
 * hyperparameters its table declares, and the JSON a version records.
 */
#ifndef MM_PARAMS_JSON_H
#define MM_PARAMS_JSON_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "algorithm.h"
#include "params.h"

extern void MmParseParams(const MmAlgorithm *algorithm, Jsonb *params, int p, MmParams *out);
extern void MmCheckParamsWidth(const MmParams *params, int p);
extern void MmCheckParamLabels(const MmParams *params, const MmLabels *labels);
extern char *MmParamsJson(const MmParams *params);

#endif							/* MM_PARAMS_JSON_H */
