--
-- The audit log: every management call, successful or not, with who, what,
-- on which model and version, with which arguments, and how it ended.
--
SELECT version FROM mm_train('audited', 'houses', 'price', features => ARRAY['size'], test_size => 0);
SELECT mm_deploy('audited', 7);
SELECT mm_rollback('audited');
SELECT mm_annotate('audited', 'audited model');
SELECT version FROM mm_train('audited', 'houses', 'price', features => ARRAY['no_such_column']);
-- failures are in the log as soon as the error reaches the client
SELECT function, model, version, outcome, sqlstate, message, role = current_user AS by_me
  FROM mm.audit_log WHERE model = 'audited' ORDER BY id;
SELECT arguments FROM mm.audit_log WHERE model = 'audited' ORDER BY id;

-- a call in a transaction that rolls back leaves no trace; a failure stays recorded
BEGIN;
SELECT version FROM mm_train('audited', 'houses', 'price', features => ARRAY['tax'], test_size => 0);
ROLLBACK;
BEGIN;
SELECT mm_deploy('audited', 99);
ROLLBACK;
SELECT function, version, outcome, sqlstate FROM mm.audit_log WHERE model = 'audited' ORDER BY id;
SELECT max(version) AS latest FROM mm.versions WHERE model = 'audited';

-- calls that fail before naming a valid model are recorded too
SELECT mm_drop_model('Not A Name');
SELECT mm_archive(NULL, 1);
SELECT function, model, outcome, sqlstate, message FROM mm.audit_log
 WHERE function IN ('mm_drop_model', 'mm_archive') AND outcome = 'error' ORDER BY id DESC LIMIT 2;

-- a read-only transaction refuses management at once, and the refusal is recorded
BEGIN READ ONLY;
SELECT mm_deploy('audited', 1);
ROLLBACK;
SELECT function, outcome, sqlstate, message FROM mm.audit_log ORDER BY id DESC LIMIT 1;

-- the log is append-only
UPDATE mm._audit_log SET outcome = 'ok' WHERE model = 'audited';
DELETE FROM mm._audit_log WHERE model = 'audited';
