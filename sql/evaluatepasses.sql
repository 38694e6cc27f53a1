--
-- mm_evaluate in passes: with modelmgr.train_in_passes = on, every model is
-- measured by one pass of the fitted model over the relation (its
-- preprocessing applied inside the aggregate), never reading the rows into
-- the backend.  The result must be the evaluation in memory's (off), key for
-- key: counts and confusion matrices exactly, sums to rounding, the binary
-- ROC AUC within the bound of its histogram (doc/scaling.md), and the same
-- errors.  Parallel workers are pushed onto every pass.
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 3,000 rows: two numbers (x2 NULL in every 17th row), a text feature (NULL
-- in every 23rd row), a boolean, a date; labels as text (three classes,
-- NULL in every 41st row), integers and booleans; a number to predict
CREATE TABLE ev AS
SELECT g AS id, x1, x2, region, flag, DATE '2024-01-01' + (g % 400) AS day,
       CASE WHEN g % 41 = 0 THEN NULL
            WHEN s + noise < -0.4 THEN 'low' WHEN s + noise < 0.6 THEN 'mid' ELSE 'high' END AS grade,
       CASE WHEN s + noise < 0.1 THEN 0 ELSE 1 END AS label_int,
       (s - noise > 0.2) AS label_bool,
       CASE WHEN g % 37 = 0 THEN NULL ELSE 10 + 3 * s + noise + (g % 400) / 200.0 END AS amount
  FROM (SELECT g, (g % 97) / 97.0::float8 AS x1,
               CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 31) % 89) / 89.0::float8 END AS x2,
               CASE WHEN g % 23 = 0 THEN NULL
                    ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 7) % 5] END AS region,
               (g % 3 = 0) AS flag,
               2 * ((g % 97) / 97.0) - 1.5 * (((g * 31) % 89) / 89.0)
                 + CASE (g * 7) % 5 WHEN 0 THEN 0.5 WHEN 1 THEN -0.5 WHEN 2 THEN 0.3 ELSE 0 END AS s,
               (((g * 7919) % 1000) / 1000.0 - 0.5) * 1.2 AS noise
          FROM generate_series(1, 3000) g) r;
ANALYZE ev;

-- the rows evaluated: those of ev, and a region training never saw in every 29th row
CREATE TABLE ev_new AS
SELECT id, x1, x2, CASE WHEN id % 29 = 0 THEN 'islands' ELSE region END AS region, flag, day,
       grade, label_int, label_bool, amount
  FROM ev;
ANALYZE ev_new;

-- Trains model name on the first 2,000 rows of ev.
CREATE VIEW ev_train AS SELECT * FROM ev WHERE id <= 2000;
CREATE FUNCTION pg_temp.train(name text, algorithm text, target text, features text[], params jsonb,
                              preprocess jsonb) RETURNS int
LANGUAGE sql AS $$
    SELECT t.version FROM mm_train(name, 'ev_train', target, algorithm => algorithm, features => features,
                                   params => params, preprocess => preprocess, test_size => 0.25, seed => 5) t
$$;

-- mm_evaluate with modelmgr.train_in_passes set to passes
CREATE FUNCTION pg_temp.evaluate(model text, relation text, passes text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    r := mm_evaluate(model, relation);
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
    RETURN r;
END $$;

-- In memory and in passes: the same keys, every value but the ROC AUC to
-- rounding (counts, sizes and confusion matrices exactly, as integers
-- differ by at least 1), the ROC AUC within 1e-4 (null where it is null).
CREATE FUNCTION pg_temp.compare(model text, relation text)
RETURNS TABLE (same_keys boolean, metrics_1e9 boolean, same_counts boolean, auc_1e4 boolean)
LANGUAGE sql AS $$
  SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(m) k)
           = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(p) k),
         regress.json_diff(m - 'roc_auc', p - 'roc_auc') < 1e-9,
         (m -> 'rows', m -> 'rows_null_target', m -> 'confusion_matrix', m -> 'cluster_sizes',
          m -> 'silhouette_rows', m -> 'unseen_categories')
           IS NOT DISTINCT FROM
         (p -> 'rows', p -> 'rows_null_target', p -> 'confusion_matrix', p -> 'cluster_sizes',
          p -> 'silhouette_rows', p -> 'unseen_categories'),
         CASE WHEN jsonb_typeof(m -> 'roc_auc') = 'number'
              THEN abs((m ->> 'roc_auc')::float8 - (p ->> 'roc_auc')::float8) < 1e-4
              ELSE m -> 'roc_auc' = p -> 'roc_auc' END
    FROM (SELECT pg_temp.evaluate(model, relation, 'off') AS m,
                 pg_temp.evaluate(model, relation, 'on') AS p) e
$$;

-- The error of mm_evaluate with modelmgr.train_in_passes set to passes.
CREATE FUNCTION pg_temp.error_of(model text, relation text, passes text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.evaluate(model, relation, passes);
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Both ways: the same error, shown once.
CREATE FUNCTION pg_temp.same_error(model text, relation text) RETURNS TABLE (same boolean, error text)
LANGUAGE sql AS $$
  SELECT pg_temp.error_of(model, relation, 'off') = pg_temp.error_of(model, relation, 'on'),
         pg_temp.error_of(model, relation, 'on')
$$;

-- logistic regression, binary on a boolean label, text features reference-coded
SELECT pg_temp.train('ev_bool', 'logistic_regression', 'label_bool', ARRAY['x1', 'x2', 'region', 'flag'],
                     '{"alpha": 0}', '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.compare('ev_bool', 'ev');
SELECT * FROM pg_temp.compare('ev_bool', 'ev_new');
SELECT round((r ->> 'accuracy')::numeric, 6) AS accuracy, round((r ->> 'roc_auc')::numeric, 4) AS roc_auc,
       r -> 'confusion_matrix' AS confusion, r -> 'rows' AS rows, r -> 'rows_null_target' AS null_target,
       r -> 'unseen_categories' AS unseen
  FROM pg_temp.evaluate('ev_bool', 'ev_new', 'on') r;

-- binary on an integer label, scaled to the range, a date's parts
SELECT pg_temp.train('ev_int', 'logistic_regression', 'label_int', ARRAY['x1', 'x2', 'region', 'day'],
                     '{"alpha": 0.5}', '{"*": {"scale": "minmax"}, "x2": {"impute": "median"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('ev_int', 'ev_new');

-- multinomial on a text label (NULL in some rows), text features one-hot
SELECT pg_temp.train('ev_grade', 'logistic_regression', 'grade', ARRAY['x1', 'x2', 'region', 'flag'],
                     '{"alpha": 0.1}', '{"*": {"impute": "median", "scale": "standard"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('ev_grade', 'ev');
SELECT * FROM pg_temp.compare('ev_grade', 'ev_new');
SELECT r -> 'confusion_matrix' AS confusion, round((r ->> 'f1')::numeric, 6) AS f1,
       round((r ->> 'log_loss')::numeric, 6) AS log_loss, r -> 'roc_auc' AS roc_auc,
       r -> 'rows_null_target' AS null_target, r -> 'unseen_categories' AS unseen
  FROM pg_temp.evaluate('ev_grade', 'ev_new', 'on') r;

-- the linear SVM (no probabilities: no log-loss; the AUC ranks its decision scores)
SELECT pg_temp.train('ev_svm', 'linear_svm', 'label_bool', ARRAY['x1', 'x2', 'region', 'flag'],
                     '{"C": 0.5}', '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('ev_svm', 'ev_new');
SELECT pg_temp.train('ev_svm3', 'linear_svm', 'grade', ARRAY['x1', 'x2', 'region'],
                     '{}', '{"x2": {"impute": "zero"}, "region": {"impute": "most_frequent", "encode": "ordinal"}}');
SELECT * FROM pg_temp.compare('ev_svm3', 'ev_new');

-- k-means with standard scaling and a text feature: the silhouette on the
-- same sample of rows both ways (the rows of the smallest content hashes)
SELECT pg_temp.train('ev_km', 'kmeans', NULL, ARRAY['x1', 'x2', 'region'], '{"k": 4}',
                     '{"*": {"scale": "standard"}, "x2": {"impute": "mean"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('ev_km', 'ev');
SELECT * FROM pg_temp.compare('ev_km', 'ev_new');
SELECT r -> 'cluster_sizes' AS sizes, round((r ->> 'inertia')::numeric, 6) AS inertia,
       round((r ->> 'silhouette')::numeric, 6) AS silhouette, r -> 'silhouette_rows' AS silhouette_rows,
       r -> 'unseen_categories' AS unseen
  FROM pg_temp.evaluate('ev_km', 'ev_new', 'on') r;

-- PCA with preprocessing: the share of variance from the transformed rows' moments
SELECT pg_temp.train('ev_pca', 'pca', NULL, ARRAY['x1', 'x2', 'flag', 'region'], '{"n_components": 2}',
                     '{"*": {"scale": "standard"}, "x2": {"impute": "median"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('ev_pca', 'ev_new');
SELECT (SELECT array_agg(round(v::numeric, 6)) FROM jsonb_array_elements_text(r -> 'explained_variance_ratio') v)
         AS explained_variance_ratio, r -> 'rows' AS rows, r -> 'unseen_categories' AS unseen
  FROM pg_temp.evaluate('ev_pca', 'ev_new', 'on') r;

-- regression with a text feature and a date (exact residual sums), and without
-- text (in memory: the mm_predict aggregate)
SELECT pg_temp.train('ev_reg', 'linear_regression', 'amount', ARRAY['x1', 'x2', 'region', 'day'],
                     '{}', '{"x2": {"impute": "mean"}, "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.compare('ev_reg', 'ev_new');
SELECT pg_temp.train('ev_ridge', 'elastic_net', 'amount', ARRAY['x1', 'x2', 'flag'],
                     '{"alpha": 0.01, "l1_ratio": 0.5}', '{"*": {"scale": "standard"}, "x2": {"impute": "zero"}}');
SELECT * FROM pg_temp.compare('ev_ridge', 'ev');
SELECT round((r ->> 'r2')::numeric, 6) AS r2, round((r ->> 'mae')::numeric, 6) AS mae, r -> 'rows' AS rows,
       r -> 'rows_null_target' AS null_target, r -> 'unseen_categories' AS unseen
  FROM pg_temp.evaluate('ev_reg', 'ev_new', 'on') r;

-- under auto, a relation whose rows would not fit modelmgr.max_train_memory
-- is evaluated in passes (the same result), where in memory it cannot be
CREATE TABLE ev_big AS SELECT e.* FROM ev e, generate_series(1, 10);
ANALYZE ev_big;
CREATE TABLE ev_big_memory AS SELECT pg_temp.evaluate('ev_grade', 'ev_big', 'off') AS r;
SET modelmgr.max_train_memory = '1MB';
SELECT regress.json_diff(mm_evaluate('ev_grade', 'ev_big') - 'roc_auc', r - 'roc_auc') < 1e-9 AS auto_in_passes,
       mm_evaluate('ev_grade', 'ev_big') -> 'rows' AS rows
  FROM ev_big_memory;
SELECT pg_temp.error_of('ev_grade', 'ev_big', 'off');
RESET modelmgr.max_train_memory;

-- errors, the same both ways
CREATE TABLE ev_empty AS SELECT * FROM ev LIMIT 0;
CREATE TABLE ev_null_target AS SELECT id, x1, x2, region, flag, day, NULL::text AS grade,
       label_int, label_bool, NULL::float8 AS amount FROM ev WHERE id <= 50;
CREATE TABLE ev_nan AS SELECT id, x1, x2, region, flag, day, grade, label_int, label_bool,
       CASE WHEN id % 10 = 0 THEN 'NaN'::float8 ELSE amount END AS amount FROM ev WHERE id <= 50;
CREATE TABLE ev_nan_feature AS SELECT id, x1, CASE WHEN id = 7 THEN 'Infinity'::float8 ELSE x2 END AS x2,
       region, flag, day, grade, label_int, label_bool, amount FROM ev WHERE id <= 50;
CREATE TABLE ev_float_label AS SELECT id, x1, x2, region, flag, day,
       CASE WHEN id = 3 THEN 'NaN'::float8 WHEN id = 4 THEN 2 ELSE label_int END AS label_int FROM ev WHERE id <= 50;
CREATE TABLE ev_missing AS SELECT id, x1, region, flag, grade, label_bool, amount FROM ev WHERE id <= 50;
CREATE TABLE ev_other AS SELECT id, x1, x2, region, flag, day,
       CASE WHEN id = 5 THEN 'top' ELSE grade END AS grade FROM ev WHERE id <= 50;
CREATE TABLE ev_unimputed AS SELECT id, x1, CASE WHEN id = 9 THEN NULL ELSE x2 END AS x2, region, flag,
       grade, label_bool FROM ev WHERE id <= 50 AND x2 IS NOT NULL OR id = 9;
CREATE VIEW ev_complete AS SELECT * FROM ev_train WHERE x2 IS NOT NULL;
SELECT version FROM mm_train('ev_strict', 'ev_complete', 'label_bool', features => ARRAY['x1', 'x2']);
SELECT * FROM pg_temp.same_error('ev_grade', 'ev_empty');
SELECT * FROM pg_temp.same_error('ev_km', 'ev_empty');
SELECT * FROM pg_temp.same_error('ev_pca', 'ev_empty');
SELECT * FROM pg_temp.same_error('ev_reg', 'ev_empty');
SELECT * FROM pg_temp.same_error('ev_grade', 'ev_null_target');
SELECT * FROM pg_temp.same_error('ev_reg', 'ev_null_target');
SELECT * FROM pg_temp.same_error('ev_reg', 'ev_nan');
SELECT * FROM pg_temp.same_error('ev_ridge', 'ev_nan');
SELECT * FROM pg_temp.same_error('ev_km', 'ev_nan_feature');
SELECT * FROM pg_temp.same_error('ev_grade', 'ev_nan_feature');
SELECT * FROM pg_temp.same_error('ev_int', 'ev_float_label');
SELECT * FROM pg_temp.same_error('ev_grade', 'ev_missing');
SELECT * FROM pg_temp.same_error('ev_grade', 'ev_other');
SELECT * FROM pg_temp.same_error('ev_strict', 'ev_unimputed');
SELECT * FROM pg_temp.same_error('ev_bool', 'ev_other');
