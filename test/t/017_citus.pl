# modelmgr on a Citus cluster: a coordinator and two workers on this machine.
# Training on a distributed table runs its aggregates on the shards (with
# citus.log_remote_commands on, no query sent to a shard reads raw feature
# columns without an aggregate, a LIMIT or a TABLESAMPLE; with
# citus.coordinator_aggregation_strategy = 'disabled', an aggregate that could
# not be pushed down would fail), and gives the model a local copy of the same
# rows gives.
#
# Citus is a test dependency built by scripts/test.sh from ../shared/vendor/citus;
# where it is not installed, the test skips.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $coordinator = PostgreSQL::Test::Cluster->new('coordinator');
my $pkglibdir = $coordinator->config_data('--pkglibdir');
plan skip_all => "Citus is not installed in $pkglibdir (scripts/test.sh builds it from ../shared/vendor/citus)"
  unless -f "$pkglibdir/citus.so";

my @workers = map { PostgreSQL::Test::Cluster->new("worker$_") } 1 .. 2;
for my $node ($coordinator, @workers)
{
	$node->init;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus,modelmgr'
citus.node_conninfo = 'sslmode=disable'
max_worker_processes = 16
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
}

# nodes are named by their socket directory, as Citus connects through it
$coordinator->safe_psql('postgres', sprintf(q{SELECT citus_set_coordinator_host('%s', %d)},
		$coordinator->host, $coordinator->port));
$coordinator->safe_psql('postgres', sprintf(q{SELECT citus_add_node('%s', %d)}, $_->host, $_->port))
  for @workers;
$coordinator->safe_psql('postgres', 'CREATE EXTENSION modelmgr');
is($workers[0]->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'modelmgr'}),
	$coordinator->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'modelmgr'}),
	'CREATE EXTENSION on the coordinator reaches the workers');

# numbers, a text column, a numeric target and a text label; dist is spread
# over the shards, local is a plain table of the same rows
$coordinator->safe_psql('postgres', q{
	CREATE TABLE dist (id int, x1 float8, x2 float8, x3 numeric, city text, y numeric, label text);
	INSERT INTO dist
	SELECT g, g % 37, (g * 7) % 23, ((g * 13) % 11)::numeric / 3, (ARRAY['north', 'south', 'east'])[1 + g % 3],
	       3 * (g % 37) - 2 * ((g * 7) % 23) + ((g * 31) % 17 - 8) / 2.0 + ((g * 13) % 11) / 3.0,
	       CASE WHEN (g % 37) - ((g * 7) % 23) + (g * 31) % 5 > 8 THEN 'high' ELSE 'low' END
	  FROM generate_series(1, 4000) g;
	CREATE TABLE local AS SELECT * FROM dist;
	SELECT create_distributed_table('dist', 'id');
	SELECT truncate_local_data_after_distributing_table('dist');
});
is($coordinator->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'dist'::regclass}),
	'32', 'the table is spread over 32 shards');

# Algorithms trained on both tables: a name, mm_train's arguments after the
# relation, and how the two models are compared.  Linear models compare their
# coefficients, others what mm_transform makes of the local rows.
my $numeric = q{exclude => ARRAY['id', 'city', 'label']};
my @cases = (
	{ name => 'ols', args => qq{'y', algorithm => 'linear_regression', $numeric}, compare => 'coefficients' },
	{ name => 'ridge', args => qq{'y', algorithm => 'linear_regression', params => '{"alpha": 1}', $numeric},
	  compare => 'coefficients' },
	{ name => 'pca', args => q{NULL, algorithm => 'pca', exclude => ARRAY['id', 'city', 'label', 'y']},
	  compare => 'transform' },
);

# The queries a statement sent to the shards of dist that read its rows
# without an aggregate or a bound on the rows.
sub raw_reads
{
	my ($log) = @_;
	my @raw;
	for my $command ($log =~ /NOTICE:\s+issuing (.*)$/mg)
	{
		next unless $command =~ /\bdist_\d+\b/;
		next if $command =~ /worker_partial_agg|\bLIMIT\b|\bTABLESAMPLE\b/i;
		push @raw, $command;
	}
	return @raw;
}

my $compare_sql = {
	coefficients => q{SELECT coalesce(max(abs(a.coef - b.coef) / greatest(1, abs(b.coef))), 1)
	                    FROM mm_coefficients('%1$s_dist') a JOIN mm_coefficients('%1$s_local') b
	                         ON a.feature = b.feature AND a.class IS NOT DISTINCT FROM b.class},
	transform => q{SELECT coalesce(max(abs(a - b) / greatest(1, abs(b))), 1)
	                 FROM local l, unnest(mm_transform('%1$s_dist', l), mm_transform('%1$s_local', l)) t(a, b)},
};

for my $case (@cases)
{
	my $name = $case->{name};
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		SELECT version FROM mm_train('${name}_dist', 'dist', $case->{args});
	});
	is($ret, 0, "$name trains on the distributed table") or diag($err);
	my @raw = raw_reads($err);
	ok(scalar(grep { /dist_\d+/ } ($err =~ /NOTICE:\s+issuing (.*)$/mg)) > 0 && !@raw,
		"$name reads the shards through partial aggregates only")
	  or diag(join("\n", @raw));
	$coordinator->safe_psql('postgres', qq{SELECT version FROM mm_train('${name}_local', 'local', $case->{args})});
	my $diff = $coordinator->safe_psql('postgres', sprintf($compare_sql->{ $case->{compare} }, $name));
	cmp_ok($diff, '<', 1e-9, "$name on the shards equals $name on the local copy ($case->{compare})");
}

# tuning's cross-validation runs its one aggregate on the shards too
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		SELECT version FROM mm_tune('tuned_dist', 'dist', 'y', $numeric, folds => 3);
	});
	is($ret, 0, 'mm_tune of a linear regression runs on the distributed table') or diag($err);
	like($err, qr/worker_partial_agg\('[^']*mm_cv_stats_array/, 'its folds are a partial aggregate on the shards');
	my @raw = raw_reads($err);
	ok(!@raw, 'and it reads no raw rows from the shards') or diag(join("\n", @raw));
	$coordinator->safe_psql('postgres', qq{SELECT version FROM mm_tune('tuned_local', 'local', 'y', $numeric, folds => 3)});
	is($coordinator->safe_psql('postgres', q{
		SELECT a.params = b.params AND a.metrics #> '{cv,metric}' = b.metrics #> '{cv,metric}'
		  FROM mm.versions a, mm.versions b WHERE a.model = 'tuned_dist' AND b.model = 'tuned_local'}),
		't', 'and picks the winner the local copy picks');
}

done_testing();
