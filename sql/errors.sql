--
-- Bad input to training: each a clear error with its SQLSTATE, and the
-- catalog exactly as it was.
--
\set VERBOSITY default
CREATE TEMP TABLE catalog_before AS
SELECT (SELECT count(*) FROM mm._models) AS models, (SELECT count(*) FROM mm._versions) AS versions,
       (SELECT count(*) FROM mm._stages) AS stages,
       (SELECT count(*) FROM mm._deployment_history) AS history;
\set VERBOSITY sqlstate
-- the errors' SQLSTATEs first, then their full text
SELECT version FROM mm_train('e', 'houses', 'price', features => ARRAY['no_such_column']);
\set VERBOSITY default

-- NULL where a value is required
SELECT * FROM mm_train(NULL, 'houses', 'price');
SELECT * FROM mm_train('e', NULL, 'price');
SELECT * FROM mm_train('e', 'houses', NULL);
SELECT * FROM mm_train('e', 'houses', 'price', algorithm => NULL);
SELECT * FROM mm_train('e', 'houses', 'price', params => NULL);
SELECT * FROM mm_train('e', 'houses', 'price', preprocess => NULL);
SELECT * FROM mm_train('e', 'houses', 'price', test_size => NULL);
SELECT * FROM mm_train('e', 'houses', 'price', seed => NULL);
SELECT * FROM mm_train('e', 'houses', 'price', deploy => NULL);
SELECT * FROM mm_retrain(NULL);

-- names: models, relations, columns
SELECT * FROM mm_train('', 'houses', 'price');
SELECT * FROM mm_train('e"; DROP TABLE houses; --', 'houses', 'price');
SELECT * FROM mm_train(repeat('m', 64), 'houses', 'price');
SELECT * FROM mm_train('e', 'no_such_table', 'price');
SELECT * FROM mm_train('e', 'no_schema.houses', 'price');
SELECT * FROM mm_train('e', 'houses; DROP TABLE houses', 'price');
SELECT * FROM mm_train('e', 'houses" OR "1', 'price');
SELECT * FROM mm_train('e', 'houses_pkey', 'price');
SELECT * FROM mm_train('e', 'houses', 'no_such_column');
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY['size', 'no_such_column']);
SELECT * FROM mm_train('e', 'houses', 'price', exclude => ARRAY['no_such_column']);
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY['size', 'size']);
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY['size', 'price']);
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY[]::text[]);
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY['size', NULL]);
SELECT * FROM mm_train('e', 'houses', 'price', features => ARRAY[['size'], ['tax']]);
SELECT * FROM mm_train('e', 'houses', 'price', exclude => ARRAY['id', 'tax', 'bedroom', 'bath', 'size', 'lot']);

-- arguments out of range
SELECT * FROM mm_train('e', 'houses', 'price', test_size => -0.1);
SELECT * FROM mm_train('e', 'houses', 'price', test_size => 1);
SELECT * FROM mm_train('e', 'houses', 'price', test_size => 'NaN');
SELECT * FROM mm_train('e', 'houses', 'price', deploy => 'sometimes');
SELECT * FROM mm_train('e', 'houses', 'price', algorithm => 'naive_bayes');
SELECT * FROM mm_train('e', 'houses', 'price', algorithm => 'kmeans');

-- hyperparameters and preprocessing
SELECT * FROM mm_train('e', 'houses', 'price', params => '{"alpah": 1}');
SELECT * FROM mm_train('e', 'houses', 'price', params => '{"alpha": -1}');
SELECT * FROM mm_train('e', 'houses', 'price', params => '{"alpha": "1"}');
SELECT * FROM mm_train('e', 'houses', 'price', params => '{"alpha": 1e400}');
SELECT * FROM mm_train('e', 'houses', 'price', params => '{"fit_intercept": "yes"}');
SELECT * FROM mm_train('e', 'houses', 'price', params => '[1, 2]');
SELECT * FROM mm_train('e', 'houses', 'price', params => '3');
SELECT * FROM mm_train('e', 'houses', 'price', preprocess => '{"*": {"scale": "log"}}');
SELECT * FROM mm_train('e', 'houses', 'price', preprocess => '"scale"');

-- column types
CREATE TABLE typed_bad AS SELECT size, 'city ' || (id % 3) AS city, point(id, id) AS seen, price,
       price::text AS price_text, price > 100000 AS expensive, id % 4 AS quarter FROM houses;
SELECT * FROM mm_train('e', 'typed_bad', 'price');
SELECT * FROM mm_train('e', 'typed_bad', 'price', exclude => ARRAY['city']);
SELECT * FROM mm_train('e', 'typed_bad', 'price', features => ARRAY['size', 'seen']);
SELECT * FROM mm_train('e', 'typed_bad', 'price_text', features => ARRAY['size']);
SELECT * FROM mm_train('e', 'typed_bad', 'expensive', features => ARRAY['size'], algorithm => 'linear_regression');
SELECT * FROM mm_train('e', 'typed_bad', 'price_text', features => ARRAY['size'], algorithm => 'linear_regression');

-- the data itself
CREATE TABLE empty_table (x float8, y float8);
SELECT * FROM mm_train('e', 'empty_table', 'y');
CREATE TABLE empty_integer_target (x float8, n int);
SELECT * FROM mm_train('e', 'empty_integer_target', 'n');
CREATE TABLE all_null_target AS SELECT g::float8 AS x, NULL::float8 AS y FROM generate_series(1, 10) g;
SELECT * FROM mm_train('e', 'all_null_target', 'y');
CREATE TABLE all_null_feature AS SELECT NULL::float8 AS x, g::float8 AS y FROM generate_series(1, 10) g;
SELECT * FROM mm_train('e', 'all_null_feature', 'y');
CREATE TABLE some_null_feature AS SELECT CASE WHEN g % 4 = 0 THEN NULL ELSE g END::float8 AS x, g::float8 AS y
  FROM generate_series(1, 20) g;
SELECT * FROM mm_train('e', 'some_null_feature', 'y');
CREATE TABLE constant_feature AS SELECT g::float8 AS x, 7::float8 AS k, (2 * g)::float8 AS y FROM generate_series(1, 20) g;
SELECT * FROM mm_train('e', 'constant_feature', 'y', features => ARRAY['k'], test_size => 0);
SELECT * FROM mm_train('e', 'constant_feature', 'k', features => ARRAY['x'], test_size => 0);
CREATE TABLE nan_feature AS SELECT CASE WHEN g = 5 THEN 'NaN'::float8 ELSE g END AS x, g::float8 AS y
  FROM generate_series(1, 20) g;
SELECT * FROM mm_train('e', 'nan_feature', 'y');
CREATE TABLE infinite_target AS SELECT g::float8 AS x, CASE WHEN g = 5 THEN '-Infinity'::float8 ELSE g END AS y
  FROM generate_series(1, 20) g;
SELECT * FROM mm_train('e', 'infinite_target', 'y');
CREATE TABLE nan_numeric AS SELECT g::numeric AS x, CASE WHEN g = 5 THEN 'NaN'::numeric ELSE g END AS y
  FROM generate_series(1, 20) g;
SELECT * FROM mm_train('e', 'nan_numeric', 'y');
-- fewer training rows than coefficients, before and after the split
CREATE TABLE three_rows AS SELECT g::float8 AS a, (g * g)::float8 AS b, (g % 2)::float8 AS c, g::float8 * 3 AS y
  FROM generate_series(1, 3) g;
SELECT * FROM mm_train('e', 'three_rows', 'y', test_size => 0);
CREATE TABLE ten_rows AS SELECT g::float8 AS a, (g * g)::float8 AS b, (g % 3)::float8 AS c, g::float8 * 3 AS y
  FROM generate_series(1, 10) g;
SELECT * FROM mm_train('e', 'ten_rows', 'y', test_size => 0.9);

-- a long training can be cancelled, and leaves nothing
CREATE VIEW slow AS SELECT g::float8 AS x, g::float8 * 2 + (g % 7) AS y
  FROM generate_series(1, 100000) g WHERE pg_sleep(0.0001) IS NOT NULL;
SET statement_timeout = '300ms';
SELECT * FROM mm_train('e', 'slow', 'y');
RESET statement_timeout;

-- modelmgr.max_train_memory: training and tuning refuse alike, before they allocate
CREATE TABLE mem_rows AS
SELECT g AS id, (g % 101)::float8 AS a, ((g * 7) % 89)::float8 AS b, ((g * 13) % 97)::float8 AS c,
       ((g % 101) + ((g * 7) % 89) > 95) AS label, (g % 101) * 2.5 - ((g * 13) % 97)::float8 AS y
  FROM generate_series(1, 50000) g;
SET modelmgr.max_train_memory = '1MB';
\set VERBOSITY sqlstate
SELECT * FROM mm_train('e', 'mem_rows', 'label', exclude => ARRAY['id', 'y'],
                       algorithm => 'logistic_regression');
SELECT * FROM mm_tune('e', 'mem_rows', 'label', exclude => ARRAY['id', 'y'],
                      algorithm => 'logistic_regression');
SELECT * FROM mm_tune('e', 'mem_rows', 'y', exclude => ARRAY['id', 'label'], algorithm => 'linear_regression',
                      method => 'random', trials => 2, preprocess => '{"*": {"scale": "standard"}}');
\set VERBOSITY default
SELECT * FROM mm_train('e', 'mem_rows', 'y', exclude => ARRAY['id', 'label'], algorithm => 'linear_regression',
                       preprocess => '{"*": {"scale": "standard"}}');
SELECT * FROM mm_tune('e', 'mem_rows', 'y', exclude => ARRAY['id', 'label'], algorithm => 'linear_regression',
                      preprocess => '{"*": {"scale": "standard"}}');
-- tuning reads 50,000 rows of 3 features into 1.8 MB, and needs 1.5 MB more for their folds and copy
SET modelmgr.max_train_memory = '2MB';
SELECT * FROM mm_tune('e', 'mem_rows', 'label', exclude => ARRAY['id', 'y'],
                      algorithm => 'logistic_regression', search => '{"alpha": [1]}');
RESET modelmgr.max_train_memory;
SELECT count(*) AS trials_e FROM mm._trials WHERE model = 'e';
-- only a superuser sets the limit: it guards the server's memory against every role
CREATE ROLE regress_limited;
GRANT SELECT ON mem_rows TO regress_limited;
SET ROLE regress_limited;
SET modelmgr.max_train_memory = '1TB';
SELECT set_config('modelmgr.max_train_memory', '1TB', false);
RESET modelmgr.max_train_memory;
CREATE FUNCTION pg_temp.more_memory() RETURNS int LANGUAGE sql SET modelmgr.max_train_memory = '1TB'
  AS 'SELECT 1';
SHOW modelmgr.max_train_memory;
RESET ROLE;
-- a superuser raises it for a role
ALTER ROLE regress_limited SET modelmgr.max_train_memory = '2GB';
SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'regress_limited'::regrole;
DROP OWNED BY regress_limited;
DROP ROLE regress_limited;

-- none of it changed the catalog
SELECT (SELECT count(*) FROM mm._models) = models AS same_models,
       (SELECT count(*) FROM mm._versions) = versions AS same_versions,
       (SELECT count(*) FROM mm._stages) = stages AS same_stages,
       (SELECT count(*) FROM mm._deployment_history) = history AS same_history
  FROM catalog_before;
SELECT count(*) AS model_e FROM mm.models WHERE model = 'e';
