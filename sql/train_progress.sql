--
-- Where a training is: mm.train_progress, one row per running training
-- (phase, passes over the relation, iterations, rows read, time so far),
-- and the same as NOTICEs with modelmgr.train_progress on.
--

-- a relation that looks at its own training's progress as the training
-- reads its 100,000th row: the view shows the training from inside it
CREATE TABLE progress_rows AS
SELECT g AS id, (g % 97)::float8 AS a, ((g * 7) % 13)::float8 AS b,
       CASE WHEN g % 3 = 0 THEN 'north' ELSE 'south' END AS side,
       (g % 97) * 2.0 + ((g * 7) % 13) + (g % 5) / 10.0 AS y
  FROM generate_series(1, 120000) g;
CREATE FUNCTION pg_temp.peek(id int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF id = 100000 THEN
    FOR r IN SELECT * FROM mm.train_progress WHERE pid = pg_backend_pid() LOOP
      RAISE NOTICE 'inside: model %, algorithm %, phase %, passes %, pass %, rows read %, elapsed %',
        r.model, r.algorithm, r.phase, r.passes, r.pass, r.rows_read, r.elapsed >= interval '0';
    END LOOP;
  END IF;
  RETURN true;
END $$;
CREATE VIEW progress_peek AS SELECT * FROM progress_rows r WHERE pg_temp.peek(r.id);
SET max_parallel_workers_per_gather = 0;

SELECT count(*) AS training_now FROM mm.train_progress;

-- rows read into memory: the view shows the rows read so far (every 65,536)
SELECT version FROM mm_train('progress_memory', 'progress_peek', 'y', exclude => ARRAY['id'],
                             preprocess => '{"*": {"scale": "standard"}}');
-- one pass over the relation (the least-squares aggregate): the pass is running
SELECT version FROM mm_train('progress_pass', 'progress_peek', 'y', exclude => ARRAY['id', 'side']);

-- with modelmgr.train_progress on, each phase and pass is a NOTICE (the
-- detail, which has the time, is left out here)
\set VERBOSITY terse
SET modelmgr.train_progress = on;
SELECT version FROM mm_train('progress_memory', 'progress_rows', 'y', exclude => ARRAY['id']);
SELECT version FROM mm_train('progress_pass', 'progress_rows', 'y', exclude => ARRAY['id', 'side']);
SELECT version FROM mm_train('progress_classes', 'progress_rows', 'side', exclude => ARRAY['id'],
                             algorithm => 'logistic_regression');
-- a failed training reports up to its error and leaves nothing running
CREATE VIEW progress_hole AS SELECT * FROM progress_rows UNION ALL SELECT 0, NULL, 1, 'north', 1;
SELECT version FROM mm_train('progress_bad', 'progress_hole', 'y', exclude => ARRAY['id']);
RESET modelmgr.train_progress;
\set VERBOSITY default
SELECT count(*) AS training_now FROM mm.train_progress;

-- another role sees a training only where it may see the model (006's
-- TAP test shows it with two sessions for tuning); with none running, no rows
CREATE ROLE progress_stranger;
SET ROLE progress_stranger;
SELECT count(*) AS visible FROM mm_train_progress();
RESET ROLE;
DROP ROLE progress_stranger;
RESET max_parallel_workers_per_gather;
