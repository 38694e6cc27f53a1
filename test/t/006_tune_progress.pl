# A running search is visible from another session in mm.tune_progress, to
# the roles that may see its model or run as its role, and a cancelled one
# leaves no version, no trial and no progress row behind.
#
# Needs a real server with the library preloaded: the progress lives in
# shared memory, and two sessions must run at once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('tune_progress');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_enabled = off
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE bands AS
	SELECT g AS id, (g % 10)::float8 + ((g * 7) % 5) / 10.0 AS a, ((g * 3) % 7)::float8 AS b,
	       CASE WHEN g % 10 < 3 THEN 'low' WHEN g % 10 < 7 THEN 'mid' ELSE 'high' END AS band
	  FROM generate_series(1, 20000) g;
	CREATE ROLE tuner; CREATE ROLE tuner_member IN ROLE tuner; CREATE ROLE stranger; CREATE ROLE reader;
	GRANT SELECT ON bands TO tuner;
	SET ROLE tuner;
	SELECT version FROM mm_train('watched', 'bands', 'band', exclude => ARRAY['id'], deploy => 'never');
	SELECT mm_grant('watched', 'use', 'reader');
});

is($node->safe_psql('postgres', 'SELECT count(*) FROM mm.tune_progress'), '0', 'no search runs');

my $search = $node->background_psql('postgres');
$search->query_until(qr/started/, q{
	\echo started
	SET ROLE tuner;
	SELECT * FROM mm_tune('watched', 'bands', 'band', exclude => ARRAY['id'], folds => 5,
	                      method => 'random', trials => 400,
	                      search => '{"alpha": {"log_uniform": [0.001, 100]}, "preprocess.*.scale": ["none", "standard"]}');
});

ok($node->poll_query_until('postgres',
		q{SELECT candidate >= 2 AND fold >= 1 FROM mm.tune_progress WHERE model = 'watched'}),
	'another session sees the search move through candidates and folds');
is($node->safe_psql('postgres',
		q{SELECT candidates || ' ' || folds || ' ' || algorithm || ' ' || (elapsed > interval '0')
		    FROM mm.tune_progress WHERE model = 'watched'}),
	'400 5 logistic_regression true', 'with its size, algorithm and time so far');
# who sees it: the model's privileges, or the searching role's
is($node->safe_psql('postgres', q{SET ROLE stranger; SELECT count(*) FROM mm.tune_progress}),
	'0', 'a role without a privilege on the model does not see the search');
is($node->safe_psql('postgres', q{SET ROLE reader; SELECT count(*) FROM mm.tune_progress WHERE model = 'watched'}),
	'1', 'a role that may use the model sees it');
is($node->safe_psql('postgres', q{SET ROLE tuner_member; SELECT count(*) FROM mm_tune_progress() WHERE model = 'watched'}),
	'1', 'so does a member of the searching role, through the function too');
is($node->safe_psql('postgres', q{SET ROLE stranger; SELECT count(*) FROM mm_tune_progress()}),
	'0', 'the function hides it like the view');

my $pid = $node->safe_psql('postgres', q{SELECT pid FROM mm.tune_progress WHERE model = 'watched'});
$node->safe_psql('postgres', qq{SELECT pg_cancel_backend($pid)});
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM mm.tune_progress WHERE model = 'watched'}),
	'the cancelled search leaves the progress view');
# the session ends on the error (ON_ERROR_STOP), so its pipe may be closed already
eval { $search->quit; };
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.versions WHERE model = 'watched'}),
	'1', 'and no version beyond the one trained before');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.trials WHERE model = 'watched'}),
	'0', 'and no trial');
is($node->safe_psql('postgres',
		q{SELECT outcome || ' ' || sqlstate FROM mm.audit_log WHERE function = 'mm_tune' AND model = 'watched'}),
	'error 57014', 'the cancel is in the audit log');

$node->stop;
done_testing();
