--
-- Classifiers and k-means trained in passes: with modelmgr.train_in_passes =
-- on, logistic regression, the linear SVM (squared hinge) and k-means fit as
-- driver loops of passes over the relation, and the metrics of both parts
-- come from passes that carry the model.  They must be the model and the
-- metrics the rows in memory give: coefficients within 1e-6, the same rows,
-- fingerprint, confusion matrices and baselines, the ROC AUC within the
-- bound its histogram measures (doc/scaling.md).  Parallel workers are
-- pushed onto every pass.
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 2,400 rows: two numbers (x2 NULL in every 17th row), a text feature (NULL
-- in every 23rd row), a boolean; labels as text (three classes, NULL in
-- every 41st row), integers and booleans, each a noisy function of the features
CREATE TABLE tc AS
SELECT g AS id, x1, x2, region, flag,
       CASE WHEN g % 41 = 0 THEN NULL
            WHEN s + noise < -0.4 THEN 'low' WHEN s + noise < 0.6 THEN 'mid' ELSE 'high' END AS grade,
       CASE WHEN s + noise < 0.1 THEN 0 ELSE 1 END AS label_int,
       (s - noise > 0.2) AS label_bool
  FROM (SELECT g, (g % 97) / 97.0::float8 AS x1,
               CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 31) % 89) / 89.0::float8 END AS x2,
               CASE WHEN g % 23 = 0 THEN NULL
                    ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 7) % 5] END AS region,
               (g % 3 = 0) AS flag,
               2 * ((g % 97) / 97.0) - 1.5 * (((g * 31) % 89) / 89.0)
                 + CASE (g * 7) % 5 WHEN 0 THEN 0.5 WHEN 1 THEN -0.5 WHEN 2 THEN 0.3 ELSE 0 END AS s,
               (((g * 7919) % 1000) / 1000.0 - 0.5) * 1.2 AS noise
          FROM generate_series(1, 2400) g) r;
ANALYZE tc;

-- Trains model name on tc in memory (off) or in passes (on).
CREATE FUNCTION pg_temp.train(name text, passes text, algorithm text, target text, params jsonb,
                              preprocess jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE v int;
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    SELECT t.version INTO v
      FROM mm_train(name, 'tc', target, algorithm => algorithm,
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

-- the largest differences between the two models' coefficients and standard errors
CREATE FUNCTION pg_temp.coef_diff(a text, b text, OUT coef float8, OUT std_err float8)
LANGUAGE sql AS $$
  SELECT max(abs(x.coef - y.coef)), coalesce(max(abs(x.std_err - y.std_err)), 0)
    FROM mm_coefficients(a) x JOIN mm_coefficients(b) y
      ON x.class IS NOT DISTINCT FROM y.class AND x.feature = y.feature
$$;

-- the metrics but the ROC AUC: equal to rounding (the confusion matrices exactly)
CREATE FUNCTION pg_temp.metric_diff(a text, b text) RETURNS float8 LANGUAGE sql AS $$
  SELECT regress.json_diff(x.metrics #- '{train,roc_auc}' #- '{test,roc_auc}',
                           y.metrics #- '{train,roc_auc}' #- '{test,roc_auc}')
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

-- the ROC AUC of both parts: how far apart (null for more than two classes)
CREATE FUNCTION pg_temp.auc_diff(a text, b text) RETURNS float8 LANGUAGE sql AS $$
  SELECT greatest(abs((x.metrics #>> '{train,roc_auc}')::float8 - (y.metrics #>> '{train,roc_auc}')::float8),
                  abs((x.metrics #>> '{test,roc_auc}')::float8 - (y.metrics #>> '{test,roc_auc}')::float8))
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

CREATE FUNCTION pg_temp.compare(a text, b text)
RETURNS TABLE (coef_1e6 boolean, std_err_1e6 boolean, metrics_1e9 boolean, auc_1e4 boolean,
               same_predictions boolean)
LANGUAGE sql AS $$
  SELECT c.coef < 1e-6, c.std_err < 1e-6, pg_temp.metric_diff(a, b) < 1e-9,
         coalesce(pg_temp.auc_diff(a, b) < 1e-4, true),
         (SELECT bool_and(mm_predict_label(a, t) = mm_predict_label(b, t)) FROM tc t)
    FROM pg_temp.coef_diff(a, b) c
$$;

-- logistic regression, binary on a boolean label, unpenalized: reference
-- coding, standard errors and the fit statistics
SELECT pg_temp.train('tc_bool_mem', 'off', 'logistic_regression', 'label_bool', '{"alpha": 0}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT pg_temp.train('tc_bool_pass', 'on', 'logistic_regression', 'label_bool', '{"alpha": 0}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT * FROM pg_temp.same_record('tc_bool_mem', 'tc_bool_pass');
SELECT * FROM pg_temp.compare('tc_bool_mem', 'tc_bool_pass');
SELECT round((metrics #>> '{test,accuracy}')::numeric, 6) AS test_accuracy,
       round((metrics #>> '{test,roc_auc}')::numeric, 4) AS test_auc,
       metrics #> '{test,confusion_matrix}' AS test_confusion,
       metrics #> '{test,baseline}' AS test_baseline,
       round((metrics #>> '{train,log_likelihood}')::numeric, 6) AS log_likelihood,
       metrics #> '{test,unseen_categories}' AS unseen
  FROM mm.versions WHERE model = 'tc_bool_pass';

-- binary on an integer label, penalized, scaled to the range
SELECT pg_temp.train('tc_int_mem', 'off', 'logistic_regression', 'label_int', '{"alpha": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT pg_temp.train('tc_int_pass', 'on', 'logistic_regression', 'label_int', '{"alpha": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT * FROM pg_temp.same_record('tc_int_mem', 'tc_int_pass');
SELECT * FROM pg_temp.compare('tc_int_mem', 'tc_int_pass');

-- multinomial on a text label (NULL in some rows), unpenalized and penalized
SELECT pg_temp.train('tc_text_mem', 'off', 'logistic_regression', 'grade', '{"alpha": 0}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT pg_temp.train('tc_text_pass', 'on', 'logistic_regression', 'grade', '{"alpha": 0}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT * FROM pg_temp.same_record('tc_text_mem', 'tc_text_pass');
SELECT * FROM pg_temp.compare('tc_text_mem', 'tc_text_pass');
SELECT metrics #> '{test,confusion_matrix}' AS test_confusion,
       round((metrics #>> '{test,f1}')::numeric, 6) AS test_f1,
       round((metrics #>> '{test,log_loss}')::numeric, 6) AS test_log_loss,
       metrics #> '{test,roc_auc}' AS test_auc,
       round((metrics #>> '{train,pseudo_r2}')::numeric, 6) AS pseudo_r2
  FROM mm.versions WHERE model = 'tc_text_pass';
SELECT pg_temp.train('tc_ridge_mem', 'off', 'logistic_regression', 'grade', '{"alpha": 2}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": {"constant": 0.5}},
                       "region": {"impute": "most_frequent", "max_categories": 4}}') AS version;
SELECT pg_temp.train('tc_ridge_pass', 'on', 'logistic_regression', 'grade', '{"alpha": 2}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": {"constant": 0.5}},
                       "region": {"impute": "most_frequent", "max_categories": 4}}') AS version;
SELECT * FROM pg_temp.same_record('tc_ridge_mem', 'tc_ridge_pass');
SELECT * FROM pg_temp.compare('tc_ridge_mem', 'tc_ridge_pass');

-- multinomial with the preprocessing the column statistics fit: median imputation, standard scaling
SELECT pg_temp.train('tc_std_mem', 'off', 'logistic_regression', 'grade', '{"alpha": 0.1}',
                     '{"*": {"impute": "median", "scale": "standard"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT pg_temp.train('tc_std_pass', 'on', 'logistic_regression', 'grade', '{"alpha": 0.1}',
                     '{"*": {"impute": "median", "scale": "standard"}, "region": {"impute": "most_frequent"}}') AS version;
-- (the statistics give the means and deviations to rounding)
SELECT x.rows_train, x.rows_test, x.fingerprint = y.fingerprint AS same_fingerprint,
       regress.json_diff(x.fitted_preprocess, y.fitted_preprocess) < 1e-12 AS same_fitted
  FROM mm.versions x, mm.versions y WHERE x.model = 'tc_std_mem' AND y.model = 'tc_std_pass';
SELECT * FROM pg_temp.compare('tc_std_mem', 'tc_std_pass');

-- the linear SVM with the squared hinge: binary (the AUC ranks its decision
-- scores) and one against the rest
SELECT pg_temp.train('tc_svm_mem', 'off', 'linear_svm', 'label_bool', '{"C": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT pg_temp.train('tc_svm_pass', 'on', 'linear_svm', 'label_bool', '{"C": 0.5}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": "most_frequent"}}') AS version;
SELECT * FROM pg_temp.same_record('tc_svm_mem', 'tc_svm_pass');
SELECT * FROM pg_temp.compare('tc_svm_mem', 'tc_svm_pass');
SELECT pg_temp.train('tc_svm3_mem', 'off', 'linear_svm', 'grade', '{}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": "most_frequent", "encode": "ordinal"}}') AS version;
SELECT pg_temp.train('tc_svm3_pass', 'on', 'linear_svm', 'grade', '{}',
                     '{"x2": {"impute": "zero"}, "region": {"impute": "most_frequent", "encode": "ordinal"}}') AS version;
SELECT * FROM pg_temp.same_record('tc_svm3_mem', 'tc_svm3_pass');
SELECT * FROM pg_temp.compare('tc_svm3_mem', 'tc_svm3_pass');

-- the hinge loss reads its rows in memory: refused in passes, trained in memory under auto
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tc_hinge', 'tc', 'label_bool', algorithm => 'linear_svm',
                             features => ARRAY['x1', 'flag'], params => '{"loss": "hinge"}');
RESET modelmgr.train_in_passes;

-- k-means with a text feature: the same centers (the distances of every row
-- to them), sizes, inertia and silhouette (both parts within its sample's
-- bound, so measured on every row)
SELECT pg_temp.train('tc_km_mem', 'off', 'kmeans', NULL, '{"k": 4}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT pg_temp.train('tc_km_pass', 'on', 'kmeans', NULL, '{"k": 4}',
                     '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"}, "region": {"impute": {"constant": "unknown"}}}') AS version;
SELECT * FROM pg_temp.same_record('tc_km_mem', 'tc_km_pass');
SELECT pg_temp.metric_diff('tc_km_mem', 'tc_km_pass') < 1e-9 AS same_metrics,
       (SELECT max(abs(a.c - b.c)) < 1e-9
          FROM unnest((SELECT array_agg(x ORDER BY id) FROM (SELECT id, unnest(mm_transform('tc_km_mem', t)) x FROM tc t) s)) WITH ORDINALITY a(c, i)
          JOIN unnest((SELECT array_agg(x ORDER BY id) FROM (SELECT id, unnest(mm_transform('tc_km_pass', t)) x FROM tc t) s)) WITH ORDINALITY b(c, i) USING (i)) AS same_centers;
SELECT metrics #> '{train,cluster_sizes}' AS train_sizes, metrics #> '{test,cluster_sizes}' AS test_sizes,
       round((metrics #>> '{test,inertia}')::numeric, 6) AS test_inertia,
       round((metrics #>> '{test,silhouette}')::numeric, 6) AS test_silhouette,
       metrics #> '{test,silhouette_rows}' AS silhouette_rows
  FROM mm.versions WHERE model = 'tc_km_pass';

-- The passes never hold the rows: with 1MB for rows in memory, 60,000 rows
-- do not fit (off says so), and auto trains logistic regression and
-- k-means in passes; past 2,000 rows the silhouette is measured on the
-- 2,000 rows of the smallest content hashes
CREATE TABLE tc_large AS
SELECT g AS id, (g % 97) / 97.0::float8 AS x1, ((g * 31) % 89) / 89.0::float8 AS x2,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       CASE WHEN 2 * ((g % 97) / 97.0) - ((g * 31) % 89) / 89.0 + 0.3 * (g % 3)
                 + ((g * 7919) % 1000) / 1000.0 > 1.3 THEN 'yes' ELSE 'no' END AS bought
  FROM generate_series(1, 60000) g;
ANALYZE tc_large;
SET modelmgr.max_train_memory = '1MB';
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tc_large', 'tc_large', 'bought', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region']);
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('tc_large', 'tc_large', 'bought', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region']);
SELECT rows_read, rows_train + rows_test AS rows_split,
       round((metrics #>> '{test,accuracy}')::numeric, 6) AS test_accuracy,
       round((metrics #>> '{test,roc_auc}')::numeric, 4) AS test_auc,
       metrics #> '{test,baseline,class}' AS baseline_class, metrics -> 'converged' AS converged
  FROM mm.versions WHERE model = 'tc_large';
SELECT class, feature, round(coef::numeric, 6) AS coef FROM mm_coefficients('tc_large') ORDER BY class, feature;
SELECT version FROM mm_train('tc_large_km', 'tc_large', NULL, algorithm => 'kmeans',
                             features => ARRAY['x1', 'x2'], params => '{"k": 3}');
SELECT rows_read, metrics #> '{train,cluster_sizes}' AS train_sizes,
       round((metrics #>> '{train,inertia}')::numeric, 4) AS train_inertia,
       metrics #> '{train,silhouette_rows}' AS silhouette_rows,
       (metrics #>> '{test,silhouette}')::float8 BETWEEN -1 AND 1 AS silhouette_valid
  FROM mm.versions WHERE model = 'tc_large_km';
RESET modelmgr.max_train_memory;
-- in memory, the same fixed point, sizes, inertia and silhouette: past
-- 2,000 rows both ways measure it on the rows of the smallest content hashes
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tc_large_km_mem', 'tc_large', NULL, algorithm => 'kmeans',
                             features => ARRAY['x1', 'x2'], params => '{"k": 3}');
RESET modelmgr.train_in_passes;
SELECT regress.json_diff(x.metrics, y.metrics) < 1e-9 AS same_metrics,
       x.metrics #> '{test,silhouette}' = y.metrics #> '{test,silhouette}' AS same_silhouette,
       (SELECT max(abs(a - b)) < 1e-9
          FROM tc_large t, unnest(mm_transform('tc_large_km', t), mm_transform('tc_large_km_mem', t)) u(a, b))
         AS same_centers
  FROM mm.versions x, mm.versions y WHERE x.model = 'tc_large_km' AND y.model = 'tc_large_km_mem';
-- the baseline profiles: a table within the sample's bound is profiled whole, as in memory
SELECT x.model, regress.json_diff(x.baseline, y.baseline) < 1e-9 AS same_baseline
  FROM mm.versions x JOIN mm.versions y ON y.model = replace(x.model, '_mem', '_pass')
 WHERE x.model LIKE 'tc\_%\_mem' ORDER BY 1;

-- The queries of a training in passes besides the algorithm's steps: one
-- pass for the column profile and statistics, whose state counts the
-- number labels and the text feature's values per part, one pass for the
-- metrics of both parts, and the baseline's bounded sample; the class counts
-- come from the first pass, not a pass of their own
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_queries', 'tc', 'label_int', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'region'], params => '{"alpha": 0}', seed => 5,
                             preprocess => '{"region": {"impute": {"constant": "none"}}}');
RESET client_min_messages;
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('tc_queries_mem', 'tc', 'label_int', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'region'], params => '{"alpha": 0}', seed => 5,
                             preprocess => '{"region": {"impute": {"constant": "none"}}}');
SELECT regress.json_diff(x.metrics, y.metrics) < 1e-9 AS same_metrics,
       regress.json_diff(x.baseline, y.baseline) < 1e-9 AS same_baseline,
       x.fingerprint = y.fingerprint AS same_fingerprint
  FROM mm.versions x, mm.versions y WHERE x.model = 'tc_queries' AND y.model = 'tc_queries_mem';

-- Rows the split leaves out (here a NaN feature) are in no part: 3,100 of
-- them, each of another label, text or number, are not counted by the
-- pass's state, which counts the rows of the parts alone, so no query
-- counts the labels again, and the fit refuses the NaN rows as before
CREATE TABLE tc_crowd AS
SELECT g AS id, CASE WHEN g <= 3100 THEN 'NaN'::float8 ELSE (g % 7) / 7.0 END AS x1,
       CASE WHEN g <= 3100 THEN 1000 + g ELSE g % 3 END AS label,
       (CASE WHEN g <= 3100 THEN 1000 + g ELSE g % 3 END)::text AS label_text
  FROM generate_series(1, 3400) g;
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_crowd', 'tc_crowd', 'label_text', algorithm => 'logistic_regression',
                             features => ARRAY['x1']);
SELECT version FROM mm_train('tc_crowd', 'tc_crowd', 'label', algorithm => 'logistic_regression',
                             features => ARRAY['x1']);
RESET client_min_messages;
RESET modelmgr.train_in_passes;

-- A numeric label, whose double may round a fractional value to a whole
-- one, is counted by the grouping query that carries the first pass, by its
-- values as numeric; the model is the one the rows in memory give (the
-- mean imputed for x2 differs in its last bit: 0.48724319221742957 against
-- 0.4872431922174296 in memory), and a fractional value is refused as in
-- memory
CREATE VIEW tc_numeric AS
SELECT id, x1, x2, region, flag, label_int::numeric AS label_num,
       CASE WHEN id = 7 THEN 0.5 ELSE label_int END::numeric AS label_fraction
  FROM tc;
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_num_pass', 'tc_numeric', 'label_num', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region', 'flag'], params => '{"alpha": 0.5}',
                             preprocess => '{"x2": {"impute": "mean"}, "region": {"impute": "most_frequent"}}',
                             test_size => 0.25, seed => 11, deploy => 'always');
RESET client_min_messages;
SELECT version FROM mm_train('tc_fraction', 'tc_numeric', 'label_fraction', algorithm => 'logistic_regression',
                             features => ARRAY['x1']);
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tc_num_mem', 'tc_numeric', 'label_num', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region', 'flag'], params => '{"alpha": 0.5}',
                             preprocess => '{"x2": {"impute": "mean"}, "region": {"impute": "most_frequent"}}',
                             test_size => 0.25, seed => 11, deploy => 'always');
SELECT version FROM mm_train('tc_fraction', 'tc_numeric', 'label_fraction', algorithm => 'logistic_regression',
                             features => ARRAY['x1']);
RESET modelmgr.train_in_passes;
SELECT x.rows_read, x.rows_train, x.rows_test, x.fingerprint = y.fingerprint AS same_fingerprint,
       regress.json_diff(x.fitted_preprocess, y.fitted_preprocess) < 1e-15 AS fitted_1e15
  FROM mm.versions x, mm.versions y WHERE x.model = 'tc_num_mem' AND y.model = 'tc_num_pass';
SELECT * FROM pg_temp.compare('tc_num_mem', 'tc_num_pass');

-- A text label with more text than the pass's state holds (40 labels of
-- about 500 bytes, 20 KB) is counted by a discovery query of its own, one
-- more read; the model is the one the rows in memory give
CREATE TABLE tc_long AS
SELECT g AS id, (g % 7) / 7.0::float8 AS x1, ((g * 13) % 11) / 11.0::float8 AS x2,
       repeat(chr(65 + (g % 40) % 26), 498) || (g % 40) AS label
  FROM generate_series(1, 2000) g;
SET modelmgr.train_in_passes = on;
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_long_pass', 'tc_long', 'label', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2'], deploy => 'always');
RESET client_min_messages;
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('tc_long_mem', 'tc_long', 'label', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2'], deploy => 'always');
RESET modelmgr.train_in_passes;
SELECT * FROM pg_temp.same_record('tc_long_mem', 'tc_long_pass');
SELECT (pg_temp.coef_diff('tc_long_mem', 'tc_long_pass')).coef < 1e-6 AS coef_1e6,
       pg_temp.metric_diff('tc_long_mem', 'tc_long_pass') < 1e-9 AS metrics_1e9,
       jsonb_array_length(v.metrics #> '{test,confusion_matrix}') AS labels
  FROM mm.versions v WHERE v.model = 'tc_long_pass';

-- A relation is read once for the labels, the text features' values and
-- the column profile and statistics, whatever the cache the planner
-- assumes (effective_cache_size): the pass's state counts a number or
-- boolean label and the text features, and a grouping query that carries
-- the pass counts a text label.  Each label kind (a number, text, a
-- boolean) trains to the same model under either setting, byte for byte
-- when both read the rows in the same order (no parallel workers, whose
-- share of the rows varies from run to run); the models in memory above
-- are the oracle for what they find
SET max_parallel_workers_per_gather = 0;
SET modelmgr.train_in_passes = on;
SET effective_cache_size = '8kB';
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_one_read', 'tc', 'label_int', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'region'], params => '{"alpha": 0}', seed => 5,
                             preprocess => '{"region": {"impute": {"constant": "none"}}}');
RESET client_min_messages;
RESET effective_cache_size;
SELECT version FROM mm_train('tc_apart', 'tc', 'label_int', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'region'], params => '{"alpha": 0}', seed => 5,
                             preprocess => '{"region": {"impute": {"constant": "none"}}}');
SET effective_cache_size = '8kB';
SELECT version FROM mm_train('tc_one_read_grade', 'tc', 'grade', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region', 'flag'], seed => 3,
                             preprocess => '{"x2": {"impute": "median", "scale": "robust"},
                                             "region": {"impute": "most_frequent"}}');
SELECT version FROM mm_train('tc_one_read_bool', 'tc', 'label_bool', algorithm => 'linear_svm',
                             features => ARRAY['x1', 'x2', 'region'], seed => 4,
                             preprocess => '{"*": {"impute": "mean"}, "region": {"impute": "most_frequent"}}');
RESET effective_cache_size;
SELECT version FROM mm_train('tc_apart_grade', 'tc', 'grade', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'region', 'flag'], seed => 3,
                             preprocess => '{"x2": {"impute": "median", "scale": "robust"},
                                             "region": {"impute": "most_frequent"}}');
SELECT version FROM mm_train('tc_apart_bool', 'tc', 'label_bool', algorithm => 'linear_svm',
                             features => ARRAY['x1', 'x2', 'region'], seed => 4,
                             preprocess => '{"*": {"impute": "mean"}, "region": {"impute": "most_frequent"}}');
SELECT x.model, (SELECT a.artifact FROM mm._versions a WHERE a.id = x.version_id) =
                (SELECT a.artifact FROM mm._versions a WHERE a.id = y.version_id) AS same_artifact, x.metrics = y.metrics AS same_metrics,
       x.baseline = y.baseline AS same_baseline, x.fingerprint = y.fingerprint AS same_fingerprint,
       x.fitted_preprocess = y.fitted_preprocess AS same_preprocess
  FROM mm.versions x JOIN mm.versions y
    ON y.model = replace(x.model, 'one_read', 'apart')
 WHERE x.model LIKE 'tc\_one\_read%' ORDER BY 1;

-- Read once whatever the cache the planner assumes, with the same error
ANALYZE tc_crowd;
SET effective_cache_size = '8kB';
SET client_min_messages = debug1;
SELECT version FROM mm_train('tc_crowd', 'tc_crowd', 'label_text', algorithm => 'logistic_regression',
                             features => ARRAY['x1']);
RESET client_min_messages;

RESET max_parallel_workers_per_gather;

-- and a text feature with more values than a model may hold is refused
-- after the checks of the rows, as discovered apart
CREATE TABLE tc_many AS
SELECT g AS id, 'v' || g AS code, (g % 5) / 5.0::float8 AS x1, g % 2 AS label
  FROM generate_series(1, 100001) g;
ANALYZE tc_many;
SELECT version FROM mm_train('tc_many', 'tc_many', 'label', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'code']);
RESET effective_cache_size;
SELECT version FROM mm_train('tc_many', 'tc_many', 'label', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'code']);
RESET modelmgr.train_in_passes;

-- k-means seeds from candidates that are rows of the data, weighed by the
-- rows nearest each; on data of few distinct values many rows lie exactly
-- halfway between two candidates, and scaled rows carry in their last bits
-- the order the statistics were summed in.  The same rows stored in another
-- order, trained in memory and in passes, reach the same centers (where a
-- row's nearer candidate followed the roundings, this order led to another
-- fixed point)
CREATE TABLE tc_order AS
SELECT g AS id, (g % 97) / 97.0::float8 AS pages, ((g * 31) % 89) / 89.0::float8 AS minutes,
       ((g * 13) % 11) / 11.0::float8 AS visits, (ARRAY['web', 'app', 'mail'])[1 + g % 3] AS channel
  FROM generate_series(1, 3000) g;
CREATE TABLE tc_order_mixed AS SELECT * FROM tc_order ORDER BY id % 7, id;
ANALYZE tc_order;
ANALYZE tc_order_mixed;
SELECT version FROM mm_train('tc_order_km', 'tc_order', NULL, algorithm => 'kmeans', params => '{"k": 3}',
                             features => ARRAY['pages', 'minutes', 'visits', 'channel'],
                             preprocess => '{"*": {"scale": "standard"}}');
SELECT version FROM mm_train('tc_order_mixed_km', 'tc_order_mixed', NULL, algorithm => 'kmeans', params => '{"k": 3}',
                             features => ARRAY['pages', 'minutes', 'visits', 'channel'],
                             preprocess => '{"*": {"scale": "standard"}}');
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tc_order_mixed_km_pass', 'tc_order_mixed', NULL, algorithm => 'kmeans', params => '{"k": 3}',
                             features => ARRAY['pages', 'minutes', 'visits', 'channel'],
                             preprocess => '{"*": {"scale": "standard"}}');
RESET modelmgr.train_in_passes;
SELECT y.model, x.metrics #> '{train,cluster_sizes}' = y.metrics #> '{train,cluster_sizes}' AS same_sizes,
       (SELECT max(abs(a - b) / greatest(1, abs(b))) < 1e-9
          FROM tc_order t, unnest(mm_transform(y.model, t), mm_transform('tc_order_km', t)) u(a, b))
         AS same_centers
  FROM mm.versions x, mm.versions y
 WHERE x.model = 'tc_order_km' AND y.model IN ('tc_order_mixed_km', 'tc_order_mixed_km_pass')
 ORDER BY 1;

-- Number and boolean labels are counted by the first pass's state, not by a
-- query: the classes, their order and the rows per part are the in-memory
-- ones (a float label, a boolean one, a bigint at 2^53 itself, which the
-- queries count because its double may be another bigint's).  What the
-- state cannot judge it leaves to the queries, whose errors are the
-- in-memory ones: a fractional value, one beyond 2^53 (a bigint's too, in
-- memory as well), more than 1000 labels
CREATE TABLE tc_codes AS
SELECT g AS id, (g % 13) / 13.0::float8 AS x1, ((g * 7) % 11) / 11.0::float8 AS x2,
       (ARRAY[-3.0, 2.0, 12.0])[1 + g % 3]::float8 AS code, g % 4 = 0 AS flag,
       (CASE WHEN g % 2 = 0 THEN 9007199254740992 ELSE -9007199254740992 END)::int8 AS wide
  FROM generate_series(1, 600) g;
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tc_codes_pass', 'tc_codes', 'code', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT version FROM mm_train('tc_flag_pass', 'tc_codes', 'flag', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2'], deploy => 'always');
SELECT version FROM mm_train('tc_wide_pass', 'tc_codes', 'wide', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('tc_codes_mem', 'tc_codes', 'code', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT version FROM mm_train('tc_flag_mem', 'tc_codes', 'flag', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2'], deploy => 'always');
SELECT version FROM mm_train('tc_wide_mem', 'tc_codes', 'wide', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT x.model, mm_classes(x.model) AS classes, mm_classes(x.model) = mm_classes(y.model) AS same_classes,
       x.rows_train = y.rows_train AND x.rows_test = y.rows_test AS same_rows,
       x.metrics #> '{train,confusion_matrix}' = y.metrics #> '{train,confusion_matrix}' AS same_train_counts,
       regress.json_diff(x.metrics, y.metrics) < 1e-6 AS same_metrics
  FROM mm.versions x JOIN mm.versions y ON y.model = replace(x.model, '_pass', '_mem')
 WHERE x.model IN ('tc_codes_pass', 'tc_flag_pass', 'tc_wide_pass')
 ORDER BY 1;

CREATE TEMP TABLE tc_versions_before AS SELECT count(*) AS n FROM mm._versions;
CREATE TABLE tc_bad_codes AS
SELECT id, x1, x2, CASE WHEN id = 40 THEN 2.5 ELSE code END AS fraction,
       CASE WHEN id = 5 THEN 1e20 ELSE code END AS huge,
       CASE WHEN id = 7 THEN 9007199254740993 ELSE wide END AS past,
       id::float8 AS many
  FROM tc_codes UNION ALL SELECT 600 + g, 0.5, 0.5, 2, 2, 2, 600 + g FROM generate_series(1, 401) g;
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('tc_bad', 'tc_bad_codes', 'fraction', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT version FROM mm_train('tc_bad', 'tc_bad_codes', 'huge', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT version FROM mm_train('tc_bad', 'tc_bad_codes', 'past', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT version FROM mm_train('tc_bad', 'tc_bad_codes', 'many', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('tc_bad', 'tc_bad_codes', 'past', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2']);
SELECT count(*) OPERATOR(pg_catalog.=) (SELECT n FROM tc_versions_before) AS catalog_untouched
  FROM mm._versions;
