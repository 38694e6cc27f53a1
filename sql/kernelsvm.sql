--
-- The kernel SVM (algorithm svm on libsvm): C-SVC for a class target,
-- epsilon-SVR for a numeric one, each kernel, gamma's modes, class weights,
-- probabilities, the document, and the errors of bad params and of a fit
-- beyond modelmgr.max_train_memory.
--
\pset null '(null)'

-- fixed data sets (test/fixtures/svm): features on different scales, three
-- overlapping classes, a nonlinear numeric target; the first 450 rows train
CREATE TABLE svm_classes (id int PRIMARY KEY, x1 float8, x2 float8, x3 float8, x4 float8, label text);
\copy svm_classes FROM 'test/fixtures/svm/classes.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE svm_values (id int PRIMARY KEY, x1 float8, x2 float8, x3 float8, x4 float8, y float8);
\copy svm_values FROM 'test/fixtures/svm/values.csv' WITH (FORMAT csv, HEADER)
CREATE VIEW svm_classes_train AS SELECT * FROM svm_classes WHERE id <= 450;
CREATE VIEW svm_values_train AS SELECT * FROM svm_values WHERE id <= 450;

-- a text target makes svm the classifier: the rbf kernel, gamma "scale" as
-- the number it came to on the standardized rows
SELECT model, version, algorithm, metrics->'train'->>'accuracy' AS accuracy
  FROM mm_train('svc', 'svm_classes_train', 'label', algorithm => 'svm', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}', test_size => 0);
SELECT params FROM mm.versions WHERE model = 'svc';
SELECT mm_classes('svc');
SELECT label, mm_predict_label('svc', c) AS predicted, count(*)
  FROM svm_classes c WHERE id > 450 GROUP BY 1, 2 ORDER BY 1, 2;

-- without probability: true there are none to give
SELECT mm_predict_proba('svc', c) FROM svm_classes c WHERE id = 451;
-- and no coefficients in the inputs' units
SELECT * FROM mm_coefficients('svc');

-- every kernel, and gamma's other modes
SELECT k.kernel, t.metrics->'train'->>'accuracy' AS accuracy
  FROM (VALUES ('linear'), ('poly'), ('rbf'), ('sigmoid')) k(kernel),
       LATERAL mm_train('svc_' || k.kernel, 'svm_classes_train', 'label', algorithm => 'svm',
                        exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                        params => jsonb_build_object('kernel', k.kernel), test_size => 0) t
 ORDER BY 1;
SELECT model, params->'gamma' AS gamma, params->'kernel' AS kernel
  FROM mm.versions WHERE model IN ('svc_poly', 'svc_linear') ORDER BY 1;
SELECT g.gamma, t.metrics->'train'->>'accuracy' AS accuracy
  FROM (VALUES (1, '"auto"'::jsonb), (2, '0.5'), (3, '"scale"')) g(n, gamma),
       LATERAL mm_train('svc_gamma', 'svm_classes_train', 'label', algorithm => 'svm',
                        exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                        params => jsonb_build_object('gamma', g.gamma), test_size => 0) t
 ORDER BY g.n;
-- the versions record the number each came to: 1 / p for auto
SELECT version, params->'gamma' AS gamma FROM mm.versions WHERE model = 'svc_gamma' ORDER BY 1;

-- balanced class weights move the vote toward the smaller class, mid
SELECT metrics->'train'->>'accuracy' AS accuracy
  FROM mm_train('svc_balanced', 'svm_classes_train', 'label', algorithm => 'svm', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}', params => '{"class_weight": "balanced"}',
                test_size => 0);
SELECT mm_predict_label('svc_balanced', c) AS predicted, count(*) FROM svm_classes c GROUP BY 1 ORDER BY 1;
SELECT mm_predict_label('svc', c) AS predicted, count(*) FROM svm_classes c GROUP BY 1 ORDER BY 1;

-- weights per label, as scikit-learn's class_weight={"mid": 8}: the classes
-- named multiply C, the others keep 1; the version records the object
SELECT version FROM mm_train('svc_weighted', 'svm_classes_train', 'label', algorithm => 'svm',
                             exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                             params => '{"class_weight": {"mid": 8, "low": 0.5}}', test_size => 0);
SELECT params->'class_weight' AS class_weight FROM mm.versions WHERE model = 'svc_weighted';
SELECT mm_predict_label('svc_weighted', c) AS predicted, count(*) FROM svm_classes c GROUP BY 1 ORDER BY 1;
-- naming every class at 1 is the unweighted fit
SELECT version FROM mm_train('svc_ones', 'svm_classes_train', 'label', algorithm => 'svm',
                             exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                             params => '{"class_weight": {"high": 1, "low": 1, "mid": 1}}', test_size => 0);
SELECT bool_and(mm_predict_label('svc_ones', c) = mm_predict_label('svc', c)) AS same_decisions
  FROM svm_classes c;
-- the keys are labels as text, whatever the target's type: a boolean target's "true"
CREATE VIEW svm_mid_train AS SELECT id, x1, x2, x3, x4, label = 'mid' AS is_mid FROM svm_classes_train;
SELECT version FROM mm_train('svc_bool', 'svm_mid_train', 'is_mid', algorithm => 'svm',
                             exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                             params => '{"class_weight": {"true": 3}}', test_size => 0);
SELECT mm_predict('svc_bool', c) AS predicted, count(*) FROM svm_mid_train c GROUP BY 1 ORDER BY 1;
-- a key that is no class, and values that are not positive numbers
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm',
                       params => '{"class_weight": {"Mid": 2}}');
SELECT * FROM mm_train('bad', 'svm_mid_train', 'is_mid', algorithm => 'svm',
                       params => '{"class_weight": {"t": 2}}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm',
                       params => '{"class_weight": {"mid": 0}}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm',
                       params => '{"class_weight": {"mid": "high"}}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm',
                       params => '{"class_weight": ["mid"]}');

-- probability: true fits Platt's sigmoids by libsvm's 5-fold cross-validation,
-- folds drawn from the seed; the class is still the vote's
SELECT metrics->'train'->>'log_loss' IS NOT NULL AS has_log_loss
  FROM mm_train('svc_proba', 'svm_classes_train', 'label', algorithm => 'svm', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}', params => '{"probability": true}',
                test_size => 0, seed => 7);
SELECT bool_and(abs(p[1] + p[2] + p[3] - 1) < 1e-12) AS sums_to_one,
       bool_and(mm_predict_label('svc_proba', c) = mm_predict_label('svc', c)) AS same_vote,
       round(avg((mm_predict_label('svc_proba', c) = (mm_classes('svc_proba'))[array_position(p, greatest(p[1], p[2], p[3]))])::int), 2)
         AS argmax_agrees
  FROM svm_classes c, LATERAL mm_predict_proba('svc_proba', c) p;
SELECT round(p::numeric, 6) AS p
  FROM svm_classes c, LATERAL unnest(mm_predict_proba('svc_proba', c)) p WHERE id = 451;

-- a numeric target makes svm the regressor, epsilon-SVR
SELECT model, algorithm, round((metrics->'train'->>'r2')::numeric, 4) AS r2
  FROM mm_train('svr', 'svm_values_train', 'y', algorithm => 'svm', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}', test_size => 0);
SELECT params FROM mm.versions WHERE model = 'svr';
SELECT round((mm_evaluate('svr', 'svm_values')->>'r2')::numeric, 4) AS r2_all_rows;
SELECT round(mm_predict('svr', v)::numeric, 6) AS predicted FROM svm_values v WHERE id IN (451, 452) ORDER BY id;
SELECT e.epsilon, round((t.metrics->'train'->>'r2')::numeric, 4) AS r2
  FROM (VALUES (0.0), (0.5), (2.0)) e(epsilon),
       LATERAL mm_train('svr_eps', 'svm_values_train', 'y', algorithm => 'svm', exclude => ARRAY['id'],
                        preprocess => '{"*": {"scale": "standard"}}', test_size => 0,
                        params => jsonb_build_object('epsilon', e.epsilon)) t;
-- evaluation on every row
SELECT mm_evaluate('svc', 'svm_classes')->>'accuracy' AS accuracy;

-- the document carries the support vectors; imported, the model predicts the same bits
SELECT jsonb_object_keys(mm_export('svc')->'model') ORDER BY 1;
SELECT mm_import('svc_copy', mm_export('svc'));
SELECT mm_import('svr_copy', mm_export('svr'));
SELECT bool_and(mm_predict_label('svc_copy', c) = mm_predict_label('svc', c)) AS same_labels
  FROM svm_classes c;
SELECT bool_and(mm_predict('svr_copy', v) = mm_predict('svr', v)) AS same_values FROM svm_values v;

-- params errors: each names the parameter and what it takes
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"nu": 0.5}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"epsilon": 0.5}');
SELECT * FROM mm_train('bad', 'svm_values_train', 'y', algorithm => 'svm', params => '{"probability": true}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"kernel": "cubic"}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"gamma": "often"}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"gamma": 0}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"C": -1}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"degree": 2.5}');
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm', params => '{"cache_size": 0}');

-- libsvm's solver reads the rows in memory, at random: never in passes
SET modelmgr.train_in_passes = on;
SELECT * FROM mm_train('bad', 'svm_classes_train', 'label', algorithm => 'svm');
RESET modelmgr.train_in_passes;

-- a fit whose kernel cache and solver would exceed modelmgr.max_train_memory is refused
SET modelmgr.max_train_memory = '1MB';
SELECT * FROM mm_train('big', 'svm_classes', 'label', algorithm => 'svm', exclude => ARRAY['id'],
                       test_size => 0);
RESET modelmgr.max_train_memory;
