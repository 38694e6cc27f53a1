--
-- Passes over a relation: mm_pass runs one pass of a fit (a mergeable
-- accumulation) over the training rows of the split every way of training
-- uses.  The pass here is the column summary every data source offers
-- (artifact id 0, pass 0): per column of the features then the target, the
-- sum, the minimum and the maximum, after the width and the row count, as
-- doubles in the machine's byte order.
--

-- a double as the state holds it (little-endian), to build expected states from SQL's own aggregates
CREATE FUNCTION pg_temp.native(v float8) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT decode(string_agg(lpad(to_hex(get_byte(float8send(v), 7 - k)), 2, '0'), '' ORDER BY k), 'hex')
    FROM generate_series(0, 7) k
$$;

CREATE TABLE pass_small (a int, b float8, y float8);
INSERT INTO pass_small VALUES (1, 10, 100), (2, -20, 200), (3, 30, -300), (4, 40, 400), (5, 50, 500);

-- with nothing held out, the summary is that of every row: count, sums, minimums, maximums
SELECT r.pass, r.rows_seen, r.rows_train, r.rows_test, r.null_count, r.nonfinite_count,
       r.pass_state = (SELECT pg_temp.native(3) || pg_temp.native(count(*))
                              || pg_temp.native(sum(a)) || pg_temp.native(sum(b)) || pg_temp.native(sum(y))
                              || pg_temp.native(min(a)) || pg_temp.native(min(b)) || pg_temp.native(min(y))
                              || pg_temp.native(max(a)) || pg_temp.native(max(b)) || pg_temp.native(max(y))
                         FROM pass_small) AS summary_of_every_row
  FROM mm_pass_result((SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[a, b]::float8[])
                         FROM pass_small)) r;

-- the rows held out are those training holds out for the same seed: the
-- split of mm_train (here the one-pass aggregate of linear regression)
SELECT version FROM mm_train('pass_split', 'synth', 'y', features => ARRAY['x1', 'x2', 'x3', 'flag'],
                             test_size => 0.3, seed => 7, deploy => 'never');
SELECT r.rows_seen, r.rows_train = v.rows_train AS same_train, r.rows_test = v.rows_test AS same_test
  FROM mm_pass_result((SELECT mm_pass(mm_pass_header(0, 0, 4, 0.3, 7), y,
                                      ARRAY[x1, x2, x3::float8, flag::int::float8])
                         FROM synth)) r,
       mm.versions v
 WHERE v.model = 'pass_split';

-- rows with a NULL target are counted and skipped; NULL and non-finite
-- values are counted per column (the target's last), the row skipped
CREATE TABLE pass_dirty AS SELECT * FROM pass_small;
INSERT INTO pass_dirty VALUES (NULL, 1, 1), (6, NULL, 1), (NULL, NULL, 1), (7, 'NaN', 1),
                              (8, 'Infinity', 1), (9, 1, 'NaN'), (10, 1, '-Infinity'), (11, 1, NULL);
SELECT rows_seen, rows_train, rows_null_target, rows_bad_features, rows_bad_target,
       null_count, nonfinite_count
  FROM mm_pass_result((SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[a, b]::float8[])
                         FROM pass_dirty));
-- no rows: no state, and nothing to read
SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[a, b]::float8[]) IS NULL AS no_state
  FROM pass_small WHERE false;
SELECT rows_seen FROM mm_pass_result(NULL);

--
-- In parallel: the states of the workers are merged, with the same result
-- as one scan (the sums of integers are exact in any order).
--
CREATE TABLE pass_big AS
SELECT (g % 1000)::float8 AS a, ((g * 7) % 313)::float8 AS b, (g % 17)::float8 AS y
  FROM generate_series(1, 100000) g;
ANALYZE pass_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT mm_pass(mm_pass_header(0, 0, 2, 0.25, 3), y, ARRAY[a, b]) FROM pass_big;
CREATE TEMP TABLE pass_parallel AS
SELECT mm_pass(mm_pass_header(0, 0, 2, 0.25, 3), y, ARRAY[a, b]) AS state FROM pass_big;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE pass_serial AS
SELECT mm_pass(mm_pass_header(0, 0, 2, 0.25, 3), y, ARRAY[a, b]) AS state FROM pass_big;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT s.rows_seen, s.rows_train, s.rows_test,
       s.rows_train = p.rows_train AND s.rows_test = p.rows_test AS same_split,
       s.pass_state = p.pass_state AS same_summary
  FROM pass_serial, pass_parallel,
       mm_pass_result(pass_serial.state) s, mm_pass_result(pass_parallel.state) p;

--
-- Errors
--
-- headers: a pass that does not exist, a split or width out of range, an arg the pass does not take
SELECT mm_pass_header(99, 0, 2, 0.25, 1);
SELECT mm_pass_header(0, 2, 2, 0.25, 1);
SELECT mm_pass_header(0, 0, 2, 1, 1);
SELECT mm_pass_header(0, 0, 0, 0.25, 1);
SELECT mm_pass_header(0, 0, 2, 0.25, 1, '\x0102'::bytea);
SELECT mm_pass_header(0, 0, 2, NULL, 1);
-- rows that do not fit the header, or a header that changes between rows
SELECT mm_pass(mm_pass_header(0, 0, 3, 0, 1), y, ARRAY[a, b]::float8[]) FROM pass_small;
SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, NULL::float8[]) FROM pass_small;
SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[[a, b]]::float8[]) FROM pass_small;
SELECT mm_pass(mm_pass_header(0, 0, 2, 0, a), y, ARRAY[a, b]::float8[]) FROM pass_small;
SELECT mm_pass(NULL, y, ARRAY[a, b]::float8[]) FROM pass_small;
-- damaged headers and states are errors, never read
SELECT mm_pass(substring(mm_pass_header(0, 0, 2, 0, 1) FROM 2), y, ARRAY[a, b]::float8[]) FROM pass_small;
SELECT mm_pass(set_byte(mm_pass_header(0, 0, 2, 0, 1), 12, 9), y, ARRAY[a, b]::float8[]) FROM pass_small;
CREATE TEMP TABLE pass_state AS
SELECT mm_pass(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[a, b]::float8[]) AS state FROM pass_small;
SELECT mm_pass_result('\x00'::bytea);
SELECT mm_pass_result(substring(state FROM 1 FOR length(state) - 8)) FROM pass_state;
SELECT mm_pass_result(set_byte(state, 8, 9)) FROM pass_state;                -- the layout
SELECT mm_pass_result(set_byte(state, 12, 200)) FROM pass_state;             -- the algorithm
SELECT mm_pass_result(set_byte(state, 68, 1)) FROM pass_state;               -- the rows seen
SELECT mm_pass_result(set_byte(state, 139, 128)) FROM pass_state;            -- a null count
SELECT mm_pass_result(set_byte(state, length(state) - 88 + 6, 1)) FROM pass_state;  -- the summary's width
-- a state as another aggregate's initial condition is checked like any other
CREATE AGGREGATE pg_temp.forged(bytea, float8, float8[]) (
    SFUNC = mm_pass_accum, STYPE = bytea, INITCOND = '\x0000000053504d4d'
);
SELECT pg_temp.forged(mm_pass_header(0, 0, 2, 0, 1), y, ARRAY[a, b]::float8[]) FROM pass_small;
-- states of different splits are not merged
CREATE AGGREGATE pg_temp.merged(bytea) (SFUNC = mm_pass_combine, STYPE = bytea);
SELECT pg_temp.merged(state)
  FROM (SELECT mm_pass(mm_pass_header(0, 0, 2, 0, s), y, ARRAY[a, b]::float8[]) AS state
          FROM pass_small, generate_series(1, 2) s GROUP BY s) states;
-- the support functions run only inside an aggregate
SELECT mm_pass_accum(NULL, mm_pass_header(0, 0, 2, 0, 1), 1, ARRAY[1, 2]::float8[]);
SELECT mm_pass_combine(state, state) FROM pass_state;

DROP TABLE pass_small, pass_dirty, pass_big;
SELECT mm_drop_model('pass_split');
