-- modelmgr 0.7.0: passes of a fit over a relation, as one parallel aggregate
-- whatever the algorithm.  See doc/scaling.md.

\echo Use "ALTER EXTENSION modelmgr UPDATE TO '0.7.0'" to load this file. \quit

-- Passes of a fit over a relation: one aggregate runs any algorithm's pass
-- (a mergeable accumulation) over the training rows, in parallel workers or
-- on a distributed database's shards (see doc/scaling.md).  pass is a header
-- naming the pass, the split and the pass's input (mm_pass_header); the state
-- counts the rows seen and skipped and holds the pass's own state.  The
-- signature is fixed, the features one array, so the argument types are exact.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, x float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_pass_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mm_pass_final(state bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, x float8[]) (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, float8[])
    IS 'one pass of a fit over the training rows of a deterministic train/test split';

CREATE FUNCTION mm_pass_header(artifact_id int, pass int, p int, test_size float8, seed int,
                               arg bytea DEFAULT NULL)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_header'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_header(int, int, int, float8, int, bytea)
    IS 'the header naming a pass of an algorithm, its split and its input, for mm_pass';

CREATE FUNCTION mm_pass_result(state bytea, OUT pass text, OUT rows_seen bigint, OUT rows_train bigint,
                               OUT rows_test bigint, OUT rows_null_target bigint,
                               OUT rows_bad_features bigint, OUT rows_bad_target bigint,
                               OUT null_count bigint[], OUT nonfinite_count bigint[],
                               OUT pass_state bytea)
RETURNS record
AS 'MODULE_PATHNAME', 'mm_pass_result'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_result(bytea)
    IS 'the rows a state of mm_pass counted, and the state of its pass';

-- One class's probability: the class named as mm_classes lists it,
-- so binary tasks need not know the positive class is the last.
CREATE FUNCTION mm_predict_proba(model text, input record, class text)
RETURNS float8
AS 'MODULE_PATHNAME', 'mm_predict_proba_class'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_predict_proba(text, record, text)
    IS 'the probability of one class for a row, the class named as mm_classes lists it';

-- Confidence intervals from mm_coefficients: a level argument and
-- two columns at the end; the one-argument function gives way to it.
DROP FUNCTION mm_coefficients(text);
CREATE FUNCTION mm_coefficients(model text, level float8 DEFAULT 0.95)
RETURNS TABLE (class text, feature text, coef float8, std_err float8, stat float8, p_value float8,
               ci_lower float8, ci_upper float8)
AS 'MODULE_PATHNAME', 'mm_coefficients'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_coefficients IS 'coefficients of a linear model with their inference statistics and confidence intervals';

-- Where each running training is: its phase, passes over the relation,
-- iterations and rows read, for other sessions (needs the library preloaded).
CREATE FUNCTION mm_train_progress()
RETURNS TABLE (pid int, model text, algorithm text, phase text, passes int, pass text, iteration int,
               rows_read bigint, elapsed interval)
AS 'MODULE_PATHNAME', 'mm_train_progress'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION mm_train_progress IS 'where each running training is (needs the library preloaded)';

CREATE VIEW mm.train_progress AS SELECT * FROM @extschema@.mm_train_progress();
COMMENT ON VIEW mm.train_progress IS 'one row per running training: its phase, passes, iterations, rows read and time so far';
GRANT SELECT ON mm.train_progress TO PUBLIC;
-- Training in passes over a relation (issue 14: every pass an aggregate on the
-- shards): the pass aggregate's form for rows with text features and class
-- labels, whose header carries the fitted design each row goes through, and
-- the split of such a row, for the queries that count categories and labels
-- per part.  The argument types are fixed, as a distributed database needs
-- them to push the aggregate down.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, x float8[], c text[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, x float8[], c text[]) (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, float8[], text[])
    IS 'one pass of a fit over the rows of a part of the split, text features and labels through the fitted design';

CREATE FUNCTION mm_pass_part(pass bytea, y float8, x float8[], c text[])
RETURNS int
AS 'MODULE_PATHNAME', 'mm_pass_part'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_pass_part(bytea, float8, float8[], text[])
    IS 'the part of the split a row falls in (0 training, 1 held out), as mm_pass splits it';

-- Passes over relations no distributed database distributes read each
-- row's values as separate arguments, which build no array per row.
CREATE FUNCTION mm_pass_accum(state bytea, pass bytea, y float8, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_pass_accum_any'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_pass(pass bytea, y float8, VARIADIC x "any") (
    SFUNC = mm_pass_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_pass_combine,
    FINALFUNC = mm_pass_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_pass(bytea, float8, VARIADIC "any")
    IS 'mm_pass through the fitted design with the row''s values as separate arguments (features, then a text label)';

-- Citus: aggregates that push down to the shards.  mm_cv_stats with the
-- features in one array: a fixed signature, which a distributed database
-- needs to run the aggregate on its shards (doc/scaling.md).
CREATE FUNCTION mm_cv_accum_array(state bytea, folds int, test_size float8, seed int, sample_rows int,
                                  expected_rows float8, y float8, x float8[])
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_cv_accum_array'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_cv_stats_array(folds int, test_size float8, seed int, sample_rows int,
                                   expected_rows float8, y float8, x float8[]) (
    SFUNC = mm_cv_accum_array,
    STYPE = bytea,
    COMBINEFUNC = mm_cv_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_cv_stats_array(int, float8, int, int, float8, float8, float8[])
    IS 'mm_cv_stats with the features in one array, for any number of them';

-- Citus: the catalog on a Citus cluster.  Predictions on a distributed table
-- run on the workers, which need the extension; Citus creates it there when
-- CREATE EXTENSION modelmgr runs on a coordinator that has them.  Where
-- modelmgr came first, this does it, and Citus then creates it on the nodes
-- added later too (doc/scaling.md).
CREATE FUNCTION mm_citus_setup()
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET client_min_messages = warning
AS $$
DECLARE
    workers int;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'extension "citus" is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION citus and add the workers, then mm_citus_setup().';
    END IF;
    -- Citus propagates CREATE EXTENSION even of an extension that exists here:
    -- it creates it on every worker and records it as distributed
    EXECUTE 'CREATE EXTENSION IF NOT EXISTS modelmgr';
    EXECUTE 'SELECT pg_catalog.count(*)::pg_catalog.int4 FROM pg_catalog.pg_dist_node '
            'WHERE noderole OPERATOR(pg_catalog.=) ''primary'' AND isactive '
            'AND groupid OPERATOR(pg_catalog.<>) 0' INTO workers;
    RETURN workers;
END
$$;
COMMENT ON FUNCTION mm_citus_setup()
    IS 'create the extension on the workers of a Citus cluster it predated; returns their number';

-- A baseline is tens of kilobytes of JSON written by every training; lz4
-- compresses it several times faster than the default pglz, a visible share
-- of a training's fixed cost.  A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE mm._versions ALTER COLUMN baseline SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;

-- Monitoring checks as an aggregate pushed down to the shards: a check's
-- window is counted by one aggregate with a fixed signature and a bytea
-- state that merges, so parallel workers share the window and Citus runs it
-- on each shard, sending back counts instead of rows (doc/scaling.md).
CREATE FUNCTION mm_check_accum(state bytea, "check" bytea, x float8[], c text[], y float8, label text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION mm_check_combine(a bytea, b bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION mm_check_final(state bytea)
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE mm_check_stats("check" bytea, x float8[], c text[], y float8, label text) (
    SFUNC = mm_check_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_check_combine,
    FINALFUNC = mm_check_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_check_stats(bytea, float8[], text[], float8, text)
    IS 'what a monitoring check counts over its window: values against the baseline, predictions, quality';

-- Gradient boosting: feature importances of tree models (issue 15).
CREATE FUNCTION mm_importance(model text)
RETURNS TABLE (feature text, importance float8, method text)
AS 'MODULE_PATHNAME', 'mm_importance'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mm_importance(text)
    IS 'feature importances of a tree model: gain, total_gain and split_count per encoded column';

-- Checks of relations no distributed database distributes hand each row's
-- values as separate arguments (float8 numbers, text categories, in the
-- model's order), which build no array per row (doc/scaling.md).
CREATE FUNCTION mm_check_accum(state bytea, "check" bytea, y float8, label text, VARIADIC x "any")
RETURNS bytea
AS 'MODULE_PATHNAME', 'mm_check_accum_any'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mm_check_stats("check" bytea, y float8, label text, VARIADIC x "any") (
    SFUNC = mm_check_accum,
    STYPE = bytea,
    COMBINEFUNC = mm_check_combine,
    FINALFUNC = mm_check_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE mm_check_stats(bytea, float8, text, VARIADIC "any")
    IS 'mm_check_stats with the row''s values as separate arguments, in the model''s order';
