--
-- Prediction: from a row (columns matched by name) and from an array, model
-- references, the snapshot a statement sees, parallel workers, the cache,
-- and damaged artifacts.
--

-- predictions are the linear formula of the coefficients
SELECT h.id, h.price, round(mm_predict('houses_ols', h)::numeric, 6) AS predicted,
       abs(mm_predict('houses_ols', h) - (i.coef + t.coef * h.tax + b.coef * h.bath + s.coef * h.size)) < 1e-9 AS is_formula
  FROM houses h, mm_coefficients('houses_ols') i, mm_coefficients('houses_ols') t,
       mm_coefficients('houses_ols') b, mm_coefficients('houses_ols') s
 WHERE i.feature = 'intercept' AND t.feature = 'tax' AND b.feature = 'bath' AND s.feature = 'size'
 ORDER BY h.id LIMIT 5;

-- an array of raw values in the version's feature order predicts the same
SELECT features FROM mm.versions WHERE model = 'houses_ols';
SELECT mm_predict('houses_ols', ARRAY[tax, bath, size]::float8[]) = mm_predict('houses_ols', h) AS same
  FROM houses h WHERE id = 4;
SELECT round(mm_predict('houses_ols', ARRAY[1000, 2, 1500])::numeric, 6) AS from_literal;

-- columns are matched by name: order, extra columns and types do not matter
CREATE VIEW houses_reordered AS
SELECT size::numeric AS size, 'extra' AS note, bath::real AS bath, id, tax::bigint AS tax FROM houses;
SELECT count(*) FILTER (WHERE mm_predict('houses_ols', r) = mm_predict('houses_ols', h)) AS equal, count(*)
  FROM houses h JOIN houses_reordered r USING (id);
SELECT round(mm_predict('houses_ols', t)::numeric, 6) AS from_row_constructor
  FROM (SELECT 1000 AS tax, 2 AS bath, 1500 AS size) t;

-- NULL input gives NULL; a NULL model is an error
SELECT mm_predict('houses_ols', NULL::houses) IS NULL AS null_row,
       mm_predict('houses_ols', NULL::float8[]) IS NULL AS null_array;
SELECT mm_predict(NULL, h) FROM houses h LIMIT 1;
-- bad rows and arrays
SELECT mm_predict('houses_ols', t) FROM (SELECT 1000 AS tax, 1500 AS size) t;
SELECT mm_predict('houses_ols', t) FROM (SELECT 1000 AS tax, NULL::int AS bath, 1500 AS size) t;
SELECT mm_predict('houses_ols', t) FROM (SELECT 1000 AS tax, 'two'::text AS bath, 1500 AS size) t;
SELECT mm_predict('houses_ols', t) FROM (SELECT 1000 AS tax, 'NaN'::float8 AS bath, 1500 AS size) t;
SELECT mm_predict('houses_ols', ARRAY[1000, 2]);
SELECT mm_predict('houses_ols', ARRAY[1000, NULL, 1500]);
SELECT mm_predict('houses_ols', ARRAY['Infinity', 2, 1500]::float8[]);
SELECT mm_predict('houses_ols', ARRAY[[1000, 2, 1500]]);

-- references: name (production), name@N, name@stage
SELECT version FROM mm_train('houses_ols', 'houses', 'price', features => ARRAY['tax', 'size'],
                             test_size => 0, deploy => 'never');
SELECT mm_deploy('houses_ols', 2, 'staging');
SELECT round(mm_predict('houses_ols', h)::numeric, 4) AS production,
       round(mm_predict('houses_ols@1', h)::numeric, 4) AS v1,
       round(mm_predict('houses_ols@2', h)::numeric, 4) AS v2,
       round(mm_predict('houses_ols@staging', h)::numeric, 4) AS staging
  FROM houses h WHERE id = 1;
-- version 2 reads two columns: the array follows its own feature list
SELECT round(mm_predict('houses_ols@2', ARRAY[590, 770])::numeric, 4) AS v2_from_array;
SELECT mm_predict('no_such_model', h) FROM houses h LIMIT 1;
SELECT mm_predict('houses_ols@9', h) FROM houses h LIMIT 1;
SELECT mm_predict('houses_ols@canary', h) FROM houses h LIMIT 1;
SELECT mm_predict('houses_ols@0', h) FROM houses h LIMIT 1;
SELECT mm_predict('houses_ols@', h) FROM houses h LIMIT 1;
SELECT mm_predict('Houses', h) FROM houses h LIMIT 1;
SELECT mm_predict('houses_ols@99999999999', h) FROM houses h LIMIT 1;

-- one query, several models and references, resolved per call site
SELECT count(DISTINCT round(mm_predict(m, h)::numeric, 6)) AS distinct_predictions
  FROM houses h, (VALUES ('houses_ols@1'), ('houses_ols@2'), ('size_only')) refs(m)
 WHERE h.id = 1;

-- a deploy is seen by the next statement of the transaction; rolled back, never
BEGIN;
SELECT mm_deploy('houses_ols', 2);
SELECT round(mm_predict('houses_ols', h)::numeric, 4) AS after_deploy FROM houses h WHERE id = 1;
ROLLBACK;
SELECT round(mm_predict('houses_ols', h)::numeric, 4) AS after_rollback FROM houses h WHERE id = 1;
SELECT version FROM mm.deployments WHERE model = 'houses_ols' AND stage = 'production';

-- PL/pgSQL keeps the state of expressions it evaluates itself for the whole
-- transaction; each of its statements still sees the deployments of its own snapshot
CREATE FUNCTION price_of(h houses) RETURNS float8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN mm_predict('houses_ols', h);
END
$$;
BEGIN;
SELECT round(price_of(h)::numeric, 4) AS before_deploy FROM houses h WHERE id = 1;
SELECT mm_deploy('houses_ols', 2);
SELECT round(price_of(h)::numeric, 4) AS after_deploy FROM houses h WHERE id = 1;
SELECT mm_rollback('houses_ols');
SELECT round(price_of(h)::numeric, 4) AS after_rollback FROM houses h WHERE id = 1;
COMMIT;

-- a tiny cache still predicts correctly, evicting as it goes
SET modelmgr.model_cache_size = 0;
SELECT count(*) FILTER (WHERE abs(a - b) < 1e-9) AS equal, count(*)
  FROM (SELECT mm_predict('houses_ols@1', h) AS a, mm_predict('size_only', h) AS x,
               mm_predict('houses_ols@1', h) AS b FROM houses h) s;
RESET modelmgr.model_cache_size;

-- parallel workers predict: the same answers as one process
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT sum(mm_predict('synth', s)) FROM synth s;
CREATE TEMP TABLE parallel_sum AS SELECT sum(mm_predict('synth', s)) AS total, count(*) FROM synth s;
SET max_parallel_workers_per_gather = 0;
SELECT abs(p.total - sum(mm_predict('synth', s))) < 1e-6 * abs(p.total) AS same_sum, p.count
  FROM parallel_sum p, synth s GROUP BY p.total, p.count;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- a damaged artifact is reported as such and never used
SELECT version FROM mm_train('fragile', 'houses', 'price', features => ARRAY['size'], test_size => 0);
UPDATE mm._versions v SET artifact = overlay(artifact PLACING '\xff'::bytea FROM 30 FOR 1)
  FROM mm._models m WHERE m.id = v.model_id AND m.name = 'fragile';
SELECT mm_predict('fragile', h) FROM houses h LIMIT 1;
UPDATE mm._versions v SET artifact = substr(artifact, 1, 20)
  FROM mm._models m WHERE m.id = v.model_id AND m.name = 'fragile';
SELECT mm_predict('fragile', ARRAY[1000]);
UPDATE mm._versions v SET artifact = '\x00'
  FROM mm._models m WHERE m.id = v.model_id AND m.name = 'fragile';
SELECT * FROM mm_coefficients('fragile');
