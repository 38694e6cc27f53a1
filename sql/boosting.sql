--
-- Gradient boosting (XGBoost, hist): one name for regression and
-- classification, the prediction functions, metrics, early stopping, the
-- parameters' errors, text features and the export document.
--
\pset null '(null)'

-- 300 deterministic rows: a nonlinear target, three classes and a text feature
CREATE TABLE gb AS
SELECT g AS id,
       ((g * 37) % 101) / 101.0::float8 AS a,
       ((g * 53) % 103) / 103.0::float8 AS b,
       (ARRAY['north', 'south', 'east'])[1 + g % 3] AS region,
       sin(6 * ((g * 37) % 101) / 101.0) + (((g * 53) % 103) / 103.0) ^ 2
         + CASE WHEN g % 3 = 0 THEN 0.5 ELSE 0 END AS y,
       CASE WHEN ((g * 37) % 101) / 101.0 + (((g * 53) % 103) / 103.0) ^ 2 > 1.1 THEN 'high'
            WHEN ((g * 37) % 101) / 101.0 > 0.4 THEN 'mid' ELSE 'low' END AS level,
       (((g * 37) % 101) / 101.0 > ((g * 53) % 103) / 103.0) AS above
  FROM generate_series(1, 300) g;

-- a float target: regression (reg:squarederror), 100 rounds by default; the
-- text feature region is one-hot encoded
SELECT model, algorithm, (metrics->'test'->>'r2')::float8 > 0.9 AS good_r2
  FROM mm_train('gb_reg', 'gb', 'y', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'level', 'above']);
SELECT task, params, metrics->'n_iter' AS rounds FROM mm.versions WHERE model = 'gb_reg';
SELECT id, round(mm_predict('gb_reg', g)::numeric, 4) AS prediction, round(y::numeric, 4) AS y
  FROM gb g WHERE id <= 3 ORDER BY id;

-- a boolean target: binary:logistic
SELECT model, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.9 AS good_accuracy
  FROM mm_train('gb_bin', 'gb', 'above', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'level', 'y']);
SELECT task FROM mm.versions WHERE model = 'gb_bin';
SELECT mm_classes('gb_bin');
SELECT id, mm_predict('gb_bin', g) AS prediction, above,
       round(mm_predict_proba('gb_bin', g)::numeric, 4) AS proba
  FROM gb g WHERE id <= 4 ORDER BY id;

-- a text target: multi:softprob
SELECT model, algorithm, (metrics->'test'->>'accuracy')::float8 > 0.85 AS good_accuracy
  FROM mm_train('gb_multi', 'gb', 'level', algorithm => 'gradient_boosting',
                exclude => ARRAY['id', 'y', 'above']);
SELECT mm_classes('gb_multi');
SELECT id, mm_predict_label('gb_multi', g) AS prediction, level FROM gb g WHERE id <= 4 ORDER BY id;
