# The monitor workers: a shifted live table raises an alert within a few
# naptimes and an unshifted one does not; rollback and retrain actions happen
# once; a dropped relation gives a failed run and the worker lives on; SIGHUP
# changes the naptime; a restart and pg_terminate_backend of a worker
# recover; a database without the extension gets no work; DROP DATABASE does
# not wait on a worker; without preloading, mm_monitor refuses.
#
# Needs real servers: background workers and their settings are server-wide.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('monitors');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_naptime = 1
max_worker_processes = 16
restart_after_crash = on
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE base AS SELECT g::float8 AS x, (2 * g + g % 3)::float8 AS y FROM generate_series(1, 2000) g;
	CREATE TABLE same AS SELECT * FROM base;
	CREATE TABLE shifted AS SELECT x + 1500 AS x, y + 3000 AS y FROM base;
	SELECT version FROM mm_train('line', 'base', 'y', test_size => 0);
	SELECT version FROM mm_train('line', 'base', 'y', test_size => 0, deploy => 'always');
	SELECT version FROM mm_train('refit', 'base', 'y', test_size => 0);
});

# the launcher is there, and a database without the extension gets no work
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'}),
	'the launcher runs');
$node->safe_psql('postgres', 'CREATE DATABASE plain');
ok($node->poll_query_until('postgres',
		q{SELECT next_look = 'infinity' FROM mm_monitor_schedule() WHERE database = 'plain'}),
	'a database without the extension is looked at once, then never until a monitor is made there');

my $quiet = $node->safe_psql('postgres', q{SELECT mm_monitor('line@1', 'same', every => '1 second')});
my $loud = $node->safe_psql('postgres', q{SELECT mm_monitor('line@1', 'shifted', every => '1 second')});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM mm.alerts WHERE monitor = $loud AND metric = 'psi'}),
	'a shifted table raises an alert');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) >= 2 FROM mm.monitor_runs WHERE monitor = $quiet AND via = 'worker'}),
	'the unshifted table is checked too');
is($node->safe_psql('postgres',
		qq{SELECT count(*) FROM mm.alerts WHERE monitor = $quiet}), '0', 'and raises no alert');
is($node->safe_psql('postgres',
		qq{SELECT string_agg(DISTINCT verdict, ',') FROM mm.monitor_runs WHERE monitor = $quiet}),
	'ok', 'its runs are ok');

# NOTIFY mm_alerts: a listening session gets the run's alerts as JSON
my ($ret, $out, $err) = $node->psql('postgres', qq{
	LISTEN mm_alerts;
	SELECT mm_monitor_run($loud)->>'verdict';
	SELECT 1;
});
like($out, qr/Asynchronous notification "mm_alerts" with payload "\{"monitor": $loud, "run": \d+, "model": "line", "version": 1, "alerts": \[\{"scope": "feature", "feature": "x", "metric": "psi"/,
	'alerts are notified on channel mm_alerts with a JSON payload');

# rollback and retrain: once each, then the cooldown holds
my $roll = $node->safe_psql('postgres',
	q{SELECT mm_monitor('line', 'shifted', every => '1 second', action => 'rollback')});
ok($node->poll_query_until('postgres',
		q{SELECT version = 1 FROM mm.deployments WHERE model = 'line' AND stage = 'production'}),
	'rollback rolled the production stage back');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) >= 3 FROM mm.monitor_runs WHERE monitor = $roll}),
	'the rollback monitor keeps running');
is($node->safe_psql('postgres',
		qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $roll AND action->>'outcome' = 'done'}),
	'1', 'the rollback happened once');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM mm.audit_log WHERE function = 'mm_rollback' AND outcome = 'ok'}),
	'1', 'and is in the audit log once');

my $refit = $node->safe_psql('postgres',
	q{SELECT mm_monitor('refit', 'shifted', every => '1 second', action => 'retrain')});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) >= 3 FROM mm.monitor_runs WHERE monitor = $refit}),
	'the retrain monitor keeps running');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.versions WHERE model = 'refit'}),
	'2', 'retrain trained one new version');
is($node->safe_psql('postgres',
		q{SELECT relation FROM mm.versions WHERE model = 'refit' AND version = 2}),
	'public.shifted', 'on the monitored relation');

# a failing check is recorded and the worker lives on
$node->safe_psql('postgres', qq{SELECT mm_unmonitor($roll); SELECT mm_unmonitor($refit)});
$node->safe_psql('postgres', 'DROP TABLE same');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM mm.monitor_runs WHERE monitor = $quiet AND verdict = 'failed'
		     AND error LIKE '%does not exist%'}),
	'a dropped relation gives a failed run');
my $before = $node->safe_psql('postgres',
	qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > $before FROM mm.monitor_runs WHERE monitor = $loud}),
	'other monitors go on');

# SIGHUP: a long naptime stops the looks, a short one brings them back
$node->safe_psql('postgres', qq{SELECT mm_unmonitor($quiet)});
$node->append_conf('postgresql.conf', 'modelmgr.monitor_naptime = 3600');
$node->reload;
ok($node->poll_query_until('postgres', q{SELECT current_setting('modelmgr.monitor_naptime') = '1h'}),
	'the new naptime is read');
# then no new run appears for a while
sleep(2);
my $runs = $node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
sleep(3);
is($node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud}),
	$runs, 'a long naptime stops the runs');
$node->append_conf('postgresql.conf', 'modelmgr.monitor_naptime = 1');
$node->reload;
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > $runs FROM mm.monitor_runs WHERE monitor = $loud}),
	'a short naptime brings them back at once');

# pg_terminate_backend of the launcher: the postmaster starts it again
my $launcher = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'});
$node->safe_psql('postgres', qq{SELECT pg_terminate_backend($launcher)});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'
		     AND pid <> $launcher}),
	'a terminated launcher comes back');
$runs = $node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > $runs FROM mm.monitor_runs WHERE monitor = $loud}),
	'and runs resume');

# pg_terminate_backend of a worker in the middle of a check: the check's
# transaction is gone, and the next look runs it again
$node->safe_psql('postgres',
	q{CREATE VIEW slow AS SELECT x, y FROM base WHERE pg_sleep(0.002) IS NOT NULL});
my $slow = $node->safe_psql('postgres', q{SELECT mm_monitor('line@1', 'slow', every => '1 second')});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) = 1 FROM pg_stat_activity
		    WHERE backend_type = 'modelmgr monitor worker' AND query = 'modelmgr: monitor $slow'}),
	'a worker is in the middle of the slow check');
is($node->safe_psql('postgres',
		qq{SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		    WHERE backend_type = 'modelmgr monitor worker' AND query = 'modelmgr: monitor $slow'}),
	'1', 'it is terminated');
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > 0 FROM mm.monitor_runs WHERE monitor = $slow AND verdict = 'ok'}),
	'the next look runs the slow check to the end');
$node->safe_psql('postgres', qq{SELECT mm_unmonitor($slow)});

# a crash (a worker process killed): the postmaster reinitializes, and the runs resume
my $launcher_pid = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'});
kill 'KILL', $launcher_pid;
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'modelmgr monitor launcher'}),
	'the launcher is back after a crash');
$runs = $node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > $runs FROM mm.monitor_runs WHERE monitor = $loud}),
	'runs resume after a crash');

# a restart: the monitors run again, never two runs of one monitor at once
$node->restart;
$runs = $node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
ok($node->poll_query_until('postgres',
		qq{SELECT count(*) > $runs + 2 FROM mm.monitor_runs WHERE monitor = $loud}),
	'runs resume after a restart');
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM mm.monitor_runs a JOIN mm.monitor_runs b
	    ON a.monitor = b.monitor AND a.id < b.id
	   AND b.started_at < a.started_at + a.duration
	 WHERE a.monitor = $loud}), '0', 'no two runs of a monitor overlapped');

# the database without the extension: looked at once after the restart, then
# never again until a monitor is made there; no error there
ok($node->poll_query_until('postgres',
		q{SELECT next_look = 'infinity' FROM mm_monitor_schedule() WHERE database = 'plain'}),
	'after the restart the plain database is looked at once, then left alone');
unlike(slurp_file($node->logfile), qr/ERROR:.*mm\./, 'no worker error about the catalog in the log');

# DROP DATABASE does not wait on a worker: workers exit when nothing is due
# (a worker connected to it would make DROP DATABASE fail after waiting)
$node->safe_psql('postgres', 'DROP DATABASE plain');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'plain'}), '0',
	'DROP DATABASE of a database the workers looked at succeeds');
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM mm_monitor_schedule() WHERE database = 'plain'}),
	'and the workers forget the database at their next look');

# monitor_enabled = off: no worker starts
$node->append_conf('postgresql.conf', 'modelmgr.monitor_enabled = off');
$node->reload;
ok($node->poll_query_until('postgres', q{SELECT current_setting('modelmgr.monitor_enabled') = 'off'}),
	'monitoring turned off');
sleep(2);
$runs = $node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud});
sleep(3);
is($node->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $loud}),
	$runs, 'no run while monitoring is off');
$node->stop;

# without preloading, a monitor cannot be created (nothing would run it)
my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE base AS SELECT g::float8 AS x, (2 * g)::float8 AS y FROM generate_series(1, 100) g;
	SELECT version FROM mm_train('line', 'base', 'y');
});
($ret, $out, $err) = $plain->psql('postgres', q{SELECT mm_monitor('line', 'base')});
like($err, qr/monitors need modelmgr in shared_preload_libraries/, 'mm_monitor refuses without preloading');
is($plain->safe_psql('postgres', 'SELECT count(*) FROM mm.monitors'), '0', 'and creates nothing');
$plain->stop;

done_testing();
