-- The walk-through: train, evaluate, deploy, predict, retrain, roll back.
\set ECHO queries
\pset null '(null)'

CREATE EXTENSION modelmgr;

\echo
\echo '--- 1. Train a model where the data lives: one pass over the table, with'
\echo '---    25% of the rows held out for testing.  The first version deploys.'
SELECT model, version, algorithm, deployed,
       round((metrics #>> '{test,r2}')::numeric, 4) AS test_r2,
       round((metrics #>> '{test,rmse}')::numeric) AS test_rmse,
       round((metrics #>> '{test,mae}')::numeric) AS test_mae
  FROM mm_train('house_price', 'house_sales', 'price', exclude => ARRAY['id', 'sold_on']);

\echo
\echo '--- 2. The version is a row: what it read, how, and how well it did.'
SELECT version, algorithm, features, rows_train, rows_test, fingerprint, stages
  FROM mm.versions WHERE model = 'house_price';
SELECT feature, round(coef::numeric, 2) AS coef, round(std_err::numeric, 2) AS std_err,
       round(p_value::numeric, 4) AS p_value
  FROM mm_coefficients('house_price');

\echo
\echo '--- 3. Evaluate it on sales it has never seen: early 2026.'
SELECT jsonb_pretty(mm_evaluate('house_price', 'house_sales_2026'));

\echo
\echo '--- 4. Predict inside queries: mm_predict matches the columns of a row by name.'
SELECT id, living_area, distance_km, price, round(mm_predict('house_price', s)) AS predicted
  FROM house_sales_2026 s ORDER BY id LIMIT 5;
SELECT round(avg(abs(price - mm_predict('house_price', s)))) AS mean_abs_error, count(*)
  FROM house_sales_2026 s;

\echo
\echo '--- 5. A second version with ridge regularization, kept out of production;'
\echo '---    staging serves it next to production, and the two are compared.'
SELECT version, deployed, round((metrics #>> '{test,r2}')::numeric, 4) AS test_r2
  FROM mm_train('house_price', 'house_sales', 'price', exclude => ARRAY['id', 'sold_on'],
                params => '{"alpha": 100000}', deploy => 'never');
SELECT mm_deploy('house_price', 2, 'staging');
SELECT id, price, round(mm_predict('house_price', s)) AS production,
       round(mm_predict('house_price@staging', s)) AS staging
  FROM house_sales_2026 s ORDER BY id LIMIT 3;
SELECT mm_compare('house_price', 1, 2) -> 'params' AS params,
       mm_compare('house_price', 1, 2) #> '{metrics,test,r2}' AS test_r2;
\echo '---    A lasso (elastic_net, l1_ratio 1) sets what does not matter to exactly zero:'
\echo '---    the sale prices never depended on the number of bedrooms.'
SELECT model, algorithm, round((metrics #>> '{test,r2}')::numeric, 4) AS test_r2
  FROM mm_train('price_lasso', 'house_sales', 'price', algorithm => 'elastic_net',
                exclude => ARRAY['id', 'sold_on'], params => '{"alpha": 2000, "l1_ratio": 1}');
SELECT feature, round(coef::numeric, 2) AS coef FROM mm_coefficients('price_lasso');

\echo
\echo '--- 6. The market moved: retrain with the same recipe on the new sales.'
SELECT model, version, deployed, round((metrics #>> '{test,r2}')::numeric, 4) AS test_r2
  FROM mm_retrain('house_price', 'house_sales_2026');
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'house_price' ORDER BY stage;
SELECT round((mm_evaluate('house_price', 'house_sales_2026') ->> 'mae')::numeric) AS mae_on_2026_now;

\echo
\echo '--- 7. Roll back: production returns to the version it served before.'
SELECT mm_rollback('house_price');
SELECT round((mm_evaluate('house_price', 'house_sales_2026') ->> 'mae')::numeric) AS mae_on_2026_now;
SELECT stage, action, version, previous_version, by, via
  FROM mm.deployment_history WHERE model = 'house_price' ORDER BY id;

\echo
\echo '--- 8. Every management call is in the audit log, failed ones too.'
\set ON_ERROR_STOP 0
SELECT mm_archive('house_price', 1);
\set ON_ERROR_STOP 1
SELECT function, version, outcome, coalesce(message, '') AS message
  FROM mm.audit_log WHERE model = 'house_price' ORDER BY id;

\echo
\echo '--- 9. Classify: which price band will a house sell in?  A text target calls'
\echo '---     for a classifier; the preprocessing (imputation, scaling, one-hot'
\echo '---     encoding of the district) is fitted on the training rows and stored.'
CREATE VIEW house_listings AS
SELECT id, living_area, bathrooms, has_garage,
       CASE WHEN id % 25 = 0 THEN NULL ELSE age_years END AS age_years,
       CASE WHEN distance_km < 5 THEN 'centre' WHEN distance_km < 15 THEN 'inner' ELSE 'outer' END AS district,
       CASE WHEN price < 250000 THEN 'budget' WHEN price < 450000 THEN 'mid' ELSE 'premium' END AS band
  FROM house_sales;
SELECT model, version, algorithm, deployed,
       round((metrics #>> '{test,accuracy}')::numeric, 4) AS test_accuracy,
       round((metrics #>> '{test,f1}')::numeric, 4) AS test_f1,
       metrics #> '{test,confusion_matrix}' AS confusion
  FROM mm_train('price_band', 'house_listings', 'band', exclude => ARRAY['id'],
                preprocess => '{"*": {"impute": "median", "scale": "standard"}}');
SELECT mm_classes('price_band');
SELECT id, district, age_years, band, mm_predict_label('price_band', l) AS predicted,
       (SELECT array_agg(round(p::numeric, 3)) FROM unnest(mm_predict_proba('price_band', l)) p) AS proba
  FROM house_listings l ORDER BY id LIMIT 4;

\echo
\echo '--- 10. Segment the houses with k-means, and find their main directions with PCA.'
SELECT model, algorithm, metrics #> '{train,cluster_sizes}' AS sizes,
       round((metrics #>> '{train,silhouette}')::numeric, 3) AS silhouette
  FROM mm_train('segments', 'house_sales', NULL, algorithm => 'kmeans',
                features => ARRAY['living_area', 'age_years', 'distance_km'],
                params => '{"k": 4}', preprocess => '{"*": {"scale": "standard"}}');
SELECT mm_predict('segments', s) AS segment, count(*), round(avg(living_area)) AS living_area,
       round(avg(age_years)) AS age, round(avg(distance_km)::numeric, 1) AS distance_km
  FROM house_sales s GROUP BY 1 ORDER BY 1;
SELECT model, algorithm, metrics #> '{train,explained_variance_ratio}' AS explained
  FROM mm_train('shape', 'house_sales', NULL, algorithm => 'pca', exclude => ARRAY['id', 'sold_on', 'price'],
                params => '{"n_components": 3}', preprocess => '{"*": {"scale": "standard"}}');
SELECT id, (SELECT array_agg(round(c::numeric, 3)) FROM unnest(mm_transform('shape', s)) c) AS components
  FROM house_sales s ORDER BY id LIMIT 3;

\echo
\echo '--- 11. Monitor: compare the 2026 sales with what production was trained on.'
\echo '---     Each feature and the predictions are checked for drift against the'
\echo '---     version''s baseline profile; with the sale prices in, so is quality.'
SELECT mm_monitor('house_price', 'house_sales_2026', every => '1 hour', label_column => 'price',
                  thresholds => '{"quality_drop": 0.02}') AS monitor \gset
SELECT r ->> 'verdict' AS verdict, r -> 'rows' AS rows,
       round((r #>> '{quality,baseline}')::numeric, 4) AS trained_r2,
       round((r #>> '{quality,r2}')::numeric, 4) AS r2_on_2026
  FROM mm_monitor_run(:monitor) r;
SELECT f.key AS feature, round((f.value ->> 'psi')::numeric, 4) AS psi, round((f.value ->> 'ks')::numeric, 4) AS ks,
       round((f.value ->> 'wasserstein')::numeric, 4) AS wasserstein, f.value -> 'out_of_range' AS out_of_range
  FROM mm.monitor_runs r, jsonb_each(r.result -> 'features') f
 WHERE r.monitor = :monitor ORDER BY f.key;
SELECT scope, feature, metric, round(value::numeric, 4) AS value, threshold FROM mm.alerts WHERE monitor = :monitor;

\echo
\echo '--- 12. Let the background worker act: a monitor that retrains on alert.'
\echo '---     The launcher looks every modelmgr.monitor_naptime (10 s by default).'
SELECT mm_monitor('house_price', 'house_sales_2026', every => '1 hour', label_column => 'price',
                  thresholds => '{"quality_drop": 0.02}', action => 'retrain') AS retrainer \gset
SELECT set_config('demo.retrainer', :'retrainer', false) \g /dev/null
DO $$
BEGIN
  FOR i IN 1 .. 120 LOOP
    EXIT WHEN EXISTS (SELECT FROM mm.monitor_runs
                       WHERE monitor = current_setting('demo.retrainer')::int AND via = 'worker');
    PERFORM pg_sleep(0.5);
  END LOOP;
END $$;
SELECT via, verdict, action ->> 'action' AS action, action ->> 'outcome' AS outcome,
       action -> 'version' AS new_version
  FROM mm.monitor_runs WHERE monitor = :retrainer;
SELECT version, relation, parent_version, round(score::numeric, 4) AS test_r2, stages
  FROM mm.versions WHERE model = 'house_price' ORDER BY version;
SELECT mm_unmonitor(:retrainer);
SELECT monitor, model, relation, every, action, last_verdict FROM mm.monitors;

\echo
\echo '--- 13. Tune: let 5-fold cross-validation choose the ridge penalty on the 2026 sales;'
\echo '---     every candidate is kept in mm.trials, the best becomes a version.'
SELECT model, version, algorithm, params -> 'alpha' AS alpha, deployed,
       round((metrics #>> '{cv,mean}')::numeric, 5) AS cv_r2, round((metrics #>> '{test,r2}')::numeric, 5) AS test_r2
  FROM mm_tune('house_price', 'house_sales_2026', 'price', exclude => ARRAY['id', 'sold_on'], deploy => 'never');
SELECT trial, params -> 'alpha' AS alpha, round(cv_mean::numeric, 5) AS cv_r2, round(cv_std::numeric, 5) AS cv_std
  FROM mm.trials WHERE model = 'house_price' ORDER BY cv_mean DESC, trial LIMIT 3;

\echo
\echo '--- 14. Export: production as a portable document; import it as another model; score rows'
\echo '---     outside the database with mm-score, which gives the same bits as mm_predict.'
SELECT d ->> 'format' AS format, d -> 'format_version' AS format_version, d ->> 'algorithm' AS algorithm,
       d #>> '{provenance,model}' AS model, d #> '{provenance,version}' AS version,
       pg_size_pretty(length(d::text)::bigint) AS size
  FROM mm_export('house_price') d;
SELECT mm_import('house_price_copy', mm_export('house_price')) AS imported_version;
SELECT count(*) AS rows, bool_and(mm_predict('house_price', s) = mm_predict('house_price_copy', s)) AS same_predictions
  FROM house_sales_2026 s;
\setenv MM_RUN :run
\setenv MM_BIN :bindir
\pset format unaligned
\pset tuples_only on
\o :run/house_price.json
SELECT mm_export('house_price');
\o
\pset format aligned
\pset tuples_only off
\o :run/house_sales_sample.csv
COPY (SELECT * FROM house_sales_2026 ORDER BY id LIMIT 3) TO STDOUT CSV HEADER;
\o
\! cat "$MM_RUN/house_sales_sample.csv"
\! "$MM_BIN/mm-score" --keep=id "$MM_RUN/house_price.json" "$MM_RUN/house_sales_sample.csv"
SELECT id, mm_predict('house_price', s) AS prediction FROM house_sales_2026 s ORDER BY id LIMIT 3;

\echo
\echo '--- 15. Share: a model is private to its owner.  Grant an analyst the use of production'
\echo '---     (prediction, evaluation, the registry), and nothing more: deploying is a privilege'
\echo '---     of its own.  Monitors run as their owner, restricted, whoever runs them.'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'demo_analyst') THEN
        CREATE ROLE demo_analyst;
    END IF;
END
$$;
GRANT SELECT ON house_sales_2026 TO demo_analyst;
SET ROLE demo_analyst;
SELECT count(*) AS models_the_analyst_sees, mm_has_privilege('house_price', 'use') AS may_use FROM mm.models;
RESET ROLE;
SELECT mm_grant('house_price', 'use', 'demo_analyst');
SET ROLE demo_analyst;
SELECT model, owner, privileges FROM mm.models;
SELECT id, round(mm_predict('house_price', s)) AS predicted FROM house_sales_2026 s ORDER BY id LIMIT 2;
SELECT mm_has_privilege('house_price', 'deploy') AS may_deploy;
RESET ROLE;
SELECT model, grantee, privilege, granted_by FROM mm.grants;

\echo
\echo '--- 16. Statistics as statsmodels and R report them: an unpenalized fit on the parts of'
\echo '---     the sale date and the district (coded against its first level) gives every term a'
\echo '---     standard error, p-value and 95% interval, and the train metrics the fit''s'
\echo '---     adjusted r2, F test and information criteria, next to the trivial baseline.'
CREATE VIEW dated_sales AS
SELECT price, living_area, sold_on,
       CASE WHEN distance_km < 5 THEN 'centre' WHEN distance_km < 15 THEN 'inner' ELSE 'outer' END AS district
  FROM house_sales;
SELECT version FROM mm_train('price_stats', 'dated_sales', 'price', test_size => 0, deploy => 'never',
                             preprocess => '{"sold_on": {"date_parts": ["year", "month"]}}');
SELECT feature, round(coef::numeric, 1) AS coef, round(std_err::numeric, 1) AS std_err,
       round(p_value::numeric, 4) AS p_value, round(ci_lower::numeric, 1) AS ci_lower,
       round(ci_upper::numeric, 1) AS ci_upper
  FROM mm_coefficients('price_stats@1');
SELECT key, round(value::numeric, 4) AS value
  FROM jsonb_each_text((SELECT metrics -> 'train' FROM mm.versions WHERE model = 'price_stats'))
 WHERE key IN ('r2', 'adj_r2', 'f_statistic', 'aic', 'bic', 'df_resid') ORDER BY key;
SELECT metrics #> '{train,baseline}' AS trivial_baseline FROM mm.versions WHERE model = 'price_stats';

\echo
\echo '--- 17. Beyond memory: a table whose rows would not fit modelmgr.max_train_memory trains in'
\echo '---     passes over it, each one aggregate that parallel workers (or Citus shards) split;'
\echo '---     the fit is the one training in memory finds.  modelmgr.train_progress reports the passes.'
SET modelmgr.train_in_passes = on;
SET modelmgr.train_progress = on;
SELECT model, version, algorithm, round((metrics #>> '{test,accuracy}')::numeric, 4) AS test_accuracy
  FROM mm_train('price_band_passes', 'house_listings', 'band', exclude => ARRAY['id'],
                preprocess => '{"*": {"impute": "median", "scale": "standard"}}', deploy => 'never');
RESET modelmgr.train_progress;
RESET modelmgr.train_in_passes;
SELECT max(abs(a.coef - b.coef)) AS largest_difference_from_memory
  FROM mm_coefficients('price_band_passes@1') a
  JOIN mm_coefficients('price_band@1') b USING (class, feature);

\echo
\echo '--- 18. Boosted trees (XGBoost) on the same price bands: NULL ages stay missing, nothing is'
\echo '---     scaled.  Both models hold out the same rows (the split hashes each row with the seed),'
\echo '---     so their test accuracies compare.  The sample prices are linear in the features, the'
\echo '---     bands cuts of them: the shape a linear model fits, where trees only approximate it.'
SELECT model, version, algorithm, round((metrics #>> '{test,accuracy}')::numeric, 4) AS test_accuracy
  FROM mm_train('price_band_boosted', 'house_listings', 'band', algorithm => 'gradient_boosting',
                exclude => ARRAY['id'], deploy => 'never');
SELECT CASE WHEN b.accuracy > l.accuracy THEN 'the boosted trees beat the logistic regression'
            WHEN b.accuracy = l.accuracy THEN 'the boosted trees tie with the logistic regression'
            ELSE 'the logistic regression beats the boosted trees on these linear prices' END AS verdict
  FROM (SELECT (metrics #>> '{test,accuracy}')::float8 AS accuracy
          FROM mm.versions WHERE model = 'price_band_boosted' AND version = 1) b,
       (SELECT (metrics #>> '{test,accuracy}')::float8 AS accuracy
          FROM mm.versions WHERE model = 'price_band' AND version = 1) l;
SELECT feature, round(importance::numeric, 1) AS gain
  FROM mm_importance('price_band_boosted@1') WHERE method = 'gain' ORDER BY importance DESC LIMIT 4;
\echo '---     Forests and boosting grow in passes too, where their rows would not fit: their trees'
\echo '---     on histograms, level by level, each level one aggregate over the rows (boosting'
\echo '---     walks each row down the finished rounds first), written as the XGBoost model the'
\echo '---     export embeds.'
SET modelmgr.train_in_passes = on;
SELECT model, version, algorithm, round((metrics #>> '{test,accuracy}')::numeric, 4) AS test_accuracy
  FROM mm_train('price_band_forest', 'house_listings', 'band', algorithm => 'random_forest',
                exclude => ARRAY['id'], params => '{"n_estimators": 20}', deploy => 'never');
SELECT model, version, algorithm, round((metrics #>> '{test,accuracy}')::numeric, 4) AS test_accuracy
  FROM mm_train('price_band_boosted_passes', 'house_listings', 'band', algorithm => 'gradient_boosting',
                exclude => ARRAY['id'], params => '{"n_estimators": 30, "max_depth": 4}', deploy => 'never');
RESET modelmgr.train_in_passes;
SELECT jsonb_array_length(d #> '{model,booster,learner,gradient_booster,model,trees}') AS trees,
       d #>> '{model,booster,learner,objective,name}' AS xgboost_objective
  FROM mm_export('price_band_forest@1') d;

\echo
\echo '--- 19. The registry at a glance.'
SELECT model, owner, task, versions, latest_version, production_version FROM mm.models;
