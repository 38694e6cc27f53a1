--
-- Dropping duplicate rows in passes: the passes read the relation's distinct
-- rows (a grouping on the values they read), after one read of the rows as
-- the table holds them.  The model must be the one the rows in memory give:
-- the same duplicates dropped, the same rows recorded and skipped, the same
-- fingerprint, preprocessing, coefficients, metrics and baseline (the
-- baseline profiles the rows as read, duplicates and all, both ways).
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 1,200 rows as the model reads them, each five times over, and eight times
-- where the region is west, so that west is the most frequent region of
-- the rows as read but not of the distinct ones.  The copies of a row
-- differ in what reading them makes equal (a numeric past a double's
-- precision, the seconds of a timestamp whose day and hour are its
-- features; -0 for 0 in some copies of x1, equal numbers as SQL and the
-- split's hash take them).  x2's name needs quoting; it is NULL in every
-- 17th row, the text feature in every 23rd, the target in every 41st.
CREATE TABLE dd AS
SELECT g AS id,
       CASE WHEN k % 10 = 0 AND ((g - 1) / 1200) % 2 = 0 THEN '-0'::float8 ELSE (k % 10) / 10.0 END AS x1,
       CASE WHEN k % 17 = 0 THEN NULL
            ELSE ((k * 31) % 89) / 89.0 + CASE WHEN g % 2 = 0 THEN 1e-25 ELSE 0 END END::numeric
         AS "X2 ""odd""",
       CASE WHEN k % 23 = 0 THEN NULL ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (k * 7) % 5] END
         AS region,
       (k % 3 = 0) AS flag,
       timestamptz '2024-03-01 00:00:00+00' + (k % 48) * interval '1 hour' + (g % 60) * interval '1 second'
         AS seen_at,
       CASE WHEN k % 41 = 0 THEN NULL
            ELSE 1 + 2 * ((k % 10) / 10.0) - 3 * (((k * 31) % 89) / 89.0) + ((k * 7919) % 1000) / 10000.0 END::float8
         AS y,
       (ARRAY['low', 'mid', 'high'])[1 + (k * 13) % 3] AS tier
  FROM generate_series(1, 9600) g, LATERAL (SELECT (g * 7) % 1200 AS k) s
 WHERE g <= 6000 OR (k * 7) % 5 = 3;
ANALYZE dd;
-- what the model reads: 1,200 distinct rows
SELECT count(*) AS rows,
       (SELECT count(*) FROM (SELECT DISTINCT x1, "X2 ""odd"""::float8, region, flag,
                                     date_part('day', timezone('UTC', seen_at)),
                                     date_part('hour', timezone('UTC', seen_at)), y, tier FROM dd) d) AS distinct_rows,
       count(*) FILTER (WHERE float8send(x1) = float8send('-0'::float8)) AS negative_zeros
  FROM dd;
-- the duplicates a model of y drops, by SQL's own DISTINCT over the rows it
-- keeps (a target); the models below must report as many
SELECT count(*) - (SELECT count(*)
                     FROM (SELECT DISTINCT x1, "X2 ""odd"""::float8, region, flag,
                                  date_part('day', timezone('UTC', seen_at)),
                                  date_part('hour', timezone('UTC', seen_at)), y
                             FROM dd WHERE y IS NOT NULL) d) AS duplicates_of_y
  FROM dd WHERE y IS NOT NULL;

-- Trains model name on dd in memory (off) or in passes (on).
CREATE FUNCTION pg_temp.train(name text, passes text, algorithm text, params jsonb,
                              preprocess jsonb, target text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE v int;
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    SELECT t.version INTO v
      FROM mm_train(name, 'dd', target, algorithm => algorithm,
                    features => ARRAY['x1', 'X2 "odd"', 'region', 'flag', 'seen_at'], params => params,
                    preprocess => preprocess, test_size => 0.25, seed => 11) t;
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
    RETURN v;
END $$;

-- the two versions' record and the largest differences of what they fitted
CREATE FUNCTION pg_temp.compare(a text, b text)
RETURNS TABLE (rows_read bigint, rows_train bigint, rows_test bigint, skipped jsonb, same_skipped boolean,
               same_fingerprint boolean, same_preprocessing boolean, same_coefficients boolean,
               same_metrics boolean, same_baseline boolean)
LANGUAGE sql AS $$
  SELECT y.rows_read, y.rows_train, y.rows_test, y.rows_skipped, x.rows_skipped = y.rows_skipped,
         x.fingerprint = y.fingerprint,
         regress.json_diff(x.fitted_preprocess, y.fitted_preprocess) < 1e-12,
         CASE WHEN x.task = 'clustering' THEN NULL
              ELSE (SELECT coalesce(max(abs(c.coef - d.coef)) < 1e-9, false)
                      FROM mm_coefficients(a) c JOIN mm_coefficients(b) d
                        ON c.class IS NOT DISTINCT FROM d.class AND c.feature = d.feature) END,
         regress.json_diff(x.metrics, y.metrics) < 1e-9,
         regress.json_diff(x.baseline, y.baseline) < 1e-9
    FROM mm.versions x, mm.versions y WHERE x.model = a AND y.model = b
$$;

-- linear regression: median and constant imputation, standard scaling, parts of a timestamp
SELECT pg_temp.train('dd_lin_mem', 'off', 'linear_regression', '{}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "median"},
                       "region": {"impute": {"constant": "unknown"}}, "seen_at": {"date_parts": ["day", "hour"]}}',
                     'y') AS version;
SELECT pg_temp.train('dd_lin_pass', 'on', 'linear_regression', '{}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "median"},
                       "region": {"impute": {"constant": "unknown"}}, "seen_at": {"date_parts": ["day", "hour"]}}',
                     'y') AS version;
SELECT * FROM pg_temp.compare('dd_lin_mem', 'dd_lin_pass');
-- the baseline profiles every training row as read; the fit, the distinct ones
SELECT baseline -> 'rows' AS baseline_rows, baseline #> '{features,x1,rows}' AS x1_rows,
       fitted_preprocess -> 'duplicates_dropped' AS duplicates_dropped
  FROM mm.versions WHERE model = 'dd_lin_pass';

-- multinomial logistic regression on a text label, mean imputation
SELECT pg_temp.train('dd_log_mem', 'off', 'logistic_regression', '{"alpha": 0.1}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}, "seen_at": {"date_parts": ["day", "hour"]}}',
                     'tier') AS version;
SELECT pg_temp.train('dd_log_pass', 'on', 'logistic_regression', '{"alpha": 0.1}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}, "seen_at": {"date_parts": ["day", "hour"]}}',
                     'tier') AS version;
SELECT * FROM pg_temp.compare('dd_log_mem', 'dd_log_pass');
-- the region imputed is the most frequent of the distinct rows; the
-- baseline's first (the most frequent as read) is west
SELECT fitted_preprocess #>> '{features,region,impute}' AS imputed,
       baseline #>> '{features,region,categories,0}' AS most_frequent_as_read
  FROM mm.versions WHERE model IN ('dd_log_mem', 'dd_log_pass') ORDER BY model;

-- k-means: the same fixed point, from the same draws over the same distinct rows
SELECT pg_temp.train('dd_km_mem', 'off', 'kmeans', '{"k": 3}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}}', NULL) AS version;
SELECT pg_temp.train('dd_km_pass', 'on', 'kmeans', '{"k": 3}',
                     '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}}', NULL) AS version;
SELECT * FROM pg_temp.compare('dd_km_mem', 'dd_km_pass');
SELECT (SELECT max(abs(a - b)) < 1e-9
          FROM dd t, unnest(mm_transform('dd_km_mem', t), mm_transform('dd_km_pass', t)) u(a, b)) AS same_centers;

-- k-means without dropping duplicates: a column imputed with its mean is
-- centred on that mean exactly both ways, so its imputed rows draw alike
SELECT pg_temp.train('dd_kmall_mem', 'off', 'kmeans', '{"k": 3}',
                     '{"*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}}', NULL) AS version;
SELECT pg_temp.train('dd_kmall_pass', 'on', 'kmeans', '{"k": 3}',
                     '{"*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                       "region": {"impute": "most_frequent"}}', NULL) AS version;
SELECT same_metrics, same_baseline FROM pg_temp.compare('dd_kmall_mem', 'dd_kmall_pass');
SELECT (SELECT max(abs(a - b)) < 1e-9
          FROM dd t, unnest(mm_transform('dd_kmall_mem', t), mm_transform('dd_kmall_pass', t)) u(a, b)) AS same_centers;

-- a search in passes scores the same folds of the same distinct rows
CREATE FUNCTION pg_temp.tune(name text, passes text) RETURNS TABLE (version int, alpha jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    RETURN QUERY
    SELECT t.version, t.params -> 'alpha'
      FROM mm_tune(name, 'dd', 'y', algorithm => 'linear_regression', search => '{"alpha": [0.01, 1]}',
                   folds => 3, features => ARRAY['x1', 'X2 "odd"', 'region', 'flag'],
                   preprocess => '{"dedupe": true, "*": {"scale": "standard"}, "X2 \"odd\"": {"impute": "mean"},
                                   "region": {"impute": "most_frequent"}}', seed => 3) t;
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
END $$;
SELECT * FROM pg_temp.tune('dd_tune_mem', 'off');
SELECT * FROM pg_temp.tune('dd_tune_pass', 'on');
SELECT skipped, same_skipped, same_fingerprint, same_coefficients, same_metrics
  FROM pg_temp.compare('dd_tune_mem', 'dd_tune_pass');

-- Rows that fit modelmgr.max_train_memory by themselves, but not with the
-- table that finds their duplicates: off says so, auto trains in passes
CREATE TABLE dd_room AS
SELECT (g % 1000)::float8 AS x, ((g % 1000) * 2.0 + g % 7)::float8 AS y FROM generate_series(1, 35000) g;
ANALYZE dd_room;
SET modelmgr.max_train_memory = '1MB';
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('dd_room', 'dd_room', 'y', preprocess => '{"dedupe": true}');
RESET modelmgr.train_in_passes;
-- (the passes' NOTICEs, without their times)
\set VERBOSITY terse
SET modelmgr.train_progress = on;
SELECT version FROM mm_train('dd_room', 'dd_room', 'y', preprocess => '{"dedupe": true}');
RESET modelmgr.train_progress;
\set VERBOSITY default
RESET modelmgr.max_train_memory;
SELECT rows_read, rows_skipped FROM mm.versions WHERE model = 'dd_room';

-- Past the baseline's sample: with 1MB for rows in memory, 90,000 rows
-- (45,000 distinct) train in passes under auto; the baseline samples the
-- table, the fit reads its distinct rows
CREATE TABLE dd_large AS
SELECT g AS id, (k % 97) / 97.0::float8 AS x1, ((k * 31) % 89) / 89.0::float8 AS x2,
       (ARRAY['north', 'south', 'east'])[1 + k % 3] AS region,
       (1 + 2 * ((k % 97) / 97.0) - ((k * 31) % 89) / 89.0 + (k % 3) * 0.5 + ((k * 7919) % 1000) / 5000.0)::float8 AS y
  FROM generate_series(1, 90000) g, LATERAL (SELECT (g * 7) % 45000 AS k) s;
ANALYZE dd_large;
SET modelmgr.max_train_memory = '1MB';
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('dd_large', 'dd_large', 'y', features => ARRAY['x1', 'x2', 'region'],
                             preprocess => '{"dedupe": true, "*": {"scale": "standard"}}');
RESET modelmgr.train_in_passes;
SELECT version FROM mm_train('dd_large', 'dd_large', 'y', features => ARRAY['x1', 'x2', 'region'],
                             preprocess => '{"dedupe": true, "*": {"scale": "standard"}}');
RESET modelmgr.max_train_memory;
SET modelmgr.train_in_passes = off;
SELECT version FROM mm_train('dd_large_mem', 'dd_large', 'y', features => ARRAY['x1', 'x2', 'region'],
                             preprocess => '{"dedupe": true, "*": {"scale": "standard"}}');
RESET modelmgr.train_in_passes;
SELECT rows_read, rows_train, skipped, same_skipped, same_fingerprint, same_preprocessing, same_coefficients,
       same_metrics
  FROM pg_temp.compare('dd_large_mem', 'dd_large');
-- the baseline's rows are the training rows as read; its sample is a
-- bounded one of them (about 5,000 rows within a quarter of 1MB), whose
-- quantiles of x1 (97 levels) are within the sample's rank error and a level
SELECT (x.baseline ->> 'rows')::bigint AS baseline_rows, x.baseline -> 'rows' = y.baseline -> 'rows' AS same_rows,
       (x.baseline ->> 'sample_rows')::int BETWEEN 1000 AND 20000 AS sampled,
       (SELECT max(abs(a::float8 - b::float8)) < 0.05
          FROM jsonb_array_elements_text(x.baseline #> '{features,x1,quantiles}') WITH ORDINALITY s(a, i)
          JOIN jsonb_array_elements_text(y.baseline #> '{features,x1,quantiles}') WITH ORDINALITY t(b, k) ON i = k)
         AS close_quantiles
  FROM mm.versions x, mm.versions y WHERE x.model = 'dd_large' AND y.model = 'dd_large_mem';
