--
-- Preprocessing: fitted on the training part, stored in the version, applied
-- again at prediction; every fitted statistic checked against SQL's own.
--
\pset null '(null)'

-- 2,000 rows with missing values, an outlier and a constant column
CREATE TABLE visits AS
SELECT g AS id,
       CASE WHEN g % 10 = 0 THEN NULL ELSE ((g * 7919) % 1000) / 10.0 END::float8 AS spend,
       CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 31) % 9 END AS pages,
       CASE WHEN g = 5 THEN 1e6 ELSE ((g * 104729) % 500) / 5.0 END::float8 AS seconds,
       1.0::float8 AS constant,
       (((g * 7919) % 1000) / 10.0 + ((g * 31) % 9) * 6 + ((g * 2654435761) % 100) > 120) AS bought
  FROM generate_series(1, 2000) g;

-- NULLs without an imputation are an error naming the column, with the fix
SELECT * FROM mm_train('shop', 'visits', 'bought', exclude => ARRAY['id', 'constant']);
-- a constant feature is left out of the fit, with a notice
SELECT version, deployed FROM mm_train('shop_constant', 'visits', 'bought', exclude => ARRAY['id'],
                                       preprocess => '{"*": {"impute": "mean"}}', deploy => 'never');

-- impute, clip and scale; the variance threshold drops the constant column
SELECT version, algorithm, deployed
  FROM mm_train('shop', 'visits', 'bought', exclude => ARRAY['id'], test_size => 0,
                preprocess => '{"*": {"impute": "mean", "scale": "standard"},
                                "pages": {"impute": "most_frequent", "scale": "minmax"},
                                "seconds": {"clip": {"quantiles": [0.01, 0.99]}, "scale": "robust"},
                                "variance_threshold": 0}');

SELECT features, preprocess->'variance_threshold' AS threshold,
       fitted_preprocess->'dropped' AS dropped
  FROM mm.versions WHERE model = 'shop';

-- every fitted statistic equals SQL's own on the same rows (all rows: test_size 0)
WITH f AS (SELECT fitted_preprocess->'features' AS f FROM mm.versions WHERE model = 'shop'),
     spend AS (SELECT avg(spend) AS mean, stddev_pop(coalesce(spend, (SELECT avg(spend) FROM visits))) AS sd
                 FROM visits),
     pages AS (SELECT mode() WITHIN GROUP (ORDER BY pages) AS mode FROM visits),
     pages_filled AS (SELECT coalesce(pages, (SELECT mode FROM pages)) AS v FROM visits),
     secs AS (SELECT percentile_cont(0.01) WITHIN GROUP (ORDER BY seconds) AS lo,
                     percentile_cont(0.99) WITHIN GROUP (ORDER BY seconds) AS hi FROM visits),
     secs_clipped AS (SELECT greatest(least(seconds, hi), lo) AS v FROM visits, secs)
SELECT abs((f->'spend'->>'impute')::float8 - spend.mean) < 1e-9 AS spend_mean,
       abs((f->'spend'->>'center')::float8 - spend.mean) < 1e-9 AS spend_center,
       abs((f->'spend'->>'scale')::float8 - spend.sd) < 1e-9 AS spend_scale,
       (f->'pages'->>'impute')::float8 = pages.mode AS pages_mode,
       (f->'pages'->>'center')::float8 = (SELECT min(v) FROM pages_filled) AS pages_min,
       (f->'pages'->>'scale')::float8 = (SELECT max(v) - min(v) FROM pages_filled) AS pages_range,
       abs((f->'seconds'->'clip'->>0)::float8 - secs.lo) < 1e-9 AS clip_lo,
       abs((f->'seconds'->'clip'->>1)::float8 - secs.hi) < 1e-9 AS clip_hi,
       abs((f->'seconds'->>'center')::float8
           - (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM secs_clipped)) < 1e-9 AS robust_center,
       abs((f->'seconds'->>'scale')::float8
           - (SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY v)
                     - percentile_cont(0.25) WITHIN GROUP (ORDER BY v) FROM secs_clipped)) < 1e-9 AS robust_scale,
       f->'seconds'->'impute' AS seconds_impute
  FROM f, spend, pages, secs;

-- prediction applies the stored transforms: a NULL is imputed, an outlier clipped
SELECT mm_predict_proba('shop', v) = mm_predict_proba('shop', w) AS null_imputed
  FROM visits v, LATERAL (SELECT v.id, (SELECT avg(spend) FROM visits) AS spend, v.pages,
                                 v.seconds, v.constant, v.bought) w
 WHERE v.id = 10;
SELECT mm_predict_proba('shop', v) = mm_predict_proba('shop', w) AS outlier_clipped
  FROM visits v,
       LATERAL (SELECT v.id, v.spend, v.pages,
                       (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY seconds) FROM visits) AS seconds,
                       v.constant, v.bought) w
 WHERE v.id = 5;
-- the array form imputes a NULL element too
SELECT mm_predict('shop', ARRAY[NULL, 3, 20]::float8[]) IN (0, 1) AS array_ok;

-- coefficients are reported in the units of the columns: the same
-- unregularized fit on standardized and on raw columns gives the same ones
CREATE TABLE patients2 (id int, second_attack int, treatment int, trait_anxiety int);
\copy patients2 FROM 'test/fixtures/madlib/patients.csv' WITH (FORMAT csv, HEADER)
SELECT version FROM mm_train('raw', 'patients2', 'second_attack', exclude => ARRAY['id'],
                             params => '{"alpha": 0, "tol": 1e-10}', test_size => 0);
SELECT version FROM mm_train('scaled', 'patients2', 'second_attack', exclude => ARRAY['id'],
                             params => '{"alpha": 0, "tol": 1e-10}', test_size => 0,
                             preprocess => '{"*": {"scale": "standard"}}');
SELECT r.feature, abs(s.coef / r.coef - 1) < 1e-9 AS same_coef,
       abs(s.std_err / r.std_err - 1) < 1e-9 AS same_std_err,
       abs(s.p_value / r.p_value - 1) < 1e-9 AS same_p_value
  FROM mm_coefficients('raw') r JOIN mm_coefficients('scaled') s USING (feature);

-- dedupe drops repeated rows before training, and says how many
CREATE TABLE doubled AS SELECT * FROM patients2 UNION ALL SELECT * FROM patients2;
SELECT version, metrics->'train'->'rows' AS rows
  FROM mm_train('dedupe', 'doubled', 'second_attack', exclude => ARRAY['id'], test_size => 0,
                preprocess => '{"dedupe": true}');
SELECT rows_read, rows_train, rows_skipped, fitted_preprocess->'duplicates_dropped' AS dropped
  FROM mm.versions WHERE model = 'dedupe';

-- zero, constant and median imputation; the z-score clip (versions 1 to 4)
SELECT version FROM mm_train('imp', 'visits', 'bought', features => ARRAY['spend'], test_size => 0,
                             preprocess => '{"spend": {"impute": "zero"}}');
SELECT version FROM mm_train('imp', 'visits', 'bought', features => ARRAY['spend'], test_size => 0,
                             preprocess => '{"spend": {"impute": {"constant": -1.5}}}');
SELECT version FROM mm_train('imp', 'visits', 'bought', features => ARRAY['spend'], test_size => 0,
                             preprocess => '{"spend": {"impute": "median"}}');
SELECT version FROM mm_train('imp', 'visits', 'bought', features => ARRAY['seconds'], test_size => 0,
                             preprocess => '{"seconds": {"clip": {"z": 3}}}');
SELECT version, fitted_preprocess->'features' AS fitted FROM mm.versions
 WHERE model = 'imp' AND version <= 2 ORDER BY version;
SELECT abs((fitted_preprocess->'features'->'spend'->>'impute')::float8
           - (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY spend) FROM visits)) < 1e-9 AS median
  FROM mm.versions WHERE model = 'imp' AND version = 3;
SELECT abs((fitted_preprocess->'features'->'seconds'->'clip'->>1)::float8
           - (SELECT avg(seconds) + 3 * stddev_pop(seconds) FROM visits)) < 1e-6 AS z_clip_hi,
       abs((fitted_preprocess->'features'->'seconds'->'clip'->>0)::float8
           - (SELECT avg(seconds) - 3 * stddev_pop(seconds) FROM visits)) < 1e-6 AS z_clip_lo
  FROM mm.versions WHERE model = 'imp' AND version = 4;

-- statistics come from the training part only
SELECT version FROM mm_train('imp', 'visits', 'bought', features => ARRAY['spend'], test_size => 0.5,
                             preprocess => '{"spend": {"impute": "mean"}}');
SELECT rows_train < 2000 AS held_out,
       abs((fitted_preprocess->'features'->'spend'->>'impute')::float8
           - (SELECT avg(spend) FROM visits)) > 1e-6 AS not_all_rows
  FROM mm.versions WHERE model = 'imp' AND version = 5;

-- a value that overflows once scaled is an error naming it
CREATE TABLE huge AS SELECT g AS id, CASE WHEN g = 1 THEN 1e308 ELSE g * 1e-300 END::float8 AS x,
                            g % 2 = 0 AS y FROM generate_series(1, 100) g;
SELECT * FROM mm_train('huge', 'huge', 'y', exclude => ARRAY['id'], test_size => 0,
                       preprocess => '{"x": {"scale": "robust"}}');

-- a missing value at prediction without imputation
SELECT mm_predict('raw', p) FROM (SELECT 1 AS treatment, NULL::int AS trait_anxiety) p;

-- Bad preprocess arguments: errors before any row is read
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"nosuch": {"scale": "standard"}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"bought": {"scale": "standard"}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"scale": "log"}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"impute": "mode"}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"impute": {"constant": [1]}}}');
-- a text constant does not fit a number column
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"spend": {"impute": {"constant": "x"}}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"clip": {"quantiles": [0.9, 0.1]}}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"clip": {"z": -1}}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"*": {"center": true}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"spend": {"encode": "onehot"}}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"spend": "standard"}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"dedupe": 1}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '{"variance_threshold": -1}');
SELECT * FROM mm_train('bad', 'visits', 'bought', preprocess => '[]');
SELECT * FROM mm_train('bad', 'visits', 'bought', exclude => ARRAY['id', 'constant'],
                       preprocess => '{"*": {"impute": "mean"}, "variance_threshold": 1e9}');
SELECT count(*) AS bad_versions FROM mm.versions WHERE model = 'bad';
