-- modelmgr 0.6.0: privileges on models, a registry that shows each role
-- only what it may use, owners that cannot vanish.  See doc/security.md.

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.6.0'" to load this file. \quit

------------------------------------------------------------------------------
-- Grants: use, train and deploy, per model, to a role or to PUBLIC.
------------------------------------------------------------------------------

CREATE TABLE mm._grants (
    model_id    bigint NOT NULL REFERENCES mm._models (id),
    grantee     regrole NOT NULL,       -- '-' (0) is PUBLIC
    privilege   text NOT NULL CHECK (privilege IN ('use', 'train', 'deploy')),
    granted_by  text NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (model_id, grantee, privilege)
);
CREATE INDEX ON mm._grants (grantee);
SELECT pg_catalog.pg_extension_config_dump('mm._grants', '');
REVOKE ALL ON mm._grants FROM PUBLIC;

-- Until now every role could use every model: the models made before this
-- version stay so.  Models made from now on are private to their owner.
INSERT INTO mm._grants (model_id, grantee, privilege, granted_by)
SELECT m.id, '-'::pg_catalog.regrole, 'use', 'ALTER EXTENSION modelmgr UPDATE TO ''0.6.0'''
  FROM mm._models m;

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

CREATE OR REPLACE VIEW mm.models WITH (security_barrier) AS
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

CREATE OR REPLACE VIEW mm.versions WITH (security_barrier) AS
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

CREATE OR REPLACE VIEW mm.deployments WITH (security_barrier) AS
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

-- History outlives its models: a row shows to those who may see the model
-- now, to the role that made it, and to superusers.
CREATE OR REPLACE VIEW mm.deployment_history WITH (security_barrier) AS
SELECT h.id, h.at, h.model, h.stage, h.action, h.version, h.previous_version, h.by, h.via
  FROM mm._deployment_history h
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) h.model_id)
    OR h.by OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);

CREATE OR REPLACE VIEW mm.audit_log WITH (security_barrier) AS
SELECT a.id, a.at, a.role, a.function, a.model, a.version, a.arguments, a.outcome,
       a.sqlstate, a.message
  FROM mm._audit_log a
 WHERE a.role OPERATOR(pg_catalog.=) CURRENT_USER::pg_catalog.text
    OR EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) a.model)
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);
COMMENT ON VIEW mm.audit_log IS 'management calls on the models the current role may see, and its own calls';

CREATE OR REPLACE VIEW mm.trials WITH (security_barrier) AS
SELECT t.model, t.version, t.trial, t.algorithm, t.params, t.preprocess, t.metric, t.cv_mean, t.cv_std,
       t.fold_scores, t.fit_time, t.status, t.error, t.tuned_at
  FROM mm._trials t
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) t.model)
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);

-- A monitor shows to those who may see its model, and to its owner.
CREATE OR REPLACE VIEW mm.monitors WITH (security_barrier) AS
SELECT m.id AS monitor, m.reference AS model, m.relation, m.every, m.time_column, m.time_window,
       m.label_column, m.thresholds, m.action, m.cooldown, m.owner, m.created_at, m.next_run,
       m.last_run, m.last_action_at,
       (SELECT r.verdict FROM mm._monitor_runs r WHERE r.monitor OPERATOR(pg_catalog.=) m.id
         ORDER BY r.started_at DESC, r.id DESC LIMIT 1) AS last_verdict
  FROM mm._monitors m
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) m.model)
    OR pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE');

CREATE OR REPLACE VIEW mm.monitor_runs WITH (security_barrier) AS
SELECT r.id, r.monitor, r.started_at, r.duration, r.via, r.model, r.version, r.verdict, r.rows,
       r.result, r.action, r.sqlstate, r.error
  FROM mm._monitor_runs r
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) r.model)
    OR EXISTS (SELECT FROM mm._monitors m WHERE m.id OPERATOR(pg_catalog.=) r.monitor
                AND pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE'))
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);

CREATE OR REPLACE VIEW mm.alerts WITH (security_barrier) AS
SELECT a.id, a.run, a.monitor, a.raised_at, a.model, a.version, a.scope, a.feature, a.metric,
       a.value, a.threshold
  FROM mm._alerts a
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.name OPERATOR(pg_catalog.=) a.model)
    OR EXISTS (SELECT FROM mm._monitors m WHERE m.id OPERATOR(pg_catalog.=) a.monitor
                AND pg_catalog.pg_has_role(m.owner::pg_catalog.oid, 'USAGE'))
    OR EXISTS (SELECT FROM mm._superuser su WHERE su.rolsuper);

CREATE VIEW mm.grants WITH (security_barrier) AS
SELECT m.name AS model,
       CASE WHEN g.grantee::pg_catalog.oid OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'public'
            ELSE g.grantee::pg_catalog.text END AS grantee,
       g.privilege, g.granted_by, g.granted_at
  FROM mm._grants g JOIN mm._models m ON m.id OPERATOR(pg_catalog.=) g.model_id
 WHERE EXISTS (SELECT FROM mm._visible_models vm WHERE vm.id OPERATOR(pg_catalog.=) m.id);
COMMENT ON VIEW mm.grants IS 'the privileges granted on the models the current role may see';
GRANT SELECT ON mm.grants TO PUBLIC;

------------------------------------------------------------------------------
-- Functions
------------------------------------------------------------------------------

-- The append-only trigger runs in whatever session writes the table: it
-- resolves nothing through that session's search_path.
CREATE OR REPLACE FUNCTION mm._append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cannot % mm.%: it is append-only', pg_catalog.lower(TG_OP), TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

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

-- The owner of a model may drop it with the monitors other roles keep on it,
-- as a table's owner drops other roles' views with DROP TABLE ... CASCADE.
DROP FUNCTION mm_drop_model(text);
CREATE FUNCTION mm_drop_model(model text, cascade boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mm_drop_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_drop_model(text, boolean)
    IS 'remove a model with its versions, stages and grants (history and audit stay); cascade: and its monitors';

-- mm_compare reads the registry views, which hide models without a
-- privilege: it asks first, so that such a model is refused as a table is.
CREATE OR REPLACE FUNCTION mm_compare(model text, version_a int, version_b int)
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
