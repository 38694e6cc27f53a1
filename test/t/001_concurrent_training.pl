# Concurrent sessions training one model, and transactions that roll back.
#
# Needs a real server: several sessions race to create the same model and to
# take version numbers, and visibility of uncommitted deploys is a matter of
# one session against another.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE race_data AS
	SELECT (g % 97) / 97.0::float8 AS x1, ((g * 31) % 89) / 89.0::float8 AS x2,
	       1 + 2 * ((g % 97) / 97.0) - ((g * 31) % 89) / 89.0 + ((g * 7) % 13) * 0.01 AS y
	  FROM generate_series(1, 200000) g;
	ALTER TABLE race_data ALTER COLUMN y TYPE float8;
	ANALYZE race_data;
});

# four sessions, five trainings each, all starting while the model does not exist
my $sessions = 4;
my $each = 5;
my @runs;
for my $s (1 .. $sessions)
{
	my $sql = "SELECT version FROM mm_train('race', 'race_data', 'y', deploy => 'never');\n" x $each;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
		'<', \$sql, '>', \$out, '2>', \$err);
	push @runs, { handle => $h, out => \$out, err => \$err };
}
my @got;
for my $r (@runs)
{
	$r->{handle}->finish;
	is($r->{handle}->result(0), 0, 'a training session succeeded')
	  or diag(${ $r->{err} });
	push @got, split /\n/, ${ $r->{out} };
}
is(scalar(@got), $sessions * $each, 'every training returned a version');
is( join(',', sort { $a <=> $b } @got),
	join(',', 1 .. $sessions * $each),
	'the sessions got distinct versions 1..N');
is( $node->safe_psql('postgres',
		"SELECT string_agg(version::text, ',' ORDER BY version) FROM mm.versions WHERE model = 'race'"),
	join(',', 1 .. $sessions * $each),
	'the catalog holds versions 1..N with no gap and no duplicate');
is($node->safe_psql('postgres', "SELECT count(*) FROM mm.models WHERE model = 'race'"),
	'1', 'the model was created once');
is($node->safe_psql('postgres', "SELECT count(DISTINCT fingerprint) FROM mm.versions WHERE model = 'race'"),
	'1', 'every version saw the same data');

# a training and a deploy in a transaction that rolls back leave no trace
my $n = $sessions * $each;
my $before = $node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM mm.versions) || '/' || (SELECT count(*) FROM mm.deployment_history)
	       || '/' || (SELECT count(*) FROM mm.audit_log) || '/' || (SELECT count(*) FROM mm.deployments)});
$node->safe_psql('postgres', q{
	BEGIN;
	SELECT version FROM mm_train('race', 'race_data', 'y', features => ARRAY['x1'], deploy => 'always');
	SELECT mm_deploy('race', 1, 'staging');
	SELECT version FROM mm_train('ghost', 'race_data', 'y');
	ROLLBACK;
});
is( $node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM mm.versions) || '/' || (SELECT count(*) FROM mm.deployment_history)
	       || '/' || (SELECT count(*) FROM mm.audit_log) || '/' || (SELECT count(*) FROM mm.deployments)}),
	$before,
	'a rolled-back transaction left no version, deployment, history or audit row');
is($node->safe_psql('postgres', "SELECT count(*) FROM mm.models WHERE model = 'ghost'"),
	'0', 'a model created in a rolled-back transaction does not exist');
is( $node->safe_psql('postgres',
		"SELECT version FROM mm_train('race', 'race_data', 'y', deploy => 'never')"),
	$n + 1, 'the next training takes the next number, with no gap');

# a deploy is invisible to other sessions until it commits
$node->safe_psql('postgres', "SELECT mm_deploy('race', 1)");
my $expect_v1 = $node->safe_psql('postgres',
	q{SELECT mm_predict('race@1', ARRAY[0.5, 0.25])::text});
my $expect_v2 = $node->safe_psql('postgres',
	"SELECT version FROM mm_train('race', 'race_data', 'y', features => ARRAY['x1'], deploy => 'never')");
my $v2_prediction = $node->safe_psql('postgres',
	"SELECT mm_predict('race\@$expect_v2', ARRAY[0.5])::text");

my $deployer = $node->background_psql('postgres');
$deployer->query_safe('BEGIN');
$deployer->query_safe("SELECT mm_deploy('race', $expect_v2)");
is( $node->safe_psql('postgres',
		"SELECT version FROM mm.deployments WHERE model = 'race' AND stage = 'production'"),
	'1', 'an uncommitted deploy is not visible to another session');
is($node->safe_psql('postgres', "SELECT mm_predict('race', ARRAY[0.5, 0.25])::text"),
	$expect_v1, 'another session still predicts with the deployed version');
$deployer->query_safe('COMMIT');
is( $node->safe_psql('postgres',
		"SELECT version FROM mm.deployments WHERE model = 'race' AND stage = 'production'"),
	$expect_v2, 'the committed deploy is visible to the next statement');
is($node->safe_psql('postgres', "SELECT mm_predict('race', ARRAY[0.5])::text"),
	$v2_prediction, 'and the next statement predicts with it');

# a session that has cached the old version sees the new one at its next statement
my $reader = $node->background_psql('postgres');
is($reader->query_safe("SELECT mm_predict('race', ARRAY[0.5])::text"),
	$v2_prediction, 'a second session predicts with the deployed version');
$node->safe_psql('postgres', "SELECT mm_rollback('race')");
is($reader->query_safe("SELECT mm_predict('race', ARRAY[0.5, 0.25])::text"),
	$expect_v1, 'after a rollback elsewhere, its next statement uses the version below');
$reader->quit;
$deployer->quit;

$node->stop;
done_testing();
