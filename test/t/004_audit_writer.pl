# The audit writer: failed management calls are committed by a background
# worker, with or without the library preloaded; with no worker slot free,
# the failure goes to the server log and the call still fails as it should.
#
# Needs real servers: background workers and their limits are server settings.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $setup = q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE t AS SELECT g::float8 AS x, (2 * g + g % 3)::float8 AS y FROM generate_series(1, 100) g;
	SELECT version FROM mm_train('m', 't', 'y');
};

# without shared_preload_libraries: the library loads on first use
my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', $setup);
is($plain->safe_psql('postgres', q{SELECT round(mm_predict('m', ARRAY[10])::numeric, 6)}),
	$plain->safe_psql('postgres', q{
		SELECT round(((SELECT coef FROM mm_coefficients('m') WHERE feature = 'intercept')
		              + 10 * (SELECT coef FROM mm_coefficients('m') WHERE feature = 'x'))::numeric, 6)}),
	'training and prediction work without preloading');
my ($ret, $out, $err) = $plain->psql('postgres', q{SELECT mm_deploy('m', 9)});
like($err, qr/has no version 9/, 'a failing call fails');
is( $plain->safe_psql('postgres',
		q{SELECT outcome || ' ' || sqlstate FROM mm.audit_log WHERE function = 'mm_deploy'}),
	'error 42704', 'and is audited without preloading');
$plain->stop;

# a catalog owner that may not log in: the writer connects as the bootstrap superuser
my $nologin = PostgreSQL::Test::Cluster->new('nologin_owner');
$nologin->init;
$nologin->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'");
$nologin->start;
$nologin->safe_psql('postgres', q{
	CREATE ROLE ext_owner SUPERUSER NOLOGIN;
	SET ROLE ext_owner;
} . $setup);
is( $nologin->safe_psql('postgres',
		q{SELECT tableowner FROM pg_tables WHERE schemaname = 'mm' AND tablename = '_audit_log'}),
	'ext_owner', 'the catalog belongs to a role that may not log in');
($ret, $out, $err) = $nologin->psql('postgres', q{SELECT mm_deploy('m', 9)});
unlike($err, qr/WARNING/, 'the failure is recorded without a warning');
is( $nologin->safe_psql('postgres',
		q{SELECT outcome || ' ' || sqlstate FROM mm.audit_log WHERE function = 'mm_deploy'}),
	'error 42704', 'and the failure row is there');
$nologin->stop;

# no worker slot for the writer
my $tight = PostgreSQL::Test::Cluster->new('no_slots');
$tight->init;
$tight->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
max_worker_processes = 0
max_logical_replication_workers = 0
});
$tight->start;
$tight->safe_psql('postgres', $setup);
($ret, $out, $err) = $tight->psql('postgres', q{SELECT mm_deploy('m', 9)});
like($err, qr/WARNING:  could not record the failed call of mm_deploy in the audit log/,
	'without a free worker slot the client is warned');
like($err, qr/ERROR:  model "m" has no version 9/, 'and still gets the original error');
is($tight->safe_psql('postgres', q{SELECT count(*) FROM mm.audit_log WHERE outcome = 'error'}),
	'0', 'no failure row could be written');
ok($tight->log_contains(qr/could not record the failed call of mm_deploy/),
	'the server log has the failure');
is($tight->safe_psql('postgres', q{SELECT mm_deploy('m', 1)}), '1', 'management goes on');
$tight->stop;

done_testing();
