--
-- Shadowing: no statement the extension issues may run an operator, function
-- or aggregate of a schema the caller put ahead of pg_catalog.  Shadows of the
-- operators and functions its SQL spells are planted in schema shadow and in
-- public (the extension's own schema here, which a fix could be tempted to put
-- first); each records its call in public.shadow_calls and gives pg_catalog's
-- answer.  Every function of the extension then runs with
-- search_path = shadow, public, pg_catalog, and so does a monitor worker's
-- session; public.shadow_calls must stay empty.
--
-- The suite's own statements run under the default search_path, where
-- pg_catalog comes first; inside the shadowed stretches they name
-- pg_catalog's objects.
--
\pset null '(null)'

CREATE TABLE public.shadow_calls (what text, at timestamptz DEFAULT pg_catalog.clock_timestamp());
GRANT INSERT ON public.shadow_calls TO PUBLIC;
CREATE SCHEMA shadow;
GRANT USAGE ON SCHEMA shadow TO PUBLIC;

-- Comparison operators of the types the extension's statements compare, the
-- cross-type integer pairs included (a literal 0 is an integer next to a
-- bigint count), and + and || as its catalog statements use them.
DO $plant$
DECLARE
    s text;
    t record;
    o record;
BEGIN
    FOREACH s IN ARRAY ARRAY['public', 'shadow'] LOOP
        FOR t IN SELECT * FROM (VALUES
                ('integer', 'integer', 'int4'), ('bigint', 'bigint', 'int8'),
                ('bigint', 'integer', 'int8_int4'), ('integer', 'bigint', 'int4_int8'),
                ('double precision', 'double precision', 'float8'), ('numeric', 'numeric', 'numeric'),
                ('text', 'text', 'text'), ('name', 'name', 'name'), ('timestamptz', 'timestamptz', 'timestamptz'),
                ('oid', 'oid', 'oid'), ('boolean', 'boolean', 'bool')) AS v(l, r, tag) LOOP
            FOR o IN SELECT * FROM (VALUES ('=', 'eq'), ('<>', 'ne'), ('<', 'lt'), ('<=', 'le'),
                                           ('>', 'gt'), ('>=', 'ge')) AS v(op, name) LOOP
                EXECUTE format($f$
                    CREATE FUNCTION %1$I.%2$I(a %3$s, b %4$s) RETURNS boolean LANGUAGE plpgsql AS $body$
                    BEGIN
                        INSERT INTO public.shadow_calls (what) VALUES (%5$L);
                        RETURN a OPERATOR(pg_catalog.%6$s) b;
                    END $body$ $f$,
                    s, 'shadow_' || o.name || '_' || t.tag, t.l, t.r,
                    format('%s.%s(%s,%s)', s, o.op, t.l, t.r), o.op);
                EXECUTE format('CREATE OPERATOR %1$I.%2$s (LEFTARG = %3$s, RIGHTARG = %4$s, FUNCTION = %1$I.%5$I)',
                               s, o.op, t.l, t.r, 'shadow_' || o.name || '_' || t.tag);
            END LOOP;
        END LOOP;
        FOR t IN SELECT * FROM (VALUES
                ('+', 'integer', 'integer', 'integer', 'plus_int4'),
                ('+', 'bigint', 'bigint', 'bigint', 'plus_int8'),
                ('+', 'timestamptz', 'interval', 'timestamptz', 'plus_timestamptz'),
                ('||', 'jsonb', 'jsonb', 'jsonb', 'concat_jsonb')) AS v(op, l, r, result, name) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(a %3$s, b %4$s) RETURNS %5$s LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%6$L);
                    RETURN a OPERATOR(pg_catalog.%7$s) b;
                END $body$ $f$,
                s, 'shadow_' || t.name, t.l, t.r, t.result, format('%s.%s(%s,%s)', s, t.op, t.l, t.r), t.op);
            EXECUTE format('CREATE OPERATOR %1$I.%2$s (LEFTARG = %3$s, RIGHTARG = %4$s, FUNCTION = %1$I.%5$I)',
                           s, t.op, t.l, t.r, 'shadow_' || t.name);
        END LOOP;
    END LOOP;
END
$plant$;

-- Functions and aggregates.  An aggregate records its call once, in its final
-- function; its transition function is plain SQL that calls nothing shadowed.
-- COALESCE is grammar, not a function call, and cannot be shadowed: its
-- shadow is there so that the list covers what the extension's SQL spells.
DO $plant$
DECLARE
    s text;
    t record;
BEGIN
    FOREACH s IN ARRAY ARRAY['public', 'shadow'] LOOP
        FOR t IN SELECT * FROM (VALUES
                ('now', '', '', 'timestamptz', 'pg_catalog.now()'),
                ('lower', 'a text', 'text', 'text', 'pg_catalog.lower(a)'),
                ('coalesce', 'a anyelement, b anyelement', 'anyelement,anyelement', 'anyelement', 'COALESCE(a, b)'),
                ('format', 'a text', 'text', 'text', 'pg_catalog.format(a)'),
                ('format', 'a text, b text', 'text,text', 'text', 'pg_catalog.format(a, b)'),
                ('to_regclass', 'a text', 'text', 'regclass', 'pg_catalog.to_regclass(a)'),
                ('pg_current_snapshot', '', '', 'pg_snapshot', 'pg_catalog.pg_current_snapshot()'),
                ('string_to_array', 'a text, b text', 'text,text', 'text[]', 'pg_catalog.string_to_array(a, b)'))
              AS v(name, args, types, result, body) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(%3$s) RETURNS %4$s LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%5$L);
                    RETURN %6$s;
                END $body$ $f$,
                s, t.name, t.args, t.result, format('%s.%s(%s)', s, t.name, t.types), t.body);
        END LOOP;

        -- count(*) and count of a value
        EXECUTE format($f$
            CREATE FUNCTION %1$I.shadow_count_step(n bigint) RETURNS bigint LANGUAGE sql
                AS $body$ SELECT n OPERATOR(pg_catalog.+) 1 $body$;
            CREATE FUNCTION %1$I.shadow_count_final(n bigint) RETURNS bigint LANGUAGE plpgsql AS $body$
            BEGIN
                INSERT INTO public.shadow_calls (what) VALUES (%2$L);
                RETURN n;
            END $body$;
            CREATE AGGREGATE %1$I.count(*) (SFUNC = %1$I.shadow_count_step, STYPE = bigint,
                                             INITCOND = '0', FINALFUNC = %1$I.shadow_count_final)$f$,
            s, s || '.count(*)');
        FOR t IN SELECT * FROM (VALUES ('integer', 'int4'), ('bigint', 'int8'), ('double precision', 'float8'),
                                       ('numeric', 'numeric'), ('text', 'text'), ('timestamptz', 'timestamptz'),
                                       ('oid', 'oid'), ('boolean', 'bool')) AS v(type, tag) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(n bigint, v %3$s) RETURNS bigint LANGUAGE sql
                    AS $body$ SELECT CASE WHEN v IS NULL THEN n ELSE n OPERATOR(pg_catalog.+) 1 END $body$;
                CREATE FUNCTION %1$I.%4$I(n bigint) RETURNS bigint LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%5$L);
                    RETURN n;
                END $body$;
                CREATE AGGREGATE %1$I.count(%3$s) (SFUNC = %1$I.%2$I, STYPE = bigint,
                                                    INITCOND = '0', FINALFUNC = %1$I.%4$I)$f$,
                s, 'shadow_count_step_' || t.tag, t.type, 'shadow_count_final_' || t.tag,
                format('%s.count(%s)', s, t.type));
        END LOOP;

        -- min and max
        FOR t IN SELECT a.agg, a.cmp, v.type, v.tag
                   FROM (VALUES ('min', '<'), ('max', '>')) AS a(agg, cmp),
                        (VALUES ('integer', 'int4'), ('bigint', 'int8'), ('double precision', 'float8'),
                                ('numeric', 'numeric'), ('text', 'text'), ('timestamptz', 'timestamptz'),
                                ('oid', 'oid')) AS v(type, tag) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(a %3$s, b %3$s) RETURNS %3$s LANGUAGE sql STRICT
                    AS $body$ SELECT CASE WHEN b OPERATOR(pg_catalog.%4$s) a THEN b ELSE a END $body$;
                CREATE FUNCTION %1$I.%5$I(a %3$s) RETURNS %3$s LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%6$L);
                    RETURN a;
                END $body$;
                CREATE AGGREGATE %1$I.%7$I(%3$s) (SFUNC = %1$I.%2$I, STYPE = %3$s, FINALFUNC = %1$I.%5$I)$f$,
                s, 'shadow_' || t.agg || '_step_' || t.tag, t.type, t.cmp,
                'shadow_' || t.agg || '_final_' || t.tag, format('%s.%s(%s)', s, t.agg, t.type), t.agg);
        END LOOP;

        -- sum, of pg_catalog's result types
        FOR t IN SELECT * FROM (VALUES ('integer', 'bigint', 'int4'), ('bigint', 'numeric', 'int8'),
                                       ('double precision', 'double precision', 'float8'),
                                       ('numeric', 'numeric', 'numeric')) AS v(type, result, tag) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(s %4$s, v %3$s) RETURNS %4$s LANGUAGE sql
                    AS $body$ SELECT CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v::%4$s
                                          ELSE s OPERATOR(pg_catalog.+) v::%4$s END $body$;
                CREATE FUNCTION %1$I.%5$I(s %4$s) RETURNS %4$s LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%6$L);
                    RETURN s;
                END $body$;
                CREATE AGGREGATE %1$I.sum(%3$s) (SFUNC = %1$I.%2$I, STYPE = %4$s, FINALFUNC = %1$I.%5$I)$f$,
                s, 'shadow_sum_step_' || t.tag, t.type, t.result, 'shadow_sum_final_' || t.tag,
                format('%s.sum(%s)', s, t.type));
        END LOOP;

        -- string_agg and array_agg
        EXECUTE format($f$
            CREATE FUNCTION %1$I.shadow_string_agg_step(s text, v text, d text) RETURNS text LANGUAGE sql
                AS $body$ SELECT CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v
                                      ELSE s OPERATOR(pg_catalog.||) d OPERATOR(pg_catalog.||) v END $body$;
            CREATE FUNCTION %1$I.shadow_string_agg_final(s text) RETURNS text LANGUAGE plpgsql AS $body$
            BEGIN
                INSERT INTO public.shadow_calls (what) VALUES (%2$L);
                RETURN s;
            END $body$;
            CREATE AGGREGATE %1$I.string_agg(text, text) (SFUNC = %1$I.shadow_string_agg_step, STYPE = text,
                                                          FINALFUNC = %1$I.shadow_string_agg_final)$f$,
            s, s || '.string_agg(text,text)');
        FOR t IN SELECT * FROM (VALUES ('integer', 'int4'), ('bigint', 'int8'), ('text', 'text'))
              AS v(type, tag) LOOP
            EXECUTE format($f$
                CREATE FUNCTION %1$I.%2$I(s %3$s[], v %3$s) RETURNS %3$s[] LANGUAGE sql
                    AS $body$ SELECT pg_catalog.array_append(s, v) $body$;
                CREATE FUNCTION %1$I.%4$I(s %3$s[]) RETURNS %3$s[] LANGUAGE plpgsql AS $body$
                BEGIN
                    INSERT INTO public.shadow_calls (what) VALUES (%5$L);
                    RETURN s;
                END $body$;
                CREATE AGGREGATE %1$I.array_agg(%3$s) (SFUNC = %1$I.%2$I, STYPE = %3$s[], FINALFUNC = %1$I.%4$I)$f$,
                s, 'shadow_array_agg_step_' || t.tag, t.type, 'shadow_array_agg_final_' || t.tag,
                format('%s.array_agg(%s)', s, t.type));
        END LOOP;
    END LOOP;
END
$plant$;

-- The shadows are reachable and give pg_catalog's answers: a shadow that did
-- not fire here could not show anything below.
SET search_path = shadow, public, pg_catalog;
SELECT 1 = 1 AS eq, 2::bigint > 1 AS gt_cross, 'a'::text < 'b' AS lt, now() <= now() AS le,
       lower('ABC') AS lower, format('<%s>', 'x') AS format,
       (SELECT count(*) FROM generate_series(1, 3)) AS count_star,
       (SELECT max(g) FROM generate_series(1, 3) g) AS max,
       (SELECT sum(g) FROM generate_series(1, 3) g) AS sum,
       (SELECT string_agg(g::text, ',') FROM generate_series(1, 3) g) AS string_agg;
-- and public's, where public comes first
SET search_path = public, pg_catalog;
SELECT 1 = 1 AS eq, (SELECT count(*) FROM generate_series(1, 3)) AS count_star;
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls GROUP BY what ORDER BY what;
TRUNCATE public.shadow_calls;

-- The data: y is linear in x1, x2 and the city, grade in x1; band, an integer
-- with two values, makes algorithm 'auto' count the target's distinct values;
-- at puts rows 301 to 600, the same mix as all 600, in the last day.
CREATE TABLE shd_lin AS
SELECT g AS id, (g % 50)::float8 AS x1, ((g * 7) % 30)::float8 AS x2,
       CASE g % 3 WHEN 0 THEN 'north' WHEN 1 THEN 'south' ELSE 'east' END AS city,
       (3 + 2 * (g % 50) - (g * 7) % 30 + CASE g % 3 WHEN 0 THEN 5 WHEN 1 THEN -2 ELSE 0 END)::float8 AS y,
       CASE WHEN g % 50 < 15 THEN 'low' WHEN g % 50 < 35 THEN 'mid' ELSE 'high' END AS grade,
       (g % 50 >= 25)::int AS band,
       now() - CASE WHEN g <= 300 THEN interval '2 days' ELSE interval '1 hour' END AS at
  FROM generate_series(1, 600) g;
-- far from every training value: any monitor of it alerts
CREATE TABLE shd_shifted AS SELECT id, x1 + 1000 AS x1, x2 + 1000 AS x2, city, y, grade, band, at FROM shd_lin;

--
-- Training, with every algorithm
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_price', 'public.shd_lin', 'y', algorithm => 'linear_regression',
                features => ARRAY['x1', 'x2', 'city'], preprocess => '{"*": {"scale": "standard"}}');
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_plain', 'public.shd_lin', 'y', features => ARRAY['x1', 'x2']);
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_grade', 'public.shd_lin', 'grade', algorithm => 'logistic_regression',
                features => ARRAY['x1', 'x2', 'city'],
                preprocess => '{"*": {"impute": "median", "scale": "standard"}}');
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_svm', 'public.shd_lin', 'band', algorithm => 'linear_svm',
                features => ARRAY['x1', 'x2', 'city'], preprocess => '{"*": {"scale": "standard"}}');
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_band', 'public.shd_lin', 'band', features => ARRAY['x1', 'x2']);
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_boost', 'public.shd_lin', 'y', algorithm => 'gradient_boosting',
                features => ARRAY['x1', 'x2', 'city'], params => '{"n_estimators": 5}');
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_groups', 'public.shd_lin', NULL, algorithm => 'kmeans',
                features => ARRAY['x1', 'x2', 'city'], params => '{"k": 3}', test_size => 0);
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_shape', 'public.shd_lin', NULL, algorithm => 'pca',
                features => ARRAY['x1', 'x2'], test_size => 0);
-- in passes over the relation: mm_pass with text and mm_pass_part
SET modelmgr.train_in_passes = on;
SELECT model, version, algorithm, deployed
  FROM mm_train('shd_passes', 'public.shd_lin', 'y', algorithm => 'linear_regression',
                features => ARRAY['x1', 'x2', 'city'], preprocess => '{"x2": {"scale": "minmax"}}');
RESET modelmgr.train_in_passes;
SELECT model, version, algorithm, deployed FROM mm_retrain('shd_price');
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
-- y is exactly linear in the features: both versions fit it
SELECT version, round((metrics #>> '{test,r2}')::numeric, 9) AS test_r2
  FROM mm.versions WHERE model = 'shd_price' ORDER BY version;

--
-- Prediction, evaluation, coefficients, comparison
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
CREATE TABLE public.shd_scored AS
SELECT s.id, mm_predict('shd_price', s) AS price, mm_predict('shd_plain', ARRAY[s.x1, s.x2]) AS plain,
       mm_predict('shd_plain', s) AS plain_record,
       mm_predict_label('shd_grade', s) AS grade, mm_predict_proba('shd_grade', s) AS proba,
       mm_predict_proba('shd_grade', s, 'mid') AS proba_mid,
       mm_predict_label('shd_svm', s) AS svm, mm_predict('shd_band', s) AS band,
       mm_predict('shd_groups', s) AS cluster, mm_transform('shd_groups', s) AS distances,
       mm_transform('shd_shape', s) AS components
  FROM public.shd_lin s;
SELECT mm_classes('shd_grade') AS classes;
CREATE TABLE public.shd_evaluated AS
SELECT mm_evaluate('shd_price', 'public.shd_lin') AS price, mm_evaluate('shd_plain', 'public.shd_lin') AS plain,
       mm_evaluate('shd_grade', 'public.shd_lin') AS grade, mm_evaluate('shd_groups', 'public.shd_lin') AS groups;
CREATE TABLE public.shd_coefficients AS SELECT * FROM mm_coefficients('shd_price', 0.9);
CREATE TABLE public.shd_importance AS SELECT * FROM mm_importance('shd_boost');
SELECT mm_compare('shd_price', 1, 2) -> 'params' AS compared_params;
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
-- the predictions are y (regression) and the rules of grade and band; the evaluations say as much
SELECT max(abs(s.price - l.y)) < 1e-9 AS price_exact, bool_and(s.plain = s.plain_record) AS array_is_record,
       avg((s.grade = l.grade)::int) > 0.9 AS grade_learned,
       bool_and(abs((SELECT sum(p) FROM unnest(s.proba) p) - 1) < 1e-12) AS proba_sums_to_one,
       avg((s.svm = l.band::text)::int) > 0.9 AS svm_learned, avg((s.band::int = l.band)::int) > 0.9 AS band_learned,
       bool_and(array_length(s.distances, 1) = 3) AS three_distances,
       bool_and(s.distances[s.cluster::int + 1] = (SELECT min(d) FROM unnest(s.distances) d)) AS nearest_center
  FROM shd_scored s JOIN shd_lin l USING (id);
-- one class's probability is its element of the array, mid the third of {high,low,mid}
SELECT bool_and(s.proba_mid = s.proba[3]) AS class_is_element FROM shd_scored s;
-- every component kept: a projection keeps the row's distance to the training mean
SELECT bool_and(abs((SELECT sum(c * c) FROM unnest(s.components) c)
                    - ((l.x1 - m.x1) ^ 2 + (l.x2 - m.x2) ^ 2)) < 1e-6) AS projection_keeps_length
  FROM shd_scored s JOIN shd_lin l USING (id), (SELECT avg(x1) AS x1, avg(x2) AS x2 FROM shd_lin) m;
SELECT round((price ->> 'r2')::numeric, 9) AS price_r2, (plain ->> 'rows')::int AS plain_rows,
       (grade ->> 'accuracy')::float8 > 0.9 AS grade_accurate, groups ? 'inertia' AS has_inertia
  FROM shd_evaluated;
SELECT count(*) AS coefficients FROM shd_coefficients;

--
-- The registry
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT version FROM mm_train('shd_plain', 'public.shd_lin', 'y', features => ARRAY['x1'], deploy => 'never');
SELECT mm_deploy('shd_plain', 2);
SELECT mm_rollback('shd_plain');
SELECT mm_deploy('shd_plain', 2, 'staging');
SELECT mm_undeploy('shd_plain', 'staging');
SELECT mm_archive('shd_plain', 2);
SELECT mm_restore('shd_plain', 2);
SELECT mm_archive('shd_plain', 2);
SELECT mm_purge('shd_plain', 2);
SELECT mm_annotate('shd_plain', 'shadowed', '{"suite": "shadowing"}');
-- without Citus, only its refusal
SELECT mm_citus_setup();
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
SELECT stage, action, version, previous_version FROM mm.deployment_history
 WHERE model = 'shd_plain' ORDER BY id;
SELECT version, status FROM mm.versions WHERE model = 'shd_plain' ORDER BY version;
SELECT description, tags FROM mm.models WHERE model = 'shd_plain';

--
-- Tuning: a linear regression (its folds in one aggregate) and a classifier
-- (a search over preprocessing too)
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT model, version, algorithm, params -> 'alpha' AS alpha
  FROM mm_tune('shd_tuned_lin', 'public.shd_lin', 'y', features => ARRAY['x1', 'x2'],
               search => '{"alpha": [0, 1000000]}', folds => 3);
SELECT model, version, algorithm
  FROM mm_tune('shd_tuned_cls', 'public.shd_lin', 'grade', algorithm => 'logistic_regression',
               features => ARRAY['x1', 'x2', 'city'], folds => 3,
               search => '{"alpha": [0.1, 1], "preprocess.*.scale": ["none", "standard"]}');
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
SELECT model, count(*) AS trials, bool_and(status = 'ok') AS all_ok
  FROM mm.trials WHERE model LIKE 'shd\_%' GROUP BY model ORDER BY model;

--
-- Export and import
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT mm_import('shd_copy', mm_export('shd_price')) AS imported_version;
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
SELECT bool_and(mm_predict('shd_copy', l) = mm_predict('shd_price', l)) AS same_predictions FROM shd_lin l;

--
-- Monitors run by hand: a time window and labels, a classifier's labels, and
-- the two actions; each check is one query of mm_check_stats over its window
--
SELECT version FROM mm_train('shd_roll', 'shd_lin', 'y', features => ARRAY['x1', 'x2'], test_size => 0);
SELECT version FROM mm_train('shd_roll', 'shd_lin', 'y', features => ARRAY['x1'], test_size => 0,
                             deploy => 'always');
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT mm_monitor('shd_price', 'public.shd_lin', time_column => 'at', time_window => '1 day',
                  label_column => 'y') AS mon_window \gset
SELECT mm_monitor('shd_grade', 'public.shd_lin', label_column => 'grade') AS mon_labels \gset
SELECT mm_monitor('shd_roll', 'public.shd_shifted', action => 'rollback') AS mon_rollback \gset
SELECT mm_monitor('shd_plain', 'public.shd_shifted', action => 'retrain') AS mon_retrain \gset
SELECT r ->> 'verdict' AS verdict, r -> 'rows' AS rows, r #> '{quality,rows}' AS labelled
  FROM mm_monitor_run(:mon_window) r;
SELECT r ->> 'verdict' AS verdict, r -> 'rows' AS rows, r #> '{quality,metric}' AS metric
  FROM mm_monitor_run(:mon_labels) r;
SELECT r ->> 'verdict' AS verdict, r #> '{action,outcome}' AS outcome, r #> '{action,version}' AS version
  FROM mm_monitor_run(:mon_rollback) r;
SELECT r ->> 'verdict' AS verdict, r #> '{action,outcome}' AS outcome, r #> '{action,version}' AS version
  FROM mm_monitor_run(:mon_retrain) r;
SELECT mm_unmonitor(:mon_window), mm_unmonitor(:mon_labels), mm_unmonitor(:mon_rollback),
       mm_unmonitor(:mon_retrain);
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
-- the window holds the rows of the last day
SELECT count(*) AS rows_last_day FROM shd_lin WHERE at >= now() - interval '1 day';
SELECT version, relation FROM mm.versions WHERE model = 'shd_plain' ORDER BY version;

--
-- A monitor worker, its session's search_path the shadowed one
--
SELECT current_database() AS db \gset
SELECT pg_catalog.clock_timestamp() AS phase \gset
ALTER DATABASE :"db" SET search_path = shadow, public, pg_catalog;
SET search_path = shadow, public, pg_catalog;
SELECT mm_monitor('shd_price', 'public.shd_lin', every => '1 second', time_column => 'at',
                  time_window => '1 day') AS mon_worker \gset
RESET search_path;
ALTER SYSTEM SET modelmgr.monitor_enabled = on;
ALTER SYSTEM SET modelmgr.monitor_naptime = 1;
SELECT pg_reload_conf();
-- waits up to 30 s for the condition to hold
CREATE FUNCTION shd_wait(condition text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    done boolean;
BEGIN
    FOR i IN 1 .. 150 LOOP
        EXECUTE 'SELECT ' || condition INTO done;
        IF done THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;
    RETURN false;
END $$;
SELECT shd_wait(format('EXISTS (SELECT FROM mm.monitor_runs WHERE monitor = %s AND via = %L)',
                       :mon_worker, 'worker')) AS worker_ran;
SELECT mm_unmonitor(:mon_worker);
ALTER SYSTEM RESET modelmgr.monitor_enabled;
ALTER SYSTEM RESET modelmgr.monitor_naptime;
SELECT pg_reload_conf();
ALTER DATABASE :"db" RESET search_path;
SELECT shd_wait($$NOT EXISTS (SELECT FROM pg_stat_activity
                              WHERE backend_type = 'modelmgr monitor worker')$$) AS worker_gone;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
SELECT verdict FROM mm.monitor_runs WHERE monitor = :mon_worker AND via = 'worker' ORDER BY id LIMIT 1;

--
-- The catalog's views, and dropping the models
--
SELECT pg_catalog.clock_timestamp() AS phase \gset
SET search_path = shadow, public, pg_catalog;
SELECT (SELECT pg_catalog.count(*) FROM mm.models WHERE model LIKE 'shd\_%') AS models,
       (SELECT pg_catalog.count(*) FROM mm.versions WHERE model LIKE 'shd\_%') AS versions,
       (SELECT pg_catalog.count(*) FROM mm.deployments WHERE model LIKE 'shd\_%') AS deployments,
       (SELECT pg_catalog.count(*) FROM mm.deployment_history WHERE model LIKE 'shd\_%') AS history,
       (SELECT pg_catalog.count(*) FROM mm.audit_log WHERE model LIKE 'shd\_%') AS audit,
       (SELECT pg_catalog.count(*) FROM mm.monitors WHERE model LIKE 'shd\_%') AS monitors,
       (SELECT pg_catalog.count(*) FROM mm.monitor_runs
         WHERE model LIKE 'shd\_%' AND via LIKE 'mm\_monitor\_run') AS runs_by_hand,
       (SELECT pg_catalog.count(*) FROM mm.alerts WHERE model LIKE 'shd\_%') AS alerts,
       (SELECT pg_catalog.count(*) FROM mm.trials WHERE model LIKE 'shd\_%') AS trials,
       (SELECT pg_catalog.count(*) FROM mm.tune_progress) AS tuning_now,
       (SELECT pg_catalog.count(*) FROM mm.train_progress) AS training_now;
SELECT m AS dropped
  FROM unnest(ARRAY['shd_price', 'shd_plain', 'shd_grade', 'shd_svm', 'shd_band', 'shd_groups', 'shd_shape',
                    'shd_passes', 'shd_tuned_lin', 'shd_tuned_cls', 'shd_copy', 'shd_roll', 'shd_boost']) m,
       LATERAL mm_drop_model(m);
RESET search_path;
SELECT what, count(*) AS calls FROM public.shadow_calls WHERE at >= :'phase' GROUP BY what ORDER BY what;
SELECT count(*) AS models_left FROM mm.models WHERE model LIKE 'shd\_%';

-- the suites that follow see no shadow
DROP FUNCTION shd_wait(text);
DROP TABLE shd_lin, shd_shifted, shd_scored, shd_evaluated, shd_coefficients;
SET client_min_messages = warning;
DROP SCHEMA shadow CASCADE;
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND (p.prosrc LIKE '%shadow_calls%' OR p.proname LIKE 'shadow\_%') LOOP
        EXECUTE format('DROP FUNCTION %s CASCADE', f);
    END LOOP;
END
$$;
RESET client_min_messages;
SELECT (SELECT count(*) FROM pg_operator WHERE oprnamespace = 'public'::regnamespace) AS public_operators,
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
           AND (prosrc LIKE '%shadow_calls%' OR proname LIKE 'shadow\_%')) AS public_shadow_functions;

-- Every shadow call of the whole suite, by shadow: none.
SELECT what, count(*) FROM public.shadow_calls GROUP BY what ORDER BY what;
