--
-- mm_tune in passes: with modelmgr.train_in_passes = on, every fold of
-- every candidate fits in passes over the relation (the fold's training
-- rows selected inside the aggregate, its preprocessing fitted on them, its
-- score from a pass over the held-out fold), never reading the rows into
-- memory.  The folds come from each row's content-hash draw, so the scores
-- do not depend on how the rows are read: the same with and without
-- parallel workers, and for a regression (whose folds in memory follow the
-- same draw) the same as the search in memory.
--
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- 1,800 rows: two numbers (x2 NULL in every 17th row), a text feature (NULL
-- in every 23rd row), a boolean; a text label of three classes, a boolean
-- label and a number to predict, each a noisy function of the features
CREATE TABLE tune_passes AS
SELECT g AS id, x1, x2, region, flag,
       CASE WHEN s + noise < -0.4 THEN 'low' WHEN s + noise < 0.6 THEN 'mid' ELSE 'high' END AS grade,
       (s - noise > 0.2) AS label_bool,
       3 * x1 - 2 * coalesce(x2, 0.5) + CASE WHEN flag THEN 1 ELSE 0 END + noise AS amount
  FROM (SELECT g, (g % 97) / 97.0::float8 AS x1,
               CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 31) % 89) / 89.0::float8 END AS x2,
               CASE WHEN g % 23 = 0 THEN NULL
                    ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 7) % 5] END AS region,
               (g % 3 = 0) AS flag,
               2 * ((g % 97) / 97.0) - 1.5 * (((g * 31) % 89) / 89.0)
                 + CASE (g * 7) % 5 WHEN 0 THEN 0.5 WHEN 1 THEN -0.5 WHEN 2 THEN 0.3 ELSE 0 END AS s,
               (((g * 7919) % 1000) / 1000.0 - 0.5) * 1.2 AS noise
          FROM generate_series(1, 1800) g) r;
-- three clusters of 300 rows in the plane
CREATE TABLE tune_passes_blobs AS
SELECT g AS id, (g % 3) * 4 + ((g * 7) % 100) / 50.0 AS u, (g % 3) * -3 + ((g * 13) % 100) / 50.0 AS v
  FROM generate_series(1, 900) g;
ANALYZE tune_passes;
ANALYZE tune_passes_blobs;

-- Tunes model name as given, in passes (on) or in memory (off), with or
-- without parallel workers; the winner's algorithm and params.
CREATE FUNCTION pg_temp.tune(name text, passes text, workers int, relation text, target text,
                             alg text, search jsonb, preprocess jsonb, metric text DEFAULT NULL)
RETURNS TABLE (version int, algorithm text, params jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('modelmgr.train_in_passes', passes, true);
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
    RETURN QUERY
    SELECT t.version, t.algorithm, t.params
      FROM mm_tune(name, relation, target, algorithm => alg, search => search,
                   exclude => CASE relation WHEN 'tune_passes' THEN ARRAY['id', 'grade', 'label_bool', 'amount']
                                                ELSE ARRAY['id'] END, folds => 3,
                   metric => metric, preprocess => preprocess, test_size => 0.2::float8, seed => 7) t;
    PERFORM set_config('modelmgr.train_in_passes', 'auto', true);
    PERFORM set_config('max_parallel_workers_per_gather', '2', true);
END $$;

-- The trials of two searches side by side: the same candidates, every fold's
-- score within tol of the other's.
CREATE FUNCTION pg_temp.same_scores(a text, b text, tol float8)
RETURNS TABLE (trials bigint, all_ok boolean, same_candidates boolean, same_scores boolean)
LANGUAGE sql AS $$
  SELECT count(*), bool_and(x.status = 'ok' AND y.status = 'ok'),
         bool_and(x.params = y.params AND x.preprocess = y.preprocess),
         bool_and((SELECT bool_and(abs(s - t) <= tol)
                     FROM unnest(x.fold_scores, y.fold_scores) AS f(s, t)))
    FROM mm.trials x JOIN mm.trials y USING (trial)
   WHERE x.model = a AND y.model = b
$$;

-- The trials of a search, rounded.
CREATE FUNCTION pg_temp.trials(name text)
RETURNS TABLE (trial int, params jsonb, metric text, cv_mean numeric, cv_std numeric, status text)
LANGUAGE sql AS $$
  SELECT t.trial, t.params, t.metric, round(t.cv_mean::numeric, 6), round(t.cv_std::numeric, 6), t.status
    FROM mm.trials t WHERE t.model = name ORDER BY t.trial
$$;

-- Logistic regression, multinomial on a text label, with a text feature:
-- unpenalized (reference coding) and penalized candidates
SELECT * FROM pg_temp.tune('tunep_logit', 'on', 2, 'tune_passes', 'grade', 'logistic_regression',
                           '{"alpha": [0, 0.1, 3]}',
                           '{"x2": {"impute": "median", "scale": "standard"},
                             "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.trials('tunep_logit');
SELECT * FROM pg_temp.tune('tunep_logit_serial', 'on', 0, 'tune_passes', 'grade', 'logistic_regression',
                           '{"alpha": [0, 0.1, 3]}',
                           '{"x2": {"impute": "median", "scale": "standard"},
                             "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.same_scores('tunep_logit', 'tunep_logit_serial', 1e-9);
-- the winner was refitted in passes on the whole training part, and its
-- version says how the search scored it
SELECT rows_train, rows_test, metrics #> '{cv,metric}' AS metric, metrics #> '{cv,folds}' AS folds,
       metrics #> '{cv,evaluated}' AS evaluated,
       round((metrics #>> '{cv,mean}')::numeric, 6) = (SELECT max(round(cv_mean::numeric, 6))
                                                        FROM mm.trials WHERE model = 'tunep_logit') AS best_mean
  FROM mm.versions WHERE model = 'tunep_logit';

-- The linear SVM with the squared hinge on a boolean label
SELECT * FROM pg_temp.tune('tunep_svm', 'on', 2, 'tune_passes', 'label_bool', 'linear_svm',
                           '{"C": [0.01, 1]}',
                           '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"},
                             "region": {"impute": "most_frequent"}}', 'accuracy');
SELECT * FROM pg_temp.trials('tunep_svm');
SELECT * FROM pg_temp.tune('tunep_svm_serial', 'on', 0, 'tune_passes', 'label_bool', 'linear_svm',
                           '{"C": [0.01, 1]}',
                           '{"*": {"scale": "minmax"}, "x2": {"impute": "zero"},
                             "region": {"impute": "most_frequent"}}', 'accuracy');
SELECT * FROM pg_temp.same_scores('tunep_svm', 'tunep_svm_serial', 1e-9);

-- k-means on three clusters: the silhouette chooses three
SELECT * FROM pg_temp.tune('tunep_kmeans', 'on', 2, 'tune_passes_blobs', NULL, 'kmeans',
                           '{"k": [2, 3, 5]}', '{}');
SELECT * FROM pg_temp.trials('tunep_kmeans');
SELECT * FROM pg_temp.tune('tunep_kmeans_serial', 'on', 0, 'tune_passes_blobs', NULL, 'kmeans',
                           '{"k": [2, 3, 5]}', '{}');
SELECT * FROM pg_temp.same_scores('tunep_kmeans', 'tunep_kmeans_serial', 1e-9);

-- Ridge with standard scaling: in passes, serially, and in memory, whose
-- folds for a regression follow the same draw: the same scores
SELECT * FROM pg_temp.tune('tunep_ridge', 'on', 2, 'tune_passes', 'amount', 'linear_regression',
                           '{"alpha": [0.01, 10, 1000]}',
                           '{"*": {"impute": "mean", "scale": "standard"},
                             "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.trials('tunep_ridge');
SELECT * FROM pg_temp.tune('tunep_ridge_serial', 'on', 0, 'tune_passes', 'amount', 'linear_regression',
                           '{"alpha": [0.01, 10, 1000]}',
                           '{"*": {"impute": "mean", "scale": "standard"},
                             "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.same_scores('tunep_ridge', 'tunep_ridge_serial', 1e-9);
SELECT * FROM pg_temp.tune('tunep_ridge_mem', 'off', 2, 'tune_passes', 'amount', 'linear_regression',
                           '{"alpha": [0.01, 10, 1000]}',
                           '{"*": {"impute": "mean", "scale": "standard"},
                             "region": {"impute": "most_frequent"}}');
SELECT * FROM pg_temp.same_scores('tunep_ridge', 'tunep_ridge_mem', 1e-9);
-- the refits agree too: the same rows and coefficients
SELECT x.rows_train = y.rows_train AS same_rows, x.fingerprint = y.fingerprint AS same_fingerprint,
       round((x.metrics #>> '{test,r2}')::numeric, 9) = round((y.metrics #>> '{test,r2}')::numeric, 9) AS same_test_r2
  FROM mm.versions x, mm.versions y WHERE x.model = 'tunep_ridge' AND y.model = 'tunep_ridge_mem';

-- a candidate that cannot fit in passes (the hinge loss reads its rows in
-- memory) is refused under on, before any row is read; under auto the
-- search runs in memory
SET modelmgr.train_in_passes = on;
SELECT version FROM mm_tune('tunep_hinge', 'tune_passes', 'label_bool', algorithm => 'linear_svm',
                            features => ARRAY['x1', 'flag'], search => '{"loss": ["squared_hinge", "hinge"]}',
                            folds => 3);
RESET modelmgr.train_in_passes;
SELECT version, algorithm FROM mm_tune('tunep_hinge', 'tune_passes', 'label_bool', algorithm => 'linear_svm',
                                       features => ARRAY['x1', 'flag'],
                                       search => '{"loss": ["squared_hinge", "hinge"]}', folds => 3);

-- A candidate's folds fit side by side: each round of their passes is one
-- read of the relation, one aggregate per fold, and their metrics another.
-- An aggregate among others gets the state it gets alone (here two splits'
-- passes, serially; compared by what they hold, each state carrying a stamp
-- of its own)...
SET max_parallel_workers_per_gather = 0;
SELECT mm_pass_result(a) = mm_pass_result((SELECT mm_pass(mm_pass_header(0, 0, 2, 0.2, 1), amount,
                                                           ARRAY[x1, coalesce(x2, 0)])
                                              FROM tune_passes)) AS first_as_alone,
       mm_pass_result(b) = mm_pass_result((SELECT mm_pass(mm_pass_header(0, 0, 2, 0.2, 2), amount,
                                                           ARRAY[x1, coalesce(x2, 0)])
                                              FROM tune_passes)) AS second_as_alone,
       mm_pass_result(a) <> mm_pass_result(b) AS different
  FROM (SELECT mm_pass(mm_pass_header(0, 0, 2, 0.2, 1), amount, ARRAY[x1, coalesce(x2, 0)]) AS a,
               mm_pass(mm_pass_header(0, 0, 2, 0.2, 2), amount, ARRAY[x1, coalesce(x2, 0)]) AS b
          FROM tune_passes) s;
RESET max_parallel_workers_per_gather;
-- ...so each fold's fit takes the steps it takes alone, to the coefficients
-- it reaches alone: without parallel workers, the fold scores are those of
-- the folds fitted one after the other, read by read (to 12 decimals)
SELECT model, trial, (SELECT array_agg(round(s::numeric, 12)) FROM unnest(fold_scores) s) AS fold_scores
  FROM mm.trials
 WHERE model IN ('tunep_logit_serial', 'tunep_svm_serial', 'tunep_kmeans_serial', 'tunep_ridge_serial')
 ORDER BY model, trial;
-- Candidates that alternate between preprocessings start from the folds'
-- preparation of the last candidate of theirs (the last two are kept: here
-- alpha 1's and 2's, which code text features apart from alpha 0's, push
-- alpha 0's out, then serve each other), and a fold whose pass state is
-- large (a logistic regression over the one-hot columns of 150 values) fits
-- alone: the fold scores are again those of the folds fitted one after the
-- other
CREATE TABLE tune_passes_wide AS
SELECT g AS id, (g % 97) / 97.0::float8 AS x1, 'v' || ((g * 7) % 150) AS many,
       ((g % 97) / 97.0 + ((g * 7919) % 1000) / 1000.0 > 1.0) AS label
  FROM generate_series(1, 1500) g;
ANALYZE tune_passes_wide;
SELECT * FROM pg_temp.tune('tunep_alternate', 'on', 0, 'tune_passes', 'grade', 'logistic_regression',
                           '{"alpha": [0, 1, 2], "preprocess.x1.scale": ["standard", "minmax"]}',
                           '{"x2": {"impute": "mean"}, "region": {"impute": {"constant": "unknown"}}}');
SELECT * FROM pg_temp.tune('tunep_wide', 'on', 0, 'tune_passes_wide', 'label', 'logistic_regression',
                           '{"alpha": [0.1, 10]}', '{}');
SELECT model, trial, params, preprocess -> 'x1' AS x1,
       (SELECT array_agg(round(s::numeric, 12)) FROM unnest(fold_scores) s) AS fold_scores
  FROM mm.trials WHERE model IN ('tunep_alternate', 'tunep_wide') ORDER BY model, trial;
