--
-- Float and numeric targets whose values are whole numbers train
-- classifiers: number labels rendered as integers, predicted, evaluated,
-- tuned and exported as an integer target's are; a fraction, a value past
-- 2^53 or a non-number target is refused.
--
\pset null '(null)'

-- 0/1 as double precision, and the same rows with an integer target
CREATE TABLE float_bin AS
SELECT g AS id, (g % 7)::float8 AS x1, ((g * 13) % 11)::float8 AS x2,
       CASE WHEN (g % 7) + ((g * 13) % 11) / 2.0 + ((g * 5) % 3) > 6 THEN 1.0 ELSE 0.0 END::float8 AS y
  FROM generate_series(1, 300) g;
CREATE TABLE int_bin AS SELECT id, x1, x2, y::int AS y FROM float_bin;

-- auto keeps a float target regression; naming a classifier learns classes
SELECT algorithm FROM mm_train('float_auto', 'float_bin', 'y', exclude => ARRAY['id'], deploy => 'never');
SELECT model, version, algorithm, metrics->'train'->'confusion_matrix' AS confusion
  FROM mm_train('float_bin', 'float_bin', 'y', algorithm => 'logistic_regression',
                exclude => ARRAY['id']);
SELECT mm_classes('float_bin');

-- the same fit, the same held-out rows, as from the integer target
SELECT metrics - 'iterations' - 'converged' AS metrics FROM mm_train('int_bin', 'int_bin', 'y',
       algorithm => 'logistic_regression', exclude => ARRAY['id'])
EXCEPT SELECT metrics - 'iterations' - 'converged' FROM mm.versions WHERE model = 'float_bin';

-- mm_predict returns the label as a number, mm_predict_label as an integer's text,
-- on rows whose target is float or integer alike
SELECT mm_predict('float_bin', f) AS label, mm_predict_label('float_bin', f) AS text_label,
       mm_predict_label('float_bin', i) AS from_int_row
  FROM float_bin f JOIN int_bin i USING (id) WHERE id IN (1, 6) ORDER BY id;
SELECT count(*) AS rows,
       bool_and(mm_predict('float_bin', f) = mm_predict('int_bin', f)) AS same_as_integer_model,
       bool_and(mm_predict_label('float_bin', f) = mm_predict('float_bin', f)::int::text) AS text_ok
  FROM float_bin f;

-- evaluation on the float rows, and on the integer rows: the same metrics
SELECT mm_evaluate('float_bin', 'float_bin') - 'model' - 'version'
       = mm_evaluate('float_bin', 'int_bin') - 'model' - 'version' AS same_metrics,
       mm_evaluate('float_bin', 'float_bin')->'confusion_matrix' AS confusion;

-- numeric 0/1/2 with the linear SVM: three classes, sorted as numbers
CREATE TABLE numeric_multi AS
SELECT g AS id, (g % 3) * 4 + ((g * 7) % 10) / 10.0 AS x,
       ((g * 3) % 10) / 10.0 AS noise, (g % 3)::numeric(6, 2) AS y
  FROM generate_series(1, 150) g;
SELECT algorithm, metrics->'test'->>'accuracy' AS accuracy
  FROM mm_train('numeric_multi', 'numeric_multi', 'y', algorithm => 'linear_svm',
                exclude => ARRAY['id']);
SELECT mm_classes('numeric_multi');
SELECT id, mm_predict('numeric_multi', n) AS label, mm_predict_label('numeric_multi', n) AS text_label
  FROM numeric_multi n WHERE id IN (3, 4, 5) ORDER BY id;

-- a monitor reads a numeric label column as the classes render: 1.00 is the class "1"
SELECT mm_monitor('numeric_multi', 'numeric_multi', label_column => 'y') AS monitor \gset
SELECT r#>'{quality,rows}' AS labelled,
       (r#>>'{quality,accuracy}')::float8
         = (mm_evaluate('numeric_multi', 'numeric_multi')->>'accuracy')::float8 AS accuracy_as_evaluated
  FROM mm_monitor_run(:monitor) r;
SELECT mm_unmonitor(:monitor);

-- negative and two-digit labels: integers' order, not text's
CREATE TABLE float_codes AS
SELECT g AS id, (g % 3)::float8 * 5 + ((g * 7) % 10) / 10.0 AS x,
       (ARRAY[-3, 2, 12])[1 + g % 3]::float4 AS y
  FROM generate_series(1, 150) g;
SELECT version FROM mm_train('float_codes', 'float_codes', 'y', algorithm => 'logistic_regression',
                              exclude => ARRAY['id']);
SELECT mm_classes('float_codes');
SELECT mm_predict('float_codes', c) AS label, mm_predict_label('float_codes', c) AS text_label
  FROM float_codes c WHERE id IN (3, 4, 5) ORDER BY id;

-- tuning a classifier on the float target
SELECT model, algorithm, metrics #> '{cv,metric}' AS metric, metrics #> '{cv,folds}' AS folds
  FROM mm_tune('float_tuned', 'float_bin', 'y', algorithm => 'logistic_regression',
               exclude => ARRAY['id'], search => '{"alpha": [0.01, 1]}', folds => 3);
SELECT mm_classes('float_tuned');

-- export and import: label kind number, the same labels predicted
SELECT d #> '{model,label_kind}' AS label_kind, d #> '{model,classes}' AS classes,
       d #> '{model,class_values}' AS class_values
  FROM (SELECT mm_export('float_codes') AS d) s;
SELECT mm_import('float_codes_copy', mm_export('float_codes')) AS version;
SELECT count(*) AS rows,
       bool_and(mm_predict('float_codes_copy', c) = mm_predict('float_codes', c)) AS same_labels,
       bool_and(mm_predict_label('float_codes_copy', c) = mm_predict_label('float_codes', c)) AS same_text
  FROM float_codes c;
SELECT mm_classes('float_codes_copy');

-- Refused: each a clear error, the catalog untouched
CREATE TEMP TABLE versions_before AS SELECT count(*) AS n FROM mm._versions;
CREATE TABLE float_fraction AS SELECT id, x1, x2, CASE WHEN id = 40 THEN 2.5 ELSE y END AS y FROM float_bin;
SELECT * FROM mm_train('bad', 'float_fraction', 'y', algorithm => 'logistic_regression',
                       exclude => ARRAY['id']);
SELECT * FROM mm_tune('bad', 'float_fraction', 'y', algorithm => 'logistic_regression',
                      exclude => ARRAY['id']);
SELECT mm_evaluate('float_bin', 'float_fraction');
CREATE TABLE numeric_fraction AS SELECT id, x, noise, CASE WHEN id = 9 THEN 1.0001 ELSE y END AS y
  FROM numeric_multi;
SELECT * FROM mm_train('bad', 'numeric_fraction', 'y', algorithm => 'logistic_regression',
                       exclude => ARRAY['id']);
-- past 2^53 a double no longer holds every integer: refused, float and numeric
CREATE TABLE float_huge AS SELECT id, x1, x2, CASE WHEN id = 5 THEN 1e20 ELSE y END AS y FROM float_bin;
SELECT * FROM mm_train('bad', 'float_huge', 'y', algorithm => 'logistic_regression',
                       exclude => ARRAY['id']);
CREATE TABLE numeric_huge AS SELECT id, x, noise, CASE WHEN id = 5 THEN 9007199254740993 ELSE y END AS y
  FROM numeric_multi;
SELECT * FROM mm_train('bad', 'numeric_huge', 'y', algorithm => 'logistic_regression',
                       exclude => ARRAY['id']);
SELECT count(*) OPERATOR(pg_catalog.=) (SELECT n FROM versions_before) AS catalog_untouched FROM mm._versions;
-- -2^53 and 2^53 themselves are labels, rendered exactly
CREATE TABLE numeric_edge AS
SELECT id, x, noise, CASE WHEN y = 2 THEN -9007199254740992 WHEN y = 1 THEN 9007199254740992 ELSE y END AS y
  FROM numeric_multi;
SELECT version FROM mm_train('numeric_edge', 'numeric_edge', 'y', algorithm => 'logistic_regression',
                              exclude => ARRAY['id']);
SELECT mm_classes('numeric_edge');
SELECT bool_and(mm_predict_label('numeric_edge', n) = mm_predict('numeric_edge', n)::bigint::text) AS exact
  FROM numeric_edge n;
DELETE FROM versions_before;
INSERT INTO versions_before SELECT count(*) FROM mm._versions;
-- NaN and infinity are non-finite targets, as for regression
CREATE TABLE float_nan AS SELECT id, x1, x2, CASE WHEN id IN (3, 4) THEN 'NaN' ELSE y END AS y FROM float_bin;
SELECT * FROM mm_train('bad', 'float_nan', 'y', algorithm => 'logistic_regression',
                       exclude => ARRAY['id']);
CREATE TABLE numeric_inf AS SELECT id, x, noise, CASE WHEN id = 3 THEN 'Infinity' ELSE y END AS y
  FROM numeric_multi;
SELECT * FROM mm_train('bad', 'numeric_inf', 'y', algorithm => 'linear_svm', exclude => ARRAY['id']);
SELECT mm_evaluate('float_bin', 'float_nan');
-- a type that is no label at all
CREATE TABLE dated AS SELECT id, x1, x2, date '2024-01-01' + id AS y FROM float_bin;
SELECT * FROM mm_train('bad', 'dated', 'y', algorithm => 'logistic_regression', exclude => ARRAY['id']);
SELECT count(*) OPERATOR(pg_catalog.=) (SELECT n FROM versions_before) AS catalog_untouched FROM mm._versions;
