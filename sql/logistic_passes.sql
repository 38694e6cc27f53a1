--
-- Logistic regression's passes over a relation: the class count pass
-- (artifact id 2, pass 0) and the Newton pass (pass 1) run as the mm_pass
-- aggregate, serially and in parallel workers, over a numeric 0/1 target.
-- The Newton pass's state holds, after its head (m, the full flag, rows,
-- rows of no class, rows not in their own class, the loss), the gradient
-- and the Hessian's upper triangle of the summed log-loss at the arg's
-- coefficients: here they are checked against the same sums in SQL.
--

-- a double as the state holds it (little-endian), and back
CREATE FUNCTION pg_temp.native(v float8) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT decode(string_agg(lpad(to_hex(get_byte(float8send(v), 7 - k)), 2, '0'), '' ORDER BY k), 'hex')
    FROM generate_series(0, 7) k
$$;
CREATE FUNCTION pg_temp.double_at(b bytea, i int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN e = 0 THEN 0.0
              ELSE ((1 - 2 * s) * (1 + m / 2::numeric ^ 52) * 2::numeric ^ (e - 1023))::float8 END
    FROM (SELECT floor(v / 2::numeric ^ 63) AS s, floor(v / 2::numeric ^ 52) % 2048 AS e,
                 v % 2::numeric ^ 52 AS m
            FROM (SELECT sum(get_byte(b, 8 * i + k)::numeric * 256::numeric ^ k) AS v
                    FROM generate_series(0, 7) k) bits) parts
$$;
-- the arg of the Newton pass: two classes, two features and the intercept, full or the loss alone,
-- the class weights, the coefficients
CREATE FUNCTION pg_temp.newton_arg(whole float8) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.native(2) || pg_temp.native(3) || pg_temp.native(whole)
         || pg_temp.native(1) || pg_temp.native(1)
         || pg_temp.native(0.5) || pg_temp.native(-0.25) || pg_temp.native(0.1)
$$;

CREATE TABLE lp AS
SELECT g, sin(g) AS x1, 2 * cos(0.7 * g) AS x2, (sin(1.3 * g) + sin(g) > 0.2)::int::float8 AS y
  FROM generate_series(1, 20000) g;
ANALYZE lp;

-- the sums in SQL at the same coefficients
CREATE TEMP TABLE lp_sums AS
SELECT count(*) AS n,
       sum((pr - y) * x1) AS g1, sum((pr - y) * x2) AS g2, sum(pr - y) AS g0,
       sum(w * x1 * x1) AS h11, sum(w * x1 * x2) AS h12, sum(w * x1) AS h10,
       sum(w * x2 * x2) AS h22, sum(w * x2) AS h20, sum(w) AS h00,
       sum(ln(1 + exp(t)) - y * t) AS loss,
       count(*) FILTER (WHERE (y = 1) <> (t > 0) OR t = 0) AS wrong
  FROM (SELECT y, x1, x2, t, 1 / (1 + exp(-t)) AS pr, exp(-t) / (1 + exp(-t)) ^ 2 AS w
          FROM (SELECT y, x1, x2, 0.5 * x1 - 0.25 * x2 + 0.1 AS t FROM lp) s) r;

-- the full pass: gradient and Hessian as SQL sums them, to rounding
CREATE TEMP TABLE lp_serial AS
SELECT pass_state AS s FROM mm_pass_result((SELECT mm_pass(mm_pass_header(2, 1, 2, 0, 0, pg_temp.newton_arg(1)),
                                                           y, ARRAY[x1, x2]) FROM lp));
SELECT pg_temp.double_at(s, 0) AS m, pg_temp.double_at(s, 1) AS full, pg_temp.double_at(s, 2) AS rows,
       pg_temp.double_at(s, 3) AS no_class, pg_temp.double_at(s, 4) = wrong AS same_wrong
  FROM lp_serial, lp_sums;
SELECT k, abs(pg_temp.double_at(s, 6 + k) - v) <= 1e-9 * greatest(1, abs(v)) AS same_sum
  FROM lp_serial, lp_sums,
       LATERAL (VALUES (0, g1), (1, g2), (2, g0), (3, h11), (4, h12), (5, h10), (6, h22), (7, h20), (8, h00))
         AS e(k, v)
 ORDER BY k;

-- the loss alone
SELECT abs(pg_temp.double_at(pass_state, 5) - loss) <= 1e-9 * loss AS same_loss,
       octet_length(pass_state) < (SELECT octet_length(s) FROM lp_serial) AS smaller_state
  FROM mm_pass_result((SELECT mm_pass(mm_pass_header(2, 1, 2, 0, 0, pg_temp.newton_arg(0)), y, ARRAY[x1, x2])
                         FROM lp)), lp_sums;

-- in parallel workers, whose states the combine function merges: the same sums to rounding
-- (the header is built first: the helpers of this file are not parallel-safe)
SELECT mm_pass_header(2, 1, 2, 0, 0, pg_temp.newton_arg(1)) AS newton_header \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT mm_pass(:'newton_header'::bytea, y, ARRAY[x1, x2]) FROM lp;
CREATE TEMP TABLE lp_parallel AS
SELECT pass_state AS s FROM mm_pass_result((SELECT mm_pass(:'newton_header'::bytea, y, ARRAY[x1, x2]) FROM lp));
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT bool_and(abs(pg_temp.double_at(p.s, k) - pg_temp.double_at(l.s, k))
                <= 1e-12 * greatest(1, abs(pg_temp.double_at(l.s, k)))) AS same_as_serial
  FROM lp_parallel p, lp_serial l, generate_series(0, 14) k;

-- the class count pass; a target that is no class index (2, 0.5) is counted apart
INSERT INTO lp VALUES (0, 0, 0, 2), (0, 0, 0, 0.5);
SELECT pg_temp.double_at(pass_state, 0) AS classes, pg_temp.double_at(pass_state, 1) AS no_class,
       pg_temp.double_at(pass_state, 2) AS class_0, pg_temp.double_at(pass_state, 3) AS class_1,
       (SELECT count(*) FILTER (WHERE y = 1) FROM lp) AS sql_class_1
  FROM mm_pass_result((SELECT mm_pass(mm_pass_header(2, 0, 2, 0, 0, pg_temp.native(2)), y, ARRAY[x1, x2])
                         FROM lp));

-- an arg that is not one of the pass's is refused before any row is read
SELECT mm_pass_header(2, 1, 5, 0, 0, pg_temp.newton_arg(1));
SELECT mm_pass_header(2, 0, 2, 0, 0, pg_temp.native(1));

-- a fit whose Newton pass would hold more than 2,048 coefficients is refused:
-- three classes over 700 categories and the intercept are 2,103
CREATE TABLE lp_wide AS
SELECT 'c' || (g % 700) AS category, g % 3 AS label FROM generate_series(1, 2800) g;
SELECT version FROM mm_train('lp_wide', 'lp_wide', 'label', algorithm => 'logistic_regression', test_size => 0);
