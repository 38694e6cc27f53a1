--
-- Security: a model belongs to its owner and is private until shared;
-- others act on it through privileges (privileges.sql has them in full);
-- the catalog tables are written only by the extension's functions; data is
-- read with the caller's privileges and row-level security.
--
CREATE ROLE regress_alice;
CREATE ROLE regress_bob;
CREATE ROLE regress_carol IN ROLE regress_alice;
CREATE TABLE shared_data AS SELECT id, x1, x2, y, CASE WHEN id % 2 = 0 THEN 'regress_alice' ELSE 'regress_bob' END AS owner
  FROM synth WHERE id <= 2000;
GRANT SELECT ON shared_data TO regress_alice, regress_bob;
CREATE TABLE secret_data AS SELECT x1, y FROM synth;

SET ROLE regress_alice;
-- (x1 and x2 alone do not beat the mean: deployed regardless)
SELECT version FROM mm_train('alice_model', 'shared_data', 'y', features => ARRAY['x1', 'x2'], deploy => 'always');
SELECT model, owner FROM mm.models WHERE model = 'alice_model';
RESET ROLE;

-- another role can neither use nor see a new model
SET ROLE regress_bob;
SELECT round(mm_predict('alice_model', s)::numeric, 6) AS bob_predicts FROM shared_data s WHERE id = 1;
SELECT count(*) AS bob_sees_versions FROM mm.versions WHERE model = 'alice_model';
SELECT mm_export('alice_model') #>> '{provenance,model}' AS bob_exports;
RESET ROLE;

-- shared for use, it may predict and read the views, but not manage the model
SET ROLE regress_alice;
SELECT mm_grant('alice_model', 'use', 'regress_bob');
SET ROLE regress_bob;
SELECT round(mm_predict('alice_model', s)::numeric, 6) AS bob_predicts FROM shared_data s WHERE id = 1;
SELECT count(*) AS bob_sees_versions FROM mm.versions WHERE model = 'alice_model';
SELECT mm_deploy('alice_model', 1);
SELECT mm_rollback('alice_model');
SELECT mm_archive('alice_model', 1);
SELECT mm_annotate('alice_model', 'mine now');
SELECT mm_drop_model('alice_model');
SELECT * FROM mm_retrain('alice_model');
SELECT version FROM mm_train('alice_model', 'shared_data', 'y', features => ARRAY['x1']);
-- but may export it, and import it as a model of his own, not as a version of hers
SELECT mm_export('alice_model') #>> '{provenance,model}' AS bob_exports;
SELECT mm_import('alice_model', mm_export('alice_model'));
SELECT mm_import('bob_copy', mm_export('alice_model')) AS bob_imports;
-- the copy does not beat the mean either: its owner deploys it by hand
SELECT mm_deploy('bob_copy') AS bob_deploys;
SELECT model, owner, production_version FROM mm.models WHERE model = 'bob_copy';
-- nor touch the catalog tables directly
SELECT count(*) FROM mm._versions;
INSERT INTO mm._models (name, owner, task) VALUES ('forged', 'regress_bob', 'regression');
UPDATE mm._stages SET depth = 1;
-- training reads data as the caller
SELECT version FROM mm_train('bob_model', 'secret_data', 'y');
RESET ROLE;

-- members of the owner's role manage the model too
SET ROLE regress_carol;
SELECT mm_annotate('alice_model', 'shared with carol');
RESET ROLE;

-- row-level security applies to training
ALTER TABLE shared_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON shared_data USING (owner = current_user);
SET ROLE regress_bob;
SELECT version FROM mm_train('bob_model', 'shared_data', 'y', features => ARRAY['x1', 'x2'], test_size => 0);
SELECT rows_read FROM mm.versions WHERE model = 'bob_model';
RESET ROLE;

-- column privileges too
GRANT SELECT (x1, y) ON secret_data TO regress_bob;
SET ROLE regress_bob;
SELECT version FROM mm_train('bob_cols', 'secret_data', 'y', features => ARRAY['x1'], test_size => 0);
RESET ROLE;
GRANT SELECT (x2) ON synth TO regress_bob;
SET ROLE regress_bob;
SELECT version FROM mm_train('bob_cols', 'synth', 'y', features => ARRAY['x2']);
RESET ROLE;

-- the failed attempts are in the audit log, under the role that made them
SELECT function, model, sqlstate, role FROM mm.audit_log
 WHERE role IN ('regress_bob', 'regress_carol') ORDER BY id;

-- what a relation does to the session's settings ends with the statement that
-- read it: training and evaluation leave the caller's settings as they were
CREATE FUNCTION meddle() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('search_path', 'pg_temp', false);
    PERFORM set_config('work_mem', '77kB', false);
    PERFORM set_config('statement_timeout', '1h', false);
    RETURN true;
END
$$;
CREATE VIEW meddling AS SELECT x1, x2, y FROM synth WHERE meddle();
SHOW search_path;
SELECT version FROM mm_train('meddled', 'meddling', 'y', test_size => 0);
SELECT current_setting('search_path') AS search_path, current_setting('work_mem') AS work_mem,
       current_setting('statement_timeout') AS statement_timeout;
SELECT round((mm_evaluate('meddled', 'meddling') ->> 'r2')::numeric, 4) AS r2;
SELECT version FROM mm_train('meddled', 'meddling', 'y', test_size => 0, preprocess => '{"*": {"scale": "standard"}}');
SELECT current_setting('search_path') AS search_path, current_setting('work_mem') AS work_mem,
       current_setting('statement_timeout') AS statement_timeout;
-- the caller's own query of the view is the caller's business, as in PostgreSQL
SELECT count(*) FROM meddling;
SELECT current_setting('search_path') AS search_path;
RESET search_path; RESET work_mem; RESET statement_timeout;
SELECT mm_drop_model('meddled');
DROP VIEW meddling;
DROP FUNCTION meddle();
