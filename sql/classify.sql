--
-- Classification: logistic regression, binary and multinomial, the
-- prediction functions, metrics, coefficients and the errors of bad input.
--
\pset null '(null)'

-- MADlib's published patients example (test/fixtures/madlib)
CREATE TABLE patients (id int PRIMARY KEY, second_attack int, treatment int,
                       trait_anxiety int);
\copy patients FROM 'test/fixtures/madlib/patients.csv' WITH (FORMAT csv, HEADER)

-- An integer target with two values: auto picks classification.  Unregularized
-- maximum likelihood on all 20 rows, as MADlib fits it.
SELECT model, version, algorithm, deployed,
       metrics->'train'->>'accuracy' AS accuracy,
       metrics->'train'->'confusion_matrix' AS confusion,
       metrics->'test' AS test, metrics->'converged' AS converged
  FROM mm_train('heart', 'patients', 'second_attack', exclude => ARRAY['id'],
                params => '{"alpha": 0, "tol": 1e-10}', test_size => 0);

SELECT mm_classes('heart');

-- coefficients match MADlib's to 1e-9; the standard errors are the inverse
-- Fisher information at the estimate (MADlib's differ by 2e-6, being taken
-- one iteration earlier), so they are compared at 1e-5, and the p-values,
-- which amplify that difference, at 1e-4
SELECT c.feature,
       abs(c.coef / (e.doc->'patients_logistic'->'coef'->>c.feature)::float8 - 1) < 1e-9 AS coef_ok,
       abs(c.std_err / (e.doc->'patients_logistic'->'std_err'->>c.feature)::float8 - 1) < 1e-5 AS se_ok,
       abs(c.stat / (e.doc->'patients_logistic'->'z_stat'->>c.feature)::float8 - 1) < 1e-5 AS z_ok,
       abs(c.p_value / (e.doc->'patients_logistic'->'p_value'->>c.feature)::float8 - 1) < 1e-4 AS p_ok,
       c.class
  FROM mm_coefficients('heart') c, madlib e;
-- logistic regression's intervals come from the normal quantile, as its z statistics do
SELECT bool_and(abs(ci_lower - (coef - 1.9599639845400542 * std_err)) < 1e-12 * std_err
                AND abs(ci_upper - (coef + 1.9599639845400542 * std_err)) < 1e-12 * std_err) AS normal_intervals
  FROM mm_coefficients('heart');

-- probabilities match MADlib's per patient; the label follows the larger one
SELECT count(*) AS patients,
       max(abs((mm_predict_proba('heart', p))[2]
               - (e.doc->'patients_logistic'->'probability_by_id'->>(p.id - 1))::float8)) < 1e-9
         AS proba_ok,
       bool_and(mm_predict('heart', p) = CASE WHEN (mm_predict_proba('heart', p))[2] > 0.5 THEN 1 ELSE 0 END)
         AS label_ok,
       bool_and(mm_predict_label('heart', p) = mm_predict('heart', p)::int::text) AS text_ok,
       bool_and(abs((mm_predict_proba('heart', p))[1] + (mm_predict_proba('heart', p))[2] - 1) < 1e-15)
         AS sums_to_one
  FROM patients p, madlib e;

-- evaluation on the training rows gives the training metrics again (those of
-- the fit itself, its likelihood statistics, are for the training rows only)
SELECT mm_evaluate('heart', 'patients') - 'rows_null_target' - 'model' - 'version'
       = (SELECT (metrics->'train') - ARRAY['baseline', 'log_likelihood', 'null_log_likelihood', 'pseudo_r2',
                                              'aic', 'bic', 'deviance']
            FROM mm.versions WHERE model = 'heart' AND version = 1)
       AS same_metrics;
-- and its log-likelihood is MADlib's
SELECT abs((metrics#>>'{train,log_likelihood}')::float8
           - (doc->'patients_logistic'->>'log_likelihood')::float8) < 1e-9 AS log_likelihood_ok
  FROM mm.versions, madlib WHERE model = 'heart' AND version = 1;

-- the log-loss is the mean negative log-likelihood: MADlib's log-likelihood over 20
SELECT abs((mm_evaluate('heart', 'patients')->>'log_loss')::float8
           - -(doc->'patients_logistic'->>'log_likelihood')::float8 / 20) < 1e-9 AS log_loss_ok
  FROM madlib;

-- Three classes with text labels: a multinomial (softmax) model.
CREATE TABLE flowers AS
SELECT g AS id,
       (ARRAY['setosa', 'versicolor', 'virginica'])[1 + g % 3] AS species,
       (g % 3) * 1.5 + ((g * 7919) % 1000) / 1000.0 * 2 AS petal,
       (g % 3) * 0.8 + ((g * 104729) % 997) / 997.0 * 2 AS sepal,
       ((g * 31) % 17) / 17.0::float8 AS noise
  FROM generate_series(1, 3000) g;

SELECT model, version, algorithm, deployed,
       (metrics->'test'->>'accuracy')::float8 > 0.85 AS accurate,
       metrics->'test'->'roc_auc' AS roc_auc,
       jsonb_array_length(metrics->'test'->'confusion_matrix') AS classes,
       (SELECT sum(v::int) FROM jsonb_array_elements(metrics->'test'->'confusion_matrix') r,
               jsonb_array_elements_text(r) v) = (metrics->'test'->>'rows')::int AS counts_all_rows
  FROM mm_train('species', 'flowers', 'species', exclude => ARRAY['id']);

SELECT rows_train + rows_test AS rows, rows_test BETWEEN 650 AND 850 AS split_ok,
       params, task
  FROM mm.versions WHERE model = 'species';

SELECT mm_classes('species');

SELECT mm_predict_label('species', f) AS label, count(*)
  FROM flowers f GROUP BY 1 ORDER BY 1;

-- probabilities in mm_classes order, each row summing to one, and the label
-- the most probable class
SELECT bool_and(abs(p[1] + p[2] + p[3] - 1) < 1e-12) AS sums_to_one,
       bool_and((mm_classes('species'))[array_position(p, (SELECT max(x) FROM unnest(p) x))]
                = mm_predict_label('species', f)) AS label_is_argmax
  FROM (SELECT f, mm_predict_proba('species', f) AS p FROM flowers f) s;

-- one coefficient row per class, in the units of the columns
SELECT class, count(*) AS terms FROM mm_coefficients('species') GROUP BY class ORDER BY class;
SELECT count(*) FILTER (WHERE std_err IS NULL) AS without_std_err,
       count(*) FILTER (WHERE ci_lower IS NULL AND ci_upper IS NULL) AS without_interval
  FROM mm_coefficients('species');

-- text labels are not numbers
SELECT mm_predict('species', f) FROM flowers f LIMIT 1;

-- Boolean targets: auto picks classification; mm_predict gives 0 and 1.
CREATE TABLE churn AS
SELECT g AS id, (g % 50)::float8 AS tenure, ((g * 13) % 7)::float8 AS complaints,
       (((g * 2654435761) % 1000) / 1000.0 < 1 / (1 + exp(-(-1 + 0.8 * ((g * 13) % 7) - 0.06 * (g % 50)))))
         AS churned
  FROM generate_series(1, 4000) g;

-- a log loss below a coin's (ln 2) on the held-out rows
SELECT algorithm, (metrics->'test'->>'roc_auc')::float8 > 0.8 AS auc_ok,
       (metrics->'test'->>'log_loss')::float8 < ln(2) AS log_loss_below_chance
  FROM mm_train('churn', 'churn', 'churned', exclude => ARRAY['id']);
-- and the log loss the metrics report is the mean of -ln p(true class), p as mm_predict_proba gives it
SELECT abs((mm_evaluate('churn', 'churn') ->> 'log_loss')::float8
           - (SELECT -avg(ln(CASE WHEN c.churned THEN p[2] ELSE p[1] END))
                FROM churn c, LATERAL (SELECT mm_predict_proba('churn', c) AS p) s)) < 1e-12 AS log_loss_matches;

SELECT mm_classes('churn');
SELECT mm_predict_label('churn', c) AS label, mm_predict('churn', c) AS number, count(*)
  FROM churn c GROUP BY 1, 2 ORDER BY 1;

-- the positive (last) class gets the binary model's single row of coefficients
SELECT class, feature, coef > 0 AS positive FROM mm_coefficients('churn');

-- balanced class weights trade precision for recall of the rare class
CREATE TABLE rare AS
SELECT g AS id, ((g * 7919) % 1000) / 100.0::float8 AS x,
       ((g * 7919) % 1000) / 100.0 + ((g * 104729) % 1000) / 250.0 > 11 AS rare
  FROM generate_series(1, 5000) g;
SELECT count(*) FILTER (WHERE rare) AS rare_rows FROM rare;
SELECT (SELECT (metrics->'test'->'confusion_matrix'->1->>1)::int
          FROM mm_train('rare_plain', 'rare', 'rare', exclude => ARRAY['id']))
     < (SELECT (metrics->'test'->'confusion_matrix'->1->>1)::int
          FROM mm_train('rare_balanced', 'rare', 'rare', exclude => ARRAY['id'],
                        params => '{"class_weight": "balanced"}')) AS more_found;
SELECT params->'class_weight' FROM mm.versions WHERE model = 'rare_balanced';

-- Integer targets with ten values are classes under auto, with more a regression
SELECT count(DISTINCT trait_anxiety) AS anxiety_values, count(DISTINCT price) AS price_values
  FROM patients, houses;
SELECT algorithm FROM mm_train('anxiety', 'patients', 'trait_anxiety', exclude => ARRAY['id'],
                               deploy => 'never');
SELECT algorithm FROM mm_train('house_auto', 'houses', 'price', exclude => ARRAY['id'],
                               test_size => 0);

-- Newton's method that runs out of iterations says so
SELECT version, metrics->'converged' AS converged, metrics->'iterations' AS iterations
  FROM mm_train('churn', 'churn', 'churned', exclude => ARRAY['id'],
                params => '{"max_iter": 1}', deploy => 'never');

-- perfectly separated classes without a penalty: a notice, and a version
CREATE TABLE separable AS SELECT g AS x, g > 10 AS y FROM generate_series(1, 20) g;
SELECT version, metrics->'train'->'accuracy' AS accuracy
  FROM mm_train('separable', 'separable', 'y', params => '{"alpha": 0}', test_size => 0);

-- deploy if_better compares the test f1 (macro)
SELECT version, deployed FROM mm_train('species', 'flowers', 'species', exclude => ARRAY['id'],
                                       params => '{"alpha": 1e6}');
SELECT version, (metrics->'test'->>'f1')::float8 < 0.5 AS worse FROM mm.versions
 WHERE model = 'species' ORDER BY version;
SELECT production_version FROM mm.models WHERE model = 'species';

-- mm_retrain keeps the recipe
SELECT version, algorithm, deployed FROM mm_retrain('species@1');
SELECT version, params->'alpha' AS alpha, parent_version FROM mm.versions
 WHERE model = 'species' ORDER BY version;

-- Bad input: each a clear error, the catalog untouched
CREATE TEMP TABLE versions_before AS SELECT count(*) AS n FROM mm._versions;
CREATE TABLE one_class AS SELECT g::float8 AS x, 'only'::text AS label FROM generate_series(1, 50) g;
SELECT * FROM mm_train('bad', 'one_class', 'label');
-- a class too rare to reach the training part
CREATE TABLE rare_class AS
SELECT g::float8 AS x, CASE WHEN g = 7 THEN 'c' WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS label
  FROM generate_series(1, 200) g;
SELECT * FROM mm_train('bad', 'rare_class', 'label', test_size => 0.5, seed => 3);
SELECT * FROM mm_train('bad', 'flowers', 'petal', algorithm => 'logistic_regression',
                       exclude => ARRAY['id', 'species']);
SELECT * FROM mm_train('bad', 'flowers', 'species', algorithm => 'linear_regression');
SELECT * FROM mm_train('bad', 'flowers', 'species', params => '{"C": 1}');
SELECT * FROM mm_train('bad', 'flowers', 'species', params => '{"alpha": -1}');
SELECT * FROM mm_train('bad', 'flowers', 'species', params => '{"max_iter": 0}');
SELECT * FROM mm_train('bad', 'flowers', 'species', params => '{"tol": 0}');
SELECT * FROM mm_train('bad', 'flowers', 'species', params => '{"class_weight": "auto"}');
CREATE TABLE many_labels AS SELECT g::float8 AS x, g::text AS label FROM generate_series(1, 1001) g;
SELECT * FROM mm_train('bad', 'many_labels', 'label');
-- a classifier under a regression model's name
SELECT * FROM mm_train('house_auto', 'patients', 'second_attack', algorithm => 'logistic_regression');
SELECT count(*) - (SELECT n FROM versions_before) AS new_versions FROM mm._versions;
SELECT count(*) AS bad_models FROM mm.models WHERE model = 'bad';

-- prediction functions on models of the wrong kind
SELECT mm_predict_proba('house_auto', h) FROM houses h LIMIT 1;
SELECT mm_predict_label('house_auto', h) FROM houses h LIMIT 1;
SELECT mm_classes('house_auto');
SELECT mm_predict_proba('heart', NULL::patients) IS NULL AS null_row;
SELECT mm_predict_label('heart', NULL::patients) IS NULL AS null_row;
SELECT mm_classes(NULL);

-- evaluation on a relation whose labels do not fit
CREATE TABLE flowers_new AS SELECT * FROM flowers WHERE id <= 10
UNION ALL SELECT 0, 'daisy', 1, 1, 0;
SELECT mm_evaluate('species@1', 'flowers_new');
CREATE TABLE patients_text AS SELECT id, second_attack::text AS second_attack, treatment, trait_anxiety FROM patients;
SELECT mm_evaluate('heart', 'patients_text');

-- Linear SVM: the squared hinge by default, one against the rest for three classes
SELECT version, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.85 AS accurate,
       metrics->'test'->'log_loss' AS log_loss, metrics->'converged' AS converged
  FROM mm_train('species_svm', 'flowers', 'species', algorithm => 'linear_svm',
                exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                params => '{"max_iter": 5000}');
SELECT params FROM mm.versions WHERE model = 'species_svm';
SELECT class, count(*) AS terms, count(std_err) AS with_std_err
  FROM mm_coefficients('species_svm') GROUP BY class ORDER BY class;
SELECT mm_predict_label('species_svm', f) = f.species AS right, count(*)
  FROM flowers f GROUP BY 1 ORDER BY 1;
-- no probabilities from an SVM
SELECT mm_predict_proba('species_svm', f) FROM flowers f LIMIT 1;
-- a binary SVM ranks by its decision score, so it has a ROC AUC
SELECT (metrics->'test'->>'roc_auc')::float8 > 0.8 AS auc_ok, metrics->'test'->'log_loss' AS log_loss
  FROM mm_train('churn_svm', 'churn', 'churned', algorithm => 'linear_svm', exclude => ARRAY['id'],
                params => '{"C": 0.1, "loss": "squared_hinge"}',
                preprocess => '{"*": {"scale": "standard"}}');
SELECT mm_classes('churn_svm'), mm_predict('churn_svm', c) FROM churn c WHERE id = 1;
-- SVM parameters
SELECT * FROM mm_train('bad', 'flowers', 'species', algorithm => 'linear_svm', params => '{"C": 0}');
SELECT * FROM mm_train('bad', 'flowers', 'species', algorithm => 'linear_svm', params => '{"loss": "log"}');
SELECT * FROM mm_train('bad', 'flowers', 'species', algorithm => 'linear_svm', params => '{"alpha": 1}');
-- the hinge loss, by dual coordinate descent over the rows in memory (on these rows
-- it needs from about 400 to about 5,100 passes, as the seed shuffles them)
SELECT (metrics->'test'->>'accuracy')::float8 > 0.85 AS accurate, metrics->'converged' AS converged
  FROM mm_train('species_hinge', 'flowers', 'species', algorithm => 'linear_svm',
                exclude => ARRAY['id'], preprocess => '{"*": {"scale": "standard"}}',
                params => '{"loss": "hinge", "max_iter": 10000}');
-- its rows are shuffled from an order of their contents, not of the scan: the
-- same rows written in another order give the same coefficients, to the bit,
-- converged or not (scaled, they would agree to the solver's tolerance only:
-- the scaling's statistics are summed in the rows' order)
CREATE TABLE flowers_shuffled AS SELECT * FROM flowers ORDER BY md5(id::text);
SELECT count(*) AS versions
  FROM (SELECT mm_train('hinge_' || r, r, 'species', algorithm => 'linear_svm', exclude => ARRAY['id'],
                        params => '{"loss": "hinge", "max_iter": 50}', deploy => 'always')
          FROM (VALUES ('flowers'), ('flowers_shuffled')) AS rel(r)) trained;
SELECT count(*) AS coefficients, max(abs(a.coef - b.coef)) AS difference
  FROM mm_coefficients('hinge_flowers') a
  JOIN mm_coefficients('hinge_flowers_shuffled') b ON a.feature = b.feature AND a.class = b.class;
DROP TABLE flowers_shuffled;
-- a fit that stops at max_iter says so in a notice and records it in the version, either loss
SELECT metrics->'iterations' AS iterations, metrics->'converged' AS converged
  FROM mm_train('species_short', 'flowers', 'species', algorithm => 'linear_svm',
                exclude => ARRAY['id'], params => '{"max_iter": 1}');
SELECT metrics->'iterations' AS iterations, metrics->'converged' AS converged
  FROM mm_train('species_short', 'flowers', 'species', algorithm => 'linear_svm',
                exclude => ARRAY['id'], params => '{"loss": "hinge", "max_iter": 2}');
SELECT version, metrics->'converged' AS converged FROM mm.versions
 WHERE model = 'species_short' ORDER BY version;
