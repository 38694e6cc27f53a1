-- modelmgr 0.7.0, whole: the catalog, its views and every function, as the
-- update chain from 0.1.0 leaves them (test/t/010_upgrade_release.pl checks
-- that the two agree).  Privileges on models are described in doc/security.md.

\echo Use "CREATE EXTENSION modelmgr" to load this file. \quit

------------------------------------------------------------------------------
-- Catalog.  Tables are written only by the extension's functions (which
-- switch to the catalog owner for it); users read them through the views.
------------------------------------------------------------------------------

CREATE SCHEMA mm;
COMMENT ON SCHEMA mm IS 'modelmgr catalog: models, versions, stages, deployment history, audit log';

CREATE TABLE mm._models (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE
                  CHECK (name ~ '^[a-z_][a-z0-9_]*$' AND octet_length(name) <= 63),
    owner         regrole NOT NULL,
    task          text NOT NULL
                  CHECK (task IN ('regression', 'classification', 'clustering', 'decomposition')),
    description   text,
    tags          jsonb NOT NULL DEFAULT '{}',
    last_version  integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mm._versions (
    id              bigserial PRIMARY KEY,
    model_id        bigint NOT NULL REFERENCES mm._models (id),
    version         integer NOT NULL CHECK (version > 0),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    algorithm       text NOT NULL,
    params          jsonb NOT NULL,
    preprocess      jsonb NOT NULL DEFAULT '{}',
    features        text[] NOT NULL,
    feature_types   text[] NOT NULL,
    target          text,
    target_type     text,
    relation        text NOT NULL,
    test_size       float8 NOT NULL,
    seed            integer NOT NULL,
    rows_read       bigint NOT NULL,
    rows_train      bigint NOT NULL,
    rows_test       bigint NOT NULL,
    rows_skipped    jsonb NOT NULL,
    fingerprint     text NOT NULL,
    snapshot        pg_snapshot,
    metrics         jsonb NOT NULL,
    score           float8,
    train_time      interval NOT NULL,
    trained_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    trained_by      text NOT NULL,
    parent_version  integer,
    artifact        bytea NOT NULL,
    artifact_crc    bigint NOT NULL,
    fitted_preprocess jsonb NOT NULL DEFAULT '{}',
    baseline        jsonb,
    UNIQUE (model_id, version)
);
COMMENT ON COLUMN mm._versions.fitted_preprocess
    IS 'statistics the preprocessing learned from the training rows, applied again at prediction';
COMMENT ON COLUMN mm._versions.baseline
    IS 'profile of each input feature and of the predictions on the training rows; made on first need when null';

-- A baseline is tens of kilobytes of JSON written by every training; lz4
-- compresses it several times faster than the default pglz, a visible share
-- of a training's fixed cost.  A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE mm._versions ALTER COLUMN baseline SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;

-- A stage is a stack of deployments; its top entry is what the stage serves.
CREATE TABLE mm._stages (
    model_id     bigint NOT NULL REFERENCES mm._models (id),
    stage        text NOT NULL CHECK (stage ~ '^[a-z_][a-z0-9_]*$' AND octet_length(stage) <= 63),
    depth        integer NOT NULL CHECK (depth > 0),
    version_id   bigint NOT NULL REFERENCES mm._versions (id),
    deployed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    deployed_by  text NOT NULL,
    PRIMARY KEY (model_id, stage, depth)
);
CREATE INDEX ON mm._stages (version_id);

-- Append-only: models may be dropped, their history stays.
CREATE TABLE mm._deployment_history (
    id                bigserial PRIMARY KEY,
    at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    model_id          bigint NOT NULL,
    model             text NOT NULL,
    stage             text NOT NULL,
    action            text NOT NULL CHECK (action IN ('deploy', 'rollback', 'undeploy', 'purge')),
    version           integer,
    previous_version  integer,
    by                text NOT NULL,
    via               text NOT NULL
);
CREATE INDEX ON mm._deployment_history (model_id, stage);

-- Append-only: every management call, successful or not.
CREATE TABLE mm._audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    role       text NOT NULL,
    function   text NOT NULL,
    model      text,
    version    integer,
    arguments  jsonb NOT NULL DEFAULT '{}',
    outcome    text NOT NULL CHECK (outcome IN ('ok', 'error')),
    sqlstate   text,
    message    text
);
CREATE INDEX ON mm._audit_log (model, at);

-- Monitors, their runs and the alerts they raise.
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

-- Every candidate of every search (mm_tune).
CREATE TABLE mm._trials (
    id          bigserial PRIMARY KEY,
    model       text NOT NULL,
    version     integer NOT NULL,       -- the version the search's best candidate became
    trial       integer NOT NULL,
    algorithm   text NOT NULL,
    params      jsonb NOT NULL,
    preprocess  jsonb NOT NULL,
    metric      text NOT NULL,
    cv_mean     float8,
    cv_std      float8,
    fold_scores float8[],
    fit_time    interval,
    status      text NOT NULL CHECK (status IN ('ok', 'failed', 'not run')),
    error       text,
    tuned_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model, version, trial)
);

-- Grants: use, train and deploy, per model, to a role or to PUBLIC.
CREATE TABLE mm._grants (
    model_id    bigint NOT NULL REFERENCES mm._models (id),
    grantee     regrole NOT NULL,       -- '-' (0) is PUBLIC
    privilege   text NOT NULL CHECK (privilege IN ('use', 'train', 'deploy')),
    granted_by  text NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (model_id, grantee, privilege)
);
CREATE INDEX ON mm._grants (grantee);

CREATE FUNCTION mm._append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cannot % mm.%: it is append-only', pg_catalog.lower(TG_OP), TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON mm._deployment_history
    FOR EACH ROW EXECUTE FUNCTION mm._append_only();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON mm._deployment_history
    FOR EACH STATEMENT EXECUTE FUNCTION mm._append_only();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON mm._audit_log
    FOR EACH ROW EXECUTE FUNCTION mm._append_only();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON mm._audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION mm._append_only();

-- pg_dump carries the catalog's contents (the tables themselves come with
-- CREATE EXTENSION).
SELECT pg_catalog.pg_extension_config_dump('mm._models', '');
SELECT pg_catalog.pg_extension_config_dump('mm._models_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._versions', '');
SELECT pg_catalog.pg_extension_config_dump('mm._versions_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._stages', '');
SELECT pg_catalog.pg_extension_config_dump('mm._deployment_history', '');
SELECT pg_catalog.pg_extension_config_dump('mm._deployment_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('mm._audit_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitors', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitors_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitor_runs', '');
SELECT pg_catalog.pg_extension_config_dump('mm._monitor_runs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._alerts', '');
SELECT pg_catalog.pg_extension_config_dump('mm._alerts_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._trials', '');
SELECT pg_catalog.pg_extension_config_dump('mm._trials_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('mm._grants', '');

------------------------------------------------------------------------------
-- Visibility.  A role sees a model when it holds any privilege on it: it
-- is a superuser, has the privileges of the owner, or of a grantee (or the
-- grant is to PUBLIC).  Every view of the registry filters through this
-- one, and each is a security barrier, so that no function in a caller's
-- WHERE clause sees the rows it hides.  Operators and functions are
-- qualified: these definitions do not depend on the search_path they are
-- created under.
------------------------------------------------------------------------------

CREATE VIEW mm._visible_models WITH (security_barrier) AS
SELECT m.id, m.name
  FROM mm._models m
 WHERE pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE')
    OR EXISTS (SELECT FROM mm._grants g
                WHERE g.model_id OPERATOR(pg_catalog.=) m.id
                  AND (g.grantee::pg_catalog.oid OPERATOR(pg_catalog.=) 0::pg_catalog.oid
                       OR pg_catalog.pg_has_role(g.grantee::pg_catalog.oid, 'USAGE')));
REVOKE ALL ON mm._visible_models FROM PUBLIC;

-- What superusers see beyond the models: rows of dropped models, and everyone's calls.
CREATE VIEW mm._superuser WITH (security_barrier) AS
SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER;
REVOKE ALL ON mm._superuser FROM PUBLIC;

CREATE VIEW mm.models WITH (security_barrier) AS
SELECT m.name AS model, m.owner, m.task, m.description, m.tags, m.created_at,
       (SELECT pg_catalog.count(*) FROM mm._versions v
         WHERE v.model_id OPERATOR(pg_catalog.=) m.id) AS versions,
       (SELECT pg_catalog.max(v.version) FROM mm._versions v
         WHERE v.model_id OPERATOR(pg_catalog.=) m.id) AS latest_version,
       (SELECT v.version FROM mm._stages s JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id
         WHERE s.model_id OPERATOR(pg_catalog.=) m.id AND s.stage OPERATOR(pg_catalog.=) 'production'
         ORDER BY s.depth DESC LIMIT 1) AS production_version,
       ARRAY(SELECT p.privilege FROM (VALUES (1, 'use'), (2, 'train'), (3, 'deploy')) p (n, privilege)
              WHERE pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE')
                 OR EXISTS (SELECT FROM mm._grants g
                             WHERE g.model_id OPERATOR(pg_catalog.=) m.id
                               AND g.privilege OPERATOR(pg_catalog.=) p.privilege
                               AND (g.grantee::pg_catalog.oid OPERATOR(pg_catalog.=) 0::pg_catalog.oid
                                    OR pg_catalog.pg_has_role(g.grantee::pg_catalog.oid, 'USAGE')))
              ORDER BY p.n) AS privileges
  FROM mm._models m
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) m.id);
COMMENT ON VIEW mm.models IS 'one row per model the current role holds a privilege on, with those privileges';

CREATE VIEW mm.versions WITH (security_barrier) AS
SELECT m.name AS model, v.version, v.id AS version_id, v.status, v.algorithm, m.task,
       v.params, v.preprocess, v.features, v.feature_types, v.target, v.target_type,
       v.relation, v.test_size, v.seed, v.rows_read, v.rows_train, v.rows_test,
       v.rows_skipped, v.fingerprint, v.snapshot, v.metrics, v.score, v.train_time,
       v.trained_at, v.trained_by, v.parent_version,
       pg_catalog.octet_length(v.artifact) AS artifact_bytes,
       ARRAY(SELECT s.stage FROM mm._stages s
              WHERE s.version_id OPERATOR(pg_catalog.=) v.id
                AND s.depth OPERATOR(pg_catalog.=)
                    (SELECT pg_catalog.max(t.depth) FROM mm._stages t
                      WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id
                        AND t.stage OPERATOR(pg_catalog.=) s.stage)
              ORDER BY s.stage) AS stages,
       v.fitted_preprocess, v.baseline
  FROM mm._versions v JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) v.model_id
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) m.id);
COMMENT ON VIEW mm.versions IS 'one row per version of the models the current role holds a privilege on';

CREATE VIEW mm.deployments WITH (security_barrier) AS
SELECT m.name AS model, s.stage, v.version, s.deployed_at, s.deployed_by,
       (SELECT pg_catalog.count(*) FROM mm._stages t
         WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id
           AND t.stage OPERATOR(pg_catalog.=) s.stage) AS depth
  FROM mm._stages s
  JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) s.model_id
  JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id
 WHERE s.depth OPERATOR(pg_catalog.=) (SELECT pg_catalog.max(t.depth) FROM mm._stages t
                                        WHERE t.model_id OPERATOR(pg_catalog.=) s.model_id
                                          AND t.stage OPERATOR(pg_catalog.=) s.stage)
   AND EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) m.id);
COMMENT ON VIEW mm.deployments IS 'what each stage of each model serves now';

-- History outlives its models: a row shows to those who may see the model
-- now, to the role that made it, and to superusers.
CREATE VIEW mm.deployment_history WITH (security_barrier) AS
SELECT h.id, h.at, h.model, h.stage, h.action, h.version, h.previous_version, h.by, h.via
  FROM mm._deployment_history h
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) h.model_id)
    OR h.by OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.deployment_history IS 'every deploy, rollback and undeploy, never rewritten';

CREATE VIEW mm.audit_log WITH (security_barrier) AS
SELECT a.id, a.at, a.role, a.function, a.model, a.version, a.arguments, a.outcome,
       a.sqlstate, a.message
  FROM mm._audit_log a
 WHERE a.role OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text
    OR EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) a.model)
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.audit_log IS 'management calls on the models the current role may see, and its own calls';

CREATE VIEW mm.trials WITH (security_barrier) AS
SELECT t.model, t.version, t.trial, t.algorithm, t.params, t.preprocess, t.metric, t.cv_mean, t.cv_std,
       t.fold_scores, t.fit_time, t.status, t.error, t.tuned_at
  FROM mm._trials t
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) t.model)
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.trials IS 'every candidate of every search, with its cross-validated score';

-- A monitor shows to those who may see its model, and to its owner.
CREATE VIEW mm.monitors WITH (security_barrier) AS
SELECT m.id AS monitor, m.reference AS model, m.relation, m.every, m.time_column, m.time_window,
       m.label_column, m.thresholds, m.action, m.cooldown, m.owner, m.created_at, m.next_run,
       m.last_run, m.last_action_at,
       (SELECT r.verdict FROM mm._monitor_runs r WHERE r.monitor OPERATOR(pg_catalog.=) m.id
         ORDER BY r.started_at DESC, r.id DESC LIMIT 1) AS last_verdict
  FROM mm._monitors m
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) m.model)
    OR pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE');
COMMENT ON VIEW mm.monitors IS 'one row per monitor, with the verdict of its last run';

CREATE VIEW mm.monitor_runs WITH (security_barrier) AS
SELECT r.id, r.monitor, r.started_at, r.duration, r.via, r.model, r.version, r.verdict, r.rows,
       r.result, r.action, r.sqlstate, r.error
  FROM mm._monitor_runs r
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) r.model)
    OR EXISTS (SELECT FROM mm._monitors m WHERE m.id OPERATOR(pg_catalog.=) r.monitor
                AND pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE'))
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.monitor_runs IS 'every check a monitor ran, with its result or its error';

CREATE VIEW mm.alerts WITH (security_barrier) AS
SELECT a.id, a.run, a.monitor, a.raised_at, a.model, a.version, a.scope, a.feature, a.metric,
       a.value, a.threshold
  FROM mm._alerts a
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) a.model)
    OR EXISTS (SELECT FROM mm._monitors m WHERE m.id OPERATOR(pg_catalog.=) a.monitor
                AND pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE'))
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.alerts IS 'every threshold a monitor''s check crossed';

CREATE VIEW mm.grants WITH (security_barrier) AS
SELECT m.name AS model,
       CASE WHEN g.grantee::pg_catalog.oid OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'public'
            ELSE g.grantee::pg_catalog.text END AS grantee,
       g.privilege, g.granted_by, g.granted_at
  FROM mm._grants g JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) g.model_id
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) m.id);
COMMENT ON VIEW mm.grants IS 'the privileges granted on the models the current role may see';
GRANT SELECT ON mm.grants TO PUBLIC;

REVOKE ALL ON ALL TABLES IN SCHEMA mm FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA mm FROM PUBLIC;
REVOKE ALL ON FUNCTION mm._append_only() FROM PUBLIC;
GRANT USAGE ON SCHEMA mm TO PUBLIC;
GRANT SELECT ON mm.models, mm.versions, mm.deployments, mm.deployment_history, mm.audit_log, mm.monitors,
    mm.monitor_runs, mm.alerts, mm.trials, mm.grants TO PUBLIC;

------------------------------------------------------------------------------
-- Training
------------------------------------------------------------------------------

CREATE FUNCTION mm_train(model text, relation text, target text,
                         algorithm text DEFAULT 'auto', features text[] DEFAULT NULL,
                         exclude text[] DEFAULT NULL, params jsonb DEFAULT '{}',
                         preprocess jsonb DEFAULT '{}', test_size float8 DEFAULT 0.25,
                         seed int DEFAULT 0, deploy text DEFAULT 'if_better')
RETURNS TABLE (model text, version int, algorithm text, metrics jsonb, deployed boolean)
AS 'MODULE_PATHNAME', 'mm_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_train IS 'train a new version of a model on a table or view';

CREATE FUNCTION mm_retrain(model text, relation text DEFAULT NULL)
RETURNS TABLE (model text, version int, algorithm text, metrics jsonb, deployed boolean)
AS 'MODULE_PATHNAME', 'mm_retrain'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_retrain IS 'train a new version with the recipe of an existing one';

-- Least-squares statistics of a training pass: a parallel aggregate whose
-- state is a bytea (see doc/scaling.md).  mm_ls_stats takes the features as
-- separate float8 arguments (up to 94); mm_ls_stats_array as one array.
CREATE FUNCTION mm_ls_accum(state bytea, test_size float8, seed int, sample_rows int,
                            expected_rows float8, y float8, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_ls_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_ls_accum_array(state bytea, test_size float8, seed int, sample_rows int,
                                  expected_rows float8, y float8, x float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_ls_accum_array'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_ls_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_ls_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_ls_stats(test_size float8, seed int, sample_rows int, expected_rows float8,
                             y float8, VARIADIC x "any") (
    SFUNC = mm_ls_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_ls_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_ls_stats(float8, int, int, float8, float8, VARIADIC "any")
    IS 'sufficient statistics of least squares with a deterministic train/test split';

CREATE AGGREGATE mm_ls_stats_array(test_size float8, seed int, sample_rows int,
                                   expected_rows float8, y float8, x float8[]) (
    SFUNC = mm_ls_accum_array,
    STYPE = bytea,
    COMBINEFUNC = mm_ls_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_ls_stats_array(float8, int, int, float8, float8, float8[])
    IS 'mm_ls_stats with the features in one array, for any number of them';

-- Regression metrics of predictions against targets, mergeable likewise.
CREATE FUNCTION mm_eval_accum(state bytea, prediction float8, target float8)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_eval_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_eval_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_eval_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_eval_stats(prediction float8, target float8) (
    SFUNC = mm_eval_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_eval_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_eval_stats(float8, float8)
    IS 'residual statistics of predictions against targets';

-- Passes of a fit over a relation: one aggregate runs any algorithm's pass
-- (a mergeable accumulation) over the training rows, in parallel workers or
-- on a distributed database's shards (see doc/scaling.md).  pass is a header
-- naming the pass, the split and the pass's input (mm_pass_header); the state
-- counts the rows seen and skipped and holds the pass's own state.  The
-- signature is fixed, the features one array, so the argument types are exact.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, x float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_pass_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mm_pass_final(state bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, x float8[]) (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, float8[])
    IS 'one pass of a fit over the training rows of a deterministic train/test split';

CREATE FUNCTION mm_pass_header(artifact_id int, pass int, p int, test_size float8, seed int,
                               arg bytea DEFAULT NULL)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_header'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_header(int, int, int, float8, int, bytea)
    IS 'the header naming a pass of an algorithm, its split and its input, for mm_pass';

CREATE FUNCTION mm_pass_result(state bytea, OUT pass text, OUT rows_seen bigint, OUT rows_train bigint,
                               OUT rows_test bigint, OUT rows_null_target bigint,
                               OUT rows_bad_features bigint, OUT rows_bad_target bigint,
                               OUT null_count bigint[], OUT nonfinite_count bigint[],
                               OUT pass_state bytea)
RETURNS record
AS 'MODULE_PATHNAME', 'mm_pass_result'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_result(bytea)
    IS 'the rows a state of mm_pass counted, and the state of its pass';

------------------------------------------------------------------------------
-- Prediction
------------------------------------------------------------------------------

CREATE FUNCTION mm_predict(model text, input record)
RETURNS float8
AS 'MODULE_PATHNAME', 'mm_predict_record'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict(text, record) IS 'predict from a row, matching columns by name';

CREATE FUNCTION mm_predict(model text, features float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'mm_predict_array'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict(text, float8[]) IS 'predict from raw values in the order of the version''s features';

------------------------------------------------------------------------------
-- Evaluation and introspection
------------------------------------------------------------------------------

CREATE FUNCTION mm_evaluate(model text, relation text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mm_evaluate'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_evaluate IS 'metrics of a version on any relation with its columns';

CREATE FUNCTION mm_coefficients(model text, level float8 DEFAULT 0.95)
RETURNS TABLE (class text, feature text, coef float8, std_err float8, stat float8, p_value float8,
               ci_lower float8, ci_upper float8)
AS 'MODULE_PATHNAME', 'mm_coefficients'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_coefficients IS 'coefficients of a linear model with their inference statistics and confidence intervals';

CREATE FUNCTION mm_compare(model text, version_a int, version_b int)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a mm.versions;
    b mm.versions;
    sections jsonb := '{}';
    part text;
    k text;
BEGIN
    IF model IS NULL THEN
        RAISE EXCEPTION 'model must not be null' USING ERRCODE = 'null_value_not_allowed';
    ELSIF version_a IS NULL THEN
        RAISE EXCEPTION 'version_a must not be null' USING ERRCODE = 'null_value_not_allowed';
    ELSIF version_b IS NULL THEN
        RAISE EXCEPTION 'version_b must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT @extschema@.mm_has_privilege(model, 'use') THEN
        RAISE EXCEPTION 'permission denied for model "%"', model
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'This needs the use privilege on the model.';
    END IF;
    SELECT * INTO a FROM mm.versions v
     WHERE v.model OPERATOR(pg_catalog.=) mm_compare.model AND v.version OPERATOR(pg_catalog.=) version_a;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version_a USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO b FROM mm.versions v
     WHERE v.model OPERATOR(pg_catalog.=) mm_compare.model AND v.version OPERATOR(pg_catalog.=) version_b;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version_b USING ERRCODE = 'undefined_object';
    END IF;

    -- metrics side by side, part by part and key by key: [a, b]
    FOREACH part IN ARRAY ARRAY['train', 'test'] LOOP
        sections := sections OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(part, (
            SELECT COALESCE(pg_catalog.jsonb_object_agg(key, pg_catalog.jsonb_build_array(
                                a.metrics OPERATOR(pg_catalog.->) part OPERATOR(pg_catalog.->) key,
                                b.metrics OPERATOR(pg_catalog.->) part OPERATOR(pg_catalog.->) key)), '{}')
              FROM (SELECT pg_catalog.jsonb_object_keys(COALESCE(NULLIF(a.metrics OPERATOR(pg_catalog.->) part,
                                                                         'null'), '{}')) AS key
                    UNION
                    SELECT pg_catalog.jsonb_object_keys(COALESCE(NULLIF(b.metrics OPERATOR(pg_catalog.->) part,
                                                                         'null'), '{}'))) keys));
    END LOOP;

    RETURN pg_catalog.jsonb_build_object(
        'model', model,
        'version', pg_catalog.jsonb_build_array(a.version, b.version),
        'status', pg_catalog.jsonb_build_array(a.status, b.status),
        'algorithm', pg_catalog.jsonb_build_array(a.algorithm, b.algorithm),
        'params', (SELECT COALESCE(pg_catalog.jsonb_object_agg(key, pg_catalog.jsonb_build_array(
                                       a.params OPERATOR(pg_catalog.->) key,
                                       b.params OPERATOR(pg_catalog.->) key)), '{}')
                     FROM (SELECT pg_catalog.jsonb_object_keys(a.params) AS key
                           UNION SELECT pg_catalog.jsonb_object_keys(b.params)) keys),
        'features', pg_catalog.jsonb_build_object(
            'common', pg_catalog.to_jsonb(ARRAY(SELECT f FROM pg_catalog.unnest(a.features) f
                                                 WHERE f OPERATOR(pg_catalog.=) ANY (b.features))),
            'only_a', pg_catalog.to_jsonb(ARRAY(SELECT f FROM pg_catalog.unnest(a.features) f
                                                 WHERE f OPERATOR(pg_catalog.<>) ALL (b.features))),
            'only_b', pg_catalog.to_jsonb(ARRAY(SELECT f FROM pg_catalog.unnest(b.features) f
                                                 WHERE f OPERATOR(pg_catalog.<>) ALL (a.features)))),
        'relation', pg_catalog.jsonb_build_array(a.relation, b.relation),
        'fingerprint', pg_catalog.jsonb_build_array(a.fingerprint, b.fingerprint),
        'same_data', a.fingerprint OPERATOR(pg_catalog.=) b.fingerprint,
        'rows', pg_catalog.jsonb_build_object('train', pg_catalog.jsonb_build_array(a.rows_train, b.rows_train),
                                              'test', pg_catalog.jsonb_build_array(a.rows_test, b.rows_test)),
        'metrics', sections,
        'score', pg_catalog.jsonb_build_array(a.score, b.score),
        'trained_at', pg_catalog.jsonb_build_array(a.trained_at, b.trained_at),
        'stages', pg_catalog.jsonb_build_array(pg_catalog.to_jsonb(a.stages), pg_catalog.to_jsonb(b.stages)));
END
$$;
COMMENT ON FUNCTION mm_compare IS 'two versions of a model side by side';

------------------------------------------------------------------------------
-- Registry
------------------------------------------------------------------------------

CREATE FUNCTION mm_deploy(model text, version int DEFAULT NULL, stage text DEFAULT 'production')
RETURNS int
AS 'MODULE_PATHNAME', 'mm_deploy'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_deploy IS 'point a stage at a version (the best active one by default)';

CREATE FUNCTION mm_rollback(model text, stage text DEFAULT 'production')
RETURNS int
AS 'MODULE_PATHNAME', 'mm_rollback'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_rollback IS 'return a stage to the version it served before its last deploy';

CREATE FUNCTION mm_undeploy(model text, stage text DEFAULT 'production')
RETURNS void
AS 'MODULE_PATHNAME', 'mm_undeploy'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_undeploy IS 'empty a stage';

CREATE FUNCTION mm_archive(model text, version int)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_archive'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_archive IS 'hide a version that is not deployed (undo with mm_restore)';

CREATE FUNCTION mm_restore(model text, version int)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_restore'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_restore IS 'make an archived version active again';

CREATE FUNCTION mm_purge(model text, version int)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_purge'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_purge IS 'delete an archived version for good';

CREATE FUNCTION mm_annotate(model text, description text DEFAULT NULL, tags jsonb DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_annotate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_annotate IS 'set a model''s description and tags';

CREATE FUNCTION mm_drop_model(model text, cascade boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_drop_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_drop_model(text, boolean)
    IS 'remove a model with its versions, stages and grants (history and audit stay); cascade: and its monitors';

------------------------------------------------------------------------------
-- Classification
------------------------------------------------------------------------------

CREATE FUNCTION mm_predict_label(model text, input record)
RETURNS text
AS 'MODULE_PATHNAME', 'mm_predict_label'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_label(text, record) IS 'the class a classifier predicts for a row, as text';

CREATE FUNCTION mm_predict_proba(model text, input record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'mm_predict_proba'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_proba(text, record) IS 'the probability of each class for a row, in mm_classes order';

CREATE FUNCTION mm_classes(model text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'mm_classes'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_classes(text) IS 'the labels of a classifier in sort order, the last the positive class when binary';

-- One class's probability
CREATE FUNCTION mm_predict_proba(model text, input record, class text)
RETURNS float8
AS 'MODULE_PATHNAME', 'mm_predict_proba_class'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_proba(text, record, text)
    IS 'the probability of one class for a row, the class named as mm_classes lists it';

------------------------------------------------------------------------------
-- Clustering and decomposition
------------------------------------------------------------------------------

CREATE FUNCTION mm_transform(model text, input record)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'mm_transform'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_transform(text, record) IS 'a row''s principal components (pca) or distances to the cluster centers (kmeans)';

------------------------------------------------------------------------------
-- Monitoring
------------------------------------------------------------------------------

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

------------------------------------------------------------------------------
-- Tuning
------------------------------------------------------------------------------

-- doc with value at path, the objects along it made as needed (for preprocess.<path> searches)
CREATE FUNCTION mm._jsonb_put(doc jsonb, path text[], value jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  SELECT CASE WHEN cardinality(path) = 1
              THEN COALESCE(doc, '{}'::jsonb) || jsonb_build_object(path[1], value)
              ELSE COALESCE(doc, '{}'::jsonb) || jsonb_build_object(path[1],
                       mm._jsonb_put(CASE WHEN jsonb_typeof(doc -> path[1]) = 'object'
                                          THEN doc -> path[1] END,
                                     path[2:], value))
         END
$$;

-- A linear regression's search in one pass: a training state per fold and one
-- for the held-out rows, in one bytea (see mm_tune and doc/tuning.md).
CREATE FUNCTION mm_cv_accum(state bytea, folds int, test_size float8, seed int, sample_rows int,
                            expected_rows float8, y float8, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_cv_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_cv_stats(folds int, test_size float8, seed int, sample_rows int, expected_rows float8,
                             y float8, VARIADIC x "any") (
    SFUNC = mm_cv_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_cv_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_cv_stats(int, float8, int, int, float8, float8, VARIADIC "any")
    IS 'least-squares statistics of each cross-validation fold and of the held-out rows';

CREATE FUNCTION mm_tune(model text, relation text, target text, algorithm text DEFAULT 'auto',
                        search jsonb DEFAULT NULL, method text DEFAULT 'grid', trials int DEFAULT 20,
                        folds int DEFAULT 5, metric text DEFAULT NULL,
                        features text[] DEFAULT NULL, exclude text[] DEFAULT NULL, params jsonb DEFAULT '{}',
                        preprocess jsonb DEFAULT '{}', test_size float8 DEFAULT 0.25, seed int DEFAULT 0,
                        deploy text DEFAULT 'if_better', time_budget interval DEFAULT NULL)
RETURNS TABLE (model text, version int, algorithm text, params jsonb, metrics jsonb, deployed boolean)
AS 'MODULE_PATHNAME', 'mm_tune'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_tune IS 'search hyperparameters by cross-validation and keep the best as a new version';

CREATE FUNCTION mm_tune_progress()
RETURNS TABLE (pid int, model text, algorithm text, candidate int, candidates int, fold int, folds int,
               elapsed interval)
AS 'MODULE_PATHNAME', 'mm_tune_progress'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_tune_progress IS 'where each running mm_tune is (needs the library preloaded)';

CREATE VIEW mm.tune_progress AS SELECT * FROM @extschema@.mm_tune_progress();
COMMENT ON VIEW mm.tune_progress IS 'one row per running search: its candidate, fold and time so far';
GRANT SELECT ON mm.tune_progress TO PUBLIC;

------------------------------------------------------------------------------
-- Export
------------------------------------------------------------------------------

CREATE FUNCTION mm_export(model text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'mm_export'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_export(text) IS 'the portable JSON document of a version (doc/export-format.md)';

CREATE FUNCTION mm_import(model text, document jsonb)
RETURNS int
AS 'MODULE_PATHNAME', 'mm_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_import(text, jsonb) IS 'create a version from a document mm_export wrote; returns its number';

------------------------------------------------------------------------------
-- Privileges
------------------------------------------------------------------------------

CREATE FUNCTION mm_grant(model text, privilege text, grantee text)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_grant'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_grant(text, text, text)
    IS 'give a role (or public) a privilege on a model: use, train, deploy or all';

CREATE FUNCTION mm_revoke(model text, privilege text, grantee text)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_revoke'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_revoke(text, text, text) IS 'take a privilege on a model back from a role (or public)';

CREATE FUNCTION mm_set_owner(model text, new_owner regrole)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_set_owner'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_set_owner(text, regrole) IS 'give a model to another role';

CREATE FUNCTION mm_has_privilege(model text, privilege text, role regrole DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mm_has_privilege'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_has_privilege(text, text, regrole)
    IS 'whether a role (the current one by default) holds a privilege on a model';

-- Where each running training is: its phase, passes over the relation,
-- iterations and rows read, for other sessions (needs the library preloaded).
CREATE FUNCTION mm_train_progress()
RETURNS TABLE (pid int, model text, algorithm text, phase text, passes int, pass text, iteration int,
               rows_read bigint, elapsed interval)
AS 'MODULE_PATHNAME', 'mm_train_progress'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_train_progress IS 'where each running training is (needs the library preloaded)';

CREATE VIEW mm.train_progress AS SELECT * FROM @extschema@.mm_train_progress();
COMMENT ON VIEW mm.train_progress IS 'one row per running training: its phase, passes, iterations, rows read and time so far';
GRANT SELECT ON mm.train_progress TO PUBLIC;
-- Training in passes over a relation (issue 14: every pass an aggregate on the
-- shards): the pass aggregate's form for rows with text features and class
-- labels, whose header carries the fitted design each row goes through, and
-- the split of such a row, for the queries that count categories and labels
-- per part.  The argument types are fixed, as a distributed database needs
-- them to push the aggregate down.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, x float8[], c text[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, x float8[], c text[]) (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, float8[], text[])
    IS 'one pass of a fit over the rows of a part of the split, text features and labels through the fitted design';

CREATE FUNCTION mm_pass_part(pass bytea, y float8, x float8[], c text[])
RETURNS int
AS 'MODULE_PATHNAME', 'mm_pass_part'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_part(bytea, float8, float8[], text[])
    IS 'the part of the split a row falls in (0 training, 1 held out), as mm_pass splits it';

-- Passes over relations no distributed database distributes read each
-- row's values as separate arguments, which build no array per row.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum_any'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, VARIADIC x "any") (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, VARIADIC "any")
    IS 'mm_pass through the fitted design with the row''s values as separate arguments (features, then a text label)';

-- Citus: aggregates that push down to the shards.  mm_cv_stats with the
-- features in one array: a fixed signature, which a distributed database
-- needs to run the aggregate on its shards (doc/scaling.md).
CREATE FUNCTION mm_cv_accum_array(state bytea, folds int, test_size float8, seed int, sample_rows int,
                                  expected_rows float8, y float8, x float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_accum_array'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_cv_stats_array(folds int, test_size float8, seed int, sample_rows int,
                                   expected_rows float8, y float8, x float8[]) (
    SFUNC = mm_cv_accum_array,
    STYPE = bytea,
    COMBINEFUNC = mm_cv_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_cv_stats_array(int, float8, int, int, float8, float8, float8[])
    IS 'mm_cv_stats with the features in one array, for any number of them';

-- Citus: the catalog on a Citus cluster.  Predictions on a distributed table
-- run on the workers, which need the extension; Citus creates it there when
-- CREATE EXTENSION modelmgr runs on a coordinator that has them.  Where
-- modelmgr came first, this does it, and Citus then creates it on the nodes
-- added later too (doc/scaling.md).
CREATE FUNCTION mm_citus_setup()
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET client_min_messages = warning
AS $$
DECLARE
    workers int;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'extension "citus" is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION citus and add the workers, then mm_citus_setup().';
    END IF;
    -- Citus propagates CREATE EXTENSION even of an extension that exists here:
    -- it creates it on every worker and records it as distributed
    EXECUTE 'CREATE EXTENSION IF NOT EXISTS modelmgr';
    EXECUTE 'SELECT pg_catalog.count(*)::pg_catalog.int4 FROM pg_catalog.pg_dist_node '
            'WHERE noderole OPERATOR(pg_catalog.=) ''primary'' AND isactive '
            'AND groupid OPERATOR(pg_catalog.<>) 0' INTO workers;
    RETURN workers;
END
$$;
COMMENT ON FUNCTION mm_citus_setup()
    IS 'create the extension on the workers of a Citus cluster it predated; returns their number';

-- Monitoring checks as an aggregate pushed down to the shards: a check's
-- window is counted by one aggregate with a fixed signature and a bytea
-- state that merges, so parallel workers share the window and Citus runs it
-- on each shard, sending back counts instead of rows (doc/scaling.md).
CREATE FUNCTION mm_check_accum(state bytea, "check" bytea, x float8[], c text[], y float8, label text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_check_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mm_check_final(state bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_check_stats("check" bytea, x float8[], c text[], y float8, label text) (
    SFUNC = mm_check_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_check_combine,
    FINALFUNC = mm_check_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_check_stats(bytea, float8[], text[], float8, text)
    IS 'what a monitoring check counts over its window: values against the baseline, predictions, quality';

-- Gradient boosting: feature importances of tree models (issue 15).
CREATE FUNCTION mm_importance(model text)
RETURNS TABLE (feature text, importance float8, method text)
AS 'MODULE_PATHNAME', 'mm_importance'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_importance(text)
    IS 'feature importances of a tree model: gain, total_gain and split_count per encoded column';

-- Checks of relations no distributed database distributes hand each row's
-- values as separate arguments (float8 numbers, text categories, in the
-- model's order), which build no array per row (doc/scaling.md).
CREATE FUNCTION mm_check_accum(state bytea, "check" bytea, y float8, label text, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_accum_any'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_check_stats("check" bytea, y float8, label text, VARIADIC x "any") (
    SFUNC = mm_check_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_check_combine,
    FINALFUNC = mm_check_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_check_stats(bytea, float8, text, VARIADIC "any")
    IS 'mm_check_stats with the row''s values as separate arguments, in the model''s order';
