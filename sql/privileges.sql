--
-- Privileges on models, as PostgreSQL gives them on tables: use, train and
-- deploy, granted by the owner to roles or to public, independent of each
-- other, following role membership; what the registry shows each role;
-- roles that own models or hold grants cannot vanish.
--
CREATE ROLE regress_owner;
CREATE ROLE regress_user;
CREATE ROLE regress_deployer;
CREATE ROLE regress_trainer;
CREATE ROLE regress_team;
CREATE ROLE regress_member IN ROLE regress_team;
CREATE ROLE regress_noinherit NOINHERIT IN ROLE regress_team;
CREATE TABLE priv_data AS SELECT id, x1, x2, y FROM synth WHERE id <= 3000;
GRANT SELECT ON priv_data TO regress_owner, regress_user, regress_deployer, regress_trainer,
    regress_team, regress_noinherit;

SET ROLE regress_owner;
SELECT version FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x1', 'x2'], test_size => 0);
SELECT version FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x1'], test_size => 0,
                             deploy => 'never');
SELECT model, owner, privileges FROM mm.models WHERE model = 'priv';
RESET ROLE;

-- a new model is private: another role gets the error a table gives, and sees nothing of it
SET ROLE regress_user;
SELECT mm_predict('priv', d) FROM priv_data d WHERE id = 1;
SELECT mm_predict('priv', ARRAY[0.5, 0.5]);
SELECT mm_classes('priv');
SELECT mm_evaluate('priv', 'priv_data');
SELECT * FROM mm_coefficients('priv');
SELECT mm_compare('priv', 1, 2);
SELECT mm_export('priv');
SELECT mm_monitor('priv', 'priv_data');
SELECT mm_has_privilege('priv', 'use') AS may_use;
SELECT count(*) AS models FROM mm.models WHERE model = 'priv';
SELECT count(*) AS versions FROM mm.versions WHERE model = 'priv';
SELECT count(*) AS deployments FROM mm.deployments WHERE model = 'priv';
SELECT count(*) AS history FROM mm.deployment_history WHERE model = 'priv';
SELECT count(*) AS audit FROM mm.audit_log WHERE model = 'priv' AND role = 'regress_owner';
-- an unknown model is still unknown, a hidden one is refused: both say what they are
SELECT mm_predict('no_such_model', ARRAY[0.5, 0.5]);
RESET ROLE;

-- only the owner grants, revokes and gives the model away
SET ROLE regress_user;
SELECT mm_grant('priv', 'use', 'regress_user');
SELECT mm_revoke('priv', 'use', 'regress_user');
SELECT mm_set_owner('priv', 'regress_user');
RESET ROLE;

-- use: predict, evaluate, coefficients, compare, export, alert monitors, the registry
SET ROLE regress_owner;
SELECT mm_grant('priv', 'use', 'regress_user');
SET ROLE regress_user;
SELECT round(mm_predict('priv', d)::numeric, 6) AS predicted FROM priv_data d WHERE id = 1;
SELECT round(mm_predict('priv@2', ARRAY[0.5])::numeric, 6) AS predicted_v2;
SELECT round((mm_evaluate('priv', 'priv_data') ->> 'r2')::numeric, 4) AS r2;
SELECT feature, round(coef::numeric, 4) AS coef FROM mm_coefficients('priv') ORDER BY feature;
SELECT mm_compare('priv', 1, 2) -> 'features' AS compared;
SELECT mm_export('priv') #>> '{provenance,exported_by}' AS exported_by;
SELECT model, owner, privileges FROM mm.models WHERE model = 'priv';
SELECT version, stages FROM mm.versions WHERE model = 'priv' ORDER BY version;
SELECT model, stage, version FROM mm.deployments WHERE model = 'priv';
SELECT model, grantee, privilege, granted_by FROM mm.grants WHERE model = 'priv';
SELECT role, function, outcome FROM mm.audit_log WHERE model = 'priv' ORDER BY id;
-- but neither deploy nor train: privileges are independent
SELECT mm_deploy('priv', 2);
SELECT mm_rollback('priv');
SELECT mm_undeploy('priv');
SELECT version FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x2'], test_size => 0);
SELECT * FROM mm_retrain('priv');
SELECT mm_import('priv', mm_export('priv'));
SELECT mm_monitor('priv', 'priv_data', action => 'rollback');
-- nor what only the owner does
SELECT mm_archive('priv', 2);
SELECT mm_annotate('priv', 'mine');
SELECT mm_drop_model('priv');
RESET ROLE;

-- deploy, without use: the stages move, predictions stay refused
SET ROLE regress_owner;
SELECT mm_grant('priv', 'deploy', 'regress_deployer');
SET ROLE regress_deployer;
SELECT mm_deploy('priv', 2);
SELECT mm_rollback('priv');
SELECT mm_deploy('priv', 2, 'staging');
SELECT mm_undeploy('priv', 'staging');
SELECT mm_predict('priv', ARRAY[0.5, 0.5]);
SELECT model, privileges FROM mm.models WHERE model = 'priv';
RESET ROLE;

-- train: new versions, deployed only with the deploy privilege too
SET ROLE regress_owner;
SELECT mm_grant('priv', 'train', 'regress_trainer');
SET ROLE regress_trainer;
SELECT version, deployed FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x1', 'x2'],
                                       test_size => 0, params => '{"alpha": 0.5}');
SELECT version FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x1', 'x2'], test_size => 0,
                             deploy => 'always');
SELECT version, deployed FROM mm_retrain('priv@2');
RESET ROLE;
SELECT mm_export('priv@1') AS document \gset
SET ROLE regress_trainer;
SELECT mm_import('priv', :'document') AS imported;
RESET ROLE;
SELECT version, trained_by, stages FROM mm.versions WHERE model = 'priv' ORDER BY version;
SET ROLE regress_owner;
SELECT mm_grant('priv', 'deploy', 'regress_trainer');
SET ROLE regress_trainer;
SELECT version, deployed FROM mm_train('priv', 'priv_data', 'y', features => ARRAY['x1', 'x2'],
                                       test_size => 0, deploy => 'always');
RESET ROLE;

-- privileges follow role membership, with INHERIT, as table privileges do
SET ROLE regress_owner;
SELECT mm_grant('priv', 'use', 'regress_team');
SET ROLE regress_member;
SELECT round(mm_predict('priv', ARRAY[0.5, 0.5])::numeric, 6) AS member_predicts;
SELECT mm_has_privilege('priv', 'use') AS member_may_use;
SET ROLE regress_noinherit;
SELECT mm_predict('priv', ARRAY[0.5, 0.5]);
SELECT mm_has_privilege('priv', 'use') AS noinherit_may_use;
SET ROLE regress_team;
SELECT round(mm_predict('priv', ARRAY[0.5, 0.5])::numeric, 6) AS as_the_team;
RESET ROLE;

-- public, and revoking
SET ROLE regress_owner;
SELECT mm_grant('priv', 'USE', 'PUBLIC');
SELECT mm_revoke('priv', 'use', 'regress_team');
SET ROLE regress_noinherit;
SELECT round(mm_predict('priv', ARRAY[0.5, 0.5])::numeric, 6) AS public_predicts;
SET ROLE regress_owner;
SELECT mm_revoke('priv', 'use', 'public');
SELECT mm_revoke('priv', 'all', 'regress_deployer');
SET ROLE regress_noinherit;
SELECT mm_predict('priv', ARRAY[0.5, 0.5]);
SET ROLE regress_deployer;
SELECT mm_rollback('priv');
RESET ROLE;

-- mm_has_privilege: any of a list, all three for "all", another role, bad input
SELECT mm_has_privilege('priv', 'use', 'regress_user') AS user_use,
       mm_has_privilege('priv', 'train', 'regress_user') AS user_train,
       mm_has_privilege('priv', 'train, use', 'regress_user') AS user_train_or_use,
       mm_has_privilege('priv', 'all', 'regress_user') AS user_all,
       mm_has_privilege('priv', 'all', 'regress_trainer') AS trainer_all,
       mm_has_privilege('priv@1', 'deploy', 'regress_owner') AS owner_deploy,
       mm_has_privilege('priv', 'deploy') AS superuser_deploy;
SELECT mm_has_privilege('priv', 'select');
SELECT mm_has_privilege('priv', '');
SELECT mm_has_privilege('nope', 'use');
SELECT mm_has_privilege('priv', 'use', 'regress_nobody');
SELECT mm_has_privilege(NULL, 'use');
SELECT mm_grant('priv', 'use', 'regress_nobody');
SELECT mm_grant('priv', 'usage', 'regress_user');
SELECT mm_grant('nope', 'use', 'regress_user');
SELECT mm_grant('priv', NULL, 'regress_user');
SELECT mm_grant('priv', 'use', NULL);

-- the views are security barriers: a function in the caller's WHERE clause
-- sees only the rows the view shows
CREATE FUNCTION public.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
    IF $1 LIKE 'private_one%' THEN
        RAISE NOTICE 'saw %', $1;
    END IF;
    RETURN true;
END
$$;
SET ROLE regress_owner;
SELECT version FROM mm_train('private_one', 'priv_data', 'y', features => ARRAY['x1'], test_size => 0);
SET ROLE regress_user;
SELECT count(*) FROM mm.models WHERE leak(model);
SELECT count(*) FROM mm.versions WHERE leak(model || '@' || version);
SELECT count(*) FROM mm.deployments WHERE leak(model || '@' || stage);
SELECT count(*) FROM mm.audit_log WHERE leak(model || ' ' || function);
RESET ROLE;
-- the same queries by a role that may see the model: the function sees its rows
SELECT count(*) FROM mm.models WHERE leak(model) AND model = 'private_one';
SELECT count(*) FROM mm.versions WHERE leak(model || '@' || version) AND model = 'private_one';

-- the audit log shows a role its own calls, and the calls on models it may see
SET ROLE regress_user;
SELECT DISTINCT model, role FROM mm.audit_log WHERE model IN ('priv', 'private_one') ORDER BY 1, 2;
RESET ROLE;

-- the owner drops a model that another role watches, with that role's monitor,
-- as DROP TABLE ... CASCADE drops other roles' views (terse: the detail numbers
-- the monitors, which depends on the suites before)
SET ROLE regress_owner;
SELECT version FROM mm_train('watched_one', 'priv_data', 'y', features => ARRAY['x1'], test_size => 0);
SELECT mm_grant('watched_one', 'use', 'regress_user');
SET ROLE regress_user;
SELECT mm_monitor('watched_one', 'priv_data', every => '1 day') AS users_monitor \gset
SET ROLE regress_owner;
\set VERBOSITY sqlstate
SELECT mm_unmonitor(:users_monitor);
\set VERBOSITY terse
SELECT mm_drop_model('watched_one');
SELECT mm_drop_model('watched_one', cascade => NULL);
SELECT mm_drop_model('watched_one', cascade => true);
\set VERBOSITY default
RESET ROLE;
SELECT count(*) AS monitors_left FROM mm.monitors WHERE monitor = :users_monitor;
SELECT count(*) AS models_left FROM mm.models WHERE model = 'watched_one';
SELECT arguments FROM mm.audit_log WHERE function = 'mm_drop_model' AND model = 'watched_one' ORDER BY id;

-- the owner's members hold everything; an owner change needs membership of the new owner
SET ROLE regress_owner;
SELECT mm_set_owner('priv', 'regress_user');
RESET ROLE;
SELECT mm_set_owner('priv', 'regress_team');
SELECT mm_set_owner('priv', NULL);
SET ROLE regress_member;
SELECT mm_annotate('priv', 'the team''s model');
SELECT model, owner, description, privileges FROM mm.models WHERE model = 'priv';
SET ROLE regress_owner;
SELECT mm_predict('priv', ARRAY[0.5, 0.5]);
RESET ROLE;

-- a role that owns models or holds privileges on them cannot be dropped
DROP ROLE regress_owner;
DROP ROLE regress_user;
DROP ROLE regress_team;
SELECT count(*) AS unchanged FROM mm.models WHERE model IN ('priv', 'private_one');
-- REASSIGN OWNED gives the models away, DROP OWNED revokes the grants
REVOKE SELECT ON priv_data FROM regress_owner, regress_user, regress_deployer, regress_trainer,
    regress_team, regress_noinherit;
REASSIGN OWNED BY regress_owner TO regress_member;
SELECT model, owner FROM mm.models WHERE model IN ('priv', 'private_one') ORDER BY model;
DROP ROLE regress_owner;
DROP OWNED BY regress_user, regress_trainer;
SELECT model, grantee, privilege FROM mm.grants WHERE model = 'priv' ORDER BY grantee, privilege;
DROP ROLE regress_user, regress_trainer, regress_deployer;
-- DROP OWNED drops the models (monitors of other roles watching them first need CASCADE)
SELECT mm_monitor('private_one', 'priv_data', every => '1 day') AS watching \gset
-- (terse: the detail names the monitor by its number, which depends on the suites before)
\set VERBOSITY terse
SET ROLE regress_member;
DROP OWNED BY regress_member;
RESET ROLE;
DROP OWNED BY regress_member;
\set VERBOSITY default
DROP OWNED BY regress_member CASCADE;
SELECT count(*) AS monitors_left FROM mm.monitors WHERE monitor = :watching;
SELECT model FROM mm.models WHERE model IN ('priv', 'private_one');
SELECT model, stage, action, version, previous_version, via FROM mm.deployment_history
 WHERE model = 'private_one' ORDER BY id;
SELECT function, model, arguments FROM mm.audit_log
 WHERE function IN ('REASSIGN OWNED', 'DROP OWNED') ORDER BY id;
-- trained_by and the audit rows keep the names of roles that are gone
SELECT DISTINCT trained_by FROM mm.versions WHERE model = 'priv' ORDER BY 1;
SELECT DISTINCT role FROM mm.audit_log WHERE model = 'priv' AND role LIKE 'regress_%' ORDER BY 1;
DROP OWNED BY regress_team;
DROP ROLE regress_member, regress_team, regress_noinherit;
DROP FUNCTION public.leak(text);
DROP TABLE priv_data;
