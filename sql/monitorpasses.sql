--
-- Monitoring checks as one aggregate (mm_check_stats) over the window: the
-- same checks on undrifted and drifted windows without and with parallel
-- workers, and what they count against numbers worked out here in SQL.
--
\pset null '(null)'

-- Training rows, integers throughout so that every sum a check keeps is
-- exact in any order; live rows like them (mp_same), and rows that drifted
-- (mp_drift: x1 moved up, some x2 missing, a city never seen in training),
-- a third of them older than the monitors' one-day window.
CREATE TABLE mp_train AS
SELECT g, (g % 50)::float8 AS x1, ((g * 7) % 31)::float8 AS x2,
       (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4] AS city,
       (2 * (g % 50) - (g * 7) % 31 + (g * 13) % 7 + CASE WHEN g % 4 = 0 THEN 5 ELSE 0 END)::float8 AS y,
       CASE WHEN g % 50 - (g * 7) % 31 + (g * 17) % 9 > 20 THEN 'high' ELSE 'low' END AS grade
  FROM generate_series(1, 2000) g;
CREATE TABLE mp_same AS
SELECT t.*, now() - interval '1 minute' * (g % 60) AS at
  FROM (SELECT g, (g % 50)::float8 AS x1, ((g * 7) % 31)::float8 AS x2,
               (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4] AS city,
               (2 * (g % 50) - (g * 7) % 31 + (g * 13) % 7 + CASE WHEN g % 4 = 0 THEN 5 ELSE 0 END)::float8 AS y,
               CASE WHEN g % 50 - (g * 7) % 31 + (g * 17) % 9 > 20 THEN 'high' ELSE 'low' END AS grade
          FROM generate_series(2001, 5000) g) t;
CREATE TABLE mp_drift AS
SELECT g, (g % 50 + 30)::float8 AS x1,
       CASE WHEN g % 10 = 0 THEN NULL ELSE ((g * 7) % 31)::float8 END AS x2,
       (ARRAY['north', 'south', 'east', 'west', 'central'])[1 + g % 5] AS city,
       CASE WHEN g % 15 = 0 THEN NULL
            ELSE (2 * (g % 50) - (g * 7) % 31 + (g * 13) % 7)::float8 END AS y,
       CASE WHEN g % 15 = 1 THEN NULL WHEN g % 50 - (g * 7) % 31 + (g * 17) % 9 > 20 THEN 'high' ELSE 'low' END AS grade,
       CASE WHEN g % 3 = 0 THEN now() - interval '10 days' ELSE now() - interval '1 hour' END AS at
  FROM generate_series(1, 3000) g;
ANALYZE mp_train;
ANALYZE mp_same;
ANALYZE mp_drift;

SELECT version FROM mm_train('mp_reg', 'mp_train', 'y', features => ARRAY['x1', 'x2', 'city']);
SELECT version FROM mm_train('mp_cls', 'mp_train', 'grade', algorithm => 'logistic_regression',
                             features => ARRAY['x1', 'x2', 'city']);

SELECT mm_monitor('mp_reg', 'mp_same', label_column => 'y') AS reg_same \gset
SELECT mm_monitor('mp_reg', 'mp_drift', time_column => 'at', time_window => '1 day',
                  label_column => 'y') AS reg_drift \gset
SELECT mm_monitor('mp_cls', 'mp_same', label_column => 'grade') AS cls_same \gset
SELECT mm_monitor('mp_cls', 'mp_drift', time_column => 'at', time_window => '1 day',
                  label_column => 'grade') AS cls_drift \gset
CREATE TABLE mp_monitors (name text, monitor int);
INSERT INTO mp_monitors VALUES ('reg_same', :reg_same), ('reg_drift', :reg_drift),
                               ('cls_same', :cls_same), ('cls_drift', :cls_drift);

-- Each check without parallel workers, then with them: the run's own numbers aside.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE mp_serial AS
SELECT name, monitor, mm_monitor_run(monitor) - 'run' AS result FROM mp_monitors ORDER BY monitor;
RESET max_parallel_workers_per_gather;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- the aggregate, as a check phrases it, is split over parallel workers
EXPLAIN (COSTS OFF)
SELECT mm_check_stats(NULL::bytea, ARRAY[r.x1, r.x2]::float8[], ARRAY[r.city]::text[], r.y, NULL::text)
  FROM mp_drift r WHERE r.at >= now() - interval '1 day';
CREATE TABLE mp_parallel AS
SELECT name, monitor, mm_monitor_run(monitor) - 'run' AS result FROM mp_monitors ORDER BY monitor;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Two results agree when they have the same fields and every number agrees to rounding.
CREATE FUNCTION mp_close(a jsonb, b jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    k text;
    i int;
BEGIN
    IF jsonb_typeof(a) IS DISTINCT FROM jsonb_typeof(b) THEN
        RETURN false;
    ELSIF jsonb_typeof(a) = 'object' THEN
        IF (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(a) x)
           IS DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(b) x) THEN
            RETURN false;
        END IF;
        FOR k IN SELECT jsonb_object_keys(a) LOOP
            IF NOT mp_close(a -> k, b -> k) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    ELSIF jsonb_typeof(a) = 'array' THEN
        IF jsonb_array_length(a) <> jsonb_array_length(b) THEN
            RETURN false;
        END IF;
        FOR i IN 0 .. jsonb_array_length(a) - 1 LOOP
            IF NOT mp_close(a -> i, b -> i) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    ELSIF jsonb_typeof(a) = 'number' THEN
        RETURN abs(a::text::float8 - b::text::float8) <= 1e-12 * greatest(1, abs(b::text::float8));
    END IF;
    RETURN a = b;
END $$;

-- The verdicts and alerts; the classifiers' results, whose numbers all come
-- from counts, are the same to the last digit with and without workers.
SELECT s.name, s.result ->> 'verdict' AS verdict, s.result -> 'rows' AS rows,
       (SELECT string_agg(a ->> 'metric' || coalesce(':' || (a ->> 'feature'), ''), ', ' ORDER BY a ->> 'feature', a ->> 'metric')
          FROM jsonb_array_elements(s.result -> 'alerts') a) AS alerts,
       mp_close(s.result, p.result) AS parallel_agrees,
       CASE WHEN s.name LIKE 'cls%' THEN s.result - 'monitor' = p.result - 'monitor' END AS parallel_identical
  FROM mp_serial s JOIN mp_parallel p USING (name) ORDER BY s.monitor;

-- the alert rows of the two runs of each monitor agree too
SELECT m.name, count(*) AS alerts,
       count(*) FILTER (WHERE a1.value IS NOT NULL AND a2.value IS NOT NULL
                          AND abs(a1.value - a2.value) <= 1e-12 * greatest(1, abs(a1.value))) AS agreeing
  FROM mp_monitors m
  JOIN mm.alerts a1 ON a1.monitor = m.monitor
       AND a1.run = (SELECT min(id) FROM mm.monitor_runs WHERE monitor = m.monitor)
  LEFT JOIN mm.alerts a2 ON a2.monitor = m.monitor
       AND a2.run = (SELECT max(id) FROM mm.monitor_runs WHERE monitor = m.monitor)
       AND a2.scope = a1.scope AND a2.feature IS NOT DISTINCT FROM a1.feature AND a2.metric = a1.metric
 GROUP BY m.name, m.monitor ORDER BY m.monitor;

-- What the parallel checks counted, against the same numbers worked out
-- here: the window (the last day's rows), the missing and unseen values, the
-- values beyond the training range, the rows the model could not score
-- (a NULL x2: no imputation), and the quality over the scored labelled rows.
CREATE VIEW mp_window AS
SELECT r.*, mm_predict('mp_reg', r) AS reg, mm_predict_label('mp_cls', r) AS cls
  FROM mp_drift r WHERE r.at >= now() - interval '1 day';
WITH b AS (SELECT (baseline #>> '{features,x1,min}')::float8 AS lo, (baseline #>> '{features,x1,max}')::float8 AS hi
             FROM mm.versions WHERE model = 'mp_reg'),
     w AS (SELECT count(*) AS rows,
                  count(*) FILTER (WHERE x2 IS NULL)::float8 / count(*) AS x2_missing,
                  count(*) FILTER (WHERE x1 < b.lo OR x1 > b.hi)::float8 / count(*) AS x1_out_of_range,
                  count(*) FILTER (WHERE city = 'central')::float8 / count(*) AS city_unseen,
                  count(*) FILTER (WHERE x2 IS NULL) AS unpredictable,
                  count(*) FILTER (WHERE x2 IS NOT NULL AND y IS NOT NULL) AS reg_labelled,
                  sqrt(avg((y - reg) ^ 2) FILTER (WHERE x2 IS NOT NULL)) AS rmse,
                  avg(abs(y - reg)) FILTER (WHERE x2 IS NOT NULL) AS mae,
                  1 - sum((y - reg) ^ 2) FILTER (WHERE x2 IS NOT NULL)
                    / (SELECT sum((y - m) ^ 2) FROM mp_window, (SELECT avg(y) AS m FROM mp_window WHERE x2 IS NOT NULL) a
                        WHERE x2 IS NOT NULL) AS r2,
                  count(*) FILTER (WHERE x2 IS NOT NULL AND grade IS NOT NULL) AS cls_labelled,
                  avg((cls = grade)::int) FILTER (WHERE x2 IS NOT NULL AND grade IS NOT NULL) AS accuracy
             FROM mp_window, b)
SELECT (reg.result -> 'rows')::bigint = w.rows AS rows_ok,
       w.rows,
       abs((reg.result #>> '{features,x2,missing_rate}')::float8 - w.x2_missing) < 1e-15 AS missing_ok,
       abs((reg.result #>> '{features,x1,out_of_range}')::float8 - w.x1_out_of_range) < 1e-15 AS out_of_range_ok,
       abs((reg.result #>> '{features,city,unseen}')::float8 - w.city_unseen) < 1e-15 AS unseen_ok,
       (reg.result #>> '{prediction,unpredictable}')::bigint = w.unpredictable AS unpredictable_ok,
       (reg.result #>> '{quality,rows}')::bigint = w.reg_labelled AS reg_rows_ok,
       abs((reg.result #>> '{quality,rmse}')::float8 / w.rmse - 1) < 1e-12 AS rmse_ok,
       abs((reg.result #>> '{quality,mae}')::float8 / w.mae - 1) < 1e-12 AS mae_ok,
       abs((reg.result #>> '{quality,r2}')::float8 - w.r2) < 1e-12 AS r2_ok,
       (cls.result #>> '{quality,rows}')::bigint = w.cls_labelled AS cls_rows_ok,
       abs((cls.result #>> '{quality,accuracy}')::float8 - w.accuracy) < 1e-15 AS accuracy_ok
  FROM w, mp_parallel reg, mp_parallel cls
 WHERE reg.name = 'reg_drift' AND cls.name = 'cls_drift';

-- The two forms of the aggregate fill the same state, to the last byte, on
-- the same rows with the same header: the arrays a Citus table's check hands
-- in (x, c) and the separate values any other relation's check hands in.
-- The header is put together here as a check makes it: the fields magic,
-- quality (1 regression, 2 classes), the artifact's and the baseline's
-- lengths (little-endian), then the artifact and the baseline's JSON.
CREATE FUNCTION mp_le(v bigint, n int) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(string_agg(lpad(to_hex((v >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
      FROM generate_series(0, n - 1) i $$;
CREATE FUNCTION mp_header(model text, quality int) RETURNS bytea LANGUAGE sql AS $$
    SELECT mp_le(x'4d4d4348'::int, 4) || mp_le(quality, 4) || mp_le(octet_length(v.artifact), 8)
           || mp_le(octet_length(v.baseline::text), 8) || v.artifact || convert_to(v.baseline::text, 'UTF8')
      FROM mm._versions v JOIN mm.versions w ON w.version_id = v.id
     WHERE w.model = mp_header.model ORDER BY w.version DESC LIMIT 1 $$;
CREATE TABLE mp_forms AS
SELECT m.name,
       (SELECT mm_check_stats(h.h, ARRAY[r.x1, r.x2]::float8[], ARRAY[r.city]::text[],
                              CASE WHEN m.quality = 1 THEN r.y END, CASE WHEN m.quality = 2 THEN r.grade END
                              ORDER BY r.g)
          FROM mp_drift r, (SELECT mp_header(m.model, m.quality) AS h) h) AS arrays,
       (SELECT mm_check_stats(h.h, CASE WHEN m.quality = 1 THEN r.y END, CASE WHEN m.quality = 2 THEN r.grade END,
                              r.x1, r.x2, r.city ORDER BY r.g)
          FROM mp_drift r, (SELECT mp_header(m.model, m.quality) AS h) h) AS separate
  FROM (VALUES ('reg', 'mp_reg', 1), ('cls', 'mp_cls', 2)) m(name, model, quality);
SELECT name, octet_length(arrays) > 0 AS counted, arrays = separate AS identical FROM mp_forms ORDER BY name;

-- and the checks of a local table run the variadic form, split over parallel workers alike
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT mm_check_stats(NULL::bytea, r.y, NULL::text, r.x1, r.x2, r.city)
  FROM mp_drift r WHERE r.at >= now() - interval '1 day';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- the variadic form takes one value per feature, numbers as float8 and categories as text, each on its own
SELECT mm_check_stats(mp_header('mp_reg', 1), r.y, NULL::text, r.x1::int, r.x2, r.city) FROM mp_drift r;
SELECT mm_check_stats(mp_header('mp_reg', 1), r.y, NULL::text, r.x1, r.x2) FROM mp_drift r;
SELECT mm_check_stats(mp_header('mp_reg', 1), r.y, NULL::text, VARIADIC ARRAY[r.x1, r.x2, 0]) FROM mp_drift r;
-- a header read before in the transaction does not vouch for another call's argument types
BEGIN;
SELECT octet_length(mm_check_stats(mp_header('mp_reg', 1), r.y, NULL::text, r.x1, r.x2, r.city)) > 0 AS counted
  FROM mp_drift r;
SELECT mm_check_stats(mp_header('mp_reg', 1), r.y, NULL::text, r.x1::int, r.x2, r.city) FROM mp_drift r;
ROLLBACK;

-- an empty window counts nothing and crosses nothing
DELETE FROM mp_drift WHERE at >= now() - interval '1 day';
SELECT r ->> 'verdict' AS verdict, r -> 'rows' AS rows, r -> 'alerts' AS alerts, r #> '{quality,rows}' AS labelled
  FROM mm_monitor_run(:cls_drift) r;

-- the aggregate refuses what is not a check's header
SELECT mm_check_stats('\x00'::bytea, ARRAY[1]::float8[], ARRAY[]::text[], NULL, NULL);

SELECT mm_unmonitor(monitor) FROM mp_monitors ORDER BY monitor;
