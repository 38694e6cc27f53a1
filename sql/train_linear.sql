--
-- Training linear models: least squares against MADlib's published results
-- and closed forms, ridge, no intercept, collinear features, the split, the
-- metrics, column types, what a version records, retraining and deployment.
--

-- MADlib linregr_train: price ~ tax + bath + size on all 15 houses
SELECT model, version, algorithm, deployed,
       metrics -> 'test' AS test,
       round((metrics -> 'train' ->> 'r2')::numeric, 12) AS r2
  FROM mm_train('houses_ols', 'houses', 'price', features => ARRAY['tax', 'bath', 'size'],
                test_size => 0);
-- every statistic within 1e-9 of the published value
SELECT c.feature,
       abs(c.coef / (m.doc #>> ARRAY['houses_linear', 'coef', c.feature])::float8 - 1) < 1e-9 AS coef,
       abs(c.std_err / (m.doc #>> ARRAY['houses_linear', 'std_err', c.feature])::float8 - 1) < 1e-9 AS std_err,
       abs(c.stat / (m.doc #>> ARRAY['houses_linear', 't_stat', c.feature])::float8 - 1) < 1e-9 AS t_stat,
       abs(c.p_value / (m.doc #>> ARRAY['houses_linear', 'p_value', c.feature])::float8 - 1) < 1e-9 AS p_value
  FROM mm_coefficients('houses_ols') c, madlib m;
SELECT abs((v.metrics -> 'train' ->> 'r2')::float8 / (m.doc #>> '{houses_linear,r2}')::float8 - 1) < 1e-12 AS r2_matches
  FROM mm.versions v, madlib m WHERE v.model = 'houses_ols';

-- one feature: PostgreSQL's own regr_* aggregates are the oracle
SELECT version FROM mm_train('size_only', 'houses', 'price', features => ARRAY['size'], test_size => 0);
SELECT abs(c.coef - r.slope) < 1e-9 * abs(r.slope) AS slope,
       abs(i.coef - r.intercept) < 1e-9 * abs(r.intercept) AS intercept,
       abs((v.metrics -> 'train' ->> 'r2')::float8 - r.r2) < 1e-12 AS r2
  FROM (SELECT regr_slope(price, size) AS slope, regr_intercept(price, size) AS intercept,
               regr_r2(price, size) AS r2 FROM houses) r,
       mm_coefficients('size_only') c, mm_coefficients('size_only') i, mm.versions v
 WHERE c.feature = 'size' AND i.feature = 'intercept' AND v.model = 'size_only';

-- ridge: b = Sxy / (Sxx + alpha) with the intercept unpenalized
SELECT version, metrics -> 'train' ->> 'rows' AS rows
  FROM mm_train('size_ridge', 'houses', 'price', features => ARRAY['size'],
                params => '{"alpha": 250000}', test_size => 0);
SELECT abs(c.coef - r.sxy / (r.sxx + 250000)) < 1e-9 * abs(c.coef) AS ridge_slope,
       c.std_err IS NULL AS no_std_err_when_regularized
  FROM (SELECT regr_sxy(price, size) AS sxy, regr_sxx(price, size) AS sxx FROM houses) r,
       mm_coefficients('size_ridge') c
 WHERE c.feature = 'size';
SELECT params FROM mm.versions WHERE model = 'size_ridge';

-- no intercept: b = sum(xy) / sum(xx), and no intercept row
SELECT version FROM mm_train('through_origin', 'houses', 'price', features => ARRAY['size'],
                             params => '{"fit_intercept": false}', test_size => 0);
SELECT feature, abs(coef - (SELECT sum(price::float8 * size) / sum(size::float8 * size) FROM houses)) < 1e-9 AS matches
  FROM mm_coefficients('through_origin');

-- collinear features: the minimum-norm solution, with a NOTICE; aliased terms have no inference
CREATE TABLE collinear AS
SELECT x1, 2 * x1 AS x2, 1 + 3 * x1 + (g % 3) * 0.1 AS y
  FROM generate_series(1, 40) g, LATERAL (SELECT g::float8 AS x1) s;
SELECT version FROM mm_train('collinear', 'collinear', 'y', test_size => 0);
SELECT feature, round(coef::numeric, 9) AS coef, std_err IS NOT NULL AS has_std_err FROM mm_coefficients('collinear');
-- x2 = 2 x1: the fitted slope s splits as (s/5, 2s/5), the least-norm pair with b1 + 2 b2 = s
SELECT abs(a.coef * 5 - r.slope) < 1e-9 AS x1_part, abs(b.coef - 2 * a.coef) < 1e-9 AS x2_part
  FROM mm_coefficients('collinear') a, mm_coefficients('collinear') b,
       (SELECT regr_slope(y, x1) AS slope FROM collinear) r
 WHERE a.feature = 'x1' AND b.feature = 'x2';

-- modelmgr.rank_tolerance: a setting of 0 still finds exact collinearity (the floor is rounding),
-- and a larger one makes nearly collinear features collinear
SET modelmgr.rank_tolerance = 0;
SELECT version FROM mm_train('collinear', 'collinear', 'y', test_size => 0);
SELECT feature, std_err IS NOT NULL AS has_std_err FROM mm_coefficients('collinear@2');
RESET modelmgr.rank_tolerance;
CREATE TABLE near_collinear AS
SELECT x1, x1 + 1e-7 * sin(g) AS x2, 1 + 3 * x1 + (g % 3) * 0.1 AS y
  FROM generate_series(1, 40) g, LATERAL (SELECT g::float8 AS x1) s;
SELECT version FROM mm_train('near_collinear', 'near_collinear', 'y', test_size => 0);
SELECT count(std_err) AS with_std_err FROM mm_coefficients('near_collinear@1');
SET modelmgr.rank_tolerance = 1e-4;
SELECT version FROM mm_train('near_collinear', 'near_collinear', 'y', test_size => 0);
SELECT count(std_err) AS with_std_err FROM mm_coefficients('near_collinear@2');
RESET modelmgr.rank_tolerance;
SET modelmgr.rank_tolerance = 0.5;

-- the split: deterministic from seed and row content, about test_size of the rows
SELECT version, metrics -> 'train' ->> 'rows' AS train_rows, metrics -> 'test' ->> 'rows' AS test_rows
  FROM mm_train('synth', 'synth', 'y', exclude => ARRAY['id'], seed => 1);
SELECT version, metrics -> 'train' ->> 'rows' AS train_rows, metrics -> 'test' ->> 'rows' AS test_rows
  FROM mm_train('synth', 'synth', 'y', exclude => ARRAY['id'], seed => 1);
SELECT version, metrics -> 'train' ->> 'rows' AS train_rows, metrics -> 'test' ->> 'rows' AS test_rows
  FROM mm_train('synth', 'synth', 'y', exclude => ARRAY['id'], seed => 2, test_size => 0.1);
-- same data, same seed: same rows held out and identical statistics
SELECT a.rows_train = b.rows_train AS same_split, a.fingerprint = b.fingerprint AS same_data,
       a.metrics = b.metrics AS same_metrics
  FROM mm.versions a, mm.versions b
 WHERE a.model = 'synth' AND a.version = 1 AND b.model = 'synth' AND b.version = 2;
-- the fingerprint depends on the data, not on the seed or the order of rows
SELECT count(DISTINCT fingerprint) AS fingerprints FROM mm.versions WHERE model = 'synth';
CREATE TABLE synth_shuffled AS SELECT * FROM synth ORDER BY (id * 7907) % 20011;
SELECT version FROM mm_train('synth', 'synth_shuffled', 'y', exclude => ARRAY['id'], seed => 1);
SELECT a.fingerprint = b.fingerprint AS same_fingerprint, a.rows_test = b.rows_test AS same_split,
       abs((a.metrics -> 'test' ->> 'r2')::float8 - (b.metrics -> 'test' ->> 'r2')::float8) < 1e-12 AS same_test_r2
  FROM mm.versions a, mm.versions b
 WHERE a.model = 'synth' AND a.version = 1 AND b.model = 'synth' AND b.version = 4;

-- the fit recovers the generating coefficients; boolean and integer columns are features
SELECT feature, round(coef::numeric, 2) AS coef FROM mm_coefficients('synth@1');

-- metrics: train and test, every key, rows and the rows the mae was measured on
SELECT part, jsonb_object_keys(metrics -> part) AS key
  FROM mm.versions, unnest(ARRAY['train', 'test']) part
 WHERE model = 'synth' AND version = 1 ORDER BY 1, 2;
SELECT round((metrics #>> '{train,r2}')::numeric, 4) AS train_r2,
       round((metrics #>> '{test,r2}')::numeric, 4) AS test_r2,
       round((metrics #>> '{test,rmse}')::numeric, 4) AS test_rmse,
       round((metrics #>> '{test,mae}')::numeric, 4) AS test_mae,
       metrics #>> '{test,mae_rows}' AS mae_rows
  FROM mm.versions WHERE model = 'synth' AND version = 1;
-- trained on everything, the training metrics are the evaluation on the same rows
SELECT version FROM mm_train('synth_all', 'synth', 'y', exclude => ARRAY['id'], test_size => 0);
SELECT key, abs((v.metrics -> 'train' ->> key)::float8 - (e ->> key)::float8) < 1e-9 AS matches
  FROM mm.versions v, mm_evaluate('synth_all', 'synth') e,
       unnest(ARRAY['r2', 'rmse', 'explained_variance']) key
 WHERE v.model = 'synth_all';
-- with the sample larger than the table, the sampled mae is exact
SET modelmgr.metric_sample_rows = 30000;
SELECT version FROM mm_train('synth_all', 'synth', 'y', exclude => ARRAY['id'], test_size => 0);
SELECT abs((v.metrics #>> '{train,mae}')::float8 - (mm_evaluate('synth_all@2', 'synth') ->> 'mae')::float8) < 1e-9 AS exact_mae,
       v.metrics #>> '{train,mae_rows}' AS mae_rows
  FROM mm.versions v WHERE v.model = 'synth_all' AND v.version = 2;
RESET modelmgr.metric_sample_rows;
-- a stale row estimate makes the sample smaller than it could be, and says so
CREATE TABLE shrinking AS SELECT * FROM synth;
ANALYZE shrinking;
DELETE FROM shrinking WHERE id > 4000;
SET modelmgr.metric_sample_rows = 3000;
SELECT version, metrics #>> '{train,rows}' AS train_rows, metrics #>> '{train,mae_rows}' AS mae_rows
  FROM mm_train('shrinking', 'shrinking', 'y', exclude => ARRAY['id'], seed => 1);
ANALYZE shrinking;
SELECT version, metrics #>> '{train,rows}' AS train_rows, metrics #>> '{train,mae_rows}' AS mae_rows
  FROM mm_train('shrinking', 'shrinking', 'y', exclude => ARRAY['id'], seed => 1);
RESET modelmgr.metric_sample_rows;

-- what a version records
SELECT model, version, status, algorithm, task, params, preprocess, features, feature_types,
       target, target_type, relation, test_size, seed, rows_read, rows_train, rows_test,
       rows_skipped, length(fingerprint) AS fingerprint_chars, snapshot IS NOT NULL AS has_snapshot,
       train_time > '0' AS timed, trained_by = current_user AS by_me, parent_version,
       artifact_bytes > 0 AS has_artifact, stages
  FROM mm.versions WHERE model = 'synth' AND version = 3;
SELECT model, task, description, tags, versions, latest_version, production_version
  FROM mm.models ORDER BY model;

-- column types: smallint, bigint, real, numeric, boolean and domains read as numbers
CREATE DOMAIN positive_numeric AS numeric CHECK (VALUE > 0);
CREATE TABLE typed AS
SELECT g::smallint AS s, (g * 3)::bigint AS b, ((g * 13) % 17 / 8.0)::real AS r,
       (g % 11 + 1)::positive_numeric AS n, (g % 2 = 0) AS flag,
       (1 + 0.5 * g + ((g * 13) % 17 / 8.0) - 0.25 * (g % 11 + 1) + 2 * (g % 2)
        + (g % 5) * 0.1)::numeric(12, 4) AS y
  FROM generate_series(1, 200) g;
SELECT version, algorithm FROM mm_train('typed', 'typed', 'y', exclude => ARRAY['b'], test_size => 0);
SELECT feature_types, target_type FROM mm.versions WHERE model = 'typed';
SELECT feature, round(coef::numeric, 6) AS coef FROM mm_coefficients('typed');

-- rows with a NULL target are skipped and counted
CREATE TABLE with_null_target AS SELECT * FROM houses;
UPDATE with_null_target SET price = NULL WHERE id IN (3, 7);
SELECT version, metrics #>> '{train,rows}' AS rows
  FROM mm_train('null_target', 'with_null_target', 'price', features => ARRAY['tax', 'size'], test_size => 0);
SELECT rows_read, rows_train, rows_skipped FROM mm.versions WHERE model = 'null_target';

-- views, materialized views, other schemas and quoted names
CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."House Prices" ("Tax Paid" int, "price; DROP TABLE houses" int, "Size" int);
INSERT INTO "Sales Data"."House Prices" SELECT tax, price, size FROM houses;
SELECT version FROM mm_train('quoted', '"Sales Data"."House Prices"', 'price; DROP TABLE houses', test_size => 0);
SELECT relation, features, target FROM mm.versions WHERE model = 'quoted';
SELECT count(*) AS houses_still_there FROM houses;
CREATE VIEW big_houses AS SELECT tax, size, price FROM houses WHERE size > 1000;
SELECT version, metrics #>> '{train,rows}' AS rows FROM mm_train('from_view', 'big_houses', 'price', test_size => 0);
CREATE MATERIALIZED VIEW houses_mv AS SELECT tax, size, price FROM houses;
SELECT version, metrics #>> '{train,rows}' AS rows FROM mm_train('from_matview', 'houses_mv', 'price', test_size => 0);

-- auto picks linear regression for a numeric target
SELECT algorithm FROM mm_train('auto_pick', 'houses', 'bath', features => ARRAY['size', 'tax'], test_size => 0);

-- deploy policies: the first version deploys, if_better keeps the better one, never and always
SELECT version, deployed FROM mm_train('policy', 'synth', 'y', features => ARRAY['x1'], seed => 3);
SELECT version, deployed FROM mm_train('policy', 'synth', 'y', features => ARRAY['x1', 'x2', 'x3', 'flag'], seed => 3);
SELECT version, deployed FROM mm_train('policy', 'synth', 'y', features => ARRAY['x2'], seed => 3);
SELECT version, deployed FROM mm_train('policy', 'synth', 'y', features => ARRAY['x1', 'x2', 'x3', 'flag'],
                                       seed => 3, deploy => 'never');
SELECT version, deployed FROM mm_train('policy', 'synth', 'y', features => ARRAY['x2'], seed => 3,
                                       deploy => 'always');
SELECT version, round(score::numeric, 4) AS score, stages FROM mm.versions WHERE model = 'policy' ORDER BY version;

-- retraining: the recipe of the referenced version on new (or the same) data
CREATE TABLE synth_recent AS SELECT id, x1, x2, x3, flag, y + 0.75 * x1 AS y FROM synth WHERE id % 2 = 0;
SELECT model, version, algorithm, deployed FROM mm_retrain('synth@3', 'synth_recent');
SELECT model, version, algorithm FROM mm_retrain('synth@3');
SELECT version, parent_version, relation, features, params, test_size, seed, rows_read
  FROM mm.versions WHERE model = 'synth' AND version IN (3, 5, 6) ORDER BY version;
