--
-- The registry: stages as stacks (deploy pushes, rollback pops, undeploy
-- empties), the deployment history, archive, restore, purge, annotations,
-- dropping a model, and the errors each refuses with.
--
SELECT version FROM mm_train('reg', 'synth', 'y', features => ARRAY['x1'], seed => 5);
SELECT version FROM mm_train('reg', 'synth', 'y', features => ARRAY['x1', 'x2'], seed => 5, deploy => 'never');
SELECT version FROM mm_train('reg', 'synth', 'y', features => ARRAY['x1', 'x2', 'x3'], seed => 5, deploy => 'never');
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'reg';

-- deploy pushes and returns the version now live
SELECT mm_deploy('reg', 2);
SELECT mm_deploy('reg', 3);
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'reg';
-- deploying what is already live changes nothing
SELECT mm_deploy('reg', 3);
-- with no version: the best active one by the primary score (version 3)
SELECT mm_deploy('reg', stage => 'staging');
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'reg' ORDER BY stage;

-- rollback pops back to the version below, down to the first deployment
SELECT mm_rollback('reg');
SELECT mm_rollback('reg');
SELECT mm_rollback('reg');
SELECT mm_rollback('reg', 'staging');
SELECT mm_undeploy('reg', 'staging');
SELECT mm_undeploy('reg', 'staging');
SELECT mm_rollback('reg', 'staging');
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'reg' ORDER BY stage;

-- the history has every push and pop, in order
SELECT model, stage, action, version, previous_version, via
  FROM mm.deployment_history WHERE model = 'reg' ORDER BY id;

-- archive hides a version that is not deployed; restore brings it back
SELECT mm_archive('reg', 1);
SELECT mm_archive('reg', 2);
SELECT mm_archive('reg', 2);
SELECT version, status, stages FROM mm.versions WHERE model = 'reg' ORDER BY version;
SELECT mm_predict('reg@2', s) FROM synth s LIMIT 1;
SELECT mm_deploy('reg', 2);
SELECT mm_restore('reg', 2);
SELECT mm_restore('reg', 2);
SELECT round(mm_predict('reg@2', s)::numeric, 6) AS restored FROM synth s WHERE id = 1;
-- deploy with no version skips archived ones
SELECT mm_archive('reg', 3);
SELECT mm_deploy('reg', stage => 'canary');
SELECT mm_restore('reg', 3);

-- rollback never lands on an archived version
SELECT mm_deploy('reg', 3);
SELECT mm_archive('reg', 1);
SELECT mm_deploy('reg', 2);
SELECT mm_undeploy('reg');
SELECT mm_deploy('reg', 3);
SELECT mm_deploy('reg', 2);
SELECT mm_archive('reg', 3);
SELECT mm_rollback('reg');
SELECT mm_restore('reg', 3);

-- purge deletes an archived version for good, out of any deployment stack
SELECT mm_purge('reg', 3);
SELECT mm_purge('reg', 2);
SELECT mm_archive('reg', 3);
SELECT mm_purge('reg', 3);
SELECT version, status FROM mm.versions WHERE model = 'reg' ORDER BY version;
SELECT stage, action, version, previous_version, via FROM mm.deployment_history
 WHERE model = 'reg' ORDER BY id DESC LIMIT 1;
SELECT mm_rollback('reg');
-- a purge that brings two entries of one version together keeps one: stack 1, 2, 1 becomes 1
SELECT version FROM mm_train('stack', 'synth', 'y', features => ARRAY['x1'], seed => 5);
SELECT version FROM mm_train('stack', 'synth', 'y', features => ARRAY['x2'], seed => 5, deploy => 'always');
SELECT mm_deploy('stack', 1);
SELECT mm_archive('stack', 2);
SELECT mm_purge('stack', 2);
SELECT model, stage, version, depth FROM mm.deployments WHERE model = 'stack';
SELECT action, version, previous_version, via FROM mm.deployment_history WHERE model = 'stack' ORDER BY id;
SELECT mm_rollback('stack');
-- numbers are never reused while the model exists
SELECT version FROM mm_train('reg', 'synth', 'y', features => ARRAY['x3'], seed => 5, deploy => 'never');

-- annotations: NULL leaves a field as it is
SELECT mm_annotate('reg', 'predicts y from the synthetic set', '{"team": "pricing", "tier": 1}');
SELECT mm_annotate('reg', tags => '["reviewed"]');
SELECT mm_annotate('reg', description => 'predicts y');
SELECT model, description, tags FROM mm.models WHERE model = 'reg';
SELECT mm_annotate('reg', tags => '"not an object"');

-- comparing two versions side by side
SELECT jsonb_pretty(mm_compare('reg', 1, 2) - 'trained_at');
SELECT mm_compare('reg', 1, 3);
SELECT mm_compare('nope', 1, 2);
SELECT mm_compare('reg', NULL, 2);

-- unknown models, versions and stages; bad names
SELECT mm_deploy('nope');
SELECT mm_deploy('reg', 42);
SELECT mm_deploy('reg', 1, 'Prod');
SELECT mm_deploy('reg', 1, NULL);
SELECT mm_rollback('reg', 'never_used');
SELECT mm_archive('reg', NULL);
SELECT mm_archive('reg', 42);
SELECT mm_undeploy('reg', 'never_used');

-- dropping a model removes versions and stages; history and audit stay
SELECT mm_drop_model('reg');
SELECT count(*) AS versions FROM mm.versions WHERE model = 'reg';
SELECT count(*) AS history_rows FROM mm.deployment_history WHERE model = 'reg';
SELECT action, version, previous_version, via FROM mm.deployment_history
 WHERE model = 'reg' ORDER BY id DESC LIMIT 1;
SELECT mm_drop_model('reg');
-- the name may be used again, starting at version 1
SELECT version FROM mm_train('reg', 'synth', 'y', features => ARRAY['x1'], seed => 5);
SELECT mm_predict('reg@2', s) FROM synth s LIMIT 1;
