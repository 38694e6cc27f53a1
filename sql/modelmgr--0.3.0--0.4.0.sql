-- modelmgr 0.4.0: tuning (cross-validated search, every candidate kept as a trial).

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.4.0'" to load this file. \quit

CREATE TABLE mm._trials (
    id          bigserial PRIMARY KEY,
    model       text NOT NULL,
    version     integer NOT NULL,       -- the version the search's best candidate became
    trial       integer NOT NULL,
    algorithm   text NOT NULL,
    params      jsonb NOT NULL,
    preprocess  jsonb NOT NULL,
    metric      text NOT NULL,
    cv_mean     float8,
    cv_std      float8,
    fold_scores float8[],
    fit_time    interval,
    status      text NOT NULL CHECK (status IN ('ok', 'failed', 'not run')),
    error       text,
    tuned_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model, version, trial)
);
SELECT pg_catalog.pg_extension_config_dump('mm._trials', '');
SELECT pg_catalog.pg_extension_config_dump('mm._trials_id_seq', '');

CREATE VIEW mm.trials AS
SELECT t.model, t.version, t.trial, t.algorithm, t.params, t.preprocess, t.metric, t.cv_mean, t.cv_std,
       t.fold_scores, t.fit_time, t.status, t.error, t.tuned_at
  FROM mm._trials t;
COMMENT ON VIEW mm.trials IS 'every candidate of every search, with its cross-validated score';

REVOKE ALL ON mm._trials FROM PUBLIC;
REVOKE ALL ON SEQUENCE mm._trials_id_seq FROM PUBLIC;
GRANT SELECT ON mm.trials TO PUBLIC;

-- doc with value at path, the objects along it made as needed (for preprocess.<path> searches)
CREATE FUNCTION mm._jsonb_put(doc jsonb, path text[], value jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  SELECT CASE WHEN cardinality(path) = 1
              THEN COALESCE(doc, '{}'::jsonb) || jsonb_build_object(path[1], value)
              ELSE COALESCE(doc, '{}'::jsonb) || jsonb_build_object(path[1],
                       mm._jsonb_put(CASE WHEN jsonb_typeof(doc -> path[1]) = 'object'
                                          THEN doc -> path[1] END,
                                     path[2:], value))
         END
$$;

-- A linear regression's search in one pass: a training state per fold and one
-- for the held-out rows, in one bytea (see mm_tune and doc/tuning.md).
CREATE FUNCTION mm_cv_accum(state bytea, folds int, test_size float8, seed int, sample_rows int,
                            expected_rows float8, y float8, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_cv_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_cv_stats(folds int, test_size float8, seed int, sample_rows int, expected_rows float8,
                             y float8, VARIADIC x "any") (
    SFUNC = mm_cv_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_cv_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_cv_stats(int, float8, int, int, float8, float8, VARIADIC "any")
    IS 'least-squares statistics of each cross-validation fold and of the held-out rows';

CREATE FUNCTION mm_tune(model text, relation text, target text, algorithm text DEFAULT 'auto',
                        search jsonb DEFAULT NULL, method text DEFAULT 'grid', trials int DEFAULT 20,
                        folds int DEFAULT 5, metric text DEFAULT NULL,
                        features text[] DEFAULT NULL, exclude text[] DEFAULT NULL, params jsonb DEFAULT '{}',
                        preprocess jsonb DEFAULT '{}', test_size float8 DEFAULT 0.25, seed int DEFAULT 0,
                        deploy text DEFAULT 'if_better', time_budget interval DEFAULT NULL)
RETURNS TABLE (model text, version int, algorithm text, params jsonb, metrics jsonb, deployed boolean)
AS 'MODULE_PATHNAME', 'mm_tune'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mm_tune IS 'search hyperparameters by cross-validation and keep the best as a new version';

CREATE FUNCTION mm_tune_progress()
RETURNS TABLE (pid int, model text, algorithm text, candidate int, candidates int, fold int, folds int,
               elapsed interval)
AS 'MODULE_PATHNAME', 'mm_tune_progress'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_tune_progress IS 'where each running mm_tune is (needs the library preloaded)';

CREATE VIEW mm.tune_progress AS SELECT * FROM @extschema@.mm_tune_progress();
COMMENT ON VIEW mm.tune_progress IS 'one row per running search: its candidate, fold and time so far';
GRANT SELECT ON mm.tune_progress TO PUBLIC;
