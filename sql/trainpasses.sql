--
-- Training in passes: with modelmgr.train_in_passes = on, a model with text
-- features and preprocessing trains from aggregates over the relation (the
-- preprocessing fitted from passes, then the algorithm's passes over the rows
-- put through it inside the aggregate), never holding the rows.  It must be
-- the model the rows in memory give: the same split, the same coefficients,
-- the same metrics.  Parallel workers are pushed onto every pass.
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 3,000 rows: two numbers (x2 NULL in every 17th row), a text feature (NULL
-- in every 23rd row), a boolean, a target NULL in every 41st row
CREATE TABLE tp AS
SELECT g AS id,
       (g % 97) / 97.0::float8 AS x1,
       CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 31) % 89) / 89.0::float8 END AS x2,
       CASE WHEN g % 23 = 0 THEN NULL
            ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 7) % 5] END AS region,
       (g % 3 = 0) AS flag,
       CASE WHEN g % 41 = 0 THEN NULL
            ELSE 1 + 2 * ((g % 97) / 97.0) - 3 * (((g * 31) % 89) / 89.0)
                 + CASE (g * 7) % 5 WHEN 0 THEN 0.5 WHEN 1 THEN -1 WHEN 2 THEN 2 ELSE 0 END
                 + (((g * 7919) % 1000) / 1000.0 - 0.5) * 0.1 END::float8 AS y
  FROM generate_series(1, 3000) g;
ANALYZE tp;

-- Trains model name on tp in memory (off) or in passes (on), then compares.
CREATE FUNCTION pg_temp.train(name text, passes text, algorithm text, params jsonb,
                              preprocess jsonb, target text DEFAULT 'y') RETURNS int
LANGUAGE plpgsql AS $$
DECLARE v int;
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    SELECT t.version INTO v
      FROM mm_train(name, 'tp', target, algorithm => algorithm,
                    features => ARRAY['x1', 'x2', 'region', 'flag'], params => params,
                    preprocess => preprocess, test_size => 0.25, seed => 11) t;
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
    RETURN v;
END $$;

-- the two versions' record: the same rows, fingerprint and fitted preprocessing
CREATE FUNCTION pg_temp.same_record(a text, b text)
RETURNS TABLE (rows_read bigint, rows_train bigint, rows_test bigint, same_fingerprint boolean,
               same_skipped boolean, same_fitted boolean)
LANGUAGE sql AS $$
  SELECT x.rows_read, x.rows_train, x.rows_test, x.fingerprint = y.fingerprint,
         x.rows_skipped = y.rows_skipped, x.fitted_preprocess = y.fitted_preprocess
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

-- the largest difference between the two models' coefficients
CREATE FUNCTION pg_temp.coef_diff(a text, b text) RETURNS float8 LANGUAGE sql AS $$
  SELECT max(abs(x.coef - y.coef))
    FROM mm_coefficients(a) x JOIN mm_coefficients(b) y USING (feature)
$$;

CREATE FUNCTION pg_temp.metric_diff(a text, b text) RETURNS float8 LANGUAGE sql AS $$
  SELECT regress.json_diff(x.metrics, y.metrics)
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

-- linear regression: text one-hot, NULLs imputed with zero and a constant category
SELECT pg_temp.train('tp_lin_mem', 'off', 'linear_regression', '{}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT pg_temp.train('tp_lin_pass', 'on', 'linear_regression', '{}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT * FROM pg_temp.same_record('tp_lin_mem', 'tp_lin_pass');
SELECT pg_temp.coef_diff('tp_lin_mem', 'tp_lin_pass') < 1e-9 AS same_coefficients,
       pg_temp.metric_diff('tp_lin_mem', 'tp_lin_pass') < 1e-9 AS same_metrics;
SELECT round((metrics #>> '{test,r2}')::numeric, 6) AS test_r2, metrics #> '{test,rows}' AS test_rows,
       metrics #> '{test,unseen_categories}' AS unseen
  FROM mm.versions WHERE model = 'tp_lin_pass';

-- unpenalized and scaled to the range: fitted in the columns' units, for its
-- statistics, the units travelling with the pass
SELECT pg_temp.train('tp_ols_mem', 'off', 'linear_regression', '{}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT pg_temp.train('tp_ols_pass', 'on', 'linear_regression', '{}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT * FROM pg_temp.same_record('tp_ols_mem', 'tp_ols_pass');
SELECT pg_temp.coef_diff('tp_ols_mem', 'tp_ols_pass') < 1e-9 AS same_coefficients,
       (SELECT max(abs(x.std_err - y.std_err)) < 1e-9
          FROM mm_coefficients('tp_ols_mem') x JOIN mm_coefficients('tp_ols_pass') y USING (feature))
         AS same_std_errors,
       pg_temp.metric_diff('tp_ols_mem', 'tp_ols_pass') < 1e-9 AS same_metrics;

-- ridge: reference coding, scaled to the range, imputed with a constant
SELECT pg_temp.train('tp_ridge_mem', 'off', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": {"constant": 0.25}},
                       "region": {"impute": "most_frequent", "max_categories": 4}}') AS version;
SELECT pg_temp.train('tp_ridge_pass', 'on', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": {"constant": 0.25}},
                       "region": {"impute": "most_frequent", "max_categories": 4}}') AS version;
SELECT * FROM pg_temp.same_record('tp_ridge_mem', 'tp_ridge_pass');
SELECT pg_temp.coef_diff('tp_ridge_mem', 'tp_ridge_pass') < 1e-9 AS same_coefficients,
       pg_temp.metric_diff('tp_ridge_mem', 'tp_ridge_pass') < 1e-9 AS same_metrics;

-- elastic net, the text feature ordinal
SELECT pg_temp.train('tp_enet_mem', 'off', 'elastic_net', '{"alpha": 0.01, "l1_ratio": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"},
                       "region": {"impute": "most_frequent", "encode": "ordinal"}}') AS version;
SELECT pg_temp.train('tp_enet_pass', 'on', 'elastic_net', '{"alpha": 0.01, "l1_ratio": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"},
                       "region": {"impute": "most_frequent", "encode": "ordinal"}}') AS version;
SELECT * FROM pg_temp.same_record('tp_enet_mem', 'tp_enet_pass');
SELECT pg_temp.coef_diff('tp_enet_mem', 'tp_enet_pass') < 1e-9 AS same_coefficients,
       pg_temp.metric_diff('tp_enet_mem', 'tp_enet_pass') < 1e-9 AS same_metrics;

-- PCA with preprocessing: the components and the variance the held-out part keeps
SELECT pg_temp.train('tp_pca_mem', 'off', 'pca', '{"n_components": 2}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}',
                     NULL) AS version;
SELECT pg_temp.train('tp_pca_pass', 'on', 'pca', '{"n_components": 2}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}',
                     NULL) AS version;
SELECT * FROM pg_temp.same_record('tp_pca_mem', 'tp_pca_pass');
SELECT pg_temp.metric_diff('tp_pca_mem', 'tp_pca_pass') < 1e-9 AS same_metrics,
       (SELECT max(abs(a.c - b.c)) < 1e-9
          FROM unnest((SELECT array_agg(x ORDER BY id) FROM (SELECT id, unnest(mm_transform('tp_pca_mem', t)) x FROM tp t) s)) WITH ORDINALITY a(c, i)
          JOIN unnest((SELECT array_agg(x ORDER BY id) FROM (SELECT id, unnest(mm_transform('tp_pca_pass', t)) x FROM tp t) s)) WITH ORDINALITY b(c, i) USING (i)) AS same_projections;

-- parts of a date, scaled to their range, read by the passes as by the rows in memory
CREATE TABLE tp_dated AS
SELECT g AS id, DATE '2023-01-01' + g AS sold_on, (g % 40)::float8 AS area,
       (1000 + 25 * (g % 40) + 40 * extract(month FROM DATE '2023-01-01' + g)
        - 15 * extract(dow FROM DATE '2023-01-01' + g) + (g * 7919 % 100) / 10.0)::float8 AS price
  FROM generate_series(0, 729) g;
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tp_dated_mem', 'tp_dated', 'price', features => ARRAY['sold_on', 'area'],
    preprocess => '{"*": {"scale": "minmax"}, "sold_on": {"date_parts": ["month", "day_of_week"]}}');
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tp_dated_pass', 'tp_dated', 'price', features => ARRAY['sold_on', 'area'],
    preprocess => '{"*": {"scale": "minmax"}, "sold_on": {"date_parts": ["month", "day_of_week"]}}');
RESET modelmgr.train_in_passes;
SELECT * FROM pg_temp.same_record('tp_dated_mem', 'tp_dated_pass');
SELECT pg_temp.coef_diff('tp_dated_mem', 'tp_dated_pass') < 1e-9 AS same_coefficients,
       pg_temp.metric_diff('tp_dated_mem', 'tp_dated_pass') < 1e-9 AS same_metrics;

-- the predictions of the two linear models agree on every row
SELECT max(abs(mm_predict('tp_lin_mem', t) - mm_predict('tp_lin_pass', t))) < 1e-9 AS same_predictions
  FROM tp t WHERE t.y IS NOT NULL;

-- Rows the preprocessing refuses are refused in passes as in memory
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tp_refused', 'tp', 'y', features => ARRAY['x1', 'x2', 'region']);
SELECT version FROM mm_train('tp_refused', 'tp', 'flag', algorithm => 'linear_svm',
                             features => ARRAY['x1'], params => '{"loss": "hinge"}');
RESET modelmgr.train_in_passes;

-- The passes never hold the rows: with 1MB for rows in memory, 60,000 rows
-- do not fit (off says so), and auto trains them in passes
CREATE TABLE tp_large AS
SELECT g AS id, (g % 97) / 97.0::float8 AS x1, ((g * 31) % 89) / 89.0::float8 AS x2,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       (2 * ((g % 97) / 97.0) - ((g * 31) % 89) / 89.0 + (g % 3))::float8 AS y
  FROM generate_series(1, 60000) g;
ANALYZE tp_large;
SET modelmgr.max_train_memory = '1MB';
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tp_large', 'tp_large', 'y', features => ARRAY['x1', 'x2', 'region'],
                             preprocess => '{"region": {"encode": "onehot"}}');
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('tp_large', 'tp_large', 'y', features => ARRAY['x1', 'x2', 'region'],
                             preprocess => '{"region": {"encode": "onehot"}}');
SELECT rows_read, rows_train + rows_test AS rows_split, round((metrics #>> '{test,r2}')::numeric, 9) AS test_r2,
       (baseline ->> 'rows')::bigint = rows_train AS baseline_rows,
       (baseline ->> 'sample_rows')::int BETWEEN 1000 AND 20000 AS baseline_sampled
  FROM mm.versions WHERE model = 'tp_large';
SELECT feature, round(coef::numeric, 9) AS coef FROM mm_coefficients('tp_large') ORDER BY feature;
RESET modelmgr.max_train_memory;
-- the baseline profiles: a table within the sample's bound is profiled whole, as in memory
SELECT x.model, regress.json_diff(x.baseline, y.baseline) < 1e-9 AS same_baseline
  FROM mm.versions x JOIN mm.versions y ON y.model = replace(x.model, '_mem', '_pass')
 WHERE x.model LIKE 'tp\_%\_mem' ORDER BY 1;

-- Longer columns.  A feature's sketch keeps its values exactly up to 16,384;
-- past that, unless preprocessing takes its quantiles, the baseline takes
-- them from its sample of the rows.  A view has no TABLESAMPLE: this one
-- reads one table row by row, so its sample is its own query with
-- TABLESAMPLE on the table (below, views sampled by their rows' draws),
-- uniform either way, so `t`, which grows with the view's order, is
-- profiled across its range, not from the view's first rows.  `x1`, `t`
-- and `sparse` (NULL in the first 37,000
-- rows) are profiled from the values in that sample (about 20,000 of
-- 48,000 training rows) as in memory from every training value, so their
-- quantiles agree to the sample's error.  `rare` and `rare2`, present in 4
-- and 3 rows, are profiled from all of them in both (in passes, from one
-- more read of the rows where either is not NULL).
SET max_parallel_workers_per_gather = 0;
CREATE TABLE tp_long AS
SELECT g AS id, ((g * 7919) % 60000) / 60000.0::float8 AS x1, g / 60000.0::float8 AS t,
       CASE WHEN g > 37000 THEN power(((g::bigint * 104729) % 23000) / 23000.0, 2) END::float8 AS sparse,
       CASE WHEN g > 37000 THEN g / 60000.0 END::float8 AS late,
       CASE WHEN g IN (10, 11, 29998, 29999) THEN g END::float8 AS rare,
       CASE WHEN g IN (12, 30500, 59000) THEN -g END::float8 AS rare2,
       (g % 7)::float8 AS y
  FROM generate_series(1, 60000) g;
CREATE VIEW tp_long_view AS SELECT * FROM tp_long ORDER BY id;
ANALYZE tp_long;
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tp_long_mem', 'tp_long_view', 'y', features => ARRAY['x1', 't', 'sparse', 'late', 'rare', 'rare2'],
                             deploy => 'never', preprocess => '{"sparse": {"impute": "zero"}, "late": {"impute": "zero"},
                                                                "rare": {"impute": "zero"}, "rare2": {"impute": "zero"}}');
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tp_long_pass', 'tp_long_view', 'y', features => ARRAY['x1', 't', 'sparse', 'late', 'rare', 'rare2'],
                             deploy => 'never', preprocess => '{"sparse": {"impute": "zero"}, "late": {"impute": "zero"},
                                                                "rare": {"impute": "zero"}, "rare2": {"impute": "zero"}}');
-- with 1MB the sample is about 4,000 rows: the features NULL in most of
-- its rows get a sample of their own rows where they are not NULL, drawn
-- the same way, so `late` too is profiled across its range (the samples'
-- queries read alike whatever standard_conforming_strings says)
SET modelmgr.max_train_memory = '1MB';
SET standard_conforming_strings = off;
SELECT version FROM mm_train('tp_long_small', 'tp_long_view', 'y', features => ARRAY['x1', 't', 'sparse', 'late', 'rare', 'rare2'],
                             deploy => 'never', preprocess => '{"sparse": {"impute": "zero"}, "late": {"impute": "zero"},
                                                                "rare": {"impute": "zero"}, "rare2": {"impute": "zero"}}');
RESET standard_conforming_strings;
RESET modelmgr.max_train_memory;
SELECT p.model, f, (m.baseline #>> ARRAY['features', f, 'rows'])::bigint AS rows,
       (p.baseline #>> ARRAY['features', f, 'rows'])::bigint = (m.baseline #>> ARRAY['features', f, 'rows'])::bigint AS same_rows,
       regress.json_diff(m.baseline -> 'features' -> f, p.baseline -> 'features' -> f) < 1e-12 AS same_profile,
       (SELECT max(abs(a::float8 - b::float8))
          FROM jsonb_array_elements_text(m.baseline #> ARRAY['features', f, 'quantiles']) WITH ORDINALITY x(a, i)
          JOIN jsonb_array_elements_text(p.baseline #> ARRAY['features', f, 'quantiles']) WITH ORDINALITY y(b, k) ON i = k)
         < CASE p.model WHEN 'tp_long_pass' THEN 0.02 ELSE 0.05 END AS quantiles_near
  FROM mm.versions m, mm.versions p, unnest(ARRAY['x1', 't', 'sparse', 'late', 'rare', 'rare2']) f
 WHERE m.model = 'tp_long_mem' AND p.model IN ('tp_long_pass', 'tp_long_small') ORDER BY 1, 2;
-- against the column itself: the profile's quartiles of `sparse` (skewed: a
-- square) are those of all its values (percentile_cont) to within the
-- spread of the sample's 6,500 or so (2.5% in rank but once in 1,000
-- trainings, 0.04 at the third quartile), not those of a line between its
-- extremes (0.25, 0.5, 0.75 against 0.06, 0.25, 0.56)
SELECT i, abs((p.baseline #>> ARRAY['features', 'sparse', 'quantiles', (25 * i)::text])::float8 -
              (SELECT percentile_cont(0.25 * i) WITHIN GROUP (ORDER BY sparse) FROM tp_long)) < 0.04 AS near_column
  FROM mm.versions p, generate_series(1, 3) i WHERE p.model = 'tp_long_pass' ORDER BY i;
-- a feature whose imputation takes its median is sketched in full, and
-- profiled from its sketch: within the sketch's rank error of the profile
-- in memory of the same model, which takes every value
SELECT version FROM mm_train('tp_long_median', 'tp_long_view', 'y', features => ARRAY['x1', 'sparse', 'rare'],
                             deploy => 'never', preprocess => '{"sparse": {"impute": "median"}, "rare": {"impute": "zero"}}');
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tp_long_median_mem', 'tp_long_view', 'y', features => ARRAY['x1', 'sparse', 'rare'],
                             deploy => 'never', preprocess => '{"sparse": {"impute": "median"}, "rare": {"impute": "zero"}}');
RESET modelmgr.train_in_passes;
SELECT round((v.fitted_preprocess #>> '{features,sparse,impute}')::numeric, 2) AS median_imputed,
       (SELECT max(abs(a::float8 - b::float8))
          FROM jsonb_array_elements_text(m.baseline #> '{features,sparse,quantiles}') WITH ORDINALITY x(a, i)
          JOIN jsonb_array_elements_text(v.baseline #> '{features,sparse,quantiles}') WITH ORDINALITY y(b, k) ON i = k)
         < 0.005 AS quantiles_near
  FROM mm.versions v, mm.versions m WHERE v.model = 'tp_long_median' AND m.model = 'tp_long_median_mem';
-- The view's sample is its table's: the table itself, trained with the
-- same seed, profiles the same sample, value for value.  That sample's
-- query reads the table with the caller's privileges, not the view
-- owner's, so it is not taken where the two could read other rows: a
-- caller who may read the view but not its table, a table with row
-- security, a security barrier view.  Those are sampled by their rows'
-- draws: another sample, as uniform.  The caller below sees only the
-- first half of tp_rls directly (its policy), all of it through the view
-- (whose owner the policy does not bind): the median of `t` is 0.5, not
-- 0.25.
SET modelmgr.train_in_passes = on;
\set tp_long_recipe 'features => ARRAY[''x1'', ''t'', ''sparse'', ''late'', ''rare'', ''rare2''], deploy => ''never'', preprocess => ''{"sparse": {"impute": "zero"}, "late": {"impute": "zero"}, "rare": {"impute": "zero"}, "rare2": {"impute": "zero"}}'''
SELECT version FROM mm_train('tp_long_table', 'tp_long', 'y', :tp_long_recipe);
CREATE ROLE regress_tp_viewer;
CREATE TABLE tp_rls AS SELECT * FROM tp_long;
ALTER TABLE tp_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tp_rls_first_half ON tp_rls TO regress_tp_viewer USING (id <= 30000);
CREATE VIEW tp_rls_view AS SELECT * FROM tp_rls;
CREATE VIEW tp_long_barrier WITH (security_barrier) AS SELECT * FROM tp_long ORDER BY id;
GRANT SELECT ON tp_long_view, tp_rls, tp_rls_view TO regress_tp_viewer;
SET ROLE regress_tp_viewer;
SELECT version FROM mm_train('tp_view_only', 'tp_long_view', 'y', :tp_long_recipe);
SELECT version FROM mm_train('tp_rls_view', 'tp_rls_view', 'y', :tp_long_recipe);
RESET ROLE;
SELECT version FROM mm_train('tp_barrier', 'tp_long_barrier', 'y', :tp_long_recipe);
RESET modelmgr.train_in_passes;
SELECT p.model, f, (p.baseline #>> ARRAY['features', f, 'rows'])::bigint AS rows,
       regress.json_diff(t.baseline -> 'features' -> f, p.baseline -> 'features' -> f) < 1e-12 AS table_sample,
       (SELECT max(abs(a::float8 - b::float8))
          FROM jsonb_array_elements_text(m.baseline #> ARRAY['features', f, 'quantiles']) WITH ORDINALITY x(a, i)
          JOIN jsonb_array_elements_text(p.baseline #> ARRAY['features', f, 'quantiles']) WITH ORDINALITY y(b, k) ON i = k)
         < 0.02 AS quantiles_near,
       round((p.baseline #>> ARRAY['features', f, 'quantiles', '50'])::numeric, 2) AS median
  FROM mm.versions m, mm.versions t, mm.versions p, unnest(ARRAY['x1', 't']) f
 WHERE m.model = 'tp_long_mem' AND t.model = 'tp_long_table'
   AND p.model IN ('tp_long_pass', 'tp_view_only', 'tp_rls_view', 'tp_barrier') ORDER BY 1, 2;
SELECT mm_drop_model(m) FROM unnest(ARRAY['tp_view_only', 'tp_rls_view']) m;
DROP VIEW tp_rls_view, tp_long_barrier;
DROP TABLE tp_rls;
REVOKE SELECT ON tp_long_view FROM regress_tp_viewer;
DROP ROLE regress_tp_viewer;
RESET max_parallel_workers_per_gather;

-- A text feature's values are counted by the state of the first pass, up
-- to 512 of them in 16 KiB of text; a feature with more values (`code`,
-- 600) or more text (`note`, 300 values of 62 or 63 bytes) is counted by a
-- discovery query of its own, and `kind` (5 values and NULLs) by the state
-- alone.  Either way the model is the one the rows in memory give, whose
-- most frequent values of each feature are the same.
CREATE TABLE tp_wide AS
SELECT g AS id, (g % 13) / 13.0::float8 AS x1, 'code ' || (g % 600) AS code,
       repeat(chr(65 + g % 26), 60) || (g % 300) AS note,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 'k' || (g % 5) END AS kind,
       (g % 13) / 13.0 + (g % 5) * 0.25 + (g % 600) / 1200.0 AS y
  FROM generate_series(1, 6000) g;
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT version FROM mm_train('tp_wide_pass', 'tp_wide', 'y', features => ARRAY['x1', 'code', 'note', 'kind'],
                             deploy => 'always', preprocess => '{"code": {"max_categories": 8}, "note": {"max_categories": 8},
                                                                    "kind": {"impute": "most_frequent"}}');
RESET client_min_messages;
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tp_wide_mem', 'tp_wide', 'y', features => ARRAY['x1', 'code', 'note', 'kind'],
                             deploy => 'always', preprocess => '{"code": {"max_categories": 8}, "note": {"max_categories": 8},
                                                                    "kind": {"impute": "most_frequent"}}');
RESET modelmgr.train_in_passes;
SELECT * FROM pg_temp.same_record('tp_wide_mem', 'tp_wide_pass');
SELECT pg_temp.coef_diff('tp_wide_mem', 'tp_wide_pass') < 1e-9 AS same_coefficients,
       pg_temp.metric_diff('tp_wide_mem', 'tp_wide_pass') < 1e-9 AS same_metrics,
       (SELECT count(*) FROM mm_coefficients('tp_wide_pass')) AS coefficients;

-- Read once, whatever the cache the planner assumes: the text feature's
-- values are counted by the column statistics' pass, and the model is the
-- same under either setting, byte for byte when both read the rows in the
-- same order (no parallel workers, whose share of the rows varies from run
-- to run)
SET max_parallel_workers_per_gather = 0;
SET modelmgr.train_in_passes = on;
SET effective_cache_size = '8kB';
SET client_min_messages = debug1;
SELECT version FROM mm_train('tp_one_read', 'tp', 'y', algorithm => 'linear_regression',
                             features => ARRAY['x1', 'x2', 'region'], seed => 2,
                             preprocess => '{"x2": {"impute": "mean", "scale": "standard"},
                                             "region": {"impute": "most_frequent"}}');
RESET client_min_messages;
RESET effective_cache_size;
SELECT version FROM mm_train('tp_apart', 'tp', 'y', algorithm => 'linear_regression',
                             features => ARRAY['x1', 'x2', 'region'], seed => 2,
                             preprocess => '{"x2": {"impute": "mean", "scale": "standard"},
                                             "region": {"impute": "most_frequent"}}');
RESET modelmgr.train_in_passes;
SELECT (SELECT a.artifact FROM mm._versions a WHERE a.id = x.version_id) =
         (SELECT a.artifact FROM mm._versions a WHERE a.id = y.version_id) AS same_artifact, x.metrics = y.metrics AS same_metrics,
       x.baseline = y.baseline AS same_baseline, x.fingerprint = y.fingerprint AS same_fingerprint,
       x.fitted_preprocess = y.fitted_preprocess AS same_preprocess
  FROM mm.versions x, mm.versions y WHERE x.model = 'tp_one_read' AND y.model = 'tp_apart';
RESET max_parallel_workers_per_gather;
