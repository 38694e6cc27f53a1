# Least squares on NIST's Statistical Reference Datasets for linear
# regression (test/fixtures/nist: Norris, Longley, Wampler1, Wampler3 and
# Filip, with their certified values).  Each set is loaded into a table in
# several row orders and trained unpenalized through the SQL path (the
# training aggregate, and the refinement pass where the factor is
# ill-conditioned), with parallel workers forced on and with them off; the
# coefficients mm_coefficients reports must be right to 7 significant
# digits, the standard errors to 6 and a certified zero standard error
# within 1e-6.  The digits (log relative errors) are reported per set.
# Also: a fit without an intercept against its exact answer.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;
use List::Util qw(min max shuffle);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(__FILE__) . '/../fixtures/nist';
my $certified = do
{
	local $/;
	open my $fh, '<', "$fixtures/certified.json" or die "certified.json: $!";
	decode_json(<$fh>);
};

my $node = PostgreSQL::Test::Cluster->new('nist');
$node->init;
$node->append_conf('postgresql.conf', qq{
modelmgr.monitor_enabled = off
max_worker_processes = 8
max_parallel_workers = 4
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION modelmgr');

my %parallel = (
	off => 'SET max_parallel_workers_per_gather = 0;',
	on => 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; '
	  . 'SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; '
	  . 'SET parallel_leader_participation = off;');

# Digits right, the StRD's log relative error, capped at 15.
sub lre
{
	my ($got, $want) = @_;
	my $e = $want == 0 ? abs($got) : abs($got - $want) / abs($want);
	return $e == 0 ? 15 : min(15, -log($e) / log(10));
}

# The rows of a set's CSV: the header's column names, then the values as text.
sub read_set
{
	my ($file) = @_;
	open my $fh, '<', "$fixtures/$file" or die "$file: $!";
	chomp(my $header = <$fh>);
	my @rows;
	while (my $line = <$fh>)
	{
		chomp $line;
		push @rows, $line if $line ne '';
	}
	return ([ split /,/, $header ], \@rows);
}

srand(20260611);
my %report;
for my $set (sort keys %$certified)
{
	my ($columns, $rows) = read_set($certified->{$set}{file});
	my $cert = $certified->{$set}{certified};
	my $table = lc $set;
	my @x = grep { $_ ne 'y' } @$columns;
	my %orders = (
		file => [ 0 .. $#$rows ],
		reversed => [ reverse 0 .. $#$rows ],
		shuffled1 => [ shuffle 0 .. $#$rows ],
		shuffled2 => [ shuffle 0 .. $#$rows ]);
	my ($worst_coef, $worst_se, $worst_zero) = (15, 15, 0);

	for my $order (sort keys %orders)
	{
		# a wide padding column spreads the rows over pages for the parallel workers
		my $values = join(",\n", map { "($rows->[$_], repeat('x', 1000))" } @{ $orders{$order} });
		$node->safe_psql('postgres', qq{
			DROP TABLE IF EXISTS $table;
			CREATE TABLE $table (} . join(', ', map { "$_ float8" } @$columns) . qq{, pad text);
			ALTER TABLE $table ALTER pad SET STORAGE plain;
			INSERT INTO $table VALUES $values;
			ANALYZE $table;
		});
		for my $mode (sort keys %parallel)
		{
			my $name = "${table}_${order}_$mode";
			my $plan = $node->safe_psql('postgres', qq{
				$parallel{$mode}
				EXPLAIN (COSTS OFF) SELECT count(y) FROM $table;
			});
			if ($mode eq 'on')
			{
				like($plan, qr/Gather/, "$name: the plan is parallel");
			}
			else
			{
				unlike($plan, qr/Gather/, "$name: the plan is serial");
			}
			$node->safe_psql('postgres', qq{
				$parallel{$mode}
				SELECT * FROM mm_train('$name', '$table', 'y', algorithm => 'linear_regression',
				                       exclude => ARRAY['pad'], params => '{"alpha": 0}', test_size => 0);
			});
			my %got = map { my @f = split /\|/; ($f[0] => [ $f[1], $f[2] ]) } split /\n/,
			  $node->safe_psql('postgres',
				qq{SELECT feature, coef::text, coalesce(std_err::text, 'NaN') FROM mm_coefficients('$name')});
			is(scalar(keys %got), scalar(keys %$cert), "$name: one coefficient per term");
			my ($coef_digits, $se_digits, $zero) = (15, 15, 0);
			for my $term (keys %$cert)
			{
				my ($coef, $se) = @{ $got{$term} // [ 'NaN', 'NaN' ] };
				$coef_digits = min($coef_digits, $coef eq 'NaN' ? 0 : lre($coef, $cert->{$term}{coef}));
				if ($cert->{$term}{std_err} == 0)
				{
					$zero = max($zero, $se eq 'NaN' ? 1e300 : abs($se));
				}
				else
				{
					$se_digits = min($se_digits, $se eq 'NaN' ? 0 : lre($se, $cert->{$term}{std_err}));
				}
			}
			cmp_ok($coef_digits, '>=', 7, "$name: coefficients to 7 digits");
			cmp_ok($se_digits, '>=', 6, "$name: standard errors to 6 digits");
			cmp_ok($zero, '<=', 1e-6, "$name: certified zero standard errors within 1e-6");
			$worst_coef = min($worst_coef, $coef_digits);
			$worst_se = min($worst_se, $se_digits);
			$worst_zero = max($worst_zero, $zero);
		}
	}
	$report{$set} = sprintf('%-8s coefficients %5.2f digits, standard errors %5.2f, largest certified-zero standard error %.1e',
		$set, $worst_coef, $worst_se, $worst_zero);
}
# the refinement pass runs where the factor is ill-conditioned, and only there
for my $case ([ 'filip', 1 ], [ 'norris', 0 ])
{
	my ($table, $refined) = @$case;
	my (undef, undef, $log) = $node->psql('postgres', qq{
		$parallel{on}
		SET client_min_messages = debug1;
		SELECT * FROM mm_train('${table}_logged', '$table', 'y', algorithm => 'linear_regression',
		                       exclude => ARRAY['pad'], params => '{"alpha": 0}', test_size => 0);
	});
	my $ran = $log =~ /modelmgr pass "linear_regression\.refine"/ ? 1 : 0;
	is($ran, $refined, "$table: " . ($refined ? 'refined by a second pass over the relation' : 'one pass'));
}

diag("NIST StRD, worst over row orders and parallel plans:");
diag("  $report{$_}") for sort keys %report;

# Without an intercept: y = 1.5 x1 - 2 x2 + 0.25 x3 exactly, so the fit is exact.
$node->safe_psql('postgres', q{
	CREATE TABLE through_origin AS
	SELECT x1::float8, x2::float8, x3::float8, (1.5 * x1 - 2 * x2 + 0.25 * x3)::float8 AS y
	  FROM (SELECT i AS x1, (i * 7) % 13 AS x2, (i * i) % 17 AS x3 FROM generate_series(1, 200) i) s;
	SELECT * FROM mm_train('through_origin', 'through_origin', 'y', algorithm => 'linear_regression',
	                       params => '{"alpha": 0, "fit_intercept": false}', test_size => 0);
});
my %exact = (x1 => 1.5, x2 => -2, x3 => 0.25);
my %origin = map { split /\|/ } split /\n/,
  $node->safe_psql('postgres', q{SELECT feature, coef::text FROM mm_coefficients('through_origin')});
is(join(',', sort keys %origin), 'x1,x2,x3', 'through the origin: no intercept');
for my $term (sort keys %exact)
{
	cmp_ok(abs($origin{$term} - $exact{$term}), '<=', 1e-12, "through the origin: $term is exact");
}

$node->stop;
done_testing();
