--
-- Random forests in passes over the relation: trees grown on histograms,
-- level by level (doc/boosting.md, Forests in passes).  Against XGBoost's
-- forests in memory on the same rows; the same trees with parallel workers
-- on every pass (the states merged by the combine function) and with a
-- memory limit that spreads each level over several passes; missing values
-- taken as in memory; a node's histograms past the limit refused, the
-- catalog left as it was; a search in passes; mm_evaluate of a regressor
-- that is no linear form in passes, as in memory.
--
\pset null '(null)'

-- 3,000 rows: three numbers (a missing in every 23rd row), a text feature,
-- a numeric target and a label of three classes
CREATE TABLE fpp AS
SELECT g AS id,
       CASE WHEN g % 23 = 0 THEN NULL ELSE ((g * 37) % 1009) / 1009.0 END::float8 AS a,
       ((g * 53) % 1013) / 1013.0::float8 AS b,
       ((g * 29) % 997) / 997.0::float8 AS c,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       sin(6 * ((g * 53) % 1013) / 1013.0) + 2 * (((g * 29) % 997) / 997.0) ^ 2
         + CASE WHEN g % 3 = 0 THEN 0.5 ELSE 0 END + ((g * 7919) % 100) / 500.0 AS y,
       CASE WHEN ((g * 53) % 1013) / 1013.0 + (((g * 29) % 997) / 997.0) ^ 2 > 1.1 THEN 'high'
            WHEN ((g * 53) % 1013) / 1013.0 > 0.4 THEN 'mid' ELSE 'low' END AS level
  FROM generate_series(1, 3000) g;
ANALYZE fpp;

-- a forest of the label (or of y) with the suite's params, in passes or not
CREATE FUNCTION pg_temp.forest(name text, target text, passes text, params jsonb DEFAULT '{}')
RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('modelmgr.train_in_passes', passes, true);
  RETURN (SELECT version FROM mm_train(name, 'fpp', target, algorithm => 'random_forest',
                                       exclude => ARRAY['id', CASE WHEN target = 'y' THEN 'level' ELSE 'y' END],
                                       params => '{"n_estimators": 10, "max_depth": 6}'::jsonb || params));
END $$;
-- whether two models' trees are the same, node for node
CREATE FUNCTION pg_temp.same_trees(a text, b text) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(a) d) =
         (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(b) d)
$$;

-- in passes and in memory: the same kind of model, within a few points of each other
SELECT pg_temp.forest('fpp_cls', 'level', 'on'), pg_temp.forest('fpp_reg', 'y', 'on'),
       pg_temp.forest('fpp_cls_mem', 'level', 'off'), pg_temp.forest('fpp_reg_mem', 'y', 'off');
SELECT p.model, p.algorithm, p.task, p.rows_train, p.rows_test,
       jsonb_array_length(d #> '{model,booster,learner,gradient_booster,model,trees}') AS trees,
       abs((p.metrics #>> '{test,accuracy}')::float8 - (m.metrics #>> '{test,accuracy}')::float8) < 0.03 AS accuracy_close,
       abs((p.metrics #>> '{test,r2}')::float8 - (m.metrics #>> '{test,r2}')::float8) < 0.02 AS r2_close,
       (p.metrics #>> '{test,accuracy}')::float8 > 0.9 OR (p.metrics #>> '{test,r2}')::float8 > 0.9 AS fits
  FROM mm.versions p JOIN mm.versions m ON m.model = p.model || '_mem', mm_export(p.model) d
 WHERE p.model IN ('fpp_cls', 'fpp_reg') ORDER BY p.model;

-- the missing values of a reached the trees as missing: some split sends them one way
SELECT bool_or(dl) AS a_missing_goes_left, bool_or(NOT dl) AS a_missing_goes_right
  FROM mm_export('fpp_reg') d,
       jsonb_array_elements(d #> '{model,booster,learner,gradient_booster,model,trees}') t,
       jsonb_array_elements(t -> 'split_indices') WITH ORDINALITY s(feature, i),
       LATERAL (SELECT (t -> 'default_left' ->> (i - 1)::int)::int = 1 AS dl) l
 WHERE s.feature::int = 0 AND (t -> 'left_children' ->> (i - 1)::int)::int >= 0;

-- parallel workers on every pass: the same trees
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.forest('fpp_cls_par', 'level', 'on'), pg_temp.forest('fpp_reg_par', 'y', 'on');
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
-- a sixteenth of 1MB for a pass's histograms: a level's nodes spread over many passes, the same trees
SET modelmgr.max_train_memory = '1MB';
SELECT pg_temp.forest('fpp_cls_small', 'level', 'on'), pg_temp.forest('fpp_reg_small', 'y', 'on');
RESET modelmgr.max_train_memory;
SELECT pg_temp.same_trees('fpp_cls', 'fpp_cls_par') AS cls_parallel, pg_temp.same_trees('fpp_reg', 'fpp_reg_par') AS reg_parallel,
       pg_temp.same_trees('fpp_cls', 'fpp_cls_small') AS cls_small, pg_temp.same_trees('fpp_reg', 'fpp_reg_small') AS reg_small;
-- and another seed draws other trees
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('fpp_seed', 'fpp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
                             params => '{"n_estimators": 10, "max_depth": 6}', seed => 7);
RESET modelmgr.train_in_passes;
SELECT pg_temp.same_trees('fpp_cls', 'fpp_seed') AS same_with_another_seed;

-- one node's histograms past what a pass may hold (201 design columns, 1MB): refused, nothing recorded
CREATE TABLE fpp_wide AS
SELECT g, 'c' || (g % 200) AS cat, (g * 0.37)::float8 AS x, g % 3 = 0 AS label FROM generate_series(1, 2000) g;
SET modelmgr.train_in_passes = on;
SET modelmgr.max_train_memory = '1MB';
SELECT version FROM mm_train('fpp_wide', 'fpp_wide', 'label', algorithm => 'random_forest', exclude => ARRAY['g']);
RESET modelmgr.max_train_memory;
RESET modelmgr.train_in_passes;
SELECT (SELECT count(*) FROM mm.models WHERE model = 'fpp_wide') AS models, (SELECT count(*) FROM mm.versions WHERE model = 'fpp_wide') AS versions;

-- a search in passes: each fold's forest grown in passes restricted to the fold inside the aggregate
SET modelmgr.train_in_passes = on;
SELECT model, params -> 'max_depth' AS max_depth
  FROM mm_tune('fpp_tuned', 'fpp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
               params => '{"n_estimators": 8}', folds => 3, search => '{"max_depth": [2, 6]}');
SELECT trial, params -> 'max_depth' AS max_depth, status, array_length(fold_scores, 1) AS folds,
       cv_mean > 0.8 AS scores_well
  FROM mm._trials WHERE model = 'fpp_tuned' ORDER BY trial;
RESET modelmgr.train_in_passes;

-- mm_evaluate in passes of regressors that are no linear form: a pass predicts every row
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('fpp_gb', 'fpp', 'y', algorithm => 'gradient_boosting', exclude => ARRAY['id', 'level'],
                             params => '{"n_estimators": 10}');
CREATE TEMP TABLE evaluated AS
SELECT m, mm_evaluate(m, 'fpp') AS r FROM unnest(ARRAY['fpp_gb', 'fpp_reg']) m;
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT mm_evaluate('fpp_gb', 'fpp') IS NOT NULL AS evaluated;
RESET client_min_messages;
SELECT e.m, (p.r ->> 'rows') = (e.r ->> 'rows') AS same_rows,
       bool_and(abs((p.r ->> k)::float8 - (e.r ->> k)::float8) <= 1e-9 * abs((e.r ->> k)::float8)) AS same_metrics
  FROM evaluated e, LATERAL (SELECT mm_evaluate(e.m, 'fpp') AS r) p,
       unnest(ARRAY['r2', 'rmse', 'mae', 'explained_variance']) k
 GROUP BY e.m, p.r, e.r ORDER BY e.m;
RESET modelmgr.train_in_passes;
