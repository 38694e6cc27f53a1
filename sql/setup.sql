--
-- Shared fixtures for the suites that follow: the extension and data sets.
--
CREATE EXTENSION modelmgr;

-- MADlib's published houses example (test/fixtures/madlib)
CREATE TABLE houses (id int PRIMARY KEY, tax int, bedroom int, bath float8,
                     price int, size int, lot int);
\copy houses FROM 'test/fixtures/madlib/houses.csv' WITH (FORMAT csv, HEADER)
\set expected `cat test/fixtures/madlib/expected.json`
CREATE TABLE madlib AS SELECT :'expected'::jsonb AS doc;

-- 20,000 deterministic rows: y = 3 + 2 x1 - 4 x2 + 0.5 x3 + 1.5 flag + noise
CREATE TABLE synth AS
SELECT g AS id,
       (g % 101) / 101.0::float8 AS x1,
       ((g * 37) % 103) / 103.0::float8 AS x2,
       ((g * 53) % 107)::int AS x3,
       (g % 3 = 0) AS flag,
       3 + 2 * ((g % 101) / 101.0) - 4 * (((g * 37) % 103) / 103.0)
         + 0.5 * ((g * 53) % 107) + CASE WHEN g % 3 = 0 THEN 1.5 ELSE 0 END
         + (((g * 7919) % 1000) / 1000.0 - 0.5) * 0.2 AS y
  FROM generate_series(1, 20000) g;
ALTER TABLE synth ALTER COLUMN y TYPE float8;
ANALYZE houses, synth;

-- Helpers of the suites that compare two ways of doing one thing.
CREATE SCHEMA regress;
GRANT USAGE ON SCHEMA regress TO PUBLIC;

-- regress.json_diff: the largest difference between two JSON documents' numbers
SET search_path = regress;
\i test/fixtures/json_diff.sql
RESET search_path;

SELECT count(*) AS houses FROM houses;
SELECT count(*) AS synth, round(avg(y)::numeric, 6) AS mean_y FROM synth;
