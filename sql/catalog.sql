--
-- The catalog: schema mm, its tables and views, what pg_dump carries, who may
-- read and write, and how every function is labelled.
--
SELECT c.relname, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'mm' AND c.relkind IN ('r', 'v', 'S')
 ORDER BY c.relkind, c.relname;

-- catalog tables and sequences are dumped by pg_dump
SELECT unnest(extconfig)::regclass AS dumped FROM pg_extension WHERE extname = 'modelmgr' ORDER BY 1;

-- views: each has a column named model
SELECT table_name, string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns
  FROM information_schema.columns
 WHERE table_schema = 'mm' AND table_name IN ('models', 'versions', 'deployments',
                                              'deployment_history', 'audit_log')
 GROUP BY table_name ORDER BY table_name;

-- users read the views; nobody but the owner touches the tables
SELECT c.relname,
       has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       has_table_privilege('public', c.oid, 'INSERT') AS public_insert,
       has_table_privilege('public', c.oid, 'UPDATE') AS public_update,
       has_table_privilege('public', c.oid, 'DELETE') AS public_delete
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'mm' AND c.relkind IN ('r', 'v')
 ORDER BY c.relkind, c.relname;

-- volatility, parallel safety and strictness of every function
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility,
       p.proparallel AS parallel, p.proisstrict AS strict, p.prokind AS kind
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
  JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
 WHERE e.extname = 'modelmgr'
 ORDER BY p.proname, p.oid::regprocedure::text;

-- aggregate states are bytea (so distributed PostgreSQL can push them down),
-- with combine functions (so parallel query can split them)
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtranstype::regtype AS state,
       a.aggcombinefn, a.aggserialfn, a.aggdeserialfn
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.proname LIKE 'mm\_%' ORDER BY 1;

-- the settings
SELECT name, setting, unit, context FROM pg_settings WHERE name LIKE 'modelmgr.%' ORDER BY name;
SET modelmgr.no_such_setting = 1;

-- history and audit log are append-only, even for their owner
BEGIN;
INSERT INTO mm._deployment_history (model_id, model, stage, action, version, by, via)
VALUES (0, 'x', 'production', 'deploy', 1, 'someone', 'test');
SAVEPOINT s;
UPDATE mm._deployment_history SET version = 2;
ROLLBACK TO s;
DELETE FROM mm._deployment_history;
ROLLBACK TO s;
TRUNCATE mm._audit_log;
ROLLBACK;
SELECT count(*) FROM mm._deployment_history;
