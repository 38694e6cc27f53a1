--
-- Text features: one-hot and ordinal encoding, the "other" group, imputed and
-- unseen categories; and linear regression on rows in memory, which
-- preprocessing and text features call for.
--
\pset null '(null)'

-- 3,000 sales: a city (text, some NULL, three rare ones), a size, a grade
CREATE TABLE sales AS
SELECT g AS id,
       CASE WHEN g % 50 = 0 THEN NULL
            WHEN g % 97 = 0 THEN 'Brest' WHEN g % 89 = 0 THEN 'Nice' WHEN g % 83 = 0 THEN 'Dijon'
            ELSE (ARRAY['Lyon', 'Paris', 'Lille'])[1 + g % 3] END AS city,
       40 + (g * 7919) % 100 AS size,
       (ARRAY['A', 'B', 'C'])[1 + (g * 31) % 3]::varchar(1) AS grade,
       0.0 AS price
  FROM generate_series(1, 3000) g;
UPDATE sales SET price = 1000 * size
                       + CASE city WHEN 'Paris' THEN 90000 WHEN 'Lyon' THEN 40000 WHEN 'Lille' THEN 10000
                                   ELSE 25000 END
                       + ((id * 104729) % 1000) - 500;

-- NULLs in a text column need an imputation, as in a number column
SELECT * FROM mm_train('sale', 'sales', 'price', exclude => ARRAY['id']);

SELECT version, algorithm, round((metrics->'test'->>'r2')::numeric, 4) AS test_r2,
       metrics->'test'->'unseen_categories' AS unseen
  FROM mm_train('sale', 'sales', 'price', exclude => ARRAY['id', 'grade'],
                preprocess => '{"city": {"impute": "most_frequent", "max_categories": 4}}');
SELECT fitted_preprocess->'features'->'city' AS city, features, feature_types
  FROM mm.versions WHERE model = 'sale';

-- one coefficient per kept city but the reference (Lille, the first) and one
-- for the other group, each the difference from Lille: the unpenalized fit
-- codes text against a reference, so every coefficient is identified
SELECT feature, round(coef) AS coef FROM mm_coefficients('sale') ORDER BY feature;
SELECT round((SELECT coef FROM mm_coefficients('sale') WHERE feature = 'city=Paris')
           - (SELECT coef FROM mm_coefficients('sale') WHERE feature = 'city=Lyon')) AS paris_over_lyon;

-- prediction reads the text: a rare city falls in the other group, a NULL is
-- imputed (Lille, the most frequent), an unseen one takes the average of the
-- levels (what the full one-hot fit predicted for it, not the reference's)
SELECT city, round(mm_predict('sale', s)) AS predicted
  FROM (VALUES ('Paris', 50), ('Lyon', 50), ('Nice', 50), ('Dijon', 50), (NULL, 50),
               ('Lille', 50), ('Atlantis', 50)) s(city, size)
 ORDER BY predicted;
-- character(n) is read without its padding, as the cast to text reads it
SELECT mm_predict('sale', s) = mm_predict('sale', t) AS padding_ignored
  FROM (SELECT 'Lyon'::char(10) AS city, 50 AS size) s, (SELECT 'Lyon'::text AS city, 50 AS size) t;
-- an array cannot hold text
SELECT mm_predict('sale', ARRAY[1, 50]);
SELECT mm_predict('sale', s) FROM (SELECT 1 AS city, 50 AS size) s;

-- evaluation counts the rows whose category training never saw
CREATE TABLE sales_new AS SELECT * FROM sales WHERE id <= 100;
UPDATE sales_new SET city = 'Marseille' WHERE id <= 10;
SELECT mm_evaluate('sale', 'sales_new')->'unseen_categories' AS unseen;

-- ordinal encoding: one column of category positions; text constant imputation
SELECT version FROM mm_train('sale', 'sales', 'price', exclude => ARRAY['id', 'city'],
                             preprocess => '{"grade": {"encode": "ordinal"}}', deploy => 'never');
SELECT feature FROM mm_coefficients('sale@2');
SELECT version FROM mm_train('sale', 'sales', 'price', exclude => ARRAY['id'], deploy => 'never',
                             preprocess => '{"city": {"impute": {"constant": "unknown"}}}');
SELECT fitted_preprocess->'features'->'city'->'categories' AS categories,
       fitted_preprocess->'features'->'city'->'impute' AS impute
  FROM mm.versions WHERE model = 'sale' AND version = 3;
SELECT feature FROM mm_coefficients('sale@3') WHERE feature LIKE 'city=%' ORDER BY 1;

-- "*" applies each option where the type fits: scaling to numbers, encoding to text
SELECT version FROM mm_train('sale', 'sales', 'price', exclude => ARRAY['id'], deploy => 'never',
                             preprocess => '{"*": {"impute": "most_frequent", "scale": "standard",
                                                   "encode": "ordinal"}}');
-- the scale is the training part's standard deviation: three quarters of
-- near-uniform sizes, within 2% of the whole table's
SELECT fitted_preprocess->'features'->'grade'->'encode' AS grade,
       abs((fitted_preprocess #>> '{features,size,scale}')::float8
           / (SELECT stddev_pop(size) FROM sales) - 1) < 0.02 AS size_scaled_by_its_sd,
       abs((fitted_preprocess #>> '{features,size,center}')::float8
           / (SELECT avg(size) FROM sales) - 1) < 0.02 AS size_centred_on_its_mean
  FROM mm.versions WHERE model = 'sale' AND version = 4;

-- text features in a classifier and in k-means
SELECT algorithm, round((metrics->'test'->>'accuracy')::numeric, 3) AS accuracy,
       metrics->'test'->'confusion_matrix' AS confusion
  FROM mm_train('which_city', 'sales', 'city', exclude => ARRAY['id'],
                preprocess => '{"*": {"scale": "standard"}}');
SELECT mm_classes('which_city');
SELECT mm_predict_label('which_city', s) AS label, count(*) FROM sales s
 WHERE city = 'Paris' GROUP BY 1;
-- the training metrics are what evaluation on the same rows finds, prediction for prediction
SELECT version FROM mm_train('which_city', 'sales', 'city', exclude => ARRAY['id'], test_size => 0,
                             preprocess => '{"*": {"scale": "standard"}}', deploy => 'never');
SELECT (SELECT (metrics->'train') - 'baseline' FROM mm.versions WHERE model = 'which_city' AND version = 2)
       = mm_evaluate('which_city@2', 'sales') - 'rows_null_target' - 'unseen_categories' - 'model'
         - 'version' AS same_metrics;
SELECT algorithm, jsonb_array_length(metrics->'train'->'cluster_sizes') AS clusters
  FROM mm_train('segments', 'sales', NULL, algorithm => 'kmeans', exclude => ARRAY['id', 'price'],
                params => '{"k": 3}', preprocess => '{"*": {"impute": "most_frequent", "scale": "standard"}}');
SELECT array_length(mm_transform('segments', s), 1) AS distances FROM sales s LIMIT 1;

-- options that do not fit a text column, and bad values
SELECT * FROM mm_train('bad', 'sales', 'price', exclude => ARRAY['id'],
                       preprocess => '{"city": {"scale": "standard"}}');
SELECT * FROM mm_train('bad', 'sales', 'price', exclude => ARRAY['id'],
                       preprocess => '{"city": {"impute": "mean"}}');
SELECT * FROM mm_train('bad', 'sales', 'price', exclude => ARRAY['id'],
                       preprocess => '{"city": {"encode": "binary"}}');
SELECT * FROM mm_train('bad', 'sales', 'price', exclude => ARRAY['id'],
                       preprocess => '{"city": {"max_categories": 1}}');
CREATE TABLE one_city AS SELECT 'Paris'::text AS city, g AS size, g * 2.0 AS price FROM generate_series(1, 20) g;
-- a text feature of one category is left out of the fit, with a notice
SELECT version FROM mm_train('one_city', 'one_city', 'price', deploy => 'never');
SELECT count(*) AS bad_versions FROM mm.versions WHERE model = 'bad';

-- Linear regression in memory gives the aggregate's answer: the same
-- coefficients and textbook statistics in the columns' units, with the
-- columns standardized first, and the same rows held out
SELECT version FROM mm_train('lin_plain', 'houses', 'price', features => ARRAY['tax', 'bath', 'size']);
SELECT version FROM mm_train('lin_scaled', 'houses', 'price', features => ARRAY['tax', 'bath', 'size'],
                             preprocess => '{"*": {"scale": "standard"}}');
SELECT p.feature, abs(s.coef / p.coef - 1) < 1e-9 AS same_coef,
       abs(s.std_err / p.std_err - 1) < 1e-9 AS same_std_err,
       abs(s.p_value / p.p_value - 1) < 1e-9 AS same_p_value
  FROM mm_coefficients('lin_plain') p JOIN mm_coefficients('lin_scaled') s USING (feature);
SELECT a.rows_train = b.rows_train AND a.rows_test = b.rows_test AS same_split,
       a.fingerprint = b.fingerprint AS same_fingerprint,
       abs((a.metrics->'test'->>'r2')::float8 - (b.metrics->'test'->>'r2')::float8) < 1e-9 AS same_r2
  FROM mm.versions a, mm.versions b WHERE a.model = 'lin_plain' AND b.model = 'lin_scaled';
-- ridge acts on the standardized columns, as in a scikit-learn pipeline
SELECT version FROM mm_train('lin_scaled_ridge', 'houses', 'price', features => ARRAY['tax', 'bath', 'size'],
                             params => '{"alpha": 5}', preprocess => '{"*": {"scale": "standard"}}',
                             test_size => 0);
SELECT count(*) FILTER (WHERE std_err IS NULL) AS without_std_err FROM mm_coefficients('lin_scaled_ridge');
-- and evaluation predicts through the stored preprocessing
SELECT round((mm_evaluate('lin_scaled', 'houses')->>'r2')::numeric, 6)
       = round((mm_evaluate('lin_plain', 'houses')->>'r2')::numeric, 6) AS same_r2;
