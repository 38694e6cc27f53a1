# pg_dump and restore carry the model catalog, and restored models predict
# identically; owners and grants travel by role name, so that they hold in
# another cluster whose roles have other OIDs.
#
# Needs a real server and the client programs: the catalog travels as
# extension configuration tables, which only a real dump and restore show.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'");
$node->start;

my $roles = q{
	CREATE ROLE dump_owner; CREATE ROLE dump_reader LOGIN; CREATE ROLE dump_team;
	CREATE ROLE dump_member LOGIN IN ROLE dump_team;
};
$node->safe_psql('postgres', $roles);
$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE sales AS
	SELECT g AS id, (g % 50)::float8 AS area, (g % 5)::int AS rooms, (g % 7 = 0) AS garage,
	       (100 + 3.25 * (g % 50) - 1.5 * (g % 5) + 20 * (g % 7 = 0)::int + ((g * 13) % 11) * 0.37)::float8 AS price
	  FROM generate_series(1, 3000) g;
	SELECT version FROM mm_train('price', 'sales', 'price', exclude => ARRAY['id']);
	SELECT version FROM mm_train('price', 'sales', 'price', features => ARRAY['area'], deploy => 'never');
	SELECT version FROM mm_train('price', 'sales', 'price', params => '{"alpha": 10}', deploy => 'never');
	SELECT mm_deploy('price', 2);
	SELECT mm_deploy('price', 3);
	SELECT mm_rollback('price');
	SELECT mm_deploy('price', 3, 'staging');
	SELECT mm_archive('price', 1);
	SELECT mm_annotate('price', 'sales price', '{"team": "pricing"}');
	SELECT version FROM mm_train('other', 'sales', 'rooms', features => ARRAY['area'],
	                             algorithm => 'linear_regression', test_size => 0);
	GRANT SELECT ON sales TO dump_reader, dump_team;
	SELECT mm_grant('price', 'use', 'dump_reader');
	SELECT mm_grant('price', 'deploy', 'public');
	SELECT mm_grant('other', 'use, train', 'dump_team');
	SELECT mm_set_owner('other', 'dump_owner');
});
# a failed call, audited by the background writer
$node->psql('source', q{SELECT mm_deploy('price', 42)});

my %catalog = (
	models => 'SELECT model, owner, task, description, tags, created_at, versions, latest_version, '
	  . 'production_version FROM mm.models ORDER BY model',
	versions => 'SELECT model, version, version_id, status, algorithm, params, features, feature_types, '
	  . 'target, relation, test_size, seed, rows_read, rows_train, rows_test, rows_skipped, fingerprint, '
	  . 'snapshot, metrics, score, train_time, trained_at, trained_by, parent_version, artifact_bytes, '
	  . 'stages FROM mm.versions ORDER BY model, version',
	artifacts => 'SELECT m.name, v.version, md5(v.artifact), v.artifact_crc FROM mm._versions v '
	  . 'JOIN mm._models m ON m.id = v.model_id ORDER BY 1, 2',
	deployments => 'SELECT * FROM mm.deployments ORDER BY model, stage',
	history => 'SELECT * FROM mm.deployment_history ORDER BY id',
	audit => 'SELECT * FROM mm.audit_log ORDER BY id',
	grants => 'SELECT model, grantee, privilege, granted_by, granted_at FROM mm.grants '
	  . 'ORDER BY model, grantee, privilege',
	privileges => q{SELECT m.model, r.rolname, mm_has_privilege(m.model, 'use', r.oid::regrole),
	  mm_has_privilege(m.model, 'train', r.oid::regrole), mm_has_privilege(m.model, 'deploy', r.oid::regrole)
	  FROM mm.models m, pg_roles r WHERE r.rolname LIKE 'dump\_%' ORDER BY 1, 2});
my $predictions = q{
	SELECT string_agg(mm_predict('price@2', s)::text || ' ' || mm_predict('price@3', s)::text
	                  || ' ' || mm_predict('price', s)::text || ' ' || mm_predict('price@staging', s)::text
	                  || ' ' || mm_predict('other', s)::text, ',' ORDER BY id)
	  FROM sales s};

my %source;
$source{$_} = $node->safe_psql('source', $catalog{$_}) for keys %catalog;
$source{predictions} = $node->safe_psql('source', $predictions);
ok($source{audit} =~ /error/, 'the source has a failed call in its audit log');

my $dir = $PostgreSQL::Test::Utils::tmp_check;
for my $format ('custom', 'plain')
{
	my $file = "$dir/source.$format";
	my $target = "restored_$format";
	$node->command_ok([ 'pg_dump', '--format', $format, '--file', $file, '--dbname', 'source' ],
		"pg_dump in $format format");
	$node->safe_psql('postgres', "CREATE DATABASE $target");
	if ($format eq 'custom')
	{
		$node->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $target, $file ],
			'pg_restore');
	}
	else
	{
		$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $target, '-f', $file ],
			'psql restores the plain dump');
	}
	for my $what (sort keys %catalog)
	{
		is($node->safe_psql($target, $catalog{$what}), $source{$what},
			"$format: $what identical after restore");
	}
	is($node->safe_psql($target, $predictions), $source{predictions},
		"$format: every version predicts bit-identically");

	# the registry goes on where it left off
	is( $node->safe_psql($target,
			q{SELECT version FROM mm_train('price', 'sales', 'price', deploy => 'never')}),
		'4', "$format: the next training takes the next version number");
	is( $node->safe_psql($target, q{
			SELECT count(*) FROM mm._versions v
			 WHERE v.id = (SELECT max(id) FROM mm._versions)
			   AND v.id > (SELECT max(version_id) FROM mm.versions WHERE version < 4 OR model <> 'price')}),
		'1', "$format: the new version's database-wide id follows the restored ones");
	my ($ret, $out, $err) = $node->psql($target, q{SELECT mm_rollback('price', 'staging')});
	like($err, qr/first deployment/, "$format: the restored staging stack holds one deployment");
	($ret, $out, $err) = $node->psql($target, q{SELECT mm_rollback('price')});
	like($err, qr/to version 1: it is archived/,
		"$format: the restored production stack still has archived version 1 below version 2");
	$node->safe_psql($target, q{SELECT mm_restore('price', 1)});
	is($node->safe_psql($target, q{SELECT mm_rollback('price')}), '1',
		"$format: restored, version 1 is what a rollback returns to");
}

# the grants hold for the roles themselves, not for superusers only
for my $target ('restored_custom', 'restored_plain')
{
	is($node->safe_psql($target, q{SET ROLE dump_reader; SELECT count(*) FROM sales s WHERE mm_predict('price', s) IS NOT NULL}),
		'3000', "$target: the reader predicts with the model granted to it");
	my ($ret, $out, $err) = $node->psql($target, q{SET ROLE dump_reader; SELECT mm_predict('other', s) FROM sales s LIMIT 1});
	like($err, qr/permission denied for model "other"/, "$target: but not with the other model");
	is($node->safe_psql($target, q{SET ROLE dump_member;
			SELECT string_agg(model || ':' || array_to_string(privileges, '/'), ',' ORDER BY model) FROM mm.models}),
		'other:use/train,price:deploy', "$target: a member of the team holds the team's privileges and public's");
}

# Another cluster, whose roles get other OIDs: owners and grants follow the names.
my $other = PostgreSQL::Test::Cluster->new('other');
$other->init;
$other->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'");
$other->start;
$other->safe_psql('postgres', 'CREATE ROLE filler_1; CREATE ROLE filler_2; CREATE ROLE filler_3;');
$other->safe_psql('postgres', $roles);
isnt($other->safe_psql('postgres', q{SELECT oid FROM pg_roles WHERE rolname = 'dump_reader'}),
	$node->safe_psql('postgres', q{SELECT oid FROM pg_roles WHERE rolname = 'dump_reader'}),
	'the roles of the other cluster have other OIDs');
$other->safe_psql('postgres', 'CREATE DATABASE moved');
$other->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', 'moved', "$dir/source.custom" ],
	'pg_restore into another cluster');
for my $what ('models', 'grants', 'privileges')
{
	is($other->safe_psql('moved', $catalog{$what}), $source{$what},
		"another cluster: $what identical after restore");
}
is($other->safe_psql('moved', $predictions), $source{predictions},
	'another cluster: every version predicts bit-identically');

$node->stop;
$other->stop;
done_testing();
