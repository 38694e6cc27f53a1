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

-- the largest difference between two JSON documents' numbers (relative past 1);
-- infinite where their shapes or other values differ
CREATE FUNCTION regress.json_diff(x jsonb, y jsonb) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    d float8 := 0;
    k text;
    i int;
BEGIN
    IF jsonb_typeof(x) = 'number' AND jsonb_typeof(y) = 'number' THEN
        RETURN abs(x::text::float8 - y::text::float8) / greatest(1, abs(x::text::float8));
    ELSIF jsonb_typeof(x) = 'object' AND jsonb_typeof(y) = 'object' THEN
        IF (SELECT array_agg(a ORDER BY a) FROM jsonb_object_keys(x) a)
           IS DISTINCT FROM (SELECT array_agg(a ORDER BY a) FROM jsonb_object_keys(y) a) THEN
            RETURN 'infinity';
        END IF;
        FOR k IN SELECT jsonb_object_keys(x) LOOP
            d := greatest(d, regress.json_diff(x -> k, y -> k));
        END LOOP;
        RETURN d;
    ELSIF jsonb_typeof(x) = 'array' AND jsonb_typeof(y) = 'array' THEN
        IF jsonb_array_length(x) <> jsonb_array_length(y) THEN
            RETURN 'infinity';
        END IF;
        FOR i IN 0 .. jsonb_array_length(x) - 1 LOOP
            d := greatest(d, regress.json_diff(x -> i, y -> i));
        END LOOP;
        RETURN d;
    END IF;
    RETURN CASE WHEN x = y THEN 0::float8 ELSE 'infinity'::float8 END;
END $$;

SELECT count(*) AS houses FROM houses;
SELECT count(*) AS synth, round(avg(y)::numeric, 6) AS mean_y FROM synth;
