--
-- Gradient boosting (XGBoost, hist): one name for regression and
-- classification, the prediction functions, metrics, early stopping, the
-- parameters' errors, text features and the export document.
--
\pset null '(null)'

-- 300 deterministic rows: a nonlinear target, three classes and a text feature
CREATE TABLE gb AS
SELECT g AS id,
       ((g * 37) % 101) / 101.0::float8 AS a,
       ((g * 53) % 103) / 103.0::float8 AS b,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       sin(6 * ((g * 37) % 101) / 101.0) + (((g * 53) % 103) / 103.0) ^ 2
         + CASE WHEN g % 3 = 0 THEN 0.5 ELSE 0 END AS y,
       CASE WHEN ((g * 37) % 101) / 101.0 + (((g * 53) % 103) / 103.0) ^ 2 > 1.1 THEN 'high'
            WHEN ((g * 37) % 101) / 101.0 > 0.4 THEN 'mid' ELSE 'low' END AS level,
       (((g * 37) % 101) / 101.0 > ((g * 53) % 103) / 103.0) AS above
  FROM generate_series(1, 300) g;

-- a float target: regression (reg:squarederror), 100 rounds by default; the
-- text feature region is one-hot encoded
SELECT model, algorithm, (metrics->'test'->>'r2')::float8 > 0.9 AS good_r2
  FROM mm_train('gb_reg', 'gb', 'y', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'level', 'above']);
SELECT task, params, metrics->'n_iter' AS rounds FROM mm.versions WHERE model = 'gb_reg';
SELECT id, round(mm_predict('gb_reg', g)::numeric, 4) AS prediction, round(y::numeric, 4) AS y
  FROM gb g WHERE id <= 3 ORDER BY id;

-- a boolean target: binary:logistic
SELECT model, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.9 AS good_accuracy
  FROM mm_train('gb_bin', 'gb', 'above', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'level', 'y']);
SELECT task FROM mm.versions WHERE model = 'gb_bin';
SELECT mm_classes('gb_bin');
SELECT id, mm_predict('gb_bin', g) AS prediction, above,
       round(mm_predict_proba('gb_bin', g)::numeric, 4) AS proba
  FROM gb g WHERE id <= 4 ORDER BY id;

-- a text target: multi:softprob
SELECT model, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.85 AS good_accuracy
  FROM mm_train('gb_multi', 'gb', 'level', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'y', 'above']);
SELECT mm_classes('gb_multi');
SELECT id, mm_predict_label('gb_multi', g) AS prediction, level FROM gb g WHERE id <= 4 ORDER BY id;

-- evaluate on any relation with the columns
SELECT (mm_evaluate('gb_multi', 'gb')->>'accuracy')::float8 > 0.9 AS good_accuracy;

-- early stopping: a tenth of the training rows held out by hash, the rounds
-- up to the best kept
SELECT model FROM mm_train('gb_es', 'gb', 'y', algorithm => 'gradient_boosting',
                           exclude => ARRAY['id', 'level', 'above'],
                           params => '{"n_estimators": 300, "early_stopping_rounds": 3}');
SELECT d->'model'->'n_rounds' AS n_rounds, d->'model'->'best_iteration' AS best_iteration,
       jsonb_array_length(d->'model'->'booster'->'learner'->'gradient_booster'->'model'->'trees') AS trees
  FROM mm_export('gb_es') d;

-- the export embeds XGBoost's own JSON model, and imports back to the same predictions
SELECT d->'algorithm' AS algorithm, d->'task' AS task,
       d->'model'->'booster'->'learner'->'objective'->'name' AS objective,
       d->'model'->'booster'->'learner'->'learner_model_param'->'base_score' AS base_score
  FROM mm_export('gb_multi') d;
SELECT mm_import('gb_multi_copy', mm_export('gb_multi')) AS version;
SELECT count(*) FILTER (WHERE mm_predict_proba('gb_multi', g) = mm_predict_proba('gb_multi_copy', g)) AS same
  FROM gb g;

-- monitoring: the rows it was trained on (and the held-out ones) do not drift, and the
-- quality is the classifier's
SELECT r->>'verdict' AS verdict, r->'rows' AS rows, r#>'{quality,metric}' AS quality_metric,
       (r#>>'{features,a,psi}')::float8 < 0.1 AS a_no_drift
  FROM mm_monitor_run(mm_monitor('gb_multi', 'gb', label_column => 'level')) r;

-- parameters: ranges, null early stopping, unknown names
SELECT version FROM mm_train('gb_bad', 'gb', 'y', algorithm => 'gradient_boosting', params => '{"max_depth": 0}');
SELECT version FROM mm_train('gb_bad', 'gb', 'y', algorithm => 'gradient_boosting', params => '{"learning_rate": 0}');
SELECT version FROM mm_train('gb_bad', 'gb', 'y', algorithm => 'gradient_boosting',
                             params => '{"early_stopping_rounds": "soon"}');
SELECT version FROM mm_train('gb_bad', 'gb', 'y', algorithm => 'gradient_boosting', params => '{"eta": 0.1}');

-- the working memory is estimated up front and refused beyond the limit
SET modelmgr.max_train_memory = '1MB';
SELECT version FROM mm_train('gb_bad', 'gb', 'y', algorithm => 'gradient_boosting',
                             exclude => ARRAY['id', 'level', 'above'], params => '{"max_depth": 20, "max_bin": 60000}');
RESET modelmgr.max_train_memory;

-- a cancel is seen between rounds, and XGBoost's handles go with the statement
SET statement_timeout = '300ms';
SELECT version FROM mm_train('gb_slow', 'gb', 'y', algorithm => 'gradient_boosting',
                             exclude => ARRAY['id', 'level', 'above'],
                             params => '{"n_estimators": 100000, "max_depth": 12, "min_child_weight": 0}');
RESET statement_timeout;
SELECT count(*) AS slow_versions FROM mm.versions WHERE model = 'gb_slow';

-- NULL numbers go to XGBoost as missing, no imputation needed: each split
-- learned a default branch for them, which prediction follows
UPDATE gb SET a = NULL WHERE id % 10 = 7;
SELECT model, algorithm
  FROM mm_train('gb_null', 'gb', 'y', algorithm => 'gradient_boosting', exclude => ARRAY['id', 'level', 'above']);
SELECT fitted_preprocess->'features'->'a' AS a FROM mm.versions WHERE model = 'gb_null';
SELECT id, a, round(mm_predict('gb_null', g)::numeric, 4) AS prediction FROM gb g WHERE id IN (6, 7) ORDER BY id;
SELECT model FROM mm_train('gb_null_num', 'gb', 'y', algorithm => 'gradient_boosting',
                           exclude => ARRAY['id', 'level', 'above', 'region']);
SELECT round(mm_predict('gb_null_num', ARRAY[NULL, 0.5]::float8[])::numeric, 4) AS a_missing,
       round(mm_predict('gb_null_num', ARRAY[NULL, NULL]::float8[])::numeric, 4) AS both_missing;
-- an imputed feature is imputed as before
SELECT model FROM mm_train('gb_imputed', 'gb', 'y', algorithm => 'gradient_boosting',
                           exclude => ARRAY['id', 'level', 'above'], preprocess => '{"a": {"impute": "median"}}');
-- text stays one-hot: a NULL category is still refused unless imputed
UPDATE gb SET region = NULL WHERE id = 8;
SELECT model FROM mm_train('gb_null_text', 'gb', 'y', algorithm => 'gradient_boosting',
                           exclude => ARRAY['id', 'level', 'above']);
-- other algorithms still refuse NULL numbers
SELECT model FROM mm_train('lin_null', 'gb', 'y', algorithm => 'linear_regression',
                           exclude => ARRAY['id', 'level', 'above', 'region']);

-- tuning: the default search space (a grid of n_estimators, max_depth and
-- learning_rate), and a search of one's own
SELECT model, algorithm, params->>'max_depth' AS max_depth
  FROM mm_tune('gb_tuned', 'gb', 'y', algorithm => 'gradient_boosting',
               exclude => ARRAY['id', 'level', 'above', 'region'], folds => 2,
               search => '{"max_depth": [2, 4], "n_estimators": [20]}');
SELECT count(*) AS trials FROM mm.trials WHERE model = 'gb_tuned';
SELECT model, algorithm, params->>'n_estimators' IS NOT NULL AS tuned
  FROM mm_tune('gb_tuned_default', 'gb', 'y', algorithm => 'gradient_boosting',
               exclude => ARRAY['id', 'level', 'above', 'region'], folds => 2);
SELECT count(*) AS trials, count(DISTINCT params) AS distinct_params
  FROM mm.trials WHERE model = 'gb_tuned_default';

-- feature importances by encoded column: XGBoost's gain, total_gain and split counts
SELECT method, feature, round(importance::numeric, 4) AS importance
  FROM mm_importance('gb_reg') ORDER BY method, feature;
SELECT * FROM mm_importance('gb_reg') WHERE method = 'nothing';
-- linear models have coefficients instead
SELECT version FROM mm_train('gb_lin', 'gb', 'y', algorithm => 'linear_regression',
                             exclude => ARRAY['id', 'level', 'above', 'region', 'a']);
SELECT * FROM mm_importance('gb_lin');

--
-- random_forest: XGBoost's random-forest mode under scikit-learn's names
--
SELECT model, algorithm, (metrics->'test'->>'r2')::float8 > 0.8 AS good_r2
  FROM mm_train('rf_reg', 'gb', 'y', algorithm => 'random_forest', exclude => ARRAY['id', 'level', 'above'],
                preprocess => '{"a": {"impute": "median"}, "region": {"impute": "most_frequent"}}');
SELECT model, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.85 AS good_accuracy
  FROM mm_train('rf_multi', 'gb', 'level', algorithm => 'random_forest', exclude => ARRAY['id', 'y', 'above', 'region']);
SELECT model, task, params FROM mm.versions WHERE model IN ('rf_reg', 'rf_multi') ORDER BY model;
-- one round of parallel trees: n_estimators trees per class
SELECT d->'model'->'n_rounds' AS n_rounds,
       jsonb_array_length(d->'model'->'booster'->'learner'->'gradient_booster'->'model'->'trees') AS trees,
       d->'model'->'booster'->'learner'->'gradient_booster'->'model'->'gbtree_model_param'->'num_parallel_tree' AS parallel
  FROM mm_export('rf_multi') d;
SELECT id, mm_predict_label('rf_multi', g) AS prediction, level,
       (SELECT round(sum(p)::numeric, 6) FROM unnest(mm_predict_proba('rf_multi', g)) p) AS proba_sum
  FROM gb g WHERE id <= 4 ORDER BY id;
SELECT version FROM mm_train('rf_bad', 'gb', 'y', algorithm => 'random_forest', params => '{"max_features": 1.5}');
SELECT version FROM mm_train('rf_bad', 'gb', 'y', algorithm => 'random_forest', params => '{"learning_rate": 0.5}');
