--
-- Gradient boosting in passes over the relation: each round's trees grown
-- on histograms of the rows' gradients at the margins of the rounds before,
-- level by level (doc/boosting.md, Boosting in passes).  Against XGBoost in
-- memory on the same rows; the same trees with parallel workers on every
-- pass and with a memory limit that spreads each level over several
-- passes; early stopping on the same held-out rows as in memory; too few
-- rows for it refused, the catalog left as it was; a search in passes.
--
\pset null '(null)'

-- 3,000 rows: three numbers (a missing in every 23rd row), a text feature,
-- a numeric target, a label of three classes and one of two
CREATE TABLE gbp AS
SELECT g AS id,
       CASE WHEN g % 23 = 0 THEN NULL ELSE ((g * 37) % 1009) / 1009.0 END::float8 AS a,
       ((g * 53) % 1013) / 1013.0::float8 AS b,
       ((g * 29) % 997) / 997.0::float8 AS c,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       sin(6 * ((g * 53) % 1013) / 1013.0) + 2 * (((g * 29) % 997) / 997.0) ^ 2
         + CASE WHEN g % 3 = 0 THEN 0.5 ELSE 0 END + ((g * 7919) % 100) / 500.0 AS y,
       CASE WHEN ((g * 53) % 1013) / 1013.0 + (((g * 29) % 997) / 997.0) ^ 2 > 1.1 THEN 'high'
            WHEN ((g * 53) % 1013) / 1013.0 > 0.4 THEN 'mid' ELSE 'low' END AS level,
       ((g * 53) % 1013) / 1013.0 + ((g * 7919) % 100) / 250.0 > 0.8 AS above
  FROM generate_series(1, 3000) g;
ANALYZE gbp;

-- boosting of a target with the suite's params, in passes or not
CREATE FUNCTION pg_temp.boost(name text, target text, passes text, params jsonb DEFAULT '{}')
RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('modelmgr.train_in_passes', passes, true);
  RETURN (SELECT version FROM mm_train(name, 'gbp', target, algorithm => 'gradient_boosting',
                                       features => ARRAY['a', 'b', 'c', 'region'],
                                       params => '{"n_estimators": 20, "max_depth": 4, "learning_rate": 0.2}'::jsonb || params));
END $$;
-- whether two models' trees are the same, node for node
CREATE FUNCTION pg_temp.same_trees(a text, b text) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(a) d) =
         (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(b) d)
$$;

-- in passes and in memory: the same kind of model, within a few points of each other
SELECT pg_temp.boost('gbp_cls', 'level', 'on'), pg_temp.boost('gbp_reg', 'y', 'on'),
       pg_temp.boost('gbp_bin', 'above', 'on', '{"subsample": 0.8, "colsample_bytree": 0.7, "reg_alpha": 0.5, "scale_pos_weight": 2}'),
       pg_temp.boost('gbp_cls_mem', 'level', 'off'), pg_temp.boost('gbp_reg_mem', 'y', 'off'),
       pg_temp.boost('gbp_bin_mem', 'above', 'off', '{"subsample": 0.8, "colsample_bytree": 0.7, "reg_alpha": 0.5, "scale_pos_weight": 2}');
SELECT p.model, p.algorithm, p.task, p.rows_train, p.rows_test,
       jsonb_array_length(d #> '{model,booster,learner,gradient_booster,model,trees}') AS trees,
       abs((p.metrics #>> '{test,accuracy}')::float8 - (m.metrics #>> '{test,accuracy}')::float8) < 0.03 AS accuracy_close,
       abs((p.metrics #>> '{test,r2}')::float8 - (m.metrics #>> '{test,r2}')::float8) < 0.02 AS r2_close,
       (p.metrics #>> '{test,accuracy}')::float8 > 0.85 OR (p.metrics #>> '{test,r2}')::float8 > 0.9 AS fits
  FROM mm.versions p JOIN mm.versions m ON m.model = p.model || '_mem', mm_export(p.model) d
 WHERE p.model IN ('gbp_cls', 'gbp_reg', 'gbp_bin') ORDER BY p.model;

-- parallel workers on every pass: the same trees
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.boost('gbp_cls_par', 'level', 'on'), pg_temp.boost('gbp_reg_par', 'y', 'on');
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
-- a sixteenth of 1MB for a pass's histograms: a level's nodes over several passes, the same trees
SET modelmgr.max_train_memory = '1MB';
SELECT pg_temp.boost('gbp_cls_small', 'level', 'on'), pg_temp.boost('gbp_reg_small', 'y', 'on');
RESET modelmgr.max_train_memory;
SELECT pg_temp.same_trees('gbp_cls', 'gbp_cls_par') AS cls_parallel, pg_temp.same_trees('gbp_reg', 'gbp_reg_par') AS reg_parallel,
       pg_temp.same_trees('gbp_cls', 'gbp_cls_small') AS cls_small, pg_temp.same_trees('gbp_reg', 'gbp_reg_small') AS reg_small;

-- early stopping: the rounds up to the best on the held-out tenth, fewer than asked, in passes as in memory
SELECT pg_temp.boost('gbp_stop', 'y', 'on', '{"n_estimators": 500, "learning_rate": 0.5, "early_stopping_rounds": 3}'),
       pg_temp.boost('gbp_stop_mem', 'y', 'off', '{"n_estimators": 500, "learning_rate": 0.5, "early_stopping_rounds": 3}');
SELECT v.model, n < 100 AS stopped_early,
       abs((v.metrics #>> '{test,r2}')::float8 - (m.metrics #>> '{test,r2}')::float8) < 0.03 AS r2_close
  FROM mm.versions v JOIN mm.versions m ON m.model = 'gbp_stop_mem', mm_export(v.model) d,
       LATERAL (SELECT jsonb_array_length(d #> '{model,booster,learner,gradient_booster,model,trees}') AS n) t
 WHERE v.model = 'gbp_stop';
-- too few rows to hold a tenth out: refused, nothing recorded
CREATE TABLE gbp_few AS SELECT g::float8 AS x, g * 2.0 AS y FROM generate_series(1, 4) g;
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('gbp_few', 'gbp_few', 'y', algorithm => 'gradient_boosting', test_size => 0,
                             params => '{"early_stopping_rounds": 2}');
RESET modelmgr.train_in_passes;
SELECT (SELECT count(*) FROM mm.models WHERE model = 'gbp_few') AS models, (SELECT count(*) FROM mm.versions WHERE model = 'gbp_few') AS versions;

-- a search in passes: each fold's boosting in passes restricted to the fold inside the aggregate
SET modelmgr.train_in_passes = on;
SELECT model, params -> 'max_depth' AS max_depth
  FROM mm_tune('gbp_tuned', 'gbp', 'level', algorithm => 'gradient_boosting', features => ARRAY['a', 'b', 'c', 'region'],
               params => '{"n_estimators": 10}', folds => 3, search => '{"max_depth": [1, 4]}');
SELECT trial, params -> 'max_depth' AS max_depth, status, array_length(fold_scores, 1) AS folds,
       cv_mean > 0.8 AS scores_well
  FROM mm._trials WHERE model = 'gbp_tuned' ORDER BY trial;
RESET modelmgr.train_in_passes;
