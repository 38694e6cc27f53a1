--
-- Upgrading from 0.1.0: the library refuses to train until the SQL objects
-- follow, then the catalog gains what 0.2.0 and 0.3.0 record and everything works.
--
\set test_database :DBNAME
CREATE DATABASE mm_upgrade;
\c mm_upgrade
CREATE EXTENSION modelmgr VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'modelmgr';
CREATE TABLE pts AS SELECT g::float8 AS x, 2 * g + (g % 3)::float8 AS y FROM generate_series(1, 50) g;
SELECT * FROM mm_train('line', 'pts', 'y');
-- the refusal left nothing behind
SELECT count(*) AS models FROM mm.models;

ALTER EXTENSION modelmgr UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'modelmgr';
-- still one version behind the library
SELECT * FROM mm_train('line', 'pts', 'y');
ALTER EXTENSION modelmgr UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'modelmgr';
SELECT version, algorithm, deployed FROM mm_train('line', 'pts', 'y', test_size => 0);
SELECT version, fitted_preprocess, baseline IS NOT NULL AS has_baseline FROM mm.versions WHERE model = 'line';
SELECT mm_monitor('line', 'pts') AS monitor;
SELECT mm_monitor_run(1)->>'verdict' AS verdict;
SELECT round(mm_predict('line', p)::numeric, 6) AS predicted FROM pts p WHERE x = 10;
SELECT mm_classes('line');

-- the upgraded database has the functions a fresh install has (catalog.sql lists them)
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'mm\_%';
\c :test_database
DROP DATABASE mm_upgrade;

--
-- Upgrading from 0.5.0, where every role could use every model: the models
-- that exist keep that (use granted to public), models made afterwards are
-- private, and what only owners could do stays theirs.
--
CREATE DATABASE mm_upgrade_privileges;
\c mm_upgrade_privileges
CREATE ROLE regress_upgrade_owner;
CREATE ROLE regress_upgrade_other;
CREATE EXTENSION modelmgr VERSION '0.5.0';
CREATE TABLE pts AS SELECT g::float8 AS x, 2 * g + (g % 3)::float8 AS y FROM generate_series(1, 50) g;
GRANT SELECT ON pts TO regress_upgrade_owner, regress_upgrade_other;
-- this library trains only for its own version: the model of a 0.5.0 catalog
-- is written as 0.5.0 wrote it (test/t/010_upgrade_release.pl upgrades models
-- a real 0.5.0 trained)
INSERT INTO mm._models (name, owner, task) VALUES ('before', 'regress_upgrade_owner', 'regression');
ALTER EXTENSION modelmgr UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'modelmgr';
SELECT model, grantee, privilege, granted_by FROM mm.grants;
SET ROLE regress_upgrade_owner;
SELECT version FROM mm_train('after', 'pts', 'y', test_size => 0);
SET ROLE regress_upgrade_other;
SELECT model, owner, privileges FROM mm.models ORDER BY model;
SELECT mm_has_privilege('before', 'use') AS may_use_before, mm_has_privilege('before', 'deploy') AS may_deploy_before,
       mm_has_privilege('after', 'use') AS may_use_after;
SELECT mm_predict('after', p) FROM pts p WHERE x = 10;
SELECT mm_annotate('before', 'not mine');
RESET ROLE;
-- the owner makes its model private
SET ROLE regress_upgrade_owner;
SELECT mm_revoke('before', 'use', 'public');
SET ROLE regress_upgrade_other;
SELECT count(*) AS models_seen FROM mm.models;
RESET ROLE;
\c :test_database
DROP DATABASE mm_upgrade_privileges;
DROP ROLE regress_upgrade_owner, regress_upgrade_other;
