--
-- Tuning: grid and random search by cross-validation, the winner refitted as
-- a version, every candidate in mm.trials, the time budget, and bad input.
--
\pset null '(null)'

-- A linear target with deterministic noise, and a useless feature.
CREATE TABLE tune_lin AS
SELECT g AS id, (g % 37)::float8 AS x1, ((g * 7) % 23)::float8 AS x2, ((g * 13) % 11)::float8 AS x3,
       3 * (g % 37) - 2 * ((g * 7) % 23) + ((g * 31) % 17 - 8) / 2.0 AS y
  FROM generate_series(1, 600) g;

-- Three separated groups, for clustering.
CREATE TABLE tune_blobs AS
SELECT g AS id, (g % 3) * 10 + ((g * 7) % 10) / 10.0 AS x, (g % 3) * -5 + ((g * 3) % 10) / 10.0 AS y
  FROM generate_series(1, 90) g;

-- the default space of linear regression: 20 values of alpha, 5 folds, r2
SELECT model, version, algorithm, params, deployed,
       metrics #> '{cv,metric}' AS metric, metrics #> '{cv,folds}' AS folds,
       metrics #> '{cv,candidates}' AS candidates, metrics #> '{cv,evaluated}' AS evaluated
  FROM mm_tune('tuned_lin', 'tune_lin', 'y', exclude => ARRAY['id']);

-- every candidate is a trial; the mean and deviation are those of its fold scores
SELECT count(*) AS trials, count(*) FILTER (WHERE status = 'ok') AS ok,
       bool_and(array_length(fold_scores, 1) = 5) AS five_scores,
       bool_and(abs(cv_mean - (SELECT avg(s) FROM unnest(fold_scores) s)) < 1e-12) AS mean_ok,
       bool_and(abs(cv_std - (SELECT stddev_pop(s) FROM unnest(fold_scores) s)) < 1e-9) AS std_ok,
       bool_and(fit_time IS NOT NULL) AS timed
  FROM mm.trials WHERE model = 'tuned_lin';
-- the winner is the best mean, and a ridge this strong is worse
SELECT (SELECT params->>'alpha' FROM mm.trials WHERE model = 'tuned_lin' ORDER BY cv_mean DESC, trial LIMIT 1)
       = (SELECT params->>'alpha' FROM mm.versions WHERE model = 'tuned_lin') AS best_won,
       (SELECT cv_mean FROM mm.trials WHERE model = 'tuned_lin' AND params->>'alpha' = '1000')
       < (SELECT max(cv_mean) FROM mm.trials WHERE model = 'tuned_lin') AS heavy_ridge_worse;
-- the refit is what mm_train makes of the winner's settings on the same split
SELECT version FROM mm_train('plain_lin', 'tune_lin', 'y', exclude => ARRAY['id'],
                             params => (SELECT params FROM mm.versions WHERE model = 'tuned_lin'));
SELECT bool_and(abs(a.coef - b.coef) < 1e-9 * greatest(1, abs(a.coef))) AS same_coefficients,
       (SELECT abs((t.metrics #>> '{test,r2}')::float8 - (p.metrics #>> '{test,r2}')::float8) < 1e-12
          FROM mm.versions t, mm.versions p WHERE t.model = 'tuned_lin' AND p.model = 'plain_lin') AS same_test_r2,
       (SELECT t.fingerprint = p.fingerprint AND t.rows_train = p.rows_train
          FROM mm.versions t, mm.versions p WHERE t.model = 'tuned_lin' AND p.model = 'plain_lin') AS same_rows
  FROM mm_coefficients('tuned_lin') a JOIN mm_coefficients('plain_lin') b USING (feature);

-- the same search through the trainers on rows in memory (preprocessing asked
-- for) scores every candidate as the folds' moments do
SELECT version FROM mm_tune('tuned_lin_mem', 'tune_lin', 'y', exclude => ARRAY['id'],
                            preprocess => '{"dedupe": false}');
SELECT bool_and(abs(a.cv_mean - b.cv_mean) < 1e-9) AS same_means
  FROM mm.trials a JOIN mm.trials b USING (trial)
 WHERE a.model = 'tuned_lin' AND b.model = 'tuned_lin_mem';

-- a metric where lower is better
SELECT params->>'alpha' AS alpha, metrics #> '{cv,metric}' AS metric
  FROM mm_tune('tuned_rmse', 'tune_lin', 'y', exclude => ARRAY['id'], metric => 'rmse',
               search => '{"alpha": [0.1, 100000]}', deploy => 'never');

-- Random search: repeatable from the seed; ranges drawn within their bounds.
SELECT version FROM mm_tune('tuned_rand', 'tune_lin', 'y', exclude => ARRAY['id'], method => 'random', trials => 7,
                            search => '{"alpha": {"log_uniform": [0.001, 10]}}', seed => 5);
SELECT count(*) AS trials, count(DISTINCT params) AS distinct_draws,
       bool_and((params->>'alpha')::float8 BETWEEN 0.001 AND 10) AS in_range
  FROM mm.trials WHERE model = 'tuned_rand';
SELECT version FROM mm_tune('tuned_rand', 'tune_lin', 'y', exclude => ARRAY['id'], method => 'random', trials => 7,
                            search => '{"alpha": {"log_uniform": [0.001, 10]}}', seed => 5);
SELECT bool_and(a.params = b.params) AS same_draws
  FROM mm.trials a JOIN mm.trials b USING (model, trial)
 WHERE a.model = 'tuned_rand' AND a.version = 1 AND b.version = 2;
-- a list smaller than the trials: the whole list, once each
SELECT version FROM mm_tune('tuned_small', 'tune_lin', 'y', exclude => ARRAY['id'],
                            method => 'random', search => '{"alpha": [1, 2, 3]}');
SELECT trial, params FROM mm.trials WHERE model = 'tuned_small' ORDER BY trial;
-- another seed draws other values
SELECT version FROM mm_tune('tuned_rand', 'tune_lin', 'y', exclude => ARRAY['id'], method => 'random', trials => 7,
                            search => '{"alpha": {"log_uniform": [0.001, 10]}}', seed => 6);
SELECT bool_or(a.params <> b.params) AS other_draws
  FROM mm.trials a JOIN mm.trials b USING (model, trial)
 WHERE a.model = 'tuned_rand' AND a.version = 1 AND b.version = 3;
-- int_uniform draws integers within its bounds
SELECT version FROM mm_tune('tuned_int', 'tune_blobs', NULL, algorithm => 'kmeans', exclude => ARRAY['id'],
                            method => 'random', trials => 6, search => '{"k": {"int_uniform": [2, 5]}}',
                            folds => 3);
SELECT bool_and((params->>'k')::numeric BETWEEN 2 AND 5 AND (params->>'k')::numeric = round((params->>'k')::numeric))
       AS integers_in_range
  FROM mm.trials WHERE model = 'tuned_int';

-- Classification: both algorithms of the task, stratified folds, macro F1;
-- a preprocessing option searched as preprocess.<path>.
CREATE TABLE tune_cls AS
SELECT g AS id, (g % 10)::float8 + ((g * 7) % 5) / 10.0 AS a, ((g * 3) % 7)::float8 AS b,
       CASE WHEN g % 10 < 3 THEN 'low' WHEN g % 10 < 7 THEN 'mid' ELSE 'high' END AS band
  FROM generate_series(1, 300) g;
SELECT model, version, algorithm, deployed, metrics #> '{cv,metric}' AS metric,
       metrics #> '{cv,candidates}' AS candidates
  FROM mm_tune('tuned_cls', 'tune_cls', 'band', exclude => ARRAY['id'], folds => 3,
               search => '{"preprocess.*.scale": ["none", "standard"]}');
SELECT algorithm, count(*) AS candidates, count(DISTINCT preprocess) AS preprocessings,
       bool_and(status = 'ok') AS all_ok
  FROM mm.trials WHERE model = 'tuned_cls' GROUP BY 1 ORDER BY 1;
SELECT (SELECT algorithm || ' ' || params::text FROM mm.trials WHERE model = 'tuned_cls'
         ORDER BY cv_mean DESC, trial LIMIT 1)
       = (SELECT algorithm || ' ' || (params - 'fit_intercept' - 'class_weight' - 'max_iter' - 'tol' - 'loss')::text
            FROM mm.versions WHERE model = 'tuned_cls') AS best_won;

-- Copies of a row stay in one fold: a row in the fold scored and in the rows
-- fitted would score the fit on what it learnt.  Labels that nothing in the
-- rows predicts, every row twice: a forest that recalls its training rows
-- scores about one half, as on rows it never saw (it scored 0.86 when the
-- copies were dealt into different folds).
CREATE TABLE tune_twice AS
SELECT r.*, c.copy
  FROM (SELECT g AS id, ((g * 7919) % 1000) / 1000.0 AS a, ((g * 104729) % 997) / 997.0 AS b,
               (((g * 2654435761) % 4294967296) / 4294967296.0 < 0.5)::int::text AS label
          FROM generate_series(1, 300) g) r,
       generate_series(1, 2) c(copy);
SELECT version FROM mm_tune('tuned_twice', 'tune_twice', 'label', algorithm => 'random_forest',
                            exclude => ARRAY['id', 'copy'], search => '{"n_estimators": [20]}', folds => 3,
                            metric => 'accuracy');
SELECT cv_mean < 0.65 AS no_copy_scored, cardinality(fold_scores) AS folds
  FROM mm.trials WHERE model = 'tuned_twice';

-- Logistic regressions start from the previous candidate's fit on the same fold:
-- the scores are those of fits from scratch.
SELECT version FROM mm_tune('warm_all', 'tune_cls', 'band', algorithm => 'logistic_regression',
                            exclude => ARRAY['id'], search => '{"alpha": [0.1, 0.3, 1]}', folds => 3);
SELECT version FROM mm_tune('warm_one', 'tune_cls', 'band', algorithm => 'logistic_regression',
                            exclude => ARRAY['id'], search => '{"alpha": [1]}', folds => 3);
SELECT abs(a.cv_mean - b.cv_mean) < 1e-9 AS same_score
  FROM mm.trials a, mm.trials b
 WHERE a.model = 'warm_all' AND a.params->>'alpha' = '1' AND b.model = 'warm_one';

-- Clustering: k by silhouette, on three separated groups; a k past a fold's rows fails alone.
SELECT params->>'k' AS k, metrics #> '{cv,metric}' AS metric
  FROM mm_tune('tuned_km', 'tune_blobs', NULL, algorithm => 'kmeans', exclude => ARRAY['id'],
               search => '{"k": [2, 3, 4, 80]}', folds => 3, test_size => 0);
SELECT params->>'k' AS k, status, error FROM mm.trials WHERE model = 'tuned_km' ORDER BY trial;

-- Feature selection, {"select": {"k_best": k}}: the k features whose tests
-- against the target have the smallest p-values.  For numbers against a
-- numeric target that is the order of |correlation|, computed here:
SELECT version FROM mm_train('sel_lin', 'tune_lin', 'y', exclude => ARRAY['id'], test_size => 0,
                             preprocess => '{"select": {"k_best": 2}}');
SELECT features, fitted_preprocess->'dropped' AS dropped FROM mm.versions WHERE model = 'sel_lin';
SELECT array_agg(f ORDER BY abs(r) DESC) AS by_correlation
  FROM (VALUES ('x1', (SELECT corr(x1, y) FROM tune_lin)), ('x2', (SELECT corr(x2, y) FROM tune_lin)),
               ('x3', (SELECT corr(x3, y) FROM tune_lin))) v(f, r);
-- and each p-value is the slope's t test of that feature alone (F = t squared)
SELECT version FROM mm_train('alone_x3', 'tune_lin', 'y', features => ARRAY['x3'], test_size => 0);
SELECT abs((v.fitted_preprocess #>> '{select,p_values,x3}')::float8 - c.p_value) < 1e-9 AS p_value_ok
  FROM mm.versions v, mm_coefficients('alone_x3') c WHERE v.model = 'sel_lin' AND c.feature = 'x3';
-- numbers against classes: one-way ANOVA, its F computed here ranks the same
SELECT version FROM mm_train('sel_cls', 'tune_cls', 'band', exclude => ARRAY['id'], test_size => 0,
                             preprocess => '{"select": {"k_best": 1}}');
SELECT fitted_preprocess->'dropped' AS dropped,
       (fitted_preprocess #>> '{select,p_values,a}')::float8 < (fitted_preprocess #>> '{select,p_values,b}')::float8
       AS a_first
  FROM mm.versions WHERE model = 'sel_cls';
SELECT f, round(((sum(n * (m - gm) ^ 2) / 2) / (sum(ss) / (300 - 3)))::numeric, 3) AS anova_f
  FROM (SELECT 'a' AS f, band, count(*) AS n, avg(a) AS m, sum((a - g.m) ^ 2) AS ss
          FROM tune_cls, LATERAL (SELECT avg(a) AS m FROM tune_cls t WHERE t.band = tune_cls.band) g GROUP BY band
        UNION ALL
        SELECT 'b', band, count(*), avg(b), sum((b - g.m) ^ 2)
          FROM tune_cls, LATERAL (SELECT avg(b) AS m FROM tune_cls t WHERE t.band = tune_cls.band) g GROUP BY band) per_class,
       LATERAL (SELECT CASE WHEN f = 'a' THEN avg(a) ELSE avg(b) END AS gm FROM tune_cls) overall
 GROUP BY f ORDER BY f;
-- text against classes: the chi-square test; the unrelated text column ranks last
CREATE TABLE tune_txt AS
SELECT band, CASE WHEN a < 3 THEN 'x' WHEN a < 7 THEN 'y' ELSE 'z' END AS related,
       CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END AS unrelated
  FROM tune_cls;
SELECT version FROM mm_train('sel_txt', 'tune_txt', 'band', test_size => 0, preprocess => '{"select": {"k_best": 1}}');
SELECT features, fitted_preprocess->'dropped' AS dropped FROM mm.versions WHERE model = 'sel_txt';
SELECT * FROM mm_train('bad', 'tune_blobs', NULL, algorithm => 'kmeans', preprocess => '{"select": {"k_best": 1}}');
SELECT * FROM mm_train('bad', 'tune_lin', 'y', preprocess => '{"select": {"k_best": 0}}');
-- searched inside the folds: each fold selects on its own training rows
SELECT params, metrics #> '{cv,candidates}' AS candidates
  FROM mm_tune('tuned_sel', 'tune_lin', 'y', exclude => ARRAY['id'],
               search => '{"preprocess.select.k_best": [1, 2, 3], "alpha": [0]}');
SELECT trial, preprocess, round(cv_mean::numeric, 4) AS cv_r2 FROM mm.trials WHERE model = 'tuned_sel' ORDER BY trial;

CREATE TABLE tune_big AS SELECT * FROM tune_cls, generate_series(1, 40) copy;
-- A time budget stops the search between candidates once spent, keeping the best so far.
SET client_min_messages = warning;  -- the NOTICE counts the candidates this machine had time for
SELECT (metrics #>> '{cv,evaluated}')::int BETWEEN 1 AND 199 AS some_evaluated,
       metrics #> '{cv,candidates}' AS candidates, metrics #> '{cv,stopped_by_time_budget}' AS stopped
  FROM mm_tune('tuned_budget', 'tune_big', 'band', algorithm => 'logistic_regression',
               exclude => ARRAY['id', 'copy'], time_budget => '1 second', method => 'random', trials => 200,
               search => '{"alpha": {"log_uniform": [0.001, 100]}}');
RESET client_min_messages;
-- the budget may run out inside a candidate's fit (failed) or between two (not run)
SELECT status = 'ok' AS scored, count(*) > 0 AS some FROM mm.trials WHERE model = 'tuned_budget'
 GROUP BY 1 ORDER BY 1;

-- Under auto, params go to the algorithms that take them: max_bin to the
-- boosted trees, not to the ridge, whose candidates would refuse it.
SELECT algorithm, params->'max_bin' AS max_bin, metrics #> '{cv,candidates}' AS candidates
  FROM mm_tune('tuned_shared', 'tune_lin', 'y', exclude => ARRAY['id'], folds => 2, deploy => 'never',
               params => '{"max_bin": 16}', search => '{"alpha": [1], "max_depth": [2]}');
SELECT algorithm, count(*) AS candidates, bool_and(status = 'ok') AS all_ok
  FROM mm.trials WHERE model = 'tuned_shared' GROUP BY 1 ORDER BY 1;

-- A search in passes over the relation leaves out of auto the boosted trees,
-- whose fit in passes takes a pass per level of each round: the linear
-- models keep their passes.
SET modelmgr.train_in_passes = on;
SELECT metrics #> '{cv,candidates}' AS candidates
  FROM mm_tune('tuned_auto_passes', 'tune_lin', 'y', exclude => ARRAY['id'], folds => 2, deploy => 'never',
               search => '{"alpha": [1, 10]}');
SELECT algorithm, count(*) AS candidates FROM mm.trials WHERE model = 'tuned_auto_passes' GROUP BY 1;
RESET modelmgr.train_in_passes;

-- Progress as NOTICEs, when asked (of a linear search: the trees' fit times vary from run to run).
SET modelmgr.tune_progress = on;
SELECT version FROM mm_tune('tuned_loud', 'tune_lin', 'y', algorithm => 'linear_regression', exclude => ARRAY['id'],
                            search => '{"alpha": [1, 10]}', deploy => 'never');
RESET modelmgr.tune_progress;

-- Bad input: each a clear error before any work, and nothing is kept.
SELECT count(*) AS versions_before FROM mm.versions \gset
SELECT count(*) AS trials_before FROM mm.trials \gset
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', method => 'bayes');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '[1]');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": []}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": {"normal": [0, 1]}}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": {"log_uniform": [0, 1]}}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": {"uniform": [2, 1]}}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": {"uniform": [0, 1]}}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"beta": [1, 2]}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"alpha": [-1, 1]}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', search => '{"preprocess.*.scale": ["sideways"]}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', params => '{"beta": 1}');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', folds => 1);
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', trials => 0, method => 'random');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', metric => 'accuracy');
SELECT * FROM mm_tune('bad', 'tune_cls', 'band', algorithm => 'linear_svm', metric => 'log_loss');
SELECT * FROM mm_tune('bad', 'tune_cls', 'band', metric => 'roc_auc', exclude => ARRAY['id']);
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', time_budget => '0 seconds');
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', time_budget => '10 milliseconds');
SELECT * FROM mm_tune('bad', 'tune_blobs', NULL, algorithm => 'pca');
SELECT * FROM mm_tune('bad', 'tune_blobs', NULL);
SELECT * FROM mm_tune('bad', 'tune_lin', 'y', folds => 100, test_size => 0.9);
CREATE TABLE tune_rare AS SELECT * FROM tune_cls UNION ALL SELECT 0, 1, 1, 'rare';
SELECT * FROM mm_tune('bad', 'tune_rare', 'band', exclude => ARRAY['id']);
SELECT * FROM mm_tune('bad', 'tune_lin', 'y',
                      search => (SELECT jsonb_build_object('alpha', jsonb_agg(g)) FROM generate_series(1, 10001) g));
SELECT count(*) = :versions_before AS no_new_version FROM mm.versions;
SELECT count(*) = :trials_before AS no_new_trial FROM mm.trials;

-- A cancelled search leaves no version and no trial.
SET statement_timeout = '100ms';
SELECT * FROM mm_tune('cancelled', 'tune_big', 'band', exclude => ARRAY['id', 'copy'],
                      search => '{"preprocess.*.scale": ["none", "standard"]}');
RESET statement_timeout;
SELECT count(*) AS versions FROM mm.versions WHERE model = 'cancelled';
SELECT count(*) AS trials FROM mm.trials WHERE model = 'cancelled';

-- The search is audited like any management call.
SELECT function, model, version, outcome FROM mm.audit_log WHERE function = 'mm_tune' AND model = 'tuned_lin';
