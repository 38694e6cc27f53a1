--
-- Clustering (k-means) and decomposition (PCA): no target, preprocessing
-- fitted on the training part, mm_predict gives the cluster, mm_transform the
-- coordinates.
--
\pset null '(null)'

-- three blobs around (0, 0), (10, 0) and (0, 10), and a column of noise
CREATE TABLE points AS
SELECT g AS id,
       (ARRAY[0, 10, 0])[1 + g % 3] + ((g * 7919) % 1000) / 1000.0 - 0.5 AS x,
       (ARRAY[0, 0, 10])[1 + g % 3] + ((g * 104729) % 1000) / 1000.0 - 0.5 AS y,
       ((g * 31) % 17) / 170.0 AS jitter
  FROM generate_series(1, 3000) g;

SELECT model, version, algorithm, deployed,
       metrics->'train'->'cluster_sizes' AS sizes, metrics->'converged' AS converged,
       (metrics->'train'->>'silhouette')::float8 > 0.9 AS separated,
       (metrics->'test'->>'silhouette')::float8 > 0.9 AS separated_test
  FROM mm_train('blobs', 'points', NULL, algorithm => 'kmeans', exclude => ARRAY['id'],
                params => '{"k": 3}');
SELECT task, target, params, features FROM mm.versions WHERE model = 'blobs';

-- every row goes to the cluster of its blob: three clusters of 1000
SELECT p.id % 3 AS blob, count(DISTINCT mm_predict('blobs', p)) AS clusters, count(*)
  FROM points p GROUP BY 1 ORDER BY 1;
SELECT count(DISTINCT mm_predict('blobs', p)) AS clusters FROM points p;

-- mm_transform: the distance to each center, the nearest the predicted cluster
SELECT bool_and((mm_transform('blobs', p))[1 + mm_predict('blobs', p)::int]
                = (SELECT min(d) FROM unnest(mm_transform('blobs', p)) d)) AS nearest,
       bool_and(array_length(mm_transform('blobs', p), 1) = 3) AS three
  FROM points p;

-- the inertia is the sum of squared distances to the nearest center
SELECT abs((mm_evaluate('blobs', 'points')->>'inertia')::float8
           - (SELECT sum(power((SELECT min(d) FROM unnest(mm_transform('blobs', p)) d), 2))
                FROM points p)) < 1e-6 AS inertia_ok;

-- k larger than the rows, a target given, bad parameters: errors
CREATE TABLE few_points AS SELECT * FROM points WHERE id <= 5;
SELECT * FROM mm_train('bad', 'few_points', NULL, algorithm => 'kmeans', params => '{"k": 6}',
                       test_size => 0);
SELECT * FROM mm_train('bad', 'points', 'x', algorithm => 'kmeans');
SELECT * FROM mm_train('bad', 'points', NULL, algorithm => 'kmeans', params => '{"k": 0}');
SELECT * FROM mm_train('bad', 'points', NULL, algorithm => 'kmeans', params => '{"clusters": 3}');
SELECT * FROM mm_train('bad', 'points', NULL);
SELECT mm_predict_label('blobs', p) FROM points p LIMIT 1;
SELECT mm_predict_proba('blobs', p) FROM points p LIMIT 1;

-- PCA: points on a plane in three dimensions
CREATE TABLE plane AS
SELECT g AS id, a + b AS u, a - b AS v, 2 * a + ((g * 7919) % 100) / 10000.0 AS w
  FROM (SELECT g, ((g * 104729) % 1000) / 100.0 AS a, ((g * 31337) % 1000) / 200.0 AS b
          FROM generate_series(1, 2000) g) s;

SELECT version, algorithm, metrics->'n_components' AS n_components,
       (metrics->'train'->'explained_variance_ratio'->>0)::float8
         + (metrics->'train'->'explained_variance_ratio'->>1)::float8 > 0.9999 AS two_suffice
  FROM mm_train('plane', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id']);

-- the explained variances add up to the total variance, computed by SQL
SELECT abs((SELECT sum(e::float8) FROM jsonb_array_elements_text(metrics->'train'->'explained_variance') e)
           - (SELECT var_samp(u) + var_samp(v) + var_samp(w) FROM plane p
               WHERE true)) / (SELECT var_samp(u) + var_samp(v) + var_samp(w) FROM plane) < 0.05
         AS total_ok
  FROM mm.versions WHERE model = 'plane';

-- a fraction keeps the fewest components that explain more than it
SELECT version, metrics->'n_components' AS n_components
  FROM mm_train('plane', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                params => '{"n_components": 0.99}', test_size => 0);
SELECT params FROM mm.versions WHERE model = 'plane' AND version = 2;

-- mm_transform projects a row: components are orthonormal, so a projection
-- keeps the centered row's length when every component is kept
SELECT bool_and(abs(sqrt((SELECT sum(c * c) FROM unnest(mm_transform('plane@1', p)) c))
                    - sqrt(power(u - avg_u, 2) + power(v - avg_v, 2) + power(w - avg_w, 2))) < 0.2)
         AS lengths_kept
  FROM plane p, (SELECT avg(u) AS avg_u, avg(v) AS avg_v, avg(w) AS avg_w FROM plane) m;
SELECT array_length(mm_transform('plane@2', p), 1) AS components FROM plane p LIMIT 1;

-- scaled first, the components of unit-variance columns
SELECT version FROM mm_train('plane_scaled', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                             preprocess => '{"*": {"scale": "standard"}}', test_size => 0);
SELECT abs((SELECT sum(e::float8) FROM jsonb_array_elements_text(metrics->'train'->'explained_variance') e) - 3)
         < 0.01 AS unit_variances
  FROM mm.versions WHERE model = 'plane_scaled';

SELECT mm_evaluate('plane@2', 'plane') - 'model' - 'version' AS evaluated;
SELECT mm_predict('plane', p) FROM plane p LIMIT 1;
SELECT * FROM mm_train('bad', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                       params => '{"n_components": 4}');
SELECT * FROM mm_train('bad', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                       params => '{"n_components": 0}');
SELECT * FROM mm_train('bad', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                       params => '{"n_components": 1.5}');
SELECT mm_transform('species', f) FROM flowers f LIMIT 1;
SELECT count(*) AS bad_versions FROM mm.versions WHERE model = 'bad';

-- retraining keeps the recipe, target-less included
SELECT version, algorithm FROM mm_retrain('blobs');
SELECT version, params, parent_version FROM mm.versions WHERE model = 'blobs' ORDER BY version;

-- Past 65,536 rows the passes run on several threads; the model is the same on any number
CREATE TABLE many_points AS
SELECT (ARRAY[0, 10, 0])[1 + g % 3] + ((g * 7919) % 1000) / 1000.0 AS x,
       (ARRAY[0, 0, 10])[1 + g % 3] + ((g * 104729) % 1000) / 1000.0 AS y
  FROM generate_series(1, 150000::bigint) g;
SET modelmgr.training_threads = 1;
SELECT version FROM mm_train('many_km', 'many_points', NULL, algorithm => 'kmeans', params => '{"k": 4}',
                             test_size => 0, deploy => 'never');
SELECT version FROM mm_train('many_pca', 'many_points', NULL, algorithm => 'pca', test_size => 0,
                             deploy => 'never');
SET modelmgr.training_threads = 3;
SELECT version FROM mm_train('many_km', 'many_points', NULL, algorithm => 'kmeans', params => '{"k": 4}',
                             test_size => 0, deploy => 'never');
SELECT version FROM mm_train('many_pca', 'many_points', NULL, algorithm => 'pca', test_size => 0,
                             deploy => 'never');
RESET modelmgr.training_threads;
SELECT a.metrics = b.metrics AS same_metrics,
       mm_transform('many_km@1', p) = mm_transform('many_km@2', p) AS same_centers
  FROM mm.versions a, mm.versions b, (SELECT 1.5 AS x, 2.5 AS y) p
 WHERE a.model = 'many_km' AND a.version = 1 AND b.model = 'many_km' AND b.version = 2;
SELECT a.metrics = b.metrics AS same_metrics,
       mm_transform('many_pca@1', p) = mm_transform('many_pca@2', p) AS same_components
  FROM mm.versions a, mm.versions b, (SELECT 1.5 AS x, 2.5 AS y) p
 WHERE a.model = 'many_pca' AND a.version = 1 AND b.model = 'many_pca' AND b.version = 2;

-- PCA without preprocessing comes from the one-pass moments aggregate, with
-- preprocessing from the rows in memory: the same components and the same split
SELECT version FROM mm_train('plane_pass', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id']);
SELECT version FROM mm_train('plane_memory', 'plane', NULL, algorithm => 'pca', exclude => ARRAY['id'],
                             preprocess => '{"dedupe": false}');
SELECT a.rows_train = b.rows_train AND a.rows_test = b.rows_test AS same_split,
       a.fingerprint = b.fingerprint AS same_fingerprint,
       a.fitted_preprocess = '{}' AS pass_fits_nothing
  FROM mm.versions a, mm.versions b WHERE a.model = 'plane_pass' AND b.model = 'plane_memory';
SELECT bool_and(abs(t1 - t2) < 1e-8 * greatest(1, abs(t1))) AS same_components
  FROM plane p, LATERAL unnest(mm_transform('plane_pass', p), mm_transform('plane_memory', p)) u(t1, t2);
SELECT bool_and(abs(r1::float8 - r2::float8) < 1e-9) AS same_test_ratios
  FROM mm.versions a, mm.versions b,
       LATERAL (SELECT * FROM jsonb_array_elements_text(a.metrics #> '{test,explained_variance_ratio}')
                          WITH ORDINALITY) x(r1, i)
       JOIN LATERAL (SELECT * FROM jsonb_array_elements_text(b.metrics #> '{test,explained_variance_ratio}')
                          WITH ORDINALITY) y(r2, i) USING (i)
 WHERE a.model = 'plane_pass' AND b.model = 'plane_memory';
