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
SELECT * FROM mm_coefficients('no_such_model');
SELECT * FROM mm_coefficients(NULL);
