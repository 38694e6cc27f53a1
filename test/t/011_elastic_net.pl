# Elastic net against its reference: scikit-learn's ElasticNet (and Lasso,
# l1_ratio 1) fitted on the same rows gives the coefficients mm_coefficients
# reports, to 1e-5 relative, with exactly the same zeros.  The rows are
# scikit-learn's diabetes data (442 rows, 10 features), which the oracle
# writes out and the test loads into a table; the oracle is
# test/oracle/elastic_net.py.  Also: a regularization path, trained as a
# tuning search over alpha, ends at the candidate a cold fit of the same
# alpha gives.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $oracle = dirname(__FILE__) . '/../oracle/elastic_net.py';
my $dir = PostgreSQL::Test::Utils::tempdir;
my $csv = "$dir/diabetes.csv";

# the data, as scikit-learn ships it: ten features, the target last
system($python, '-c', qq{
import csv
from sklearn.datasets import load_diabetes
d = load_diabetes()
with open("$csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(list(d.feature_names) + ["progression"])
    for row, t in zip(d.data, d.target):
        w.writerow([repr(float(v)) for v in row] + [repr(float(t))])
}) == 0 or BAIL_OUT("the oracle cannot write the diabetes data: is python3-sklearn installed?");

my $node = PostgreSQL::Test::Cluster->new('elastic_net');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION modelmgr;
	CREATE TABLE diabetes (age float8, sex float8, bmi float8, bp float8, s1 float8, s2 float8,
	                       s3 float8, s4 float8, s5 float8, s6 float8, progression float8);
	COPY diabetes FROM '$csv' WITH (FORMAT csv, HEADER true);
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM diabetes'), '442', 'the data is loaded');

my @features = qw(age sex bmi bp s1 s2 s3 s4 s5 s6);

# Compares one fit with the oracle's; returns how many exact zeros it has.
sub check_fit
{
	my ($name, $alpha, $l1_ratio, $intercept) = @_;
	my $params = sprintf('{"alpha": %s, "l1_ratio": %s, "fit_intercept": %s, "tol": 1e-12, "max_iter": 1000000}',
		$alpha, $l1_ratio, $intercept ? 'true' : 'false');
	# deployed whatever the baseline says: only the coefficients are compared
	$node->safe_psql('postgres', qq{
		SELECT * FROM mm_train('$name', 'diabetes', 'progression', algorithm => 'elastic_net',
		                       params => '$params', test_size => 0, deploy => 'always')});
	my %ours = map { split /\|/ } split /\n/,
	  $node->safe_psql('postgres', qq{SELECT feature, coef::text FROM mm_coefficients('$name')});
	my @args = ($python, $oracle, $csv, '--alpha', $alpha, '--l1-ratio', $l1_ratio,
		'--tol', '1e-12', '--max-iter', '1000000');
	push @args, '--no-intercept' unless $intercept;
	my $out = `@args`;
	is($?, 0, "$name: the oracle ran");
	my $ref = decode_json($out);

	my ($bad, $zeros) = (0, 0);
	my @expected = map { [ $features[$_], $ref->{coef}[$_] ] } 0 .. $#features;
	unshift @expected, [ 'intercept', $ref->{intercept} ] if $intercept;
	is(scalar(keys %ours), scalar(@expected), "$name: one coefficient per term");
	for my $e (@expected)
	{
		my ($term, $want) = @$e;
		my $got = $ours{$term};
		if (!defined $got)
		{
			diag("$name: no coefficient for $term");
			$bad++;
			next;
		}
		if ($want == 0 || $got == 0)
		{
			# the L1 penalty's zeros are exact on both sides
			if ($want != 0 || $got != 0)
			{
				diag("$name: $term is $got, scikit-learn's is $want");
				$bad++;
			}
			$zeros++ if $term ne 'intercept';
			next;
		}
		if (abs($got - $want) > 1e-5 * abs($want))
		{
			diag("$name: $term is $got, scikit-learn's is $want");
			$bad++;
		}
	}
	is($bad, 0, "$name: coefficients equal scikit-learn's $ref->{sklearn} to 1e-5 relative");
	return $zeros;
}

my $zeros = 0;
$zeros += check_fit('enet_mixed', '0.001', '0.5', 1);
$zeros += check_fit('lasso', '0.5', '1', 1);
$zeros += check_fit('lasso_small', '0.05', '1', 1);
$zeros += check_fit('enet_ridge_like', '0.0001', '0.01', 1);
$zeros += check_fit('enet_no_intercept', '0.002', '0.7', 0);
ok($zeros >= 3, "the lasso fits set coefficients to exactly zero ($zeros of them)");

# alpha at or above alpha_max leaves every slope at zero and the mean as the intercept
$node->safe_psql('postgres', q{
	SELECT * FROM mm_train('lasso_all_zero', 'diabetes', 'progression', algorithm => 'elastic_net',
	                       params => '{"alpha": 100, "l1_ratio": 1}', test_size => 0, deploy => 'always')});
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE coef <> 0), round((max(coef) FILTER (WHERE feature = 'intercept'))::numeric, 6)
	  FROM mm_coefficients('lasso_all_zero')}),
	'1|' . $node->safe_psql('postgres', 'SELECT round(avg(progression)::numeric, 6) FROM diabetes'),
	'above alpha_max every slope is zero and the intercept is the mean');

# The path: a search over decreasing alphas, on rows in memory (the
# preprocessing, a no-op on complete rows, keeps them there), starts each
# candidate from its neighbour's fit on the same fold; the refitted winner is
# the cold fit of its alpha all the same.
$node->safe_psql('postgres', q{
	SELECT * FROM mm_tune('path', 'diabetes', 'progression', algorithm => 'elastic_net',
	                      search => '{"alpha": [3, 1, 0.3, 0.1, 0.03, 0.01], "l1_ratio": [1]}',
	                      params => '{"tol": 1e-12, "max_iter": 1000000}', folds => 3, test_size => 0,
	                      preprocess => '{"*": {"impute": "mean"}}')});
my $best = $node->safe_psql('postgres', q{
	SELECT params ->> 'alpha' FROM mm.versions WHERE model = 'path' ORDER BY version DESC LIMIT 1});
ok($best ne '', "the search chose alpha $best");
check_fit('path_cold', $best, '1', 1);
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM mm_coefficients('path') a JOIN mm_coefficients('path_cold') b USING (feature)
	 WHERE abs(a.coef - b.coef) > 1e-9 * greatest(abs(b.coef), 1e-12)}),
	'0', 'the search\'s winner has the coefficients of a cold fit of its alpha');

$node->stop;
done_testing();
