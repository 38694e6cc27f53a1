--
-- elastic_net: scikit-learn's ElasticNet objective by coordinate descent,
-- through the algorithm interface: train, predict, evaluate, coefficients,
-- tune with its default space, monitor, export and import.  Its agreement
-- with scikit-learn itself is test/t/011_elastic_net.pl's.
--

-- one pass of moments over the relation (no preprocessing, no text); the
-- houses' held-out rows are few, so these versions deploy whatever the
-- baseline says
SELECT model, version, algorithm, deployed
  FROM mm_train('enet', 'houses', 'price', algorithm => 'elastic_net', exclude => ARRAY['id'],
                params => '{"alpha": 500, "l1_ratio": 0.9}', test_size => 0.25, seed => 3,
                deploy => 'always');
SELECT algorithm, task, params, rows_skipped FROM mm.versions WHERE model = 'enet';
SELECT metrics ? 'train' AS has_train, metrics ? 'test' AS has_test,
       (metrics -> 'train' ->> 'r2')::float8 BETWEEN 0.5 AND 1 AS train_r2_plausible,
       (metrics ->> 'iterations')::int > 0 AS iterated, metrics ->> 'converged' AS converged
  FROM mm.versions WHERE model = 'enet';

-- no standard errors, so no intervals, for a penalized fit
SELECT feature, round(coef::numeric, 6) AS coef, std_err, p_value, ci_lower, ci_upper FROM mm_coefficients('enet');

-- a prediction is the intercept plus the coefficients times the row
SELECT max(abs(mm_predict('enet', h) -
           (SELECT sum(c.coef * CASE WHEN c.feature = 'intercept' THEN 1
                                     ELSE (to_jsonb(h) ->> c.feature)::float8 END)
              FROM mm_coefficients('enet') c))) < 1e-9 AS prediction_is_linear
  FROM houses h;

-- evaluation: the same metrics as the version's test part, on every row here
SELECT (e ->> 'rows')::int AS rows, (e ->> 'r2')::float8 BETWEEN 0.5 AND 1 AS r2_plausible,
       (e ->> 'rmse')::float8 > 0 AS rmse_positive
  FROM mm_evaluate('enet', 'houses') e;

-- the lasso: a penalty large enough leaves some coefficients at exactly zero
SELECT model, version FROM mm_train('lasso', 'houses', 'price', algorithm => 'elastic_net',
                                    exclude => ARRAY['id'], params => '{"alpha": 20000, "l1_ratio": 1}',
                                    deploy => 'always');
SELECT count(*) FILTER (WHERE coef = 0) > 0 AS some_zero, count(*) FILTER (WHERE coef <> 0) > 1 AS some_kept
  FROM mm_coefficients('lasso') WHERE feature <> 'intercept';

-- in memory, with preprocessing: the coefficients come back in the raw units
SELECT model, version FROM mm_train('enet_scaled', 'houses', 'price', algorithm => 'elastic_net',
                                    exclude => ARRAY['id'], params => '{"alpha": 0.1, "l1_ratio": 0.5}',
                                    preprocess => '{"*": {"scale": "standard"}}', deploy => 'always');
SELECT max(abs(mm_predict('enet_scaled', h) -
           (SELECT sum(c.coef * CASE WHEN c.feature = 'intercept' THEN 1
                                     ELSE (to_jsonb(h) ->> c.feature)::float8 END)
              FROM mm_coefficients('enet_scaled') c))) < 1e-6 AS raw_units
  FROM houses h;

-- the one-pass path and the in-memory path fit the same rows the same way
SELECT model, version FROM mm_train('enet_pass', 'synth', 'y', algorithm => 'elastic_net',
                                    features => ARRAY['x1', 'x2', 'x3'],
                                    params => '{"alpha": 0.01, "l1_ratio": 0.5, "tol": 1e-12, "max_iter": 100000}');
SELECT model, version FROM mm_train('enet_mem', 'synth', 'y', algorithm => 'elastic_net',
                                    features => ARRAY['x1', 'x2', 'x3'],
                                    params => '{"alpha": 0.01, "l1_ratio": 0.5, "tol": 1e-12, "max_iter": 100000}',
                                    preprocess => '{"*": {"impute": "mean"}}');
SELECT a.feature, round(a.coef::numeric, 6) AS coef, abs(a.coef - b.coef) < 1e-9 * greatest(abs(b.coef), 1) AS same
  FROM mm_coefficients('enet_pass') a JOIN mm_coefficients('enet_mem') b USING (feature)
 ORDER BY a.feature;

-- a parallel plan reads the rows in workers and merges their moments
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT model, version FROM mm_train('enet_parallel', 'synth', 'y', algorithm => 'elastic_net',
                                    features => ARRAY['x1', 'x2', 'x3'],
                                    params => '{"alpha": 0.01, "l1_ratio": 0.5, "tol": 1e-12, "max_iter": 100000}');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS differing FROM mm_coefficients('enet_parallel') a JOIN mm_coefficients('enet_pass') b USING (feature)
 WHERE abs(a.coef - b.coef) > 1e-9 * greatest(abs(b.coef), 1);

-- tuning with the default search space (alpha and l1_ratio on a grid)
SELECT model, algorithm, params ? 'alpha' AS has_alpha, params ? 'l1_ratio' AS has_l1_ratio
  FROM mm_tune('enet_tuned', 'houses', 'price', algorithm => 'elastic_net', exclude => ARRAY['id'], folds => 3,
               deploy => 'always');
SELECT count(*) AS candidates, count(DISTINCT params ->> 'alpha') AS alphas,
       count(DISTINCT params ->> 'l1_ratio') AS l1_ratios
  FROM mm.trials WHERE model = 'enet_tuned';

-- a monitor checks live rows against the baseline of the 11 training rows:
-- on 15 rows, the drift alerts a linear regression's version gets too
SELECT mm_monitor('enet', 'houses') AS monitor \gset
SELECT r ->> 'verdict' AS verdict, (r ->> 'rows')::int AS rows,
       (SELECT string_agg(a ->> 'metric' || ':' || coalesce(a ->> 'feature', 'prediction'), ', ')
          FROM jsonb_array_elements(r -> 'alerts') a) AS alerts
  FROM mm_monitor_run(:monitor) r;
SELECT mm_unmonitor(:monitor);

-- export and import: the copy predicts the same bits
SELECT mm_import('enet_copy', mm_export('enet')) AS version;
SELECT mm_deploy('enet_copy') AS deployed_version;
SELECT mm_export('enet') -> 'model' ->> 'l1_ratio' AS l1_ratio, mm_export('enet') -> 'model' ? 'dual_gap' AS has_gap;
SELECT count(*) FILTER (WHERE mm_predict('enet', h) IS DISTINCT FROM mm_predict('enet_copy', h)) AS differing
  FROM houses h;

-- bad parameters name their range; unknown ones list the valid ones
SELECT * FROM mm_train('enet_bad', 'houses', 'price', algorithm => 'elastic_net', params => '{"l1_ratio": 1.5}');
SELECT * FROM mm_train('enet_bad', 'houses', 'price', algorithm => 'elastic_net', params => '{"alpha": -1}');
SELECT * FROM mm_train('enet_bad', 'houses', 'price', algorithm => 'elastic_net', params => '{"max_iter": 0}');
SELECT * FROM mm_train('enet_bad', 'houses', 'price', algorithm => 'elastic_net', params => '{"tol": "small"}');
SELECT * FROM mm_train('enet_bad', 'houses', 'price', algorithm => 'elastic_net', params => '{"C": 1}');
-- a classification target is refused
CREATE TEMP TABLE enet_labels AS SELECT id, tax, size, CASE WHEN price > 150000 THEN 'high' ELSE 'low' END AS band FROM houses;
SELECT * FROM mm_train('enet_bad', 'enet_labels', 'band', algorithm => 'elastic_net');
SELECT count(*) AS enet_bad_versions FROM mm.versions WHERE model = 'enet_bad';

-- a fit that stops at max_iter says so, and records it
SELECT model FROM mm_train('enet_short', 'houses', 'price', algorithm => 'elastic_net', exclude => ARRAY['id'],
                           params => '{"alpha": 0.001, "l1_ratio": 0.5, "max_iter": 2, "tol": 1e-15}',
                           deploy => 'always');
SELECT metrics ->> 'converged' AS converged, metrics ->> 'iterations' AS iterations
  FROM mm.versions WHERE model = 'enet_short';
