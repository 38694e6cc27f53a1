--
-- Training is one aggregate query that PostgreSQL runs in parallel; the
-- split and the counts do not depend on the plan or the number of workers.
--
CREATE TABLE wide AS
SELECT g AS id, (g % 97) / 97.0::float8 AS a, ((g * 31) % 89) / 89.0::float8 AS b,
       ((g * 17) % 83)::float8 AS c, 2 + (g % 97) / 97.0 * 3 - ((g * 31) % 89) / 89.0
         + ((g * 17) % 83) * 0.01 + ((g * 7) % 13) * 0.001 AS y
  FROM generate_series(1, 50000) g;
ANALYZE wide;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

-- the query a training runs (shown at DEBUG1) ...
SET client_min_messages = debug1;
SELECT version FROM mm_train('par', 'wide', 'y', exclude => ARRAY['id'], seed => 9);
RESET client_min_messages;
-- ... is a partial aggregate under a Gather
EXPLAIN (COSTS OFF)
SELECT public.mm_ls_stats(0.25, 9, 5000, 50000, (r.y)::pg_catalog.float8, (r.a)::pg_catalog.float8,
                          (r.b)::pg_catalog.float8, (r.c)::pg_catalog.float8),
       pg_catalog.pg_current_snapshot()::pg_catalog.text
  FROM public.wide r;

-- the same rows are held out with two workers, with one and with none
SET max_parallel_workers_per_gather = 1;
SELECT version FROM mm_train('par', 'wide', 'y', exclude => ARRAY['id'], seed => 9);
SET max_parallel_workers_per_gather = 0;
SELECT version FROM mm_train('par', 'wide', 'y', exclude => ARRAY['id'], seed => 9);
SELECT version, rows_train, rows_test, fingerprint = first_value(fingerprint) OVER w AS same_data,
       rows_test = first_value(rows_test) OVER w AS same_split,
       abs((metrics #>> '{test,rmse}')::float8 / first_value((metrics #>> '{test,rmse}')::float8) OVER w - 1) < 1e-9 AS same_test_rmse
  FROM mm.versions WHERE model = 'par' WINDOW w AS (ORDER BY version) ORDER BY version;
SELECT a.feature, abs(a.coef - b.coef) < 1e-9 * abs(b.coef) AS same_coef
  FROM mm_coefficients('par@1') a JOIN mm_coefficients('par@3') b USING (feature);
RESET max_parallel_workers_per_gather;

-- more features than fit in one function call: the array form of the aggregate
DO $$
BEGIN
    EXECUTE (SELECT format('CREATE TABLE many AS SELECT g AS id, %s, %s AS y FROM generate_series(1, 3000) g',
                           string_agg(format('((g * %s) %% 101) / 101.0 + ((g * %s) %% 103) / 103.0 AS f%s',
                                             i, i + 3, i), ', '),
                           string_agg(format('%s * (((g * %s) %% 101) / 101.0 + ((g * %s) %% 103) / 103.0)',
                                             i % 5, i, i + 3), ' + ') || ' + 1')
               FROM generate_series(1, 95) i);
END
$$;
SELECT version, algorithm, metrics #>> '{train,rows}' AS rows
  FROM mm_train('many', 'many', 'y', exclude => ARRAY['id'], test_size => 0);
SELECT array_length(features, 1) AS features FROM mm.versions WHERE model = 'many';
SELECT count(*) FILTER (WHERE abs(coef - (substr(feature, 2)::int % 5)) < 1e-6) AS recovered, count(*)
  FROM mm_coefficients('many') WHERE feature <> 'intercept';

-- an export inside a statement that writes while its plan runs in parallel
-- (its catalog read is read-only, under the statement's snapshot)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF)
CREATE TABLE exported AS SELECT count(*) AS n, max(mm_export('many') ->> 'format') FILTER (WHERE id = 1) AS format FROM synth;
CREATE TABLE exported AS SELECT count(*) AS n, max(mm_export('many') ->> 'format') FILTER (WHERE id = 1) AS format FROM synth;
SELECT * FROM exported;
DROP TABLE exported;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
