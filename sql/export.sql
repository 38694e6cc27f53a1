--
-- mm_export and mm_import: a version as a portable JSON document
-- (doc/export-format.md) and back, predicting exactly as the original.
--
\pset null '(null)'

CREATE TABLE flats AS
SELECT g AS id,
       40 + (g * 37) % 160 AS area,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + (g * 7) % 5 END AS rooms,
       (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 13) % 5] AS district,
       g % 3 = 0 AS balcony,
       1000 + 25 * (40 + (g * 37) % 160) + 300 * ((g * 7) % 5)
         + (ARRAY[0, 200, -100, 50, 800])[1 + (g * 13) % 5] + (g * 7919) % 400 AS price
  FROM generate_series(1, 600) g;
ALTER TABLE flats ADD COLUMN band text;
UPDATE flats SET band = CASE WHEN price < 4500 THEN 'low' WHEN price < 6000 THEN 'mid' ELSE 'high' END;

SELECT model, version, algorithm FROM mm_train('flat_price', 'flats', 'price', exclude => ARRAY['id', 'band'],
    preprocess => '{"*": {"impute": "mean", "scale": "standard", "clip": {"quantiles": [0.01, 0.99]}}}');
SELECT model, version, algorithm FROM mm_train('flat_band', 'flats', 'band', exclude => ARRAY['id', 'price'],
    algorithm => 'logistic_regression', preprocess => '{"*": {"impute": "median", "scale": "minmax"}}');
SELECT model, version, algorithm FROM mm_train('flat_balcony', 'flats', 'balcony',
    exclude => ARRAY['id', 'band'], algorithm => 'linear_svm', deploy => 'always',
    preprocess => '{"*": {"impute": "zero", "scale": "robust"}, "district": {"encode": "ordinal"}}');
SELECT model, version, algorithm FROM mm_train('flat_groups', 'flats', NULL, algorithm => 'kmeans',
    exclude => ARRAY['id', 'band', 'district'], params => '{"k": 4}',
    preprocess => '{"*": {"impute": "mean", "scale": "standard"}}');
SELECT model, version, algorithm FROM mm_train('flat_shape', 'flats', NULL, algorithm => 'pca',
    exclude => ARRAY['id', 'band'], params => '{"n_components": 3}',
    preprocess => '{"*": {"impute": "most_frequent", "scale": "standard"}}');

-- the document: what it holds
SELECT d->>'format' AS format, d->'format_version' AS format_version, d->>'algorithm' AS algorithm,
       d->>'task' AS task, d->>'target' AS target, d->'features' AS features,
       d->'feature_types' AS feature_types, d->'design_columns' AS design_columns
  FROM (SELECT mm_export('flat_price') AS d) s;
SELECT key FROM jsonb_each(mm_export('flat_band')) ORDER BY key;
SELECT key FROM jsonb_each(mm_export('flat_band')->'model') ORDER BY key;
SELECT d->'provenance'->>'model' AS model, d->'provenance'->'version' AS version,
       d->'provenance'->>'relation' AS relation, d->'provenance'->>'trained_by' = current_user AS by_me,
       (d->'provenance'->>'trained_at')::timestamptz <= now() AS trained_before,
       d->'params' AS params, d->'model'->'classes' AS classes,
       d->'metrics'->'test' ? 'accuracy' AS has_metrics, d->'baseline' ? 'features' AS has_baseline
  FROM (SELECT mm_export('flat_band@1') AS d) s;
SELECT d->'categories'->2 AS district FROM (SELECT mm_export('flat_balcony') AS d) s;

-- doubles keep every bit: each is written in the fewest digits that read back to it
SELECT count(*) AS coefficients, bool_and(c::float8::text = c) AS shortest_round_trip
  FROM jsonb_array_elements_text(mm_export('flat_price')->'model'->'coef') c;

-- import: a new model from each document, predicting exactly as the original
SELECT mm_import('copy_price', mm_export('flat_price')) AS price,
       mm_import('copy_band', mm_export('flat_band')) AS band,
       mm_import('copy_balcony', mm_export('flat_balcony')) AS balcony,
       mm_import('copy_groups', mm_export('flat_groups')) AS groups,
       mm_import('copy_shape', mm_export('flat_shape')) AS shape;
-- the SVM is no better than the majority class: its copy is deployed by hand, as it was
SELECT mm_deploy('copy_balcony') AS balcony_deployed;
SELECT model, version, algorithm, task, target, relation, stages, trained_by = current_user AS by_me
  FROM mm.versions WHERE model LIKE 'copy\_%' ORDER BY model;
SELECT bool_and(mm_predict('flat_price', f) = mm_predict('copy_price', f)) AS price,
       bool_and(mm_predict_label('flat_band', f) = mm_predict_label('copy_band', f)) AS band,
       bool_and(mm_predict_proba('flat_band', f) = mm_predict_proba('copy_band', f)) AS band_proba,
       bool_and(mm_predict_label('flat_balcony', f) = mm_predict_label('copy_balcony', f)) AS balcony,
       bool_and(mm_predict('flat_groups', f) = mm_predict('copy_groups', f)) AS groups,
       bool_and(mm_transform('flat_shape', f) = mm_transform('copy_shape', f)) AS shape
  FROM flats f;
SELECT (SELECT array_agg(coef ORDER BY feature) FROM mm_coefficients('flat_price'))
     = (SELECT array_agg(coef ORDER BY feature) FROM mm_coefficients('copy_price')) AS same_coefficients;

-- export, import, export: the same document apart from provenance
SELECT m, (mm_export('flat_' || m) - 'provenance') = (mm_export('copy_' || m) - 'provenance') AS same
  FROM unnest(ARRAY['price', 'band', 'balcony', 'groups', 'shape']) m;
SELECT d->'provenance'->>'model' AS model, d->'provenance'->>'relation' AS relation
  FROM (SELECT mm_export('copy_price') AS d) s;

-- importing into an existing model adds a version, deployed as a training would be
SELECT mm_import('flat_price', mm_export('flat_price@1')) AS version;
SELECT version, stages FROM mm.versions WHERE model = 'flat_price' ORDER BY version;
SELECT function, model, version, outcome FROM mm.audit_log
 WHERE function = 'mm_import' ORDER BY id DESC LIMIT 2;

-- a type this database does not have (an enum of the source database, say) reads as its kind's type
SELECT mm_import('copy_typeless', jsonb_set(jsonb_set(mm_export('flat_band'), '{feature_types,2}', '"district_kind"'),
                                            '{provenance,target_type}', '"band_kind"')) AS version;
SELECT feature_types, target_type FROM mm.versions WHERE model = 'copy_typeless';

-- bad documents: each an error, nothing created
CREATE TEMP TABLE before AS SELECT count(*) AS versions FROM mm.versions;
SELECT mm_import('bad', NULL);
SELECT mm_import('bad', '{}');
SELECT mm_import('bad', '[1, 2]');
SELECT mm_import('bad', mm_export('flat_price') || '{"format": "onnx"}');
SELECT mm_import('bad', mm_export('flat_price') || '{"format_version": 2}');
SELECT mm_import('bad', mm_export('flat_price') - 'model');
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{model,coef}', '[1, 2]'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{model,coef,0}', '"1.5"'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{model,intercept}', 'null'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{model,intercept}', '1e400'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{algorithm}', '"naive_bayes"'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{design_columns}', '1000000000'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{features,0,name}', '""'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_band'), '{model,classes}', '["low", "low", "mid"]'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_groups'), '{model,k}', '7'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_balcony'), '{categories,2,names}', '["b", "a"]'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{preprocess,0,scale}', '0'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{model,weights}', '[]'));
SELECT mm_import('bad', mm_export('flat_price') || '{"note": "extra"}');
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{feature_types}', '["integer"]'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{feature_types,0}', '"integer; DROP TABLE flats"'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{provenance,test_size}', '"half"'));
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{metrics}', '[1]'));
SELECT mm_import('Bad Name', mm_export('flat_price'));
SELECT mm_import('bad"; DROP TABLE flats; --', mm_export('flat_price'));
SELECT mm_import('copy_band', mm_export('flat_price'));
SELECT (SELECT versions FROM before) = (SELECT count(*) FROM mm.versions) AS nothing_created,
       NOT EXISTS (SELECT FROM mm.models WHERE model = 'bad') AS no_model;

-- a damaged baseline profile: refused with the field named, as the monitor would refuse it
CREATE TEMP TABLE catalog_before AS
SELECT (SELECT count(*) FROM mm._models) AS models, (SELECT count(*) FROM mm._versions) AS versions,
       (SELECT count(*) FROM mm._stages) AS stages, (SELECT count(*) FROM mm._deployment_history) AS history;
CREATE TEMP TABLE band_doc AS SELECT mm_export('flat_band') AS d;
SELECT f.key AS profile, f.value ->> 'kind' AS kind, f.value -> 'rows' AS rows, f.value -> 'missing' AS missing,
       d #> '{baseline,rows}' AS baseline_rows
  FROM band_doc, jsonb_each(d -> 'baseline' -> 'features') f
UNION ALL
SELECT 'prediction', d #>> '{baseline,prediction,kind}', d #> '{baseline,prediction,rows}',
       d #> '{baseline,prediction,missing}', d #> '{baseline,sample_rows}'
  FROM band_doc ORDER BY 1;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,kind}', '"zzz"')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,district,shares}', '[1]')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(jsonb_set(d, '{baseline,features,area,sd}', '-1'),
                                  '{baseline,features,area,rows}', '-5')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,sd}', '-1')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,bins}', '-1')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,bins}', '1e9')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,sketch}', '20')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,rooms,missing}', '-1')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,rooms,missing}', '100000')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,rows}', '0')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,shares,0}', '0.5')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(jsonb_set(d, '{baseline,features,district,shares,0}', '-0.2'),
                                  '{baseline,features,district,shares,1}',
                                  to_jsonb((d #>> '{baseline,features,district,shares,1}')::numeric + 0.2)))
  FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,quantiles,50}', '1e6')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,quantiles,50}', 'null')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,max}', '1e6')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,area,unit}', '"m2"')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,district,categories,1}',
                                  d #> '{baseline,features,district,categories,0}')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,prediction}', d #> '{baseline,features,area}')) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,floor}', d #> '{baseline,features,area}')) FROM band_doc;
SELECT mm_import('bad', d #- '{baseline,features,balcony}') FROM band_doc;
SELECT mm_import('bad', d #- '{baseline,prediction}') FROM band_doc;

-- sizes: an array longer than its place allows is refused before it is read
SELECT mm_import('bad', jsonb_set(d, '{categories,2,names}',
                                  (SELECT jsonb_agg(to_char(g, 'FM000000')) FROM generate_series(1, 100001) g)))
  FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{baseline,features,district,categories}',
                                  (SELECT jsonb_agg('c' || g) FROM generate_series(1, 101) g))) FROM band_doc;
SELECT mm_import('bad', jsonb_set(d, '{features}',
                                  (SELECT jsonb_agg(jsonb_build_object('name', 'f' || g, 'kind', 'numeric'))
                                     FROM generate_series(1, 1601) g))) FROM band_doc;
-- 2,000,000 elements: refused at once, not after seconds of parsing and checking
CREATE TEMP TABLE huge_docs (p text[], d jsonb);
ALTER TABLE huge_docs ALTER d SET STORAGE EXTERNAL;  -- kept as it is, not compressed
INSERT INTO huge_docs
SELECT p, jsonb_set(d, p, (SELECT jsonb_agg(g) FROM generate_series(1, 2000000) g)) FROM band_doc,
       (VALUES ('{params,grid}'::text[]), ('{model,coef}'), ('{baseline,features,area,shares}')) v(p);
SET statement_timeout = '2s';
SELECT mm_import('bad', d) FROM huge_docs WHERE p = '{params,grid}';
SELECT mm_import('bad', d) FROM huge_docs WHERE p = '{model,coef}';
SELECT mm_import('bad', d) FROM huge_docs WHERE p = '{baseline,features,area,shares}';
RESET statement_timeout;
SELECT (SELECT count(*) FROM mm._models) = models AS same_models,
       (SELECT count(*) FROM mm._versions) = versions AS same_versions,
       (SELECT count(*) FROM mm._stages) = stages AS same_stages,
       (SELECT count(*) FROM mm._deployment_history) = history AS same_history
  FROM catalog_before;

-- a large model still imports: 100,000 categories one-hot encoded, the most a feature and a design have
SELECT mm_import('many_codes', jsonb_build_object(
         'format', 'modelmgr-model', 'format_version', 1, 'algorithm', 'linear_regression',
         'task', 'regression', 'target', 'y', 'features', '[{"name": "code", "kind": "categorical"}]'::jsonb,
         'design_columns', 100000, 'preprocess', NULL,
         'categories', jsonb_build_array(jsonb_build_object(
             'names', (SELECT jsonb_agg(to_char(g, 'FM000000') ORDER BY g) FROM generate_series(1, 100000) g),
             'other', '[]'::jsonb, 'encoding', 'onehot')),
         'model', jsonb_build_object(
             'fit_intercept', true, 'alpha', 0, 'intercept', 1.5, 'rank', 100000, 'df_resid', NULL,
             'coef', (SELECT jsonb_agg(g % 7 ORDER BY g) FROM generate_series(1, 100000) g),
             'std_err', (SELECT jsonb_agg(NULL::float8) FROM generate_series(1, 100001)),
             'stat', (SELECT jsonb_agg(NULL::float8) FROM generate_series(1, 100001)),
             'p_value', (SELECT jsonb_agg(NULL::float8) FROM generate_series(1, 100001))),
         'params', NULL, 'metrics', NULL, 'baseline', NULL, 'feature_types', NULL, 'provenance', NULL))
       AS version;
-- the intercept plus the code's coefficient (its number mod 7); a code never seen adds nothing
SELECT code, mm_predict('many_codes', c) AS prediction
  FROM (VALUES ('000007'), ('099999'), ('100000'), ('none')) c(code);
-- and a trained one whose capped text feature keeps thousands of categories in "other"
CREATE TABLE tickets AS
SELECT g AS id, 'shop ' || (g % 3000) AS shop, (g % 17)::float8 AS hours,
       2 * (g % 17) + CASE WHEN g % 3000 < 10 THEN g % 3000 ELSE 20 END AS cost
  FROM generate_series(1, 9000) g;
SELECT version FROM mm_train('ticket_cost', 'tickets', 'cost', exclude => ARRAY['id'],
                             preprocess => '{"shop": {"max_categories": 10}}');
SELECT jsonb_array_length(d #> '{categories,0,names}') AS names, jsonb_array_length(d #> '{categories,0,other}') AS other,
       mm_import('ticket_copy', d) AS version
  FROM (SELECT mm_export('ticket_cost') AS d) s;
SELECT bool_and(mm_predict('ticket_cost', t) = mm_predict('ticket_copy', t)) AS same_predictions FROM tickets t;

-- a nearly exact fit has an F statistic beyond 64 bits, which jsonb prints as a whole number: it imports
CREATE TABLE near_exact AS
SELECT g::float8 AS x, 3 * g + 1 + 1e-9 * sin(g) AS y FROM generate_series(1, 200) g;
SELECT version FROM mm_train('near_exact', 'near_exact', 'y', test_size => 0);
SELECT (metrics #>> '{train,f_statistic}')::float8 > 9.3e18 AS beyond_64_bits,
       metrics #>> '{train,f_statistic}' !~ '[.e]' AS printed_whole
  FROM mm.versions WHERE model = 'near_exact';
SELECT mm_import('near_exact_copy', mm_export('near_exact')) AS version;
SELECT (a.metrics -> 'train') = (b.metrics -> 'train') AS same_metrics
  FROM mm.versions a, mm.versions b WHERE a.model = 'near_exact' AND b.model = 'near_exact_copy';

-- export errors
SELECT mm_export('no_such_model');
SELECT mm_export('flat_price@99');
SELECT mm_export(NULL);
