--
-- The trivial model's scores in the metrics, if_better refusing a version
-- that does not beat them, constant features left out of the fit, and
-- tuning's time budget inside a candidate's fit.
--
-- 13% positives, and features that say little about them
CREATE TABLE bl_rare AS
SELECT g AS id,
       ((g * 7919) % 1000) / 1000.0::float8 AS a,
       ((g * 104729) % 997) / 997.0::float8 AS b,
       5.0::float8 AS flat,
       (g % 100 < 13) AS positive
  FROM generate_series(1, 3000) g;

-- a classifier that always says the majority class is no better than the
-- trivial one: kept out of production, with a notice
SELECT version, deployed, metrics #> '{test,confusion_matrix}' AS confusion,
       metrics #> '{test,baseline}' AS test_baseline,
       metrics #> '{train,baseline}' AS train_baseline
  FROM mm_train('bl_rare_svm', 'bl_rare', 'positive', algorithm => 'linear_svm',
                exclude => ARRAY['id', 'flat']);
SELECT count(*) AS deployed_versions FROM mm.deployment_history WHERE model = 'bl_rare_svm';
-- the same rule for a heavily penalized logistic regression, on the training part when test_size is 0
SELECT version, deployed, metrics #> '{train,baseline,f1}' = metrics #> '{train,f1}' AS same_f1
  FROM mm_train('bl_rare_logit', 'bl_rare', 'positive', exclude => ARRAY['id', 'flat'],
                params => '{"alpha": 1000}', test_size => 0);
-- deploy => 'always' still deploys it
SELECT version, deployed
  FROM mm_train('bl_rare_logit', 'bl_rare', 'positive', exclude => ARRAY['id', 'flat'],
                params => '{"alpha": 1000}', test_size => 0, deploy => 'always');

-- a classifier that learns the rare class beats the baseline and is deployed
CREATE TABLE bl_learnable AS
SELECT id, a, b, (a > 0.87) AS positive FROM bl_rare;
SELECT version, deployed, (metrics #>> '{test,f1}')::float8 > (metrics #>> '{test,baseline,f1}')::float8 AS beats,
       metrics #> '{test,baseline}' AS test_baseline
  FROM mm_train('bl_learned', 'bl_learnable', 'positive', exclude => ARRAY['id']);

-- a regression's baseline is the training mean: r2 0 on the training part by
-- definition, measured like any prediction on the test part
SELECT version, deployed,
       metrics #> '{train,baseline,r2}' AS train_r2,
       round((metrics #>> '{test,baseline,r2}')::numeric, 6) AS test_r2,
       round((metrics #>> '{train,baseline,mean}')::numeric, 6) AS mean,
       round((metrics #>> '{train,baseline,rmse}')::numeric, 6) AS rmse,
       round((metrics #>> '{train,baseline,mae}')::numeric, 6) AS mae
  FROM mm_train('bl_synth_lin', 'synth', 'y', exclude => ARRAY['id']);
-- the same from the rows in memory (preprocessing) as from the training aggregate
SELECT round((metrics #>> '{test,baseline,r2}')::numeric, 10) AS test_r2,
       round((metrics #>> '{train,baseline,rmse}')::numeric, 10) AS rmse
  FROM mm.versions WHERE model = 'bl_synth_lin'
UNION ALL
SELECT round((metrics #>> '{test,baseline,r2}')::numeric, 10),
       round((metrics #>> '{train,baseline,rmse}')::numeric, 10)
  FROM mm_train('bl_synth_lin', 'synth', 'y', exclude => ARRAY['id'], deploy => 'never',
                preprocess => '{"dedupe": false, "*": {"impute": "error"}}');
-- noise does not beat the mean: not deployed
CREATE TABLE bl_noise AS
SELECT g AS id, ((g * 7919) % 1000) / 1000.0::float8 AS a, ((g * 104729) % 997) / 997.0::float8 AS y
  FROM generate_series(1, 500) g;
SELECT version, deployed FROM mm_train('bl_noise', 'bl_noise', 'y', exclude => ARRAY['id']);
-- clustering has no trivial model
SELECT metrics->'train' ? 'baseline' AS has_baseline, deployed
  FROM mm_train('bl_rare_groups', 'bl_rare', NULL, algorithm => 'kmeans', features => ARRAY['a', 'b'],
                params => '{"k": 2}');

-- a constant feature is left out of the fit with a notice, recorded in the
-- version, and reported with coefficient 0; prediction ignores its value
CREATE TABLE bl_flat_synth AS
SELECT id, x1, x2, 7.0::float8 AS k, y FROM synth WHERE id <= 2000;
SELECT version, deployed
  FROM mm_train('bl_flat_lin', 'bl_flat_synth', 'y', exclude => ARRAY['id'], test_size => 0);
SELECT features, fitted_preprocess->'constant' AS constant FROM mm.versions WHERE model = 'bl_flat_lin';
SELECT feature, round(coef::numeric, 6) AS coef, std_err, p_value FROM mm_coefficients('bl_flat_lin');
SELECT round(mm_predict('bl_flat_lin', r)::numeric, 6) AS with_k_7,
       round(mm_predict('bl_flat_lin', (SELECT s FROM (SELECT x1, x2, 1000.0::float8 AS k) s))::numeric, 6) AS with_k_1000
  FROM (SELECT x1, x2, k FROM bl_flat_synth WHERE id = 1) r;
-- the fit is the one without the column
SELECT version FROM mm_train('bl_flat_lin_without', 'bl_flat_synth', 'y', features => ARRAY['x1', 'x2'], test_size => 0);
SELECT a.feature, round(a.coef::numeric, 9) = round(b.coef::numeric, 9) AS same
  FROM mm_coefficients('bl_flat_lin') a JOIN mm_coefficients('bl_flat_lin_without') b USING (feature)
  ORDER BY 1;
-- a classifier, with preprocessing, and a text feature of one category
CREATE TABLE bl_flat_rare AS
SELECT id, a, b, 5.0::float8 AS flat, 'Paris'::text AS city, positive FROM bl_learnable;
SELECT version, deployed
  FROM mm_train('bl_flat_logit', 'bl_flat_rare', 'positive', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}');
SELECT fitted_preprocess->'constant' AS constant, fitted_preprocess->'dropped' AS dropped
  FROM mm.versions WHERE model = 'bl_flat_logit';
SELECT feature, coef = 0 AS zero, std_err IS NULL AS no_std_err
  FROM mm_coefficients('bl_flat_logit') ORDER BY feature;
-- k-means and PCA fit as if the column were not there, as scikit-learn's do
SELECT algorithm, deployed
  FROM mm_train('bl_flat_groups', 'bl_flat_rare', NULL, algorithm => 'kmeans', features => ARRAY['a', 'b', 'flat'],
                params => '{"k": 2}');
SELECT algorithm, deployed
  FROM mm_train('bl_flat_shape', 'bl_flat_rare', NULL, algorithm => 'pca', features => ARRAY['a', 'b', 'flat']);
SELECT mm_predict('bl_flat_groups', r) = mm_predict('bl_flat_groups', (SELECT s FROM (SELECT a, b, -3.0::float8 AS flat) s)) AS same_cluster
  FROM (SELECT a, b, flat FROM bl_flat_rare WHERE id = 7) r;
-- the variance threshold drops it as before, with its own notice
SELECT version FROM mm_train('bl_flat_threshold', 'bl_flat_synth', 'y', exclude => ARRAY['id'], test_size => 0,
                             preprocess => '{"variance_threshold": 0}');
SELECT fitted_preprocess->'dropped' AS dropped, fitted_preprocess ? 'constant' AS has_constant
  FROM mm.versions WHERE model = 'bl_flat_threshold';
-- every feature constant is an error
CREATE TABLE bl_all_flat AS SELECT 1.0::float8 AS k, 2.0::float8 AS m, g::float8 AS y FROM generate_series(1, 50) g;
SELECT * FROM mm_train('bl_all_flat', 'bl_all_flat', 'y');
SELECT * FROM mm_train('bl_all_flat', 'bl_all_flat', 'y', features => ARRAY['k']);

-- tuning's time budget stops a candidate inside its fit: the first candidate
-- is quick, the second would make 100,000 passes of the hinge's dual
-- coordinate descent per fold
CREATE TABLE bl_slow AS
SELECT id, x1, x2, x3, (y > 30) AS high FROM synth;
SELECT version, metrics #> '{cv,stopped_by_time_budget}' AS stopped, metrics #> '{cv,evaluated}' AS evaluated
  FROM mm_tune('bl_slow_svm', 'bl_slow', 'high', algorithm => 'linear_svm', exclude => ARRAY['id'],
               search => '{"max_iter": [1, 100000], "C": [1000000], "tol": [1e-300], "loss": ["hinge"]}',
               time_budget => '1 second', deploy => 'never');
SELECT trial, status, error LIKE 'stopped by the time budget after % s' AS stopped_by_budget,
       fit_time < interval '30 seconds' AS bounded
  FROM mm.trials WHERE model = 'bl_slow_svm' ORDER BY trial;
