--
-- One class's probability: mm_predict_proba(model, row, class), the class
-- named as mm_classes lists it.  Uses the classification suite's models:
-- heart (integer labels), species (text), churn (boolean), species_svm.
--
\pset null '(null)'

-- the same bits as the class's element of the array, for each kind of label
SELECT bool_and(mm_predict_proba('heart', p, '1') = (mm_predict_proba('heart', p))[2]) AS integer_same,
       bool_and(mm_predict_proba('heart', p, '0') = (mm_predict_proba('heart', p))[1]) AS integer_first
  FROM patients p;
SELECT bool_and(mm_predict_proba('churn', c, 'true') = (mm_predict_proba('churn', c))[2]) AS boolean_same,
       bool_and(abs(mm_predict_proba('churn', c, 'false') + mm_predict_proba('churn', c, 'true') - 1) < 1e-15)
         AS sums_to_one
  FROM churn c;
SELECT bool_and(mm_predict_proba('species', f, 'virginica') = (mm_predict_proba('species', f))[3])
         AS text_same
  FROM flowers f;
-- the class may change from row to row
SELECT bool_and(mm_predict_proba('species', f, f.species)
                = (mm_predict_proba('species', f))[array_position(mm_classes('species'), f.species)])
         AS per_row_class
  FROM flowers f;
SELECT round(mm_predict_proba('heart', p, '1')::numeric, 6) AS second_attack
  FROM patients p WHERE id IN (1, 2) ORDER BY id;

-- a class the model does not have: named as label::text renders it, exactly
SELECT mm_predict_proba('churn', c, 't') FROM churn c LIMIT 1;
SELECT mm_predict_proba('heart', p, '1.0') FROM patients p LIMIT 1;
SELECT mm_predict_proba('species@1', f, 'daisy') FROM flowers f LIMIT 1;
SELECT mm_predict_proba('species@1', f, '') FROM flowers f LIMIT 1;
-- a model with many classes names the first ten
CREATE TABLE dozen AS
SELECT g::float8 AS x, ((g * 7) % 1000) / 1000.0::float8 AS noise, (g % 12) AS label
  FROM generate_series(1, 600) g;
SELECT algorithm FROM mm_train('dozen', 'dozen', 'label', algorithm => 'logistic_regression',
                               test_size => 0);
SELECT array_length(mm_classes('dozen'), 1) AS classes;
SELECT mm_predict_proba('dozen', d, 'twelve') FROM dozen d LIMIT 1;

-- NULL in, NULL out; a NULL model is an error like the other prediction functions
SELECT mm_predict_proba('heart', p, NULL) FROM patients p WHERE id = 1;
SELECT mm_predict_proba('heart', NULL::patients, '1');
SELECT mm_predict_proba(NULL, p, '1') FROM patients p WHERE id = 1;

-- models without class probabilities, with the errors of the array form
SELECT mm_predict_proba('house_auto', h, '1') FROM houses h LIMIT 1;
SELECT mm_predict_proba('species_svm', f, 'setosa') FROM flowers f LIMIT 1;
SELECT mm_predict_proba('no_such_model', f, 'setosa') FROM flowers f LIMIT 1;

-- a new version deployed under a call site that PL/pgSQL keeps for the whole
-- transaction: its classes are found again (virginica moves from third to second)
CREATE TABLE flowers_two AS SELECT * FROM flowers WHERE species <> 'setosa';
SELECT version FROM mm_train('switch', 'flowers', 'species', exclude => ARRAY['id'], test_size => 0);
SELECT version FROM mm_train('switch', 'flowers_two', 'species', exclude => ARRAY['id'], test_size => 0,
                             deploy => 'never');
SELECT mm_classes('switch@1') AS first, mm_classes('switch@2') AS second;
CREATE FUNCTION virginica_of(f flowers, c text DEFAULT 'virginica') RETURNS float8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN mm_predict_proba('switch', f, c);
END
$$;
BEGIN;
SELECT virginica_of(f) = (mm_predict_proba('switch@1', f))[3] AS before_deploy FROM flowers f WHERE id = 1;
SELECT mm_deploy('switch', 2);
SELECT virginica_of(f) = (mm_predict_proba('switch@2', f))[2] AS after_deploy FROM flowers f WHERE id = 1;
SELECT virginica_of(f, 'setosa') FROM flowers f WHERE id = 1;
ROLLBACK;
SELECT bool_and(virginica_of(f) = (mm_predict_proba('switch@1', f))[3]) AS after_rollback FROM flowers f;

-- parallel workers: the same sum as one process
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT sum(mm_predict_proba('churn', c, 'true')) FROM churn c;
CREATE TEMP TABLE proba_parallel AS SELECT sum(mm_predict_proba('churn', c, 'true')) AS total FROM churn c;
SET max_parallel_workers_per_gather = 0;
SELECT abs(p.total - sum((mm_predict_proba('churn', c))[2])) < 1e-9 * p.total AS same_sum
  FROM proba_parallel p, churn c GROUP BY p.total;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- privileges: use, as for the array form
CREATE ROLE regress_proba_reader;
GRANT SELECT ON churn TO regress_proba_reader;
SET ROLE regress_proba_reader;
SELECT mm_predict_proba('churn', c, 'true') FROM churn c WHERE id = 1;
RESET ROLE;
SELECT mm_grant('churn', 'use', 'regress_proba_reader');
SET ROLE regress_proba_reader;
SELECT mm_predict_proba('churn', c, 'true') = (mm_predict_proba('churn', c))[2] AS granted
  FROM churn c WHERE id = 1;
RESET ROLE;
SELECT mm_revoke('churn', 'use', 'regress_proba_reader');
REVOKE SELECT ON churn FROM regress_proba_reader;
DROP ROLE regress_proba_reader;
