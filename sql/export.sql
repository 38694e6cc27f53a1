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
    exclude => ARRAY['id', 'band'], algorithm => 'linear_svm',
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
SELECT mm_import('bad', jsonb_set(mm_export('flat_price'), '{algorithm}', '"random_forest"'));
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

-- export errors
SELECT mm_export('no_such_model');
SELECT mm_export('flat_price@99');
SELECT mm_export(NULL);
