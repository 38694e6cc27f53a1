--
-- random_forest's max_features and min_samples_leaf in scikit-learn's forms:
-- a count (an integer), a fraction (written with digits after the point),
-- the words and null; how each becomes XGBoost's colsample_bynode and
-- min_child_weight, and the errors of the values neither takes.
--
\pset null '(null)'

-- 200 rows of three numbers and a text feature of three categories: a
-- design of six columns, the categories one each
CREATE TABLE fp AS
SELECT g AS id,
       ((g * 37) % 101) / 101.0::float8 AS a,
       ((g * 53) % 103) / 103.0::float8 AS b,
       ((g * 29) % 97) / 97.0::float8 AS c,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       sin(6 * ((g * 37) % 101) / 101.0) + (((g * 53) % 103) / 103.0) ^ 2
         + CASE WHEN g % 3 = 0 THEN 0.5 ELSE 0 END AS y,
       CASE WHEN ((g * 37) % 101) / 101.0 + (((g * 53) % 103) / 103.0) ^ 2 > 1.1 THEN 'high'
            WHEN ((g * 37) % 101) / 101.0 > 0.4 THEN 'mid' ELSE 'low' END AS level
  FROM generate_series(1, 200) g;

-- trains a small forest of the regression with params, and returns its version
CREATE FUNCTION pg_temp.forest(name text, params jsonb) RETURNS int LANGUAGE sql AS $$
  SELECT version FROM mm_train(name, 'fp', 'y', algorithm => 'random_forest', exclude => ARRAY['id', 'level'],
                               params => params || '{"n_estimators": 8}')
$$;
-- whether two models' trees are the same, node for node
CREATE FUNCTION pg_temp.same_trees(a text, b text) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(a) d) =
         (SELECT d#>'{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(b) d)
$$;

-- every form of max_features; the params recorded keep it as written, 1.0 apart from 1
SELECT pg_temp.forest('fp_count1', '{"max_features": 1}');
SELECT pg_temp.forest('fp_count2', '{"max_features": 2}');
SELECT pg_temp.forest('fp_count3', '{"max_features": 3}');
SELECT pg_temp.forest('fp_count6', '{"max_features": 6}');
SELECT pg_temp.forest('fp_half', '{"max_features": 0.5}');
SELECT pg_temp.forest('fp_tenth', '{"max_features": 0.1}');
SELECT pg_temp.forest('fp_all', '{"max_features": 1.0}');
SELECT pg_temp.forest('fp_sqrt', '{"max_features": "sqrt"}');
SELECT pg_temp.forest('fp_log2', '{"max_features": "log2"}');
SELECT pg_temp.forest('fp_null', '{"max_features": null}');
SELECT pg_temp.forest('fp_default', '{}');
SELECT model, params->'max_features' AS max_features
  FROM mm.versions WHERE model LIKE 'fp\_%' ORDER BY version_id;

-- each draws scikit-learn's count of the six columns: a fraction f gives
-- max(1, int(6 f)), sqrt and log2 truncate, null and 1.0 take all
SELECT pg_temp.same_trees('fp_half', 'fp_count3') AS half_is_3,
       pg_temp.same_trees('fp_tenth', 'fp_count1') AS tenth_is_1,
       pg_temp.same_trees('fp_sqrt', 'fp_count2') AS sqrt_is_2,
       pg_temp.same_trees('fp_log2', 'fp_count2') AS log2_is_2,
       pg_temp.same_trees('fp_all', 'fp_count6') AS all_is_6,
       pg_temp.same_trees('fp_null', 'fp_count6') AS null_is_6,
       pg_temp.same_trees('fp_default', 'fp_null') AS regression_default_is_null,
       pg_temp.same_trees('fp_count1', 'fp_count6') AS one_is_not_all;

-- the classifier's default stays "sqrt"
SELECT version FROM mm_train('fp_class', 'fp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
                             params => '{"n_estimators": 8}');
SELECT task, params->'max_features' AS max_features FROM mm.versions WHERE model = 'fp_class';

-- a whole number written with a point is a count above 1 (as these took counts before)
SELECT pg_temp.forest('fp_count3_point', '{"max_features": 3.0}');
SELECT params->'max_features' AS max_features FROM mm.versions WHERE model = 'fp_count3_point';
SELECT pg_temp.same_trees('fp_count3_point', 'fp_count3') AS same;

-- min_samples_leaf as a fraction of the 148 training rows, rounded up: 0.05 of them is 8
SELECT pg_temp.forest('fp_leaf_frac', '{"min_samples_leaf": 0.05}');
SELECT pg_temp.forest('fp_leaf8', '{"min_samples_leaf": 8}');
SELECT pg_temp.forest('fp_leaf_point', '{"min_samples_leaf": 8.0}');
SELECT model, params->'min_samples_leaf' AS min_samples_leaf, rows_train
  FROM mm.versions WHERE model IN ('fp_leaf_frac', 'fp_leaf8', 'fp_leaf_point') ORDER BY version_id;
SELECT pg_temp.same_trees('fp_leaf_frac', 'fp_leaf8') AS frac_is_8,
       pg_temp.same_trees('fp_leaf_point', 'fp_leaf8') AS point_is_8;

-- what neither form takes, refused before any row is read, naming what is taken
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT pg_temp.forest('fp_bad', '{"max_features": 0}');
SELECT pg_temp.forest('fp_bad', '{"max_features": 0.0}');
SELECT pg_temp.forest('fp_bad', '{"max_features": -2}');
SELECT pg_temp.forest('fp_bad', '{"max_features": -0.5}');
SELECT pg_temp.forest('fp_bad', '{"max_features": 1.5}');
SELECT pg_temp.forest('fp_bad', '{"max_features": 1e400}');
SELECT pg_temp.forest('fp_bad', '{"max_features": "NaN"}');
SELECT pg_temp.forest('fp_bad', '{"max_features": "all"}');
SELECT pg_temp.forest('fp_bad', '{"max_features": true}');
SELECT pg_temp.forest('fp_bad', '{"max_features": [0.5]}');
SELECT pg_temp.forest('fp_bad', '{"max_features": {"a": 1}}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": 0}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": 0.0}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": 1.5}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": -0.5}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": 1000001}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": null}');
SELECT pg_temp.forest('fp_bad', '{"min_samples_leaf": "1"}');
-- a count beyond the design's six columns, refused once the design is built
SELECT pg_temp.forest('fp_bad', '{"max_features": 7}');
-- without the text feature the design has three
SELECT version FROM mm_train('fp_bad', 'fp', 'y', algorithm => 'random_forest',
                             exclude => ARRAY['id', 'level', 'region'], params => '{"max_features": 4}');
-- none of them left a version
SELECT count(*) AS versions FROM mm.versions WHERE model = 'fp_bad';

-- mm_tune searches over every form, each candidate's params as written
SELECT model, algorithm, params->'max_features' IS NOT NULL AS best_recorded
  FROM mm_tune('fp_tuned', 'fp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
               params => '{"n_estimators": 8}', folds => 3,
               search => '{"max_features": [0.3, 0.6, 1.0, 2, "sqrt", null]}');
SELECT trial, params->'max_features' AS max_features, status, cv_mean > 0.5 AS learned
  FROM mm._trials WHERE model = 'fp_tuned' ORDER BY trial;
-- a candidate neither form takes fails the search before any fit
SELECT * FROM mm_tune('fp_tuned_bad', 'fp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
                      search => '{"max_features": [0.5, 0]}');
-- a count beyond the design's columns, known only as each fold's design is
-- built, fails its candidate, which the search records
SELECT model, params->'max_features' AS max_features
  FROM mm_tune('fp_tuned_wide', 'fp', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
               params => '{"n_estimators": 8}', folds => 3, search => '{"max_features": [2, 7]}');
SELECT trial, params->'max_features' AS max_features, status, error
  FROM mm._trials WHERE model = 'fp_tuned_wide' ORDER BY trial;
SELECT count(*) AS versions FROM mm.versions WHERE model = 'fp_tuned_bad';

-- every parameter of gradient_boosting and random_forest refuses what its
-- range does not hold, NaN and infinities as strings or beyond a double,
-- with SQLSTATE 22023 and its message, before a row is read
CREATE FUNCTION pg_temp.refusal(algorithm text, params jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
BEGIN
  PERFORM mm_train('gbfp_bad', 'fp', 'y', algorithm => algorithm, exclude => ARRAY['id', 'level'], params => params);
  RETURN 'trained';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
  RETURN state || ': ' || message;
END
$$;
SELECT algorithm, params, pg_temp.refusal(algorithm, params::jsonb) AS refusal
  FROM (VALUES ('gradient_boosting', '{"n_estimators": -5}'),
               ('gradient_boosting', '{"n_estimators": 0}'),
               ('gradient_boosting', '{"n_estimators": 2.5}'),
               ('gradient_boosting', '{"n_estimators": "NaN"}'),
               ('gradient_boosting', '{"max_depth": 31}'),
               ('gradient_boosting', '{"learning_rate": 0}'),
               ('gradient_boosting', '{"learning_rate": 1.5}'),
               ('gradient_boosting', '{"learning_rate": "Infinity"}'),
               ('gradient_boosting', '{"learning_rate": 1e400}'),
               ('gradient_boosting', '{"subsample": 0}'),
               ('gradient_boosting', '{"subsample": 1.5}'),
               ('gradient_boosting', '{"colsample_bytree": 0}'),
               ('gradient_boosting', '{"colsample_bytree": "NaN"}'),
               ('gradient_boosting', '{"min_child_weight": -1}'),
               ('gradient_boosting', '{"reg_lambda": -0.1}'),
               ('gradient_boosting', '{"reg_alpha": null}'),
               ('gradient_boosting', '{"gamma": -1e-9}'),
               ('gradient_boosting', '{"max_bin": 1}'),
               ('gradient_boosting', '{"scale_pos_weight": 0}'),
               ('gradient_boosting', '{"early_stopping_rounds": 0}'),
               ('gradient_boosting', '{"early_stopping_rounds": true}'),
               ('random_forest', '{"n_estimators": 0}'),
               ('random_forest', '{"n_estimators": -1}'),
               ('random_forest', '{"n_estimators": 10001}'),
               ('random_forest', '{"max_depth": 0}'),
               ('random_forest', '{"max_depth": "Infinity"}'),
               ('random_forest', '{"bootstrap": 1}'),
               ('random_forest', '{"bootstrap": null}')) AS t(algorithm, params);
-- and none of them left a model or a version
SELECT (SELECT count(*) FROM mm.models WHERE model = 'gbfp_bad') AS models,
       (SELECT count(*) FROM mm.versions WHERE model = 'gbfp_bad') AS versions;

-- the example of doc/boosting.md: a forest of the default hundred trees with
-- both fractions, and its importances over all of its trees
SELECT version FROM mm_train('fp_forest', 'fp', 'y', algorithm => 'random_forest',
                             exclude => ARRAY['id', 'level'],
                             params => '{"max_features": 0.5, "min_samples_leaf": 0.05}');
SELECT params, rows_train FROM mm.versions WHERE model = 'fp_forest';
SELECT method, feature, round(importance::numeric, 4) AS importance
  FROM mm_importance('fp_forest') ORDER BY method, feature;

-- the same rows in another order give the same trees: XGBoost draws a tree's
-- rows by their positions and sums in their order, so they go to it in the
-- order of their contents, not the order a scan meets them in (a table
-- rewritten, a distributed table's shards); fp_shuffled holds fp's rows in
-- another physical order, and the forest, a classifier with its class
-- probabilities and boosting that draws half the rows per tree agree to the bit
CREATE TABLE fp_shuffled AS SELECT * FROM fp ORDER BY md5(id::text);
SELECT (SELECT array_agg(id) FROM (SELECT id FROM fp LIMIT 5) f) <>
       (SELECT array_agg(id) FROM (SELECT id FROM fp_shuffled LIMIT 5) s) AS read_in_another_order;
SELECT count(*) AS versions
  FROM (SELECT mm_train(m || '_' || r, r, t, algorithm => a, exclude => ARRAY['id', o], params => p::jsonb,
                        deploy => 'always')
          FROM (VALUES ('fp_rf', 'y', 'level', 'random_forest', '{"n_estimators": 20}'),
                       ('fp_rfc', 'level', 'y', 'random_forest', '{"n_estimators": 20}'),
                       ('fp_gb', 'y', 'level', 'gradient_boosting', '{"n_estimators": 20, "subsample": 0.5}'))
                 AS c(m, t, o, a, p),
               (VALUES ('fp'), ('fp_shuffled')) AS rel(r)) trained;
SELECT max(abs(mm_predict('fp_rf_fp', f) - mm_predict('fp_rf_fp_shuffled', f))) AS forest_difference,
       bool_and(mm_predict_proba('fp_rfc_fp', f) = mm_predict_proba('fp_rfc_fp_shuffled', f)) AS same_probabilities,
       max(abs(mm_predict('fp_gb_fp', f) - mm_predict('fp_gb_fp_shuffled', f))) AS boosting_difference
  FROM fp f;
