-- modelmgr 0.1.0: the model catalog, linear models, versions and deployment.

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
    UNIQUE (model_id, version)
);

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

CREATE FUNCTION mm._append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cannot % mm.%: it is append-only', lower(TG_OP), TG_TABLE_NAME
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

------------------------------------------------------------------------------
-- Views
------------------------------------------------------------------------------

CREATE VIEW mm.models AS
SELECT m.name AS model, m.owner, m.task, m.description, m.tags, m.created_at,
       (SELECT count(*) FROM mm._versions v WHERE v.model_id = m.id) AS versions,
       (SELECT max(v.version) FROM mm._versions v WHERE v.model_id = m.id) AS latest_version,
       (SELECT v.version FROM mm._stages s JOIN mm._versions v ON v.id = s.version_id
         WHERE s.model_id = m.id AND s.stage = 'production'
         ORDER BY s.depth DESC LIMIT 1) AS production_version
  FROM mm._models m;
COMMENT ON VIEW mm.models IS 'one row per model';

CREATE VIEW mm.versions AS
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
              ORDER BY s.stage) AS stages
  FROM mm._versions v JOIN mm._models m ON m.id = v.model_id;
COMMENT ON VIEW mm.versions IS 'one row per trained version, with its recipe, data source and metrics';

CREATE VIEW mm.deployments AS
SELECT m.name AS model, s.stage, v.version, s.deployed_at, s.deployed_by,
       (SELECT count(*) FROM mm._stages t
         WHERE t.model_id = s.model_id AND t.stage = s.stage) AS depth
  FROM mm._stages s
  JOIN mm._models m ON m.id = s.model_id
  JOIN mm._versions v ON v.id = s.version_id
 WHERE s.depth = (SELECT max(t.depth) FROM mm._stages t
                   WHERE t.model_id = s.model_id AND t.stage = s.stage);
COMMENT ON VIEW mm.deployments IS 'what each stage of each model serves now';

CREATE VIEW mm.deployment_history AS
SELECT h.id, h.at, h.model, h.stage, h.action, h.version, h.previous_version, h.by, h.via
  FROM mm._deployment_history h;
COMMENT ON VIEW mm.deployment_history IS 'every deploy, rollback and undeploy, never rewritten';

CREATE VIEW mm.audit_log AS
SELECT a.id, a.at, a.role, a.function, a.model, a.version, a.arguments, a.outcome,
       a.sqlstate, a.message
  FROM mm._audit_log a;
COMMENT ON VIEW mm.audit_log IS 'every management call, successful or not';

REVOKE ALL ON ALL TABLES IN SCHEMA mm FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA mm FROM PUBLIC;
REVOKE ALL ON FUNCTION mm._append_only() FROM PUBLIC;
GRANT USAGE ON SCHEMA mm TO PUBLIC;
GRANT SELECT ON mm.models, mm.versions, mm.deployments, mm.deployment_history, mm.audit_log
    TO PUBLIC;

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

CREATE FUNCTION mm_coefficients(model text)
RETURNS TABLE (class text, feature text, coef float8, std_err float8, stat float8, p_value float8)
AS 'MODULE_PATHNAME', 'mm_coefficients'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_coefficients IS 'coefficients of a linear model with their inference statistics';

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
    IF NOT EXISTS (SELECT 1 FROM mm.models m WHERE m.model = mm_compare.model) THEN
        RAISE EXCEPTION 'model "%" does not exist', model
            USING ERRCODE = 'undefined_object',
                  HINT = 'List the models with: SELECT model FROM mm.models;';
    END IF;
    SELECT * INTO a FROM mm.versions v WHERE v.model = mm_compare.model AND v.version = version_a;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version_a USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO b FROM mm.versions v WHERE v.model = mm_compare.model AND v.version = version_b;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version_b USING ERRCODE = 'undefined_object';
    END IF;

    -- metrics side by side, part by part and key by key: [a, b]
    FOREACH part IN ARRAY ARRAY['train', 'test'] LOOP
        sections := sections || jsonb_build_object(part, (
            SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(a.metrics -> part -> key,
                                                                     b.metrics -> part -> key)), '{}')
              FROM (SELECT jsonb_object_keys(coalesce(nullif(a.metrics -> part, 'null'), '{}')) AS key
                    UNION
                    SELECT jsonb_object_keys(coalesce(nullif(b.metrics -> part, 'null'), '{}'))) keys));
    END LOOP;

    RETURN jsonb_build_object(
        'model', model,
        'version', jsonb_build_array(a.version, b.version),
        'status', jsonb_build_array(a.status, b.status),
        'algorithm', jsonb_build_array(a.algorithm, b.algorithm),
        'params', (SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(a.params -> key, b.params -> key)), '{}')
                     FROM (SELECT jsonb_object_keys(a.params) AS key
                           UNION SELECT jsonb_object_keys(b.params)) keys),
        'features', jsonb_build_object(
            'common', to_jsonb(ARRAY(SELECT f FROM unnest(a.features) f WHERE f = ANY (b.features))),
            'only_a', to_jsonb(ARRAY(SELECT f FROM unnest(a.features) f WHERE f <> ALL (b.features))),
            'only_b', to_jsonb(ARRAY(SELECT f FROM unnest(b.features) f WHERE f <> ALL (a.features)))),
        'relation', jsonb_build_array(a.relation, b.relation),
        'fingerprint', jsonb_build_array(a.fingerprint, b.fingerprint),
        'same_data', a.fingerprint = b.fingerprint,
        'rows', jsonb_build_object('train', jsonb_build_array(a.rows_train, b.rows_train),
                                   'test', jsonb_build_array(a.rows_test, b.rows_test)),
        'metrics', sections,
        'score', jsonb_build_array(a.score, b.score),
        'trained_at', jsonb_build_array(a.trained_at, b.trained_at),
        'stages', jsonb_build_array(to_jsonb(a.stages), to_jsonb(b.stages)));
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

CREATE FUNCTION mm_drop_model(model text)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_drop_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_drop_model IS 'remove a model with its versions and stages (history and audit stay)';
