# Faults: a monitor worker and a training backend killed with SIGKILL in the
# middle of their work (the postmaster then reinitializes every backend and
# recovers), and a table as wide as PostgreSQL allows.  After each, the
# catalog must be coherent: nothing of the killed work remains, version
# numbers go on without a gap, runs and alerts match, and a new training, a
# prediction and a check work.
#
# Needs a real server: crash recovery, background workers and concurrent
# sessions are matters of the server's life.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('faults');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_naptime = 1
max_worker_processes = 16
restart_after_crash = on
});
$node->start;

# What is incoherent in the catalog, one problem a line; empty when nothing is.
sub catalog_problems
{
	return $node->safe_psql('postgres', q{
	SELECT coalesce(string_agg(problem, E'\n' ORDER BY problem), '') FROM (
	SELECT format('model %s has version %s past its last_version %s', m.name, v.version, m.last_version)
	    AS problem
	  FROM mm._models m JOIN mm._versions v ON v.model_id = m.id WHERE v.version > m.last_version
	UNION ALL
	SELECT format('model %s has no version', m.name)
	  FROM mm._models m WHERE NOT EXISTS (SELECT FROM mm._versions v WHERE v.model_id = m.id)
	UNION ALL
	SELECT format('model %s numbers its versions with a gap', m.name)
	  FROM mm._models m WHERE m.last_version <> (SELECT count(*) FROM mm._versions v WHERE v.model_id = m.id)
	UNION ALL
	SELECT format('stage %s of model %s serves another model''s version', s.stage, s.model_id)
	  FROM mm._stages s JOIN mm._versions v ON v.id = s.version_id WHERE v.model_id <> s.model_id
	UNION ALL
	SELECT format('stage %s of model %s has depths 1..%s with %s entries', stage, model_id, max(depth), count(*))
	  FROM mm._stages GROUP BY model_id, stage HAVING max(depth) <> count(*)
	UNION ALL
	SELECT format('version %s of %s has no audited call that made it', v.version, v.model)
	  FROM mm.versions v
	 WHERE NOT EXISTS (SELECT FROM mm.audit_log a WHERE a.model = v.model AND a.version = v.version
	                      AND a.outcome = 'ok' AND a.function IN ('mm_train', 'mm_retrain', 'mm_tune', 'mm_import'))
	UNION ALL
	SELECT format('%s of %s version %s is audited, and the version does not exist', a.function, a.model, a.version)
	  FROM mm.audit_log a
	 WHERE a.outcome = 'ok' AND a.function IN ('mm_train', 'mm_retrain', 'mm_tune', 'mm_import')
	   AND NOT EXISTS (SELECT FROM mm.versions v WHERE v.model = a.model AND v.version = a.version)
	UNION ALL
	SELECT format('alert %s belongs to no run of its monitor', a.id)
	  FROM mm._alerts a
	 WHERE NOT EXISTS (SELECT FROM mm._monitor_runs r WHERE r.id = a.run AND r.monitor = a.monitor)
	UNION ALL
	SELECT format('run %s has alert %s %s twice', run, coalesce(feature, scope), metric)
	  FROM mm._alerts GROUP BY run, scope, feature, metric HAVING count(*) > 1
	UNION ALL
	SELECT format('run %s is %s and has %s alerts', r.id, r.verdict,
	              (SELECT count(*) FROM mm._alerts a WHERE a.run = r.id))
	  FROM mm._monitor_runs r
	 WHERE (r.verdict = 'alert') <> EXISTS (SELECT FROM mm._alerts a WHERE a.run = r.id)
	UNION ALL
	SELECT format('monitor %s has two runs started at %s', monitor, started_at)
	  FROM mm._monitor_runs GROUP BY monitor, started_at HAVING count(*) > 1
	UNION ALL
	SELECT format('monitor %s ran last at %s, its runs say %s, and runs next at %s', m.id, m.last_run,
	              (SELECT max(r.started_at) FROM mm._monitor_runs r WHERE r.monitor = m.id), m.next_run)
	  FROM mm._monitors m
	 WHERE m.last_run IS DISTINCT FROM (SELECT max(r.started_at) FROM mm._monitor_runs r WHERE r.monitor = m.id)
	    OR m.next_run <> coalesce(m.last_run + m.every, m.next_run)
	) p});
}

# Waits until the server takes queries again after a crash.
sub wait_for_recovery
{
	my ($what) = @_;
	ok($node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'),
		"the server is back after $what");
}

$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE base AS SELECT g::float8 AS x, (2 * g + g % 3)::float8 AS y FROM generate_series(1, 2000) g;
	SELECT version FROM mm_train('line', 'base', 'y', test_size => 0);
	-- a check that takes seconds, and alerts: each row waits, the values are shifted
	CREATE VIEW slow_shifted AS
	SELECT x + 1500 AS x, y + 3000 AS y FROM base WHERE pg_sleep(0.002) IS NOT NULL;
});

######################################################################
# 1. A monitor worker killed in the middle of a check

my $monitor = $node->safe_psql('postgres',
	q{SELECT mm_monitor('line', 'slow_shifted', every => '1 second')});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) >= 1 FROM mm.monitor_runs WHERE monitor = $monitor AND verdict = 'alert'}),
	'the slow monitor runs and alerts');
my $worker = '';
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) = 1 FROM pg_stat_activity
		    WHERE backend_type = 'modelmgr monitor worker' AND query = 'modelmgr: monitor $monitor'
		      AND wait_event = 'PgSleep'}),
	'a worker is reading the rows of a check');
$worker = $node->safe_psql('postgres',
	qq{SELECT pid FROM pg_stat_activity
	    WHERE backend_type = 'modelmgr monitor worker' AND query = 'modelmgr: monitor $monitor'});
my $runs_before = $node->safe_psql('postgres',
	qq{SELECT string_agg(id || ':' || verdict || ':' || started_at, ',' ORDER BY id)
	     FROM mm._monitor_runs WHERE monitor = $monitor});
my $alerts_before = $node->safe_psql('postgres',
	qq{SELECT count(*) FROM mm._alerts WHERE monitor = $monitor});
my $killed_at = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
like($worker, qr/^\d+$/, 'its pid is known');
is(kill('KILL', $worker), 1, 'the worker is killed mid-check');
wait_for_recovery('a monitor worker was killed');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'}),
	'the launcher runs again');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM mm._monitor_runs
		    WHERE monitor = $monitor AND started_at > '$killed_at' AND verdict = 'alert'}),
	'a new run of the monitor completes after the crash');
# the killed run started before the kill: no row of it may be among those
is($node->safe_psql('postgres',
		qq{SELECT string_agg(id || ':' || verdict || ':' || started_at, ',' ORDER BY id)
		     FROM mm._monitor_runs WHERE monitor = $monitor AND started_at < '$killed_at'}),
	$runs_before, 'the runs before the crash are as they were, and the killed one left no row');
is($node->safe_psql('postgres',
		qq{SELECT count(*) FROM mm._alerts a JOIN mm._monitor_runs r ON r.id = a.run
		    WHERE a.monitor = $monitor AND r.started_at < '$killed_at'}),
	$alerts_before, 'nor any alert');
is($node->safe_psql('postgres',
		qq{SELECT count(*) FROM mm._monitor_runs WHERE monitor = $monitor AND verdict = 'failed'}),
	'0', 'no run failed');
is(catalog_problems(), '', 'the catalog is coherent after the worker was killed');
$node->safe_psql('postgres', qq{SELECT mm_unmonitor($monitor)});

######################################################################
# 2. A backend killed in the middle of mm_train

$node->safe_psql('postgres', q{
	CREATE TABLE rows AS
	SELECT (g % 97) / 97.0::float8 AS x1, ((g * 31) % 89) / 89.0::float8 AS x2,
	       (1 + 2 * ((g % 97) / 97.0) - ((g * 31) % 89) / 89.0 + ((g * 7) % 13) * 0.01)::float8 AS y,
	       (g % 97) / 97.0 + ((g * 31) % 89) / 89.0 > 1 AS label
	  FROM generate_series(1, 20000) g;
	-- the same rows, each read with a wait: a training that takes tens of seconds
	CREATE VIEW slow_rows AS SELECT * FROM rows WHERE pg_sleep(0.001) IS NOT NULL;
	SELECT version FROM mm_train('grown', 'rows', 'label', exclude => ARRAY['y'],
	                             algorithm => 'logistic_regression');
	SELECT version FROM mm_train('grown', 'rows', 'label', exclude => ARRAY['y'],
	                             algorithm => 'logistic_regression', params => '{"alpha": 10}',
	                             deploy => 'never');
});

# Starts a training in a session of its own, waits until it reads rows, and
# kills its backend; returns the session's outcome once it is over.
sub kill_training
{
	my ($model, $call) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
		  '-c', 'SET max_parallel_workers_per_gather = 0', '-c', $call ],
		'<', '/dev/null', '>', \$out, '2>', \$err);
	ok($node->poll_query_until('postgres',
			qq{SELECT count(*) = 1 FROM pg_stat_activity
			    WHERE backend_type = 'client backend' AND query LIKE 'SELECT%mm\\_train(''$model''%'
			      AND wait_event = 'PgSleep'}),
		"the training of $model is reading rows");
	my $pid = $node->safe_psql('postgres',
		qq{SELECT pid FROM pg_stat_activity
		    WHERE backend_type = 'client backend' AND query LIKE 'SELECT%mm\\_train(''$model''%'});
	is(kill('KILL', $pid), 1, "the backend training $model is killed");
	$h->finish;
	isnt($h->result(0), 0, 'its session ends in an error') or diag($out);
	wait_for_recovery("a training of $model was killed");
}

my $audit_before = $node->safe_psql('postgres', q{SELECT count(*) FROM mm.audit_log});

# a new model: the one-pass linear regression
kill_training('fresh', q{SELECT version FROM mm_train('fresh', 'slow_rows', 'y', exclude => ARRAY['label'])});
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.models WHERE model = 'fresh'}),
	'0', 'a model whose first training was killed does not exist');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.audit_log WHERE model = 'fresh'}),
	'0', 'and the audit log has no call of it');

# an existing model: logistic regression with preprocessing, in memory
kill_training('grown', q{SELECT version FROM mm_train('grown', 'slow_rows', 'label', exclude => ARRAY['y'],
	algorithm => 'logistic_regression', preprocess => '{"*": {"scale": "standard"}}')});
is($node->safe_psql('postgres',
		q{SELECT string_agg(version::text, ',' ORDER BY version) FROM mm.versions WHERE model = 'grown'}),
	'1,2', 'the model keeps its two versions and no third');
is($node->safe_psql('postgres', q{SELECT last_version FROM mm._models WHERE name = 'grown'}),
	'2', 'its last version is still 2');
is($node->safe_psql('postgres', q{SELECT version FROM mm.deployments WHERE model = 'grown' AND stage = 'production'}),
	'1', 'production still serves version 1');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.audit_log}),
	$audit_before, 'no audit row of either killed call');
is(catalog_problems(), '', 'the catalog is coherent after the trainings were killed');

# a new training, a prediction and a check work
is($node->safe_psql('postgres',
		q{SELECT version FROM mm_train('grown', 'rows', 'label', exclude => ARRAY['y'],
		                               algorithm => 'logistic_regression', deploy => 'always')}),
	'3', 'the next training of the model is version 3');
is($node->safe_psql('postgres',
		q{SELECT version FROM mm_train('fresh', 'rows', 'y', exclude => ARRAY['label'])}),
	'1', 'the killed model is trained anew as version 1');
is($node->safe_psql('postgres',
		q{SELECT bool_and(mm_predict_label('grown', r)::boolean = (r.x1 + r.x2 > 1))
		    FROM rows r WHERE abs(r.x1 + r.x2 - 1) > 0.2}),
	't', 'version 3 predicts the labels of rows away from the boundary');
is($node->safe_psql('postgres',
		q{SELECT max(abs(mm_predict('fresh', r) - (1 + 2 * r.x1 - r.x2))) < 0.1 FROM rows r}),
	't', 'the retrained model predicts y = 1 + 2 x1 - x2 within its noise');
is($node->safe_psql('postgres',
		q{SELECT mm_monitor_run(mm_monitor('fresh', 'rows', label_column => 'y')) ->> 'verdict'}),
	'ok', 'a check of it runs');
is(catalog_problems(), '', 'the catalog is coherent after training again');

######################################################################
# 3. A table as wide as PostgreSQL allows: 1,600 columns, 1,599 features
#
# A heap row holds at most about 8 kB: 1,600 double precision values do not
# fit in one (PostgreSQL refuses the row), 1,600 real ones do.  The target
# is a known linear function of three features, so the fit is checked
# against it exactly.

$node->safe_psql('postgres', q{
	DO $$
	BEGIN
	    EXECUTE 'CREATE TABLE wide (' ||
	        (SELECT string_agg(format('f%s real', g), ', ' ORDER BY g) FROM generate_series(1, 1599) g) ||
	        ', y float8)';
	    PERFORM setseed(0.25);
	    EXECUTE 'INSERT INTO wide SELECT ' ||
	        (SELECT string_agg('random()', ', ') FROM generate_series(1, 1599)) ||
	        ', 0 FROM generate_series(1, 2400)';
	END
	$$;
	UPDATE wide SET y = 3 + 2 * f1::float8 - f2::float8 + 0.5 * f1599::float8;
	-- 1,599 features and a label: 1,600 columns again
	DO $$
	BEGIN
	    EXECUTE 'CREATE VIEW wide_labels AS SELECT ' ||
	        (SELECT string_agg(format('f%s', g), ', ' ORDER BY g) FROM generate_series(1, 1599) g) ||
	        ', f1 + f2 > 1 AS label FROM wide';
	END
	$$;
});
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'wide'::regclass AND attnum > 0}),
	'1600', 'the table has 1,600 columns');
my ($ret, $out, $err) = $node->psql('postgres', q{
	DO $$ BEGIN EXECUTE 'ALTER TABLE wide ADD COLUMN one_more float8'; END $$});
like($err, qr/tables can have at most 1600 columns/, 'which is the most a table can have');

is($node->safe_psql('postgres',
		q{SELECT algorithm FROM mm_train('wide_lin', 'wide', 'y', test_size => 0.2)}),
	'linear_regression', 'linear regression trains on 1,599 features');
is($node->safe_psql('postgres',
		q{SELECT cardinality(features) || ' ' || (rows_train > 1600) FROM mm.versions WHERE model = 'wide_lin'}),
	'1599 true', 'all of them, on more rows than features');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM mm_coefficients('wide_lin') c
	 WHERE abs(c.coef - CASE c.feature WHEN 'intercept' THEN 3 WHEN 'f1' THEN 2 WHEN 'f2' THEN -1
	                                   WHEN 'f1599' THEN 0.5 ELSE 0 END) > 1e-6}),
	'0', 'its 1,600 coefficients are the function that made y');
is($node->safe_psql('postgres',
		q{SELECT (metrics #>> '{test,r2}')::float8 > 0.999999 FROM mm.versions WHERE model = 'wide_lin'}),
	't', 'and its held-out rows are predicted exactly');
is($node->safe_psql('postgres',
		q{SELECT abs(mm_predict('wide_lin', w) - w.y) < 1e-6 FROM wide w LIMIT 1}),
	't', 'mm_predict reads a row of 1,600 columns');

is($node->safe_psql('postgres',
		q{SELECT algorithm FROM mm_train('wide_log', 'wide_labels', 'label', algorithm => 'logistic_regression')}),
	'logistic_regression', 'logistic regression trains on 1,599 features');
# the label is f1 + f2 > 1: those two weigh most, alike, against a negative intercept
is($node->safe_psql('postgres', q{
	SELECT string_agg(feature, ',' ORDER BY feature) FROM (
	    SELECT feature FROM mm_coefficients('wide_log') WHERE feature <> 'intercept'
	     ORDER BY abs(coef) DESC LIMIT 2) c}),
	'f1,f2', 'the two features of the label weigh most');
is($node->safe_psql('postgres', q{
	SELECT bool_and(coef > 0) AND abs(max(coef) / min(coef) - 1) < 0.2
	       AND (SELECT coef FROM mm_coefficients('wide_log') WHERE feature = 'intercept') < 0
	  FROM mm_coefficients('wide_log') WHERE feature IN ('f1', 'f2')}),
	't', 'alike, positive, against a negative intercept');
# with about as many training rows as features, held-out rows are classified
# well above chance though not perfectly
is($node->safe_psql('postgres',
		q{SELECT (metrics #>> '{train,accuracy}')::float8 = 1 AND (metrics #>> '{test,accuracy}')::float8 > 0.7
		    FROM mm.versions WHERE model = 'wide_log'}),
	't', 'it fits its training rows and classifies held-out rows above chance');

# export and import: the document carries 1,599 features, the copy predicts the same bits
is($node->safe_psql('postgres', q{
	SELECT jsonb_array_length(d -> 'features') || ' ' || jsonb_array_length(d -> 'model' -> 'coef') || ' '
	       || mm_import('wide_copy', d)
	  FROM (SELECT mm_export('wide_lin') AS d) s}),
	'1599 1599 1', 'the model exports with its 1,599 features and imports');
is($node->safe_psql('postgres',
		q{SELECT bool_and(mm_predict('wide_lin', w) = mm_predict('wide_copy', w)) FROM wide w}),
	't', 'the copy predicts the same bits');
is($node->safe_psql('postgres',
		q{SELECT mm_import('wide_log_copy', mm_export('wide_log'))}),
	'1', 'the classifier exports and imports too');
is($node->safe_psql('postgres',
		q{SELECT bool_and(mm_predict_proba('wide_log', w) = mm_predict_proba('wide_log_copy', w))
		    FROM wide_labels w}),
	't', 'with the same probabilities');
is(catalog_problems(), '', 'the catalog is coherent after the wide models');

$node->stop;
done_testing();
