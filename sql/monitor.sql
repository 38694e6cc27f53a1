--
-- Monitoring: baselines, every drift metric against closed forms on hand-made
-- data, thresholds, quality, time windows, actions, failed runs and errors.
--
\pset null '(null)'

-- The training rows: x = 0 .. 999 and y = 2x + 1, so every prediction is exact.
CREATE TABLE mon_base AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 999) g;
SELECT version FROM mm_train('mon_line', 'mon_base', 'y', test_size => 0);

-- the baseline: exact range and moments, 101 quantiles (i * 9.99), a hundredth per interval
SELECT baseline->'rows' AS rows, baseline->'sketch' AS sketch, baseline->'bins' AS bins,
       baseline#>'{features,x,min}' AS min, baseline#>'{features,x,max}' AS max,
       baseline#>'{features,x,mean}' AS mean,
       abs((baseline#>>'{features,x,sd}')::float8 - sqrt(1000 * 1001 / 12.0)) < 1e-9 AS sd_ok,
       (SELECT bool_and(abs(q::float8 - 9.99 * (i - 1)) < 1e-9)
          FROM jsonb_array_elements_text(baseline#>'{features,x,quantiles}') WITH ORDINALITY AS t(q, i)) AS quantiles_ok,
       (SELECT bool_and(abs(s::float8 - 0.01) < 1e-12) AND count(*) = 100
          FROM jsonb_array_elements_text(baseline#>'{features,x,shares}') s) AS shares_ok,
       baseline#>'{prediction,min}' AS prediction_min, baseline#>'{prediction,max}' AS prediction_max
  FROM mm.versions WHERE model = 'mon_line';

-- A feature present in 2 of 100,000 rows is profiled from both, wherever the
-- baseline's sample of rows falls (a sample that missed them failed the training)
CREATE TABLE mon_rare AS
SELECT g AS id, CASE WHEN g IN (9, 10) THEN g END::float8 AS rare, (g % 11)::float8 AS x,
       (g % 5)::float8 AS y
  FROM generate_series(1, 100000) g;
SELECT version FROM mm_train('mon_rare', 'mon_rare', 'y', features => ARRAY['rare', 'x'], test_size => 0,
                             deploy => 'never', preprocess => '{"rare": {"impute": "zero"}}');
SELECT baseline#>'{features,rare,rows}' AS rows, baseline#>'{features,rare,missing}' AS missing,
       baseline#>'{features,rare,quantiles,0}' AS q0, baseline#>'{features,rare,quantiles,50}' AS q50,
       baseline#>'{features,rare,quantiles,100}' AS q100
  FROM mm.versions WHERE model = 'mon_rare';

-- The same rows drift by nothing.
SELECT mm_monitor('mon_line', 'mon_base') AS monitor;
SELECT r->>'verdict' AS verdict, r->'rows' AS rows, r->'alerts' AS alerts,
       (r#>'{features,x}') - 'wasserstein'::text - 'ks'::text AS x,
       (r#>>'{features,x,ks}')::float8 < 1e-12 AS ks_zero,
       (r#>>'{features,x,wasserstein}')::float8 < 1e-12 AS wasserstein_zero,
       r#>'{prediction,psi}' AS prediction_psi
  FROM mm_monitor_run(1) r;

-- Moved up by 500: PSI and JS over the deciles (shares 0 ×5, 0.1 ×4, 0.6, floored at 1e-4),
-- written out here; KS 0.5 exactly; half the values out of range; the Wasserstein
-- distance 500 training standard deviations' worth, within the sketch's resolution.
CREATE TABLE mon_shifted AS SELECT x + 500 AS x, y + 1000 AS y FROM mon_base;
CREATE FUNCTION mon_floored(s float8[]) RETURNS float8[] LANGUAGE sql AS $$
  SELECT array_agg(greatest(v / t, 1e-4) / (SELECT sum(greatest(w / t, 1e-4)) FROM unnest(s) w) ORDER BY i)
    FROM unnest(s) WITH ORDINALITY AS u(v, i), (SELECT sum(w) AS t FROM unnest(s) w) tt $$;
CREATE VIEW mon_expected AS
SELECT sum((l - b) * ln(l / b)) AS psi,
       sum(0.5 * b * log(2.0, (b / ((b + l) / 2))::numeric) + 0.5 * l * log(2.0, (l / ((b + l) / 2))::numeric)) AS js,
       max(abs(l - b)) AS linf
  FROM unnest(mon_floored(ARRAY[1,1,1,1,1,1,1,1,1,1]::float8[]),
              mon_floored(ARRAY[0,0,0,0,0,100,100,100,100,600]::float8[])) AS u(b, l);
SELECT mm_monitor('mon_line', 'mon_shifted', label_column => 'y') AS monitor;
SELECT r->>'verdict' AS verdict,
       abs((r#>>'{features,x,psi}')::float8 - e.psi) < 1e-12 AS psi_ok,
       abs((r#>>'{features,x,js}')::float8 - e.js) < 1e-12 AS js_ok,
       abs((r#>>'{features,x,linf}')::float8 - e.linf) < 1e-12 AS linf_ok,
       r#>'{features,x,ks}' AS ks, r#>'{features,x,out_of_range}' AS out_of_range,
       abs((r#>>'{features,x,wasserstein}')::float8 * sqrt(1000 * 1001 / 12.0) / 500 - 1) < 0.005 AS wasserstein_ok,
       r#>'{prediction,ks}' AS prediction_ks,
       r#>'{quality,metric}' AS quality_metric, r#>'{quality,r2}' AS window_r2, r#>'{quality,baseline}' AS baseline_r2
  FROM mm_monitor_run(2) r, mon_expected e;
-- each crossing is an alert row; the run is recorded with its verdict
SELECT scope, feature, metric, round(value::numeric, 4) AS value, threshold
  FROM mm.alerts WHERE monitor = 2 ORDER BY id;
SELECT monitor, via, model, version, verdict, rows, action, error FROM mm.monitor_runs ORDER BY id;

-- Thresholds override the defaults key by key; null turns one off.
SELECT mm_monitor('mon_line', 'mon_shifted',
                  thresholds => '{"numeric": {"psi": null, "ks": 0.6}, "out_of_range": 0.6,
                                  "prediction": {"psi": null}, "features": {"x": {"wasserstein": 2}}}') AS monitor;
SELECT r->>'verdict' AS verdict, r->'alerts' AS alerts FROM mm_monitor_run(3) r;
SELECT mm_unmonitor(3);

-- Missing values: the rate of NULLs against the training rows' (none).
CREATE TABLE mon_gaps AS SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g END::float8 AS x FROM generate_series(0, 999) g;
SELECT mm_monitor('mon_line', 'mon_gaps') AS monitor;
SELECT r->>'verdict' AS verdict, r#>'{features,x,missing_rate}' AS missing_rate,
       r#>'{prediction,unpredictable}' AS unpredictable, r->'alerts' AS alerts
  FROM mm_monitor_run(4) r;

-- Text features: category shares (PSI, JS, L-infinity over the categories and the rest,
-- written out here) and values unseen in training.
CREATE TABLE mon_colors AS
SELECT CASE WHEN g % 10 < 5 THEN 'red' WHEN g % 10 < 8 THEN 'green' ELSE 'blue' END AS color,
       (g % 7)::float8 AS z, (g % 10 < 5)::int AS hot
  FROM generate_series(1, 1000) g;
SELECT version FROM mm_train('mon_hot', 'mon_colors', 'hot', test_size => 0);
SELECT baseline#>'{features,color}' AS color_profile, baseline#>'{prediction}' AS predictions
  FROM mm.versions WHERE model = 'mon_hot';
CREATE TABLE mon_colors_live AS
SELECT CASE WHEN g % 10 < 2 THEN 'red' WHEN g % 10 < 5 THEN 'green' WHEN g % 10 < 9 THEN 'blue' ELSE 'violet' END AS color,
       (g % 7)::float8 AS z, (g % 10 < 3)::int AS hot
  FROM generate_series(1, 1000) g;
-- baseline red 0.5, green 0.3, blue 0.2, rest 0; live 0.2, 0.3, 0.4, 0.1 (violet, unseen)
CREATE VIEW mon_expected_colors AS
SELECT sum((l - b) * ln(l / b)) AS psi,
       sum(0.5 * b * log(2.0, (b / ((b + l) / 2))::numeric) + 0.5 * l * log(2.0, (l / ((b + l) / 2))::numeric)) AS js,
       max(abs(l - b)) AS linf
  FROM unnest(mon_floored(ARRAY[0.5, 0.3, 0.2, 0]::float8[]),
              mon_floored(ARRAY[0.2, 0.3, 0.4, 0.1]::float8[])) AS u(b, l);
SELECT mm_monitor('mon_hot', 'mon_colors_live', label_column => 'hot') AS monitor;
SELECT r->>'verdict' AS verdict,
       abs((r#>>'{features,color,psi}')::float8 - e.psi) < 1e-12 AS psi_ok,
       abs((r#>>'{features,color,js}')::float8 - e.js) < 1e-12 AS js_ok,
       abs((r#>>'{features,color,linf}')::float8 - e.linf) < 1e-12 AS linf_ok,
       r#>'{features,color,unseen}' AS unseen, r#>'{features,color}' ? 'ks' AS has_ks,
       r#>'{quality,metric}' AS metric, r#>'{quality,rows}' AS labelled,
       r#>'{quality,baseline}' AS baseline_f1
  FROM mm_monitor_run(5) r, mon_expected_colors e;
-- the window's accuracy and macro F1, counted here from the predictions
CREATE TABLE mon_scored AS SELECT mm_predict('mon_hot', c)::int AS p, hot FROM mon_colors_live c;
SELECT abs((r#>>'{quality,accuracy}')::float8 - (SELECT avg((p = hot)::int) FROM mon_scored)) < 1e-12 AS accuracy_ok,
       abs((r#>>'{quality,f1}')::float8 -
           (SELECT avg(2.0 * tp / (2 * tp + fp + fn))
              FROM (SELECT count(*) FILTER (WHERE p = k AND hot = k) AS tp,
                           count(*) FILTER (WHERE p = k AND hot <> k) AS fp,
                           count(*) FILTER (WHERE p <> k AND hot = k) AS fn
                      FROM mon_scored, (VALUES (0), (1)) v(k) GROUP BY k) per_class)) < 1e-12 AS f1_ok,
       round((r#>>'{quality,drop}')::numeric, 4) AS drop
  FROM mm_monitor_run(5) r;
SELECT scope, feature, metric, round(value::numeric, 4) AS value, threshold
  FROM mm.alerts WHERE monitor = 5 ORDER BY id;

-- A time window: only the rows of the last day are read.
CREATE TABLE mon_events AS
SELECT x, now() - CASE WHEN x < 500 THEN interval '2 days' ELSE interval '1 hour' END AS at FROM mon_base;
SELECT mm_monitor('mon_line', 'mon_events', time_column => 'at', time_window => '1 day') AS monitor;
SELECT r->>'verdict' AS verdict, r->'rows' AS rows, r#>'{features,x,out_of_range}' AS out_of_range
  FROM mm_monitor_run(6) r;

-- A baseline is made on first need for a version that has none (one trained
-- before monitoring existed): from its training relation, the same profile.
CREATE TABLE mon_saved AS SELECT baseline FROM mm._versions WHERE id = (SELECT version_id FROM mm.versions WHERE model = 'mon_line');
UPDATE mm._versions SET baseline = NULL WHERE id = (SELECT version_id FROM mm.versions WHERE model = 'mon_line');
SELECT r->>'verdict' AS verdict FROM mm_monitor_run(1) r;
SELECT v.baseline#>'{features,x,quantiles}' = s.baseline#>'{features,x,quantiles}' AS same_quantiles,
       v.baseline#>'{features,x,shares}' = s.baseline#>'{features,x,shares}' AS same_shares,
       v.baseline#>'{prediction,quantiles}' = s.baseline#>'{prediction,quantiles}' AS same_prediction
  FROM mm.versions v, mon_saved s WHERE v.model = 'mon_line';

-- Rollback: an alert rolls the production stage back once; the cooldown stops a second one.
SELECT version FROM mm_train('mon_roll', 'mon_base', 'y', test_size => 0);
SELECT version FROM mm_train('mon_roll', 'mon_base', 'y', test_size => 0, deploy => 'always');
SELECT mm_monitor('mon_roll', 'mon_shifted', action => 'rollback') AS monitor;
SELECT r->>'verdict' AS verdict, r->'action' AS action FROM mm_monitor_run(7) r;
SELECT version FROM mm.deployments WHERE model = 'mon_roll';
SELECT r->>'verdict' AS verdict, r->'version' AS version, r#>'{action,outcome}' AS outcome FROM mm_monitor_run(7) r;
SELECT function, model, version, outcome FROM mm.audit_log WHERE function = 'mm_rollback' AND model = 'mon_roll' ORDER BY id;

-- Retrain: an alert trains a new version on the monitored relation, once.
SELECT mm_monitor('mon_line', 'mon_shifted', action => 'retrain', cooldown => '1 hour') AS monitor;
SELECT r#>'{action,action}' AS action, r#>'{action,outcome}' AS outcome, r#>'{action,version}' AS new_version
  FROM mm_monitor_run(8) r;
SELECT version, relation, parent_version FROM mm.versions WHERE model = 'mon_line' ORDER BY version;
SELECT r#>'{action,outcome}' AS outcome FROM mm_monitor_run(8) r;

-- A failing check is a failed run with its error; the other monitors go on.
DROP TABLE mon_gaps;
SELECT r->>'verdict' AS verdict, r->>'sqlstate' AS sqlstate, r->>'error' AS error FROM mm_monitor_run(4) r;
SELECT r->>'verdict' AS verdict FROM mm_monitor_run(1) r;
SELECT verdict, sqlstate, error FROM mm.monitor_runs WHERE monitor = 4 ORDER BY id DESC LIMIT 1;
SELECT monitor, last_verdict, next_run = last_run + every AS scheduled FROM mm.monitors ORDER BY monitor;

-- Bad input: each a clear error, and no monitor is created.
SELECT count(*) AS monitors_before FROM mm.monitors;
SELECT mm_monitor('nope', 'mon_base');
SELECT mm_monitor('mon_line', 'no_such_table');
SELECT mm_monitor('mon_line', NULL);
SELECT mm_monitor('mon_line', 'mon_base', every => '10 ms');
SELECT mm_monitor('mon_line', 'mon_base', time_column => 'x');
SELECT mm_monitor('mon_line', 'mon_events', time_column => 'x', time_window => '1 day');
SELECT mm_monitor('mon_line', 'mon_events', time_column => 'nope', time_window => '1 day');
SELECT mm_monitor('mon_line', 'mon_base', label_column => 'nope');
SELECT mm_monitor('mon_line', 'mon_colors', label_column => 'y');
SELECT mm_monitor('mon_line', 'mon_base', action => 'page');
SELECT mm_monitor('mon_line@1', 'mon_base', action => 'rollback');
SELECT mm_monitor('mon_line', 'mon_base', thresholds => '{"numeric": {"psi": -1}}');
SELECT mm_monitor('mon_line', 'mon_base', thresholds => '{"numeric": {"kl": 1}}');
SELECT mm_monitor('mon_line', 'mon_base', thresholds => '{"drift": 1}');
SELECT mm_monitor('mon_line', 'mon_base', thresholds => '{"features": {"w": {"psi": 1}}}');
SELECT mm_monitor('mon_hot', 'mon_colors', thresholds => '{"categorical": {"ks": 0.1}}');
SELECT mm_monitor('mon_hot', 'mon_colors', thresholds => '[1]');
SELECT mm_monitor('mon_line', 'mon_colors');
SELECT count(*) AS monitors_after FROM mm.monitors;
SELECT mm_monitor_run(999);
SELECT mm_unmonitor(999);
SELECT mm_monitor_run(NULL);

-- A text label: predictions are profiled by class name; a label the model never
-- learned ('violet') counts as a wrong prediction.
-- (no better than the majority class: deployed regardless)
SELECT version FROM mm_train('mon_color', 'mon_colors', 'color', exclude => ARRAY['hot'], test_size => 0,
                             deploy => 'always');
SELECT baseline#>'{prediction,kind}' AS kind, baseline#>'{prediction,categories}' AS classes
  FROM mm.versions WHERE model = 'mon_color';
SELECT mm_monitor('mon_color', 'mon_colors_live', label_column => 'color') AS monitor \gset
SELECT r#>'{quality,rows}' AS labelled,
       abs((r#>>'{quality,accuracy}')::float8 -
           (SELECT avg((mm_predict_label('mon_color', c) = color)::int) FROM mon_colors_live c)) < 1e-12 AS accuracy_ok,
       r#>'{prediction,rows}' AS predicted
  FROM mm_monitor_run(:monitor) r;
SELECT mm_unmonitor(:monitor);

-- Clusters and components: k-means predictions are profiled as categories (the
-- cluster), PCA's as numbers (the first component); the same rows drift by nothing.
SELECT version FROM mm_train('mon_km', 'mon_base', NULL, algorithm => 'kmeans', features => ARRAY['x'],
                             params => '{"k": 3}', test_size => 0);
SELECT version FROM mm_train('mon_pc', 'mon_base', NULL, algorithm => 'pca', test_size => 0);
SELECT baseline#>'{prediction,kind}' AS kind, baseline#>'{prediction,categories}' AS clusters
  FROM mm.versions WHERE model = 'mon_km';
SELECT baseline#>'{prediction,kind}' AS kind, baseline#>'{prediction,rows}' AS rows
  FROM mm.versions WHERE model = 'mon_pc';
SELECT mm_monitor('mon_km', 'mon_base') AS km \gset
SELECT mm_monitor('mon_pc', 'mon_base') AS pc \gset
SELECT r->>'verdict' AS verdict, r#>'{prediction,linf}' AS cluster_linf FROM mm_monitor_run(:km) r;
SELECT r->>'verdict' AS verdict, (r#>>'{prediction,ks}')::float8 < 1e-9 AS component_ks_zero FROM mm_monitor_run(:pc) r;
SELECT mm_unmonitor(:km), mm_unmonitor(:pc);

-- Monitors belong to their owner; a watched model cannot be dropped.
CREATE ROLE regress_watcher;
GRANT SELECT ON mon_base TO regress_watcher;
SET ROLE regress_watcher;
SELECT mm_monitor_run(1);
SELECT mm_unmonitor(1);
-- watching needs the use privilege on the model, rolling back the deploy privilege too
SELECT mm_monitor('mon_roll', 'mon_base');
RESET ROLE;
SELECT mm_grant('mon_roll', 'use', 'regress_watcher');
SET ROLE regress_watcher;
SELECT mm_monitor('mon_roll', 'mon_base', action => 'rollback');
SELECT mm_monitor('mon_roll', 'mon_base', action => 'retrain');
-- and reading the relation
SELECT mm_monitor('mon_roll', 'mon_shifted');
SELECT mm_monitor('mon_roll', 'mon_base', every => '1 day') AS watcher_monitor \gset
RESET ROLE;
-- a check runs as the monitor's owner: once the owner loses the use privilege, it fails
SELECT mm_revoke('mon_roll', 'use', 'regress_watcher');
SELECT r->>'verdict' AS verdict, r->>'sqlstate' AS sqlstate, r->>'error' AS error
  FROM mm_monitor_run(:watcher_monitor) r;
SELECT mm_drop_model('mon_line');
-- a role that owns a monitor cannot be dropped
REVOKE SELECT ON mon_base FROM regress_watcher;
DROP ROLE regress_watcher;
SELECT mm_unmonitor(:watcher_monitor);
DROP ROLE regress_watcher;
-- removing its monitors lets it go; their runs and alerts stay
SELECT mm_unmonitor(monitor) FROM mm.monitors WHERE model = 'mon_line' ORDER BY monitor;
SELECT mm_drop_model('mon_line');
SELECT count(*) > 0 AS runs_kept FROM mm.monitor_runs WHERE model = 'mon_line';
