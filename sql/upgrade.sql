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
