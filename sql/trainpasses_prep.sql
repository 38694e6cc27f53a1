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

-- the two versions side by side: the same split and fitted preprocessing
-- (1e-12), coefficients (1e-9), metrics and baseline (1e-9)
CREATE FUNCTION pg_temp.compare(a text, b text)
RETURNS TABLE (rows_train bigint, rows_test bigint, same_split boolean, same_fitted boolean,
               same_coefficients boolean, same_metrics boolean, same_baseline boolean)
LANGUAGE sql AS $$
  SELECT x.rows_train, x.rows_test,
         x.fingerprint = y.fingerprint AND x.rows_test = y.rows_test AND x.features = y.features,
         regress.json_diff(x.fitted_preprocess, y.fitted_preprocess) < 1e-12,
         CASE WHEN x.task <> 'regression' THEN true
              ELSE (SELECT max(abs(c.coef - d.coef)) < 1e-9
                      FROM mm_coefficients(a) c JOIN mm_coefficients(b) d USING (feature)) END,
         regress.json_diff(x.metrics, y.metrics) < 1e-9,
         regress.json_diff(x.baseline, y.baseline) < 1e-9
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

-- The most frequent number comes from one grouping query over the training
-- rows (the smallest value among ties, as in memory), then fits on as an
-- imputed constant: from the range (x2, scaled to it) or from the column
-- statistics (x3, clipped and scaled to unit variance)
SELECT pg_temp.train('pp_mode_mem', 'off', 'linear_regression', '{}',
                     '{"x2": {"impute": "most_frequent", "scale": "minmax"},
                       "x3": {"impute": "most_frequent", "clip": {"z": 2}, "scale": "standard"},
                       "region": {"impute": "most_frequent"}}');
SELECT pg_temp.train('pp_mode_pass', 'on', 'linear_regression', '{}',
                     '{"x2": {"impute": "most_frequent", "scale": "minmax"},
                       "x3": {"impute": "most_frequent", "clip": {"z": 2}, "scale": "standard"},
                       "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.compare('pp_mode_mem', 'pp_mode_pass');
-- the imputed values are the modes of the training rows; x1 has no NULL and still records its mode
SELECT fitted_preprocess #>> '{features,x2,impute}' AS x2_mode,
       fitted_preprocess #>> '{features,x3,impute}' AS x3_mode
  FROM mm.versions WHERE model = 'pp_mode_pass';
SELECT pg_temp.train('pp_mode1_mem', 'off', 'linear_regression', '{}',
                     '{"*": {"impute": "most_frequent"}}', 'pp', ARRAY['x1', 'x2']);
SELECT pg_temp.train('pp_mode1_pass', 'on', 'linear_regression', '{}',
                     '{"*": {"impute": "most_frequent"}}', 'pp', ARRAY['x1', 'x2']);
SELECT * FROM pg_temp.compare('pp_mode1_mem', 'pp_mode1_pass');
SELECT fitted_preprocess #>> '{features,x1,impute}' AS x1_mode FROM mm.versions WHERE model = 'pp_mode1_pass';
-- a tie: 1 and 3 twice each, the smaller wins, in passes as in memory
CREATE TABLE pp_tie AS
SELECT g AS id, (ARRAY[3, 1, 3, 1, 2, NULL, 5, 6])[g]::float8 AS a, g * 1.5 + (g % 3) AS y
  FROM generate_series(1, 8) g;
SELECT pg_temp.train('pp_tie_mem', 'off', 'linear_regression', '{}',
                     '{"a": {"impute": "most_frequent"}}', 'pp_tie', ARRAY['a'], 0);
SELECT pg_temp.train('pp_tie_pass', 'on', 'linear_regression', '{}',
                     '{"a": {"impute": "most_frequent"}}', 'pp_tie', ARRAY['a'], 0);
SELECT model, fitted_preprocess #>> '{features,a,impute}' AS a_mode
  FROM mm.versions WHERE model IN ('pp_tie_mem', 'pp_tie_pass') ORDER BY model;

-- Feature selection scored from one pass of mergeable sums: the F test of
-- each number's correlation with the target, ANOVA of the target across the
-- text feature's categories; the same features kept, the same p-values
SELECT pg_temp.train('pp_sel_mem', 'off', 'linear_regression', '{}',
                     '{"*": {"impute": "mean"}, "region": {"impute": "most_frequent"},
                       "select": {"k_best": 3}}');
SELECT pg_temp.train('pp_sel_pass', 'on', 'linear_regression', '{}',
                     '{"*": {"impute": "mean"}, "region": {"impute": "most_frequent"},
                       "select": {"k_best": 3}}');
SELECT * FROM pg_temp.compare('pp_sel_mem', 'pp_sel_pass');
SELECT features, fitted_preprocess -> 'dropped' AS dropped,
       (SELECT array_agg(k ORDER BY (fitted_preprocess #>> ARRAY['select', 'p_values', k])::float8, k)
          FROM jsonb_object_keys(fitted_preprocess #> '{select,p_values}') k) AS ranked
  FROM mm.versions WHERE model = 'pp_sel_pass';
-- after clipping and a variance threshold (x4 goes first), ridge
SELECT pg_temp.train('pp_selt_mem', 'off', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"impute": "median", "clip": {"quantiles": [0.05, 0.95]}, "scale": "robust"},
                       "region": {"impute": {"constant": "unknown"}},
                       "variance_threshold": 0.01, "select": {"k_best": 2}}');
SELECT pg_temp.train('pp_selt_pass', 'on', 'linear_regression', '{"alpha": 0.5}',
                     '{"*": {"impute": "median", "clip": {"quantiles": [0.05, 0.95]}, "scale": "robust"},
                       "region": {"impute": {"constant": "unknown"}},
                       "variance_threshold": 0.01, "select": {"k_best": 2}}');
SELECT * FROM pg_temp.compare('pp_selt_mem', 'pp_selt_pass');
SELECT features, fitted_preprocess -> 'dropped' AS dropped FROM mm.versions WHERE model = 'pp_selt_pass';

-- A classifier: ANOVA of each number across the classes, chi-square of the
-- text feature against them; logistic regression's coefficients within 1e-6
CREATE TABLE pp_cls AS
SELECT x1, x2, x3, x4, region,
       CASE WHEN y IS NULL THEN NULL WHEN y + 0.3 * (region = 'east')::int > 0.2 THEN 'high'
            ELSE 'low' END AS level
  FROM pp;
ANALYZE pp_cls;
SELECT pg_temp.train('pp_selc_mem', 'off', 'logistic_regression', '{}',
                     '{"*": {"impute": "mean", "scale": "standard"}, "region": {"impute": "most_frequent"},
                       "select": {"k_best": 2}}', 'pp_cls',
                     ARRAY['x1', 'x2', 'x3', 'x4', 'region'], 0.25, 'level');
SELECT pg_temp.train('pp_selc_pass', 'on', 'logistic_regression', '{}',
                     '{"*": {"impute": "mean", "scale": "standard"}, "region": {"impute": "most_frequent"},
                       "select": {"k_best": 2}}', 'pp_cls',
                     ARRAY['x1', 'x2', 'x3', 'x4', 'region'], 0.25, 'level');
SELECT same_split, same_fitted FROM pg_temp.compare('pp_selc_mem', 'pp_selc_pass');
-- (the ROC AUC of a fit in passes comes from a histogram of the scores: within 1e-4)
SELECT (SELECT regress.json_diff(x.metrics #- '{train,roc_auc}' #- '{test,roc_auc}',
                                 y.metrics #- '{train,roc_auc}' #- '{test,roc_auc}') < 1e-6
               AND abs((x.metrics #>> '{test,roc_auc}')::float8 - (y.metrics #>> '{test,roc_auc}')::float8) < 1e-4
          FROM mm.versions x, mm.versions y WHERE x.model = 'pp_selc_mem' AND y.model = 'pp_selc_pass')
       AS same_metrics,
       (SELECT max(abs(c.coef - d.coef)) < 1e-6
          FROM mm_coefficients('pp_selc_mem') c JOIN mm_coefficients('pp_selc_pass') d USING (feature))
       AS same_coefficients,
       (SELECT count(*) FROM mm_coefficients('pp_selc_pass')) AS coefficients;
SELECT features, fitted_preprocess -> 'dropped' AS dropped FROM mm.versions WHERE model = 'pp_selc_pass';

-- Selection needs a target, in passes as in memory
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_train('pp_refused', 'pp', NULL, algorithm => 'pca', features => ARRAY['x1', 'x3'],
                             params => '{"n_components": 1}',
                             preprocess => '{"*": {"impute": "mean"}, "select": {"k_best": 1}}');

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
