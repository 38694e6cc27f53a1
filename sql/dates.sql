--
-- Date and timestamp features: a column becomes a feature per part
-- (column.part), read with extract()'s conventions, in UTC for timestamptz.
--
\pset null '(null)'
SET TimeZone = 'UTC';

-- 730 daily sales with a listing time; the price follows the month, the day
-- of the week and the hour exactly
CREATE TABLE dated_sales AS
SELECT g AS id, DATE '2023-01-01' + g AS sold_on,
       TIMESTAMP '2022-07-01 00:00' + (g * 17 % 700) * interval '1 day' + (g * 7 % 24) * interval '1 hour'
         AS listed_at,
       TIMESTAMPTZ '2023-01-01 00:00+00' + g * interval '1 day' + (g * 5 % 24) * interval '1 hour' AS closed_at,
       (g % 40)::float8 AS area
  FROM generate_series(0, 729) g;
ALTER TABLE dated_sales ADD COLUMN price float8;
UPDATE dated_sales SET price = 1000 + 25 * area + 40 * extract(month FROM sold_on)
                               - 15 * extract(dow FROM sold_on) + 3 * extract(hour FROM listed_at);

-- by default a date gives year, month, day_of_week and day_of_year; a timestamp adds the hour
SELECT version FROM mm_train('dated', 'dated_sales', 'price', exclude => ARRAY['id', 'closed_at'],
                             test_size => 0);
SELECT features, feature_types FROM mm.versions WHERE model = 'dated';
SELECT feature, round(coef::numeric, 6) AS coef FROM mm_coefficients('dated');
SELECT round((metrics #>> '{train,r2}')::numeric, 9) AS r2 FROM mm.versions WHERE model = 'dated';

-- the row input computes the parts as training read them: every prediction is exact
SELECT max(abs(mm_predict('dated', s) - price)) < 1e-6 AS exact FROM dated_sales s;
SELECT round((mm_evaluate('dated', 'dated_sales') ->> 'r2')::numeric, 9) AS evaluated_r2;

-- date_parts chooses the parts, per column or under "*" where the column is a date or timestamp
SELECT version FROM mm_train('dated_parts', 'dated_sales', 'price', exclude => ARRAY['id'], test_size => 0,
    preprocess => '{"*": {"date_parts": ["month", "hour"]}, "sold_on": {"date_parts": ["quarter", "day", "epoch"]}}');
SELECT features FROM mm.versions WHERE model = 'dated_parts';

-- "*" passes the hour over for a date
SELECT version FROM mm_train('dated_star', 'dated_sales', 'price', features => ARRAY['sold_on', 'listed_at'],
    preprocess => '{"*": {"date_parts": ["day_of_week", "hour"]}}');
SELECT features FROM mm.versions WHERE model = 'dated_star';

-- a version records its parts; retraining reads their columns again, with the same recipe
SELECT model, version FROM mm_retrain('dated_parts');
SELECT version, features FROM mm.versions WHERE model = 'dated_parts' ORDER BY version;
-- a part's name in features stands for its column
SELECT version FROM mm_train('dated_named', 'dated_sales', 'price', test_size => 0,
    features => ARRAY['sold_on.month', 'sold_on.day_of_week', 'listed_at.hour', 'area']);
SELECT features FROM mm.versions WHERE model = 'dated_named';

-- parts are numbers: impute, clip and scale apply to each, from the column's entry or a part's own
INSERT INTO dated_sales (id, sold_on, listed_at, closed_at, area, price)
VALUES (1000, NULL, NULL, NULL, 10, 1300);
SELECT version FROM mm_train('dated_scaled', 'dated_sales', 'price', features => ARRAY['sold_on', 'area'],
    test_size => 0,
    preprocess => '{"sold_on": {"date_parts": ["month", "day_of_week"], "impute": "median", "scale": "standard"},
                    "sold_on.month": {"impute": {"constant": 6}}}');
SELECT key, value->'impute' AS impute, round((value->>'center')::numeric, 4) AS center,
       round((value->>'scale')::numeric, 4) AS scale
  FROM mm.versions, jsonb_each(fitted_preprocess->'features') WHERE model = 'dated_scaled' ORDER BY key;
-- the array input takes the parts' values, in the order of the features
SELECT mm_predict('dated_scaled', s) = mm_predict('dated_scaled', ARRAY[6, 3, 10]::float8[]) AS null_imputed
  FROM dated_sales s WHERE id = 1000;
-- without imputation a missing date is refused, in training and in prediction
SELECT version FROM mm_train('dated_null', 'dated_sales', 'price', features => ARRAY['sold_on', 'area']);
SELECT mm_predict('dated', s) FROM dated_sales s WHERE id = 1000;
DELETE FROM dated_sales WHERE id = 1000;

-- infinite dates are refused like NaN
CREATE TABLE dated_infinite AS SELECT * FROM dated_sales;
UPDATE dated_infinite SET sold_on = 'infinity' WHERE id < 3;
UPDATE dated_infinite SET listed_at = '-infinity' WHERE id = 5;
SELECT version FROM mm_train('dated_inf', 'dated_infinite', 'price', features => ARRAY['sold_on', 'area']);
SELECT version FROM mm_train('dated_inf', 'dated_infinite', 'price', features => ARRAY['listed_at', 'area'],
    preprocess => '{"listed_at": {"date_parts": ["epoch"]}}');
SELECT mm_predict('dated', s) FROM dated_infinite s WHERE id = 1;

-- the parts are extract()'s, before 1970, in leap years and BC alike: a model per part
-- learns y = part, and its prediction from the row input rounds back to extract()
CREATE TABLE calendar AS
SELECT d::timestamp + (g % 24) * interval '1 hour' + interval '1 minute 1.5 second' AS at
  FROM generate_series(1, 300) g, LATERAL (SELECT DATE '1890-03-01' + g * 293) s(d)
UNION ALL SELECT TIMESTAMP '0044-03-15 12:00 BC' UNION ALL SELECT TIMESTAMP '2000-02-29 23:59:59.999999'
UNION ALL SELECT TIMESTAMP '1969-12-31 23:00' UNION ALL SELECT TIMESTAMP '1600-12-31 01:00'
UNION ALL SELECT TIMESTAMP '2100-03-01 00:00';
CREATE TABLE calendar_parts (part text, field text);
INSERT INTO calendar_parts VALUES ('year', 'year'), ('quarter', 'quarter'), ('month', 'month'),
    ('day', 'day'), ('day_of_week', 'dow'), ('day_of_year', 'doy'), ('hour', 'hour');
SELECT format('CREATE TABLE %I AS SELECT at, date_part(%L, at) AS y FROM calendar', 'cal_' || part, field)
  FROM calendar_parts \gexec
SELECT format('SELECT count(*) AS %I FROM mm_train(%L, %L, ''y'', test_size => 0, preprocess => %L)',
              part, 'part_' || part, 'cal_' || part, format('{"at": {"date_parts": ["%s"]}}', part))
  FROM calendar_parts \gexec
SELECT part, bool_and(round(mm_predict('part_' || part, c)) = date_part(field, c.at)) AS matches_extract
  FROM calendar_parts, calendar c GROUP BY part ORDER BY part;

-- a timestamptz is read in UTC: the session's TimeZone changes neither training nor prediction
SET TimeZone = 'Pacific/Auckland';
SELECT version FROM mm_train('closed_auckland', 'dated_sales', 'price', features => ARRAY['closed_at', 'area'],
    test_size => 0);
SET TimeZone = 'America/Los_Angeles';
SELECT version FROM mm_train('closed_la', 'dated_sales', 'price', features => ARRAY['closed_at', 'area'],
    test_size => 0);
SELECT (SELECT array_agg(coef ORDER BY feature) FROM mm_coefficients('closed_auckland'))
     = (SELECT array_agg(coef ORDER BY feature) FROM mm_coefficients('closed_la')) AS same_coefficients;
SELECT array_agg(mm_predict('closed_la', s) ORDER BY id) AS p FROM dated_sales s WHERE id < 3 \gset la_
SET TimeZone = 'Asia/Kolkata';
SELECT array_agg(mm_predict('closed_la', s) ORDER BY id) = :'la_p' AS same_predictions
  FROM dated_sales s WHERE id < 3;
SELECT array_agg(feature) AS features FROM mm_coefficients('closed_la');
SET TimeZone = 'UTC';

-- date_parts is checked
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"sold_on": {"date_parts": []}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"sold_on": {"date_parts": "month"}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"*": {"date_parts": ["week"]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"*": {"date_parts": [1]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price',
    preprocess => '{"listed_at": {"date_parts": ["hour", "hour"]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"sold_on": {"date_parts": ["hour"]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', features => ARRAY['sold_on', 'area'],
    preprocess => '{"*": {"date_parts": ["hour"]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"area": {"date_parts": ["year"]}}');
SELECT version FROM mm_train('bad', 'dated_sales', 'price', preprocess => '{"sold_on": {"encode": "ordinal"}}');
-- the parts are read once for a search: they cannot be one of its dimensions
SELECT version FROM mm_tune('bad', 'dated_sales', 'price', algorithm => 'linear_regression',
    search => '{"preprocess.sold_on.date_parts": ["month", "year"]}');
-- a part's name may not be taken by another column
CREATE TABLE dated_clash AS SELECT sold_on, area AS "sold_on.month", price FROM dated_sales;
SELECT version FROM mm_train('bad', 'dated_clash', 'price');
-- a model of dates reads date columns
CREATE TABLE dated_text AS SELECT id, sold_on::text AS sold_on, listed_at, area, price FROM dated_sales;
SELECT mm_evaluate('dated', 'dated_text');
SELECT mm_predict('dated', s) FROM dated_text s WHERE id = 1;

-- monitors profile each part, at training (the baseline) and in every check
SELECT array_agg(key ORDER BY key) AS profiled FROM mm.versions, jsonb_object_keys(baseline->'features') key
 WHERE model = 'dated';
SELECT baseline#>'{features,sold_on.month,min}' AS month_min, baseline#>'{features,sold_on.month,max}' AS month_max
  FROM mm.versions WHERE model = 'dated';
CREATE TABLE dated_live AS SELECT * FROM dated_sales WHERE extract(month FROM sold_on) <= 6;
SELECT mm_monitor('dated', 'dated_live') AS monitor \gset
SELECT r->>'verdict' AS verdict, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(r->'features') k) AS features,
       r#>'{features,sold_on.month,out_of_range}' AS month_out_of_range,
       (r#>>'{features,sold_on.month,psi}')::float8 > 0.2 AS month_drifted,
       (r#>>'{features,sold_on.year,psi}')::float8 > 0.2 AS year_drifted
  FROM mm_monitor_run(:monitor) r;
SELECT DISTINCT feature FROM mm.alerts WHERE monitor = :monitor ORDER BY feature;

-- the export document names each part's kind and part, and an import predicts the same bits
SELECT jsonb_path_query_array(mm_export('dated'), '$.features[*] ? (@.kind == "date_part")') AS parts,
       mm_export('dated')->'feature_types' AS feature_types;
SELECT mm_export('dated')->'features'->0 AS first_feature, mm_export('dated_parts')->'features'->2 AS epoch_feature;
SELECT mm_import('dated_copy', mm_export('dated')) AS version;
SELECT bool_and(mm_predict('dated', s) = mm_predict('dated_copy', s)) AS same FROM dated_sales s;
SELECT (mm_export('dated') - 'provenance') = (mm_export('dated_copy') - 'provenance') AS same_document;
-- a model without dates has no part key
SELECT mm_export('dated_scaled')->'features'->2 AS area;
