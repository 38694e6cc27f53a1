--
-- Reference (treatment) coding of text features: unpenalized linear and
-- logistic regressions with an intercept leave out the column of one level,
-- the first in byte order or the one preprocess names, so that every term has
-- its statistics; penalized fits and fits without an intercept keep every
-- level's column.  Predictions are those of the full one-hot fit.
--
\pset null '(null)'

-- 400 flats: a region (four levels, of unequal size), an area, a price and a
-- sale whose odds depend on both
CREATE TABLE rc_flats AS
SELECT g AS id,
       (ARRAY['east', 'north', 'north', 'south', 'west', 'west'])[1 + (g * 5 + g / 7) % 6] AS region,
       30 + (g * 37) % 90 AS area,
       0.0::float8 AS price,
       false AS sold
  FROM generate_series(1, 400) g;
UPDATE rc_flats SET price = 50 * area + CASE region WHEN 'north' THEN 800 WHEN 'south' THEN -600
                                                 WHEN 'west' THEN 1500 ELSE 0 END
                         + ((id * 7919) % 1000) - 500,
                 sold = ((id * 104729) % 1000) / 1000.0 <
                        1 / (1 + exp(-(-2.5 + area / 30.0 + CASE region WHEN 'west' THEN 1 WHEN 'south' THEN -1 ELSE 0 END)));

-- the default reference is the first level, east: no collinearity NOTICE, and
-- every term has a standard error
SELECT version FROM mm_train('rc_price', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'], test_size => 0);
SELECT feature, round(coef::numeric, 4) AS coef, std_err IS NOT NULL AS has_std_err,
       stat IS NOT NULL AS has_stat, p_value IS NOT NULL AS has_p_value
  FROM mm_coefficients('rc_price') ORDER BY feature;
SELECT fitted_preprocess->'features'->'region' AS region FROM mm.versions WHERE model = 'rc_price';

-- a named reference: the coefficients are differences from north
SELECT version FROM mm_train('rc_north', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'], test_size => 0,
                             preprocess => '{"region": {"encode": {"reference": "north"}}}');
SELECT feature, round(coef::numeric, 4) AS coef FROM mm_coefficients('rc_north') ORDER BY feature;
SELECT fitted_preprocess #>> '{features,region,reference}' AS reference
  FROM mm.versions WHERE model = 'rc_north';
-- the same fit either way: west over south, and every prediction, agree
SELECT round(((SELECT coef FROM mm_coefficients('rc_price') WHERE feature = 'region=west')
            - (SELECT coef FROM mm_coefficients('rc_price') WHERE feature = 'region=south'))::numeric, 6)
     = round(((SELECT coef FROM mm_coefficients('rc_north') WHERE feature = 'region=west')
            - (SELECT coef FROM mm_coefficients('rc_north') WHERE feature = 'region=south'))::numeric, 6)
       AS same_difference,
       (SELECT max(abs(mm_predict('rc_price', f) - mm_predict('rc_north', f))) < 1e-8 FROM rc_flats f)
       AS same_predictions;

-- the fitted values are those of the full one-hot fit: without an intercept
-- every level keeps its column, and the columns span the same space
SELECT version FROM mm_train('rc_origin', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'], test_size => 0,
                             params => '{"fit_intercept": false}');
SELECT count(*) AS origin_terms FROM mm_coefficients('rc_origin');
SELECT max(abs(mm_predict('rc_price', f) - mm_predict('rc_origin', f)) / abs(mm_predict('rc_origin', f)))
       < 1e-10 AS same_fitted_values
  FROM rc_flats f;

-- a level unseen in training predicts the average of the levels, as the full
-- one-hot fit's intercept did, not the reference
SELECT round((mm_predict('rc_price', r) - (SELECT avg(mm_predict('rc_price', l))
                                              FROM (SELECT 70 AS area, region
                                                      FROM unnest(ARRAY['east', 'north', 'south', 'west']) region) l))::numeric, 8)
       AS unseen_minus_average,
       mm_predict('rc_price', r) <> mm_predict('rc_price', (SELECT e FROM (SELECT 70 AS area, 'east' AS region) e))
       AS unlike_reference
  FROM (SELECT 70 AS area, 'harbour' AS region) r;
SELECT mm_evaluate('rc_price', 'rc_flats') -> 'unseen_categories' AS unseen;

-- a penalty keeps every level's column, and records no reference
SELECT version FROM mm_train('rc_ridge', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'], test_size => 0,
                             params => '{"alpha": 1}',
                             preprocess => '{"region": {"encode": {"reference": "north"}}}');
SELECT feature, std_err FROM mm_coefficients('rc_ridge') ORDER BY feature;
SELECT fitted_preprocess->'features'->'region' ? 'reference' AS has_reference
  FROM mm.versions WHERE model = 'rc_ridge';

-- logistic regression: unpenalized, coded against south, with statistics;
-- at its default alpha, every level's column
SELECT version FROM mm_train('rc_sold', 'rc_flats', 'sold', exclude => ARRAY['id', 'price'], test_size => 0,
                             params => '{"alpha": 0, "tol": 1e-10}',
                             preprocess => '{"region": {"encode": {"reference": "south"}}}');
SELECT feature, std_err IS NOT NULL AS has_std_err, p_value IS NOT NULL AS has_p_value
  FROM mm_coefficients('rc_sold') ORDER BY feature;
SELECT version FROM mm_train('rc_sold_l2', 'rc_flats', 'sold', exclude => ARRAY['id', 'price'], test_size => 0);
SELECT feature FROM mm_coefficients('rc_sold_l2') ORDER BY feature;
-- the same probabilities as the full one-hot fit without an intercept
SELECT version FROM mm_train('rc_sold_origin', 'rc_flats', 'sold', exclude => ARRAY['id', 'price'], test_size => 0,
                             params => '{"alpha": 0, "tol": 1e-10, "fit_intercept": false}');
SELECT max(abs((mm_predict_proba('rc_sold', f))[2] - (mm_predict_proba('rc_sold_origin', f))[2])) < 1e-7
       AS same_probabilities
  FROM rc_flats f;

-- multinomial: the reference level has no coefficient in any class
CREATE VIEW rc_bands AS
SELECT region, area, CASE WHEN price < 3500 THEN 'low' WHEN price < 5000 THEN 'mid' ELSE 'high' END AS band
  FROM rc_flats;
SELECT version FROM mm_train('rc_band', 'rc_bands', 'band', test_size => 0, params => '{"alpha": 0}');
SELECT DISTINCT feature FROM mm_coefficients('rc_band') ORDER BY feature;

-- the model records the reference: a format 3 artifact (2 without), an
-- export document's "reference", and an import predicting the same
SELECT m.name AS model, get_byte(v.artifact, 4) AS artifact_format
  FROM mm._versions v JOIN mm._models m ON m.id = v.model_id
 WHERE m.name IN ('rc_price', 'rc_ridge') ORDER BY 1;
SELECT mm_export('rc_north')->'categories'->0 AS region, mm_export('rc_north')->'design_columns' AS columns;
SELECT mm_export('rc_ridge')->'categories'->0 ? 'reference' AS ridge_has_reference;
SELECT mm_import('rc_north_copy', mm_export('rc_north')) AS version;
SELECT bool_and(mm_predict('rc_north_copy', f) = mm_predict('rc_north', f)) AS same_bits
  FROM (SELECT area, region FROM rc_flats UNION ALL SELECT 70, 'harbour') f;
-- a document whose reference is not one of the names is refused
SELECT mm_import('rc_bad', jsonb_set(mm_export('rc_north'), '{categories,0,reference}', '"harbour"'));

-- errors: a level that is not one, one grouped as other, "*", a bad option
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'],
                       preprocess => '{"region": {"encode": {"reference": "harbour"}}}');
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'],
                       preprocess => '{"region": {"encode": {"reference": "south"}, "max_categories": 3}}');
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'],
                       preprocess => '{"*": {"encode": {"reference": "east"}}}');
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'],
                       preprocess => '{"region": {"encode": {"reference": 1}}}');
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'],
                       preprocess => '{"area": {"encode": {"reference": "east"}}}');
-- a misspelt level is an error in a penalized fit too
SELECT * FROM mm_train('rc_bad', 'rc_flats', 'price', exclude => ARRAY['id', 'sold'], params => '{"alpha": 1}',
                       preprocess => '{"region": {"encode": {"reference": "West"}}}');
