-- modelmgr 0.3.0: monitoring (baseline profiles, monitors, their runs and alerts).

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.3.0'" to load this file. \quit

------------------------------------------------------------------------------
-- Catalog: every version keeps a profile of its training rows.
------------------------------------------------------------------------------

ALTER TABLE mm._versions ADD COLUMN baseline jsonb;
COMMENT ON COLUMN mm._versions.baseline
    IS 'profile of each input feature and of the predictions on the training rows; made on first need when null';

CREATE OR REPLACE VIEW mm.versions AS
SELECT m.name AS model, v.version, v.id AS version_id, v.status, v.algorithm, m.task,
       v.params, v.preprocess, v.features, v.feature_types, v.target, v.target_type,
       v.relation, v.test_size, v.seed, v.rows_read, v.rows_train, v.rows_test,
       v.rows_skipped, v.fingerprint, v.snapshot, v.metrics, v.score, v.train_time,
       v.trained_at, v.trained_by, v.parent_version,
       pg_catalog.octet_length(v.artifact) AS artifact_bytes,
       ARRAY(SELECT s.stage FROM mm._stages s
              WHERE s.version_id = v.id
                AND s.depth = (SELECT max(t.depth) FROM mm._stages t
                                WHERE t.model_id = s.model_id AND t.stage = s.stage)
              ORDER BY s.stage) AS stages,
       v.fitted_preprocess, v.baseline
  FROM mm._versions v JOIN mm._models m ON m.id = v.model_id;

------------------------------------------------------------------------------
-- Monitors, their runs and the alerts they raise
------------------------------------------------------------------------------

CREATE TABLE mm._monitors (
    id              serial PRIMARY KEY,
    reference       text NOT NULL,          -- name, name@N or name@stage, resolved at every run
    model           text NOT NULL,          -- the model's name
    relation        text NOT NULL,          -- schema-qualified and quoted
    every           interval NOT NULL CHECK (every >= interval '1 second'),
    time_column     text,
    time_window     interval CHECK (time_window > interval '0'),
    label_column    text,
    thresholds      jsonb NOT NULL DEFAULT '{}',
    action          text NOT NULL CHECK (action IN ('alert', 'rollback', 'retrain')),
    cooldown        interval NOT NULL CHECK (cooldown >= interval '0'),
    owner           regrole NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_run        timestamptz NOT NULL,
    last_run        timestamptz,
    last_action_at  timestamptz
);
CREATE INDEX ON mm._monitors (next_run);
CREATE INDEX ON mm._monitors (model);

CREATE TABLE mm._monitor_runs (
    id          bigserial PRIMARY KEY,
    monitor     integer NOT NULL,
    started_at  timestamptz NOT NULL,
    duration    interval NOT NULL,
    via         text NOT NULL CHECK (via IN ('worker', 'mm_monitor_run')),
    model       text NOT NULL,
    version     integer,
    verdict     text NOT NULL CHECK (verdict IN ('ok', 'alert', 'no_data', 'failed')),
    rows        bigint,
    result      jsonb,
    action      jsonb,
    sqlstate    text,
    error       text
);
CREATE INDEX ON mm._monitor_runs (monitor, started_at);

CREATE TABLE mm._alerts (
    id          bigserial PRIMARY KEY,
    run         bigint NOT NULL REFERENCES mm._monitor_runs (id),
    monitor     integer NOT NULL,
    raised_at   timestamptz NOT NULL,
    model       text NOT NULL,
    version     integer NOT NULL,
    scope       text NOT NULL CHECK (scope IN ('feature', 'prediction', 'quality')),
    feature     text,
    metric      text NOT NULL,
    value       float8 NOT NULL,
    threshold   float8 NOT NULL
);
CREATE INDEX ON mm._alerts (monitor, raised_at);

SELECT pg_catalog.pg_extension_config_dump('mm._monitors', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitors_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitor_runs', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitor_runs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._alerts', '');
SELECT pg_catalog.pg_extension_config_dump('mm._alerts_id_seq', '');

CREATE VIEW mm.monitors AS
SELECT m.id AS monitor, m.reference AS model, m.relation, m.every, m.time_column, m.time_window,
       m.label_column, m.thresholds, m.action, m.cooldown, m.owner, m.created_at, m.next_run,
       m.last_run, m.last_action_at,
       (SELECT r.verdict FROM mm._monitor_runs r WHERE r.monitor = m.id
         ORDER BY r.started_at DESC, r.id DESC LIMIT 1) AS last_verdict
  FROM mm._monitors m;
COMMENT ON VIEW mm.monitors IS 'one row per monitor, with the verdict of its last run';

CREATE VIEW mm.monitor_runs AS
SELECT r.id, r.monitor, r.started_at, r.duration, r.via, r.model, r.version, r.verdict, r.rows,
       r.result, r.action, r.sqlstate, r.error
  FROM mm._monitor_runs r;
COMMENT ON VIEW mm.monitor_runs IS 'every check a monitor ran, with its result or its error';

CREATE VIEW mm.alerts AS
SELECT a.id, a.run, a.monitor, a.raised_at, a.model, a.version, a.scope, a.feature, a.metric,
       a.value, a.threshold
  FROM mm._alerts a;
COMMENT ON VIEW mm.alerts IS 'every threshold a monitor''s check crossed';

REVOKE ALL ON mm._monitors, mm._monitor_runs, mm._alerts FROM PUBLIC;
REVOKE ALL ON SEQUENCE mm._monitors_id_seq, mm._monitor_runs_id_seq, mm._alerts_id_seq FROM PUBLIC;
GRANT SELECT ON mm.monitors, mm.monitor_runs, mm.alerts TO PUBLIC;

CREATE FUNCTION mm_monitor(model text, relation text, every interval DEFAULT '1 hour',
                           time_column text DEFAULT NULL, time_window interval DEFAULT NULL,
                           label_column text DEFAULT NULL, thresholds jsonb DEFAULT '{}',
                           action text DEFAULT 'alert', cooldown interval DEFAULT '1 day')
RETURNS int
AS 'MODULE_PATHNAME', 'mm_monitor'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_monitor IS 'watch a model against a live relation on a schedule; returns the monitor id';

CREATE FUNCTION mm_monitor_run(monitor int)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mm_monitor_run'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_monitor_run IS 'run one check of a monitor now, in this session';

CREATE FUNCTION mm_unmonitor(monitor int)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_unmonitor'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_unmonitor IS 'remove a monitor (its runs and alerts stay)';

CREATE FUNCTION mm_monitor_schedule()
RETURNS TABLE (database text, next_look timestamptz)
AS 'MODULE_PATHNAME', 'mm_monitor_schedule'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION mm_monitor_schedule IS 'when the monitor workers next look at each database (null: at the next look)';
