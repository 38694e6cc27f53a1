--
-- Inference: the statistics of unpenalized fits in the train metrics, the
-- NOTICE a penalized fit gives instead, and multinomial coefficients
-- against the first class.
--
CREATE TABLE inf_rows AS
SELECT g AS id,
       ((g * 7919) % 1000) / 100.0 AS x1,
       ((g * 104729) % 997) / 99.7 AS x2,
       (ARRAY['amber', 'blue', 'coral'])[1 + (g + (g * 31) % 7 + ((g * 7919) % 1000) / 400) % 3] AS colour,
       (((g * 7919) % 1000) / 100.0 + ((g * 104729) % 997) / 99.7 + (g % 5) > 11)::int AS high,
       3 + 2 * ((g * 7919) % 1000) / 100.0 - ((g * 104729) % 997) / 99.7 + ((g * 37) % 11 - 5) / 5.0 AS y
  FROM generate_series(1, 300) g;

-- least squares: the new keys, with the statistics statsmodels' OLS gives
SELECT key FROM mm_train('inf_ols', 'inf_rows', 'y', features => ARRAY['x1', 'x2'], test_size => 0) t,
       jsonb_object_keys(t.metrics->'train') key
 ORDER BY key;
SELECT (metrics #>> '{train,df_model}')::float8 AS df_model,
       (metrics #>> '{train,df_resid}')::float8 AS df_resid,
       round((metrics #>> '{train,adj_r2}')::numeric, 6) <= round((metrics #>> '{train,r2}')::numeric, 6)
         AS adjusted_below,
       (metrics #>> '{train,f_p_value}')::float8 < 1e-10 AS f_significant,
       abs((metrics #>> '{train,aic}')::float8 - (-2 * (metrics #>> '{train,log_likelihood}')::float8 + 2 * 3))
         < 1e-9 AS aic_counts_three
  FROM mm.versions WHERE model = 'inf_ols';
-- a penalty leaves them out, and says which setting gives them
SELECT metrics->'train' ? 'log_likelihood' AS has_statistics
  FROM mm_train('inf_ridge', 'inf_rows', 'y', features => ARRAY['x1', 'x2'], params => '{"alpha": 10}',
                test_size => 0);

-- logistic regression: the default penalty gives the NOTICE ...
SELECT metrics->'train' ? 'log_likelihood' AS has_statistics
  FROM mm_train('inf_penalized', 'inf_rows', 'high', features => ARRAY['x1', 'x2'], test_size => 0);
SELECT count(*) AS terms, count(std_err) AS std_errs FROM mm_coefficients('inf_penalized');
-- ... and so do class weights
SELECT metrics->'train' ? 'log_likelihood' AS has_statistics
  FROM mm_train('inf_weighted', 'inf_rows', 'high', features => ARRAY['x1', 'x2'], test_size => 0,
                params => '{"alpha": 0, "class_weight": "balanced"}');
-- alpha 0 reports them: McFadden's r2 from the two log-likelihoods, the deviance twice the first
SELECT key FROM mm_train('inf_logit', 'inf_rows', 'high', features => ARRAY['x1', 'x2'], test_size => 0,
                         params => '{"alpha": 0}') t,
       jsonb_object_keys(t.metrics->'train') key
 WHERE key IN ('log_likelihood', 'null_log_likelihood', 'pseudo_r2', 'aic', 'bic', 'deviance')
 ORDER BY key;
SELECT abs(1 - (m->>'log_likelihood')::float8 / (m->>'null_log_likelihood')::float8
           - (m->>'pseudo_r2')::float8) < 1e-12 AS mcfadden,
       (m->>'deviance')::float8 = -2 * (m->>'log_likelihood')::float8 AS deviance,
       abs((m->>'bic')::float8 - (m->>'deviance')::float8 - ln(300) * 3) < 1e-9 AS bic_counts_three,
       (m->>'null_log_likelihood')::float8 < (m->>'log_likelihood')::float8 AS better_than_constant
  FROM (SELECT metrics->'train' AS m FROM mm.versions WHERE model = 'inf_logit') v;

-- Multinomial, unpenalized: each later class against the first, which has no rows
SELECT version FROM mm_train('inf_colour', 'inf_rows', 'colour', features => ARRAY['x1', 'x2'],
                             test_size => 0, params => '{"alpha": 0}');
SELECT mm_classes('inf_colour');
SELECT class, feature, std_err IS NOT NULL AS has_std_err, p_value BETWEEN 0 AND 1 AS p_ok,
       ci_lower < coef AND coef < ci_upper AS ci_ok
  FROM mm_coefficients('inf_colour');
-- the probabilities are the softmax of those differences: log(p_c / p_first) is the linear form
SELECT bool_and(abs(ln(p[2] / p[1]) - (b.i + b.x1 * r.x1 + b.x2 * r.x2)) < 1e-9) AS blue_ok,
       bool_and(abs(ln(p[3] / p[1]) - (c.i + c.x1 * r.x1 + c.x2 * r.x2)) < 1e-9) AS coral_ok
  FROM (SELECT r.*, mm_predict_proba('inf_colour', r) AS p FROM inf_rows r) r,
       LATERAL (SELECT max(coef) FILTER (WHERE feature = 'intercept') AS i,
                       max(coef) FILTER (WHERE feature = 'x1') AS x1,
                       max(coef) FILTER (WHERE feature = 'x2') AS x2
                  FROM mm_coefficients('inf_colour') WHERE class = 'blue') b,
       LATERAL (SELECT max(coef) FILTER (WHERE feature = 'intercept') AS i,
                       max(coef) FILTER (WHERE feature = 'x1') AS x1,
                       max(coef) FILTER (WHERE feature = 'x2') AS x2
                  FROM mm_coefficients('inf_colour') WHERE class = 'coral') c;
-- penalized, every class keeps its own row
SELECT version FROM mm_train('inf_colour_penalized', 'inf_rows', 'colour', features => ARRAY['x1', 'x2'],
                             test_size => 0);
SELECT class, count(*) AS terms, count(std_err) AS std_errs
  FROM mm_coefficients('inf_colour_penalized')
 GROUP BY class ORDER BY class;
