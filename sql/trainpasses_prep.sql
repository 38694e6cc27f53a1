--
-- Numeric preprocessing fitted in passes: mean and median imputation,
-- quantile and z clipping, standard and robust scaling and the variance
-- threshold come from the column-statistics pass (moments, range and a
-- quantile sketch per feature), and the monitor baseline's feature profiles
-- from the same statistics.  Up to 16,384 values a feature the sketch is
-- exact: the model is the one the rows in memory give.  Past it, medians
-- and quantiles are within the sketch's documented rank error.
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 3,000 rows: a skewed x1, x2 NULL in every 17th row, x3 with outliers and
-- NULL in every 29th row, x4 nearly constant, a text feature NULL in every
-- 23rd row, a target NULL in every 41st row
CREATE TABLE pp AS
SELECT g AS id,
       power((g % 97) / 97.0, 3)::float8 AS x1,
       CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 31) % 89) / 89.0::float8 END AS x2,
       CASE WHEN g % 29 = 0 THEN NULL
            WHEN g % 101 = 0 THEN 50.0 + g % 7
            ELSE ((g * 13) % 61) / 6.1::float8 END AS x3,
       CASE WHEN g % 500 = 0 THEN 1.0 ELSE 0.0 END::float8 AS x4,
       CASE WHEN g % 23 = 0 THEN NULL
            ELSE (ARRAY['north', 'south', 'east', 'west'])[1 + (g * 7) % 4] END AS region,
       CASE WHEN g % 41 = 0 THEN NULL
            ELSE 1 + 2 * power((g % 97) / 97.0, 3) - 3 * (((g * 31) % 89) / 89.0)
                 + 0.05 * (((g * 13) % 61) / 6.1)
                 + (((g * 7919) % 1000) / 1000.0 - 0.5) * 0.1 END::float8 AS y
  FROM generate_series(1, 3000) g;
ANALYZE pp;

-- Trains model name on relation rel in memory (off) or in passes (on).
CREATE FUNCTION pg_temp.train(name text, passes text, algorithm text, params jsonb,
                              preprocess jsonb, rel text DEFAULT 'pp',
                              features text[] DEFAULT ARRAY['x1', 'x2', 'x3', 'x4', 'region'],
                              test_size float8 DEFAULT 0.25, target text DEFAULT 'y') RETURNS int
LANGUAGE plpgsql AS $$
DECLARE v int;
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    SELECT t.version INTO v
      FROM mm_train(name, rel, target, algorithm => algorithm, features => features,
                    params => params, preprocess => preprocess, test_size => test_size,
                    seed => 5) t;
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
    RETURN v;
END $$;

-- the largest difference between two JSON documents' numbers (relative past 1);
-- infinite where their shapes or other values differ
CREATE FUNCTION pg_temp.json_diff(x jsonb, y jsonb) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    d float8 := 0;
    k text;
    i int;
BEGIN
    IF jsonb_typeof(x) = 'number' AND jsonb_typeof(y) = 'number' THEN
        RETURN abs(x::text::float8 - y::text::float8) / greatest(1, abs(x::text::float8));
    ELSIF jsonb_typeof(x) = 'object' AND jsonb_typeof(y) = 'object' THEN
        IF (SELECT array_agg(a ORDER BY a) FROM jsonb_object_keys(x) a)
           IS DISTINCT FROM (SELECT array_agg(a ORDER BY a) FROM jsonb_object_keys(y) a) THEN
            RETURN 'infinity';
        END IF;
        FOR k IN SELECT jsonb_object_keys(x) LOOP
            d := greatest(d, pg_temp.json_diff(x -> k, y -> k));
        END LOOP;
        RETURN d;
    ELSIF jsonb_typeof(x) = 'array' AND jsonb_typeof(y) = 'array' THEN
        IF jsonb_array_length(x) <> jsonb_array_length(y) THEN
            RETURN 'infinity';
        END IF;
        FOR i IN 0 .. jsonb_array_length(x) - 1 LOOP
            d := greatest(d, pg_temp.json_diff(x -> i, y -> i));
        END LOOP;
        RETURN d;
    END IF;
    RETURN CASE WHEN x = y THEN 0::float8 ELSE 'infinity'::float8 END;
END $$;

-- the two versions side by side: the same split and fitted preprocessing
-- (1e-12), coefficients (1e-9), metrics and baseline (1e-9)
CREATE FUNCTION pg_temp.compare(a text, b text)
RETURNS TABLE (rows_train bigint, rows_test bigint, same_split boolean, same_fitted boolean,
               same_coefficients boolean, same_metrics boolean, same_baseline boolean)
LANGUAGE sql AS $$
  SELECT x.rows_train, x.rows_test,
         x.fingerprint = y.fingerprint AND x.rows_test = y.rows_test AND x.features = y.features,
         pg_temp.json_diff(x.fitted_preprocess, y.fitted_preprocess) < 1e-12,
         CASE WHEN x.task <> 'regression' THEN true
              ELSE (SELECT max(abs(c.coef - d.coef)) < 1e-9
                      FROM mm_coefficients(a) c JOIN mm_coefficients(b) d USING (feature)) END,
         pg_temp.json_diff(x.metrics, y.metrics) < 1e-9,
         pg_temp.json_diff(x.baseline, y.baseline) < 1e-9
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

-- median imputation and standard scaling of every number
SELECT pg_temp.train('pp_std_mem', 'off', 'linear_regression', '{}',
                     '{"*": {"impute": "median", "scale": "standard"}, "region": {"impute": "most_frequent"}}');
SELECT pg_temp.train('pp_std_pass', 'on', 'linear_regression', '{}',
                     '{"*": {"impute": "median", "scale": "standard"}, "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('pp_std_mem', 'pp_std_pass');
SELECT round((fitted_preprocess #>> '{features,x2,impute}')::numeric, 10) AS x2_median,
       round((fitted_preprocess #>> '{features,x2,center}')::numeric, 10) AS x2_mean,
       round((fitted_preprocess #>> '{features,x2,scale}')::numeric, 10) AS x2_sd
  FROM mm.versions WHERE model = 'pp_std_pass';

-- ridge: mean imputation, quantile clipping and robust scaling
SELECT pg_temp.train('pp_robust_mem', 'off', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"impute": "mean", "clip": {"quantiles": [0.05, 0.95]}, "scale": "robust"},
                       "region": {"impute": {"constant": "unknown"}}}');
SELECT pg_temp.train('pp_robust_pass', 'on', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"impute": "mean", "clip": {"quantiles": [0.05, 0.95]}, "scale": "robust"},
                       "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.compare('pp_robust_mem', 'pp_robust_pass');

-- z clipping then standard scaling (the second statistics pass), and a
-- variance threshold that drops the nearly constant x4
SELECT pg_temp.train('pp_thr_mem', 'off', 'linear_regression', '{}',
                     '{"*": {"impute": "median", "clip": {"z": 2}, "scale": "standard"},
                       "region": {"impute": "most_frequent"}, "variance_threshold": 0.01}');
SELECT pg_temp.train('pp_thr_pass', 'on', 'linear_regression', '{}',
                     '{"*": {"impute": "median", "clip": {"z": 2}, "scale": "standard"},
                       "region": {"impute": "most_frequent"}, "variance_threshold": 0.01}');
SELECT * FROM pg_temp.compare('pp_thr_mem', 'pp_thr_pass');
SELECT features, fitted_preprocess -> 'dropped' AS dropped FROM mm.versions WHERE model = 'pp_thr_pass';

-- PCA over the numbers: median imputation, standard scaling
SELECT pg_temp.train('pp_pca_mem', 'off', 'pca', '{"n_components": 2}',
                     '{"*": {"impute": "median", "scale": "standard"}}', 'pp',
                     ARRAY['x1', 'x2', 'x3'], 0.25, NULL);
SELECT pg_temp.train('pp_pca_pass', 'on', 'pca', '{"n_components": 2}',
                     '{"*": {"impute": "median", "scale": "standard"}}', 'pp',
                     ARRAY['x1', 'x2', 'x3'], 0.25, NULL);
SELECT * FROM pg_temp.compare('pp_pca_mem', 'pp_pca_pass');
SELECT max(abs((mm_transform('pp_pca_mem', t))[1] - (mm_transform('pp_pca_pass', t))[1])) < 1e-9
       AS same_first_component
  FROM pp t;

-- What needs more than per-column statistics is refused in passes, by name
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('pp_refused', 'pp', 'y', features => ARRAY['x1', 'x2'],
                             preprocess => '{"x2": {"impute": "most_frequent"}}');
SELECT version FROM mm_train('pp_refused', 'pp', 'y', features => ARRAY['x1', 'x3'],
                             preprocess => '{"*": {"impute": "mean"}, "select": {"k_best": 1}}');
SELECT version FROM mm_train('pp_refused', 'pp', 'y', features => ARRAY['x1', 'x3'],
                             preprocess => '{"*": {"impute": "mean"}, "dedupe": true}');
RESET modelmgr.train_in_passes;

-- Past 16,384 values the sketch compacts: 60,000 rows of a column with
-- many repeats and a long tail.  Its fitted median and quartiles fall
-- within the documented rank error of the exact ones (mm_qsketch_rank_error:
-- (floor(log2(n / 512)) + 1) / 512 of n, 1.37% at 60,000 values).
CREATE TABLE pp_large AS
SELECT g AS id,
       CASE WHEN g % 13 = 0 THEN NULL ELSE exp(((g * 7919) % 60000) / 10000.0) END::float8 AS x1,
       ((g * 31) % 89) / 89.0::float8 AS x2,
       (((g * 7919) % 60000) / 6000.0 + ((g * 31) % 89) / 89.0)::float8 AS y
  FROM generate_series(1, 60000) g;
ANALYZE pp_large;
SELECT pg_temp.train('pp_large', 'on', 'linear_regression', '{}',
                     '{"x1": {"impute": "median", "scale": "robust"}}', 'pp_large',
                     ARRAY['x1', 'x2'], 0);
WITH fitted AS (
  SELECT (fitted_preprocess #>> '{features,x1,impute}')::float8 AS median,
         (fitted_preprocess #>> '{features,x1,center}')::float8 AS center
    FROM mm.versions WHERE model = 'pp_large'),
present AS (SELECT x1 FROM pp_large WHERE x1 IS NOT NULL),
n AS (SELECT count(*)::float8 AS n FROM present),
bound AS (SELECT (floor(log(2, (n / 512)::numeric)) + 1) / 512 * n::numeric AS ranks FROM n)
SELECT f.median = f.center AS center_is_median,
       abs(f.median / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x1) FROM present) - 1) < 0.05
         AS median_near_exact,
       (SELECT count(*) FILTER (WHERE x1 < f.median) FROM present) <= 0.5 * (n.n - 1) + b.ranks
       AND (SELECT count(*) FILTER (WHERE x1 <= f.median) FROM present) >= 0.5 * (n.n - 1) - b.ranks
         AS median_within_rank_error
  FROM fitted f, n, bound b;
-- the baseline's quantiles come from the same sketch, its counts and moments are exact
SELECT (baseline #>> '{features,x1,rows}')::bigint = (SELECT count(x1) FROM pp_large) AS exact_rows,
       (baseline #>> '{features,x1,missing}')::bigint = (SELECT count(*) - count(x1) FROM pp_large)
         AS exact_missing,
       abs((baseline #>> '{features,x1,mean}')::float8 / (SELECT avg(x1) FROM pp_large) - 1) < 1e-12
         AS exact_mean,
       (baseline #>> '{features,x1,max}')::float8 = (SELECT max(x1) FROM pp_large) AS exact_max,
       (baseline ->> 'sample_rows')::int BETWEEN 1000 AND 20000 AS predictions_sampled
  FROM mm.versions WHERE model = 'pp_large';
