# Prediction on a streaming-replication standby.
#
# Needs a real primary and standby: prediction must write nothing, resolve the
# model under the standby's snapshot, and follow deploys as they replay.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'");
$primary->start;
$primary->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE sales AS
	SELECT g AS id, (g % 50)::float8 AS area, (g % 7 = 0) AS garage,
	       (100 + 3 * (g % 50) + 20 * (g % 7 = 0)::int + (g * 13) % 11)::float8 AS price
	  FROM generate_series(1, 5000) g;
	SELECT version FROM mm_train('price', 'sales', 'price', exclude => ARRAY['id']);
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');

my $predictions = q{SELECT string_agg(mm_predict('price', s)::text, ',' ORDER BY id) FROM sales s};
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is($standby->safe_psql('postgres', $predictions), $primary->safe_psql('postgres', $predictions),
	'the standby predicts exactly what the primary predicts');
is( $standby->safe_psql('postgres', q{SELECT mm_predict('price@1', ARRAY[10, 1])::text}),
	$primary->safe_psql('postgres', q{SELECT mm_predict('price@1', ARRAY[10, 1])::text}),
	'a version reference and an array work on the standby');
is( $standby->safe_psql('postgres', q{SELECT string_agg(coef::text, ',') FROM mm_coefficients('price')}),
	$primary->safe_psql('postgres', q{SELECT string_agg(coef::text, ',') FROM mm_coefficients('price')}),
	'mm_coefficients works on the standby');
is( $standby->safe_psql('postgres', q{SELECT mm_evaluate('price', 'sales') ->> 'r2'}),
	$primary->safe_psql('postgres', q{SELECT mm_evaluate('price', 'sales') ->> 'r2'}),
	'mm_evaluate works on the standby');
is( $standby->safe_psql('postgres', q{SELECT mm_export('price') - 'provenance'}),
	$primary->safe_psql('postgres', q{SELECT mm_export('price') - 'provenance'}),
	'mm_export works on the standby');

# a new version deployed on the primary is what the standby serves once replayed
my $standby_session = $standby->background_psql('postgres');
my $before = $standby_session->query_safe(q{SELECT mm_predict('price', ARRAY[10, 1])::text});
$primary->safe_psql('postgres', q{
	SELECT version FROM mm_train('price', 'sales', 'price', features => ARRAY['area'], deploy => 'always');
});
my $v2 = $primary->safe_psql('postgres', q{SELECT mm_predict('price@2', ARRAY[10])::text});
$primary->wait_for_catchup($standby, 'replay');
is( $standby_session->query_safe(
		q{SELECT version FROM mm.deployments WHERE model = 'price' AND stage = 'production'}),
	'2', 'the deploy replayed to the standby');
is($standby_session->query_safe(q{SELECT mm_predict('price', ARRAY[10])::text}),
	$v2, 'the same standby session predicts with the new version at its next statement');
isnt($v2, $before, 'and the new version predicts differently');
$standby_session->quit;

# management is refused on the standby, which keeps serving
my ($ret, $out, $err) = $standby->psql('postgres', q{SELECT mm_rollback('price')});
isnt($ret, 0, 'a rollback on the standby fails');
like($err, qr/read-only transaction/, 'because the standby is read-only');
($ret, $out, $err) = $standby->psql('postgres',
	q{SELECT version FROM mm_train('other', 'sales', 'price')});
like($err, qr/read-only transaction/, 'training on the standby is refused too');
($ret, $out, $err) = $standby->psql('postgres', q{SELECT mm_import('price_copy', mm_export('price'))});
like($err, qr/read-only transaction/, 'and so is an import');
is($standby->safe_psql('postgres', q{SELECT mm_predict('price', ARRAY[10])::text}),
	$v2, 'the standby still predicts afterwards');

# monitors run on the primary only: the standby starts no monitor worker, and refuses a check
$primary->safe_psql('postgres', q{ALTER SYSTEM SET modelmgr.monitor_naptime = 1; SELECT pg_reload_conf()});
my $monitor = $primary->safe_psql('postgres', q{SELECT mm_monitor('price', 'sales', every => '1 second')});
ok($primary->poll_query_until('postgres',
		qq{SELECT count(*) >= 2 FROM mm.monitor_runs WHERE monitor = $monitor AND via = 'worker'}),
	'the primary runs the monitor');
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'modelmgr monitor%'}),
	'0', 'the standby runs no monitor launcher or worker');
ok($standby->safe_psql('postgres', qq{SELECT count(*) FROM mm.monitor_runs WHERE monitor = $monitor}) > 0,
	'the runs replay to the standby');
($ret, $out, $err) = $standby->psql('postgres', qq{SELECT mm_monitor_run($monitor)});
like($err, qr/read-only transaction/, 'a check by hand on the standby is refused');

$standby->stop;
$primary->stop;
done_testing();
