--
-- Evaluation on any relation with the model's columns, against metrics
-- computed here in SQL; coefficients of linear models.
--
SELECT jsonb_pretty(mm_evaluate('houses_ols@1', 'houses'));
-- the same metrics written out in SQL
WITH p AS (SELECT price::float8 AS y, mm_predict('houses_ols@1', h) AS yhat FROM houses h),
     s AS (SELECT sum((y - yhat) ^ 2) AS sse, regr_syy(y, y) AS syy, count(*) AS n,
                  sum(abs(y - yhat)) AS sae, var_pop(y - yhat) * count(*) AS see FROM p)
SELECT abs((e ->> 'r2')::float8 - (1 - sse / syy)) < 1e-12 AS r2,
       abs((e ->> 'rmse')::float8 - sqrt(sse / n)) < 1e-9 AS rmse,
       abs((e ->> 'mae')::float8 - sae / n) < 1e-9 AS mae,
       abs((e ->> 'explained_variance')::float8 - (1 - see / syy)) < 1e-12 AS explained_variance
  FROM s, mm_evaluate('houses_ols@1', 'houses') e;

-- any relation with the needed columns: order, extra columns and types do not matter
CREATE VIEW houses_reordered_priced AS SELECT r.*, h.price FROM houses_reordered r JOIN houses h USING (id);
SELECT mm_evaluate('houses_ols@1', 'houses_reordered_priced') = mm_evaluate('houses_ols@1', 'houses') AS same;
-- rows with a NULL target are skipped and counted
SELECT mm_evaluate('null_target', 'with_null_target') ->> 'rows' AS rows,
       mm_evaluate('null_target', 'with_null_target') ->> 'rows_null_target' AS skipped;
-- the production stage by default
SELECT mm_evaluate('houses_ols', 'houses') ->> 'version' AS evaluated_version;

-- in parallel workers, the same metrics
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
CREATE TEMP TABLE parallel_eval AS SELECT mm_evaluate('synth@1', 'synth') AS e;
SET max_parallel_workers_per_gather = 0;
SELECT key, abs((p.e ->> key)::float8 - (s ->> key)::float8) < 1e-9 AS same
  FROM parallel_eval p, mm_evaluate('synth@1', 'synth') s,
       unnest(ARRAY['r2', 'rmse', 'mae', 'explained_variance', 'rows']) key;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- what evaluation refuses
SELECT mm_evaluate('houses_ols@1', 'no_such_table');
SELECT mm_evaluate('houses_ols@1', 'synth');
CREATE TABLE houses_text_price AS SELECT tax, bath, size, price::text AS price FROM houses;
SELECT mm_evaluate('houses_ols@1', 'houses_text_price');
CREATE TABLE houses_no_price AS SELECT tax, bath, size FROM houses;
SELECT mm_evaluate('houses_ols@1', 'houses_no_price');
CREATE TABLE houses_empty AS SELECT * FROM houses WHERE false;
SELECT mm_evaluate('houses_ols@1', 'houses_empty');
CREATE TABLE houses_nan_price AS SELECT tax, bath, size, CASE WHEN id = 3 THEN 'NaN'::float8 ELSE price END AS price
  FROM houses;
SELECT mm_evaluate('houses_ols@1', 'houses_nan_price');
SELECT mm_evaluate(NULL, 'houses');
SELECT mm_evaluate('houses_ols@1', NULL);
SELECT mm_evaluate('no_such_model', 'houses');

-- coefficients: intercept first, in the units of the inputs
SELECT class, feature, round(coef::numeric, 6) AS coef, round(std_err::numeric, 6) AS std_err,
       round(stat::numeric, 6) AS stat, round(p_value::numeric, 6) AS p_value
  FROM mm_coefficients('houses_ols@1');
-- confidence intervals, the last columns: coef -+ t(0.975, 11) std_err (15 rows, 4 coefficients)
SELECT feature, round(ci_lower::numeric, 6) AS ci_lower, round(ci_upper::numeric, 6) AS ci_upper
  FROM mm_coefficients('houses_ols@1');
-- the same from the t quantiles computed in 40-digit arithmetic: 2.2009851600916399 at 95%,
-- 1.7958848187040441 at 90%; a higher level, a wider interval
SELECT c.feature,
       abs(c.ci_lower - (c.coef - 2.2009851600916399 * c.std_err)) < 1e-12 * c.std_err
       AND abs(c.ci_upper - (c.coef + 2.2009851600916399 * c.std_err)) < 1e-12 * c.std_err AS at_95,
       abs(n.ci_lower - (n.coef - 1.7958848187040441 * n.std_err)) < 1e-12 * n.std_err
       AND abs(n.ci_upper - (n.coef + 1.7958848187040441 * n.std_err)) < 1e-12 * n.std_err AS at_90,
       w.ci_lower < c.ci_lower AND w.ci_upper > c.ci_upper AS wider_at_99
  FROM mm_coefficients('houses_ols@1') c
  JOIN mm_coefficients('houses_ols@1', 0.90) n USING (feature)
  JOIN mm_coefficients('houses_ols@1', level => 0.99) w USING (feature);
SELECT * FROM mm_coefficients('houses_ols@1', 0);
SELECT * FROM mm_coefficients('houses_ols@1', 1);
SELECT * FROM mm_coefficients('houses_ols@1', 'NaN');
SELECT * FROM mm_coefficients('houses_ols@1', NULL);
SELECT * FROM mm_coefficients('no_such_model');
SELECT * FROM mm_coefficients(NULL);

-- NIST StRD's Longley data (16 rows, 6 collinear regressors) against its
-- certified coefficients and standard errors: the 95% intervals with the
-- t quantile for 9 degrees of freedom, 2.2621571627982055, to 1e-8
CREATE TABLE longley (y float8, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, x6 float8);
INSERT INTO longley VALUES
  (60323.0,83.0,234289.0,2356.0,1590.0,107608.0,1947.0),
  (61122.0,88.5,259426.0,2325.0,1456.0,108632.0,1948.0),
  (60171.0,88.2,258054.0,3682.0,1616.0,109773.0,1949.0),
  (61187.0,89.5,284599.0,3351.0,1650.0,110929.0,1950.0),
  (63221.0,96.2,328975.0,2099.0,3099.0,112075.0,1951.0),
  (63639.0,98.1,346999.0,1932.0,3594.0,113270.0,1952.0),
  (64989.0,99.0,365385.0,1870.0,3547.0,115094.0,1953.0),
  (63761.0,100.0,363112.0,3578.0,3350.0,116219.0,1954.0),
  (66019.0,101.2,397469.0,2904.0,3048.0,117388.0,1955.0),
  (67857.0,104.6,419180.0,2822.0,2857.0,118734.0,1956.0),
  (68169.0,108.4,442769.0,2936.0,2798.0,120445.0,1957.0),
  (66513.0,110.8,444546.0,4681.0,2637.0,121950.0,1958.0),
  (68655.0,112.6,482704.0,3813.0,2552.0,123366.0,1959.0),
  (69564.0,114.2,502601.0,3931.0,2514.0,125368.0,1960.0),
  (69331.0,115.7,518173.0,4806.0,2572.0,127852.0,1961.0),
  (70551.0,116.9,554894.0,4007.0,2827.0,130081.0,1962.0);
CREATE TABLE longley_certified (feature text, coef float8, std_err float8);
INSERT INTO longley_certified VALUES
  ('intercept', -3482258.63459582, 890420.383607373),
  ('x1', 15.0618722713733, 84.9149257747669),
  ('x2', -0.035819179292591, 0.0334910077722432),
  ('x3', -2.02022980381683, 0.488399681651699),
  ('x4', -1.03322686717359, 0.214274163161675),
  ('x5', -0.0511041056535807, 0.22607320006937),
  ('x6', 1829.15146461355, 455.478499142212);
SELECT version FROM mm_train('longley', 'longley', 'y', test_size => 0);
SELECT c.feature,
       abs(c.ci_lower / (n.coef - 2.2621571627982055 * n.std_err) - 1) < 1e-8 AS lower_ok,
       abs(c.ci_upper / (n.coef + 2.2621571627982055 * n.std_err) - 1) < 1e-8 AS upper_ok
  FROM mm_coefficients('longley') c JOIN longley_certified n USING (feature);
SELECT mm_drop_model('longley');
DROP TABLE longley, longley_certified;
