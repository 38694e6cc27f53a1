# Inference against its reference: statsmodels' OLS, Logit and MNLogit
# fitted on the same rows give the coefficients, standard errors, t or z
# statistics, p-values and confidence intervals mm_coefficients reports
# (to 1e-8 relative for least squares, 1e-6 for the logistic fits), and the
# statistics of the train metrics (adjusted r2, F test, log-likelihoods,
# AIC, BIC, degrees of freedom, McFadden's pseudo r2, deviance).  The data
# sets: scikit-learn's diabetes data and generated ones, with and without
# an intercept for least squares, binary and three classes for logistic
# regression; the oracle is test/oracle/inference.py.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $oracle = dirname(__FILE__) . '/../oracle/inference.py';
my $dir = PostgreSQL::Test::Utils::tempdir;

# The data sets, each a CSV file of its features then its target.
system($python, '-c', qq{
import csv
import numpy as np
from sklearn.datasets import load_diabetes

def write(name, header, X, y, fmt):
    with open("$dir/" + name + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row, t in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + [fmt(t)])

d = load_diabetes()
write("diabetes", list(d.feature_names) + ["target"], d.data, d.target, lambda t: repr(float(t)))

rng = np.random.default_rng(20260413)
X = rng.normal(size=(150, 3)) * [1.0, 3.0, 0.2] + [2.0, -1.0, 5.0]
y = X @ [1.5, -0.25, 4.0] + 3.0 + rng.normal(scale=2.0, size=150)
write("linear", ["a", "b", "c", "target"], X, y, lambda t: repr(float(t)))

X = rng.normal(size=(300, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, 3.0]
eta = X @ [0.8, -0.5, 1.2] - 3.5
y = (rng.random(300) < 1.0 / (1.0 + np.exp(-eta))).astype(int)
write("two", ["a", "b", "c", "target"], X, y, str)

X = rng.normal(size=(500, 2)) * [10.0, 0.1]
eta = X @ [0.05, 6.0] + 0.7
y = (rng.random(500) < 1.0 / (1.0 + np.exp(-eta))).astype(int)
write("binary_scales", ["a", "b", "target"], X, y, str)

X = rng.normal(size=(600, 3)) * [1.0, 1.5, 0.7]
scores = np.column_stack([np.zeros(600), X @ [1.0, -0.5, 0.3] + 0.2, X @ [-0.7, 0.4, 1.1] - 0.4])
p = np.exp(scores - scores.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
y = np.array([rng.choice(3, p=row) for row in p])
write("three", ["a", "b", "c", "target"], X, y, str)
}) == 0 or BAIL_OUT("the oracle cannot write the data: are python3-sklearn and python3-numpy installed?");

my $node = PostgreSQL::Test::Cluster->new('inference');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION modelmgr');

# Loads a CSV file into a table of its name: float8 features, the target float8 or int.
sub load
{
	my ($name, $target_type) = @_;
	open(my $f, '<', "$dir/$name.csv") or die "$name.csv: $!";
	my $header = <$f>;
	close($f);
	chomp $header;
	$header =~ s/\r$//;
	my @cols = split /,/, $header;
	my $target = pop @cols;
	my $columns = join(', ', (map { "$_ float8" } @cols), "$target $target_type");
	$node->safe_psql('postgres', qq{
		CREATE TABLE $name ($columns);
		COPY $name FROM '$dir/$name.csv' WITH (FORMAT csv, HEADER true);
	});
}
load('diabetes', 'float8');
load('linear', 'float8');
load('two', 'int');
load('binary_scales', 'int');
load('three', 'int');

# Whether got is within tol of want, relative (or absolute below 1e-300, for p-values at the underflow).
sub close_to
{
	my ($got, $want, $tol) = @_;
	return 0 unless defined $got && $got ne '';
	return abs($got - $want) <= $tol * abs($want) || abs($got - $want) < 1e-300;
}

# Trains one model and compares its coefficients and train metrics with the oracle's.
sub check_fit
{
	my (%a) = @_;
	my ($name, $table, $algorithm, $kind, $tol) = @a{qw(name table algorithm kind tol)};
	my $intercept = $a{intercept} // 1;
	my $level = $a{level} // 0.95;
	my $params = sprintf('{"alpha": 0, "fit_intercept": %s}', $intercept ? 'true' : 'false');
	$node->safe_psql('postgres', qq{
		SELECT * FROM mm_train('$name', '$table', 'target', algorithm => '$algorithm',
		                       params => '$params', test_size => 0, deploy => 'always')});
	my @rows = split /\n/, $node->safe_psql('postgres', qq{
		SELECT coalesce(class, ''), feature, coef, std_err, stat, p_value, ci_lower, ci_upper
		  FROM mm_coefficients('$name', $level)});
	my %ours = map { my @f = split /\|/; (join('/', $f[0], $f[1]) => [ @f[ 2 .. 7 ] ]) } @rows;
	my $metrics = decode_json($node->safe_psql('postgres', qq{
		SELECT metrics->'train' FROM mm.versions WHERE model = '$name'}));

	my @args = ($python, $oracle, "$dir/$table.csv", $kind, '--level', $level);
	push @args, '--no-intercept' unless $intercept;
	my $out = `@args`;
	is($?, 0, "$name: the oracle ran");
	my $ref = decode_json($out);

	my $bad = 0;
	is(scalar(@rows), scalar(@{ $ref->{terms} }), "$name: one coefficient per term");
	my @fields = qw(coef std_err stat p_value ci_lower ci_upper);
	for my $t (@{ $ref->{terms} })
	{
		my $key = join('/', $t->{class} // '', $t->{feature});
		my $got = $ours{$key};
		if (!defined $got)
		{
			diag("$name: no coefficient for $key");
			$bad++;
			next;
		}
		for my $i (0 .. $#fields)
		{
			next if close_to($got->[$i], $t->{ $fields[$i] }, $tol);
			diag("$name: $key $fields[$i] is $got->[$i], statsmodels' is $t->{$fields[$i]}");
			$bad++;
		}
	}
	is($bad, 0, "$name: the coefficients' statistics equal statsmodels $ref->{statsmodels}'s to $tol");

	$bad = 0;
	for my $stat (sort keys %{ $ref->{stats} })
	{
		next if $stat eq 'r2_model';
		next if close_to($metrics->{$stat}, $ref->{stats}{$stat}, $tol);
		diag("$name: $stat is " . ($metrics->{$stat} // 'missing') . ", statsmodels' is $ref->{stats}{$stat}");
		$bad++;
	}
	is($bad, 0, "$name: the train metrics' statistics equal statsmodels' to $tol");
}

check_fit(name => 'ols_diabetes', table => 'diabetes', algorithm => 'linear_regression',
	kind => 'ols', tol => 1e-8);
check_fit(name => 'ols_diabetes_origin', table => 'diabetes', algorithm => 'linear_regression',
	kind => 'ols', tol => 1e-8, intercept => 0);
check_fit(name => 'ols_linear', table => 'linear', algorithm => 'linear_regression',
	kind => 'ols', tol => 1e-8, level => 0.9);
check_fit(name => 'ols_linear_origin', table => 'linear', algorithm => 'linear_regression',
	kind => 'ols', tol => 1e-8, intercept => 0);
check_fit(name => 'logit_binary', table => 'two', algorithm => 'logistic_regression',
	kind => 'logit', tol => 1e-6);
check_fit(name => 'logit_scales', table => 'binary_scales', algorithm => 'logistic_regression',
	kind => 'logit', tol => 1e-6, level => 0.99);
check_fit(name => 'mnlogit_three', table => 'three', algorithm => 'logistic_regression',
	kind => 'mnlogit', tol => 1e-6);

# The default tolerance reaches the maximum-likelihood estimate: a fit with
# tol far below it lands on the same coefficients to nine digits.
$node->safe_psql('postgres', q{
	SELECT * FROM mm_train('logit_tight', 'two', 'target', algorithm => 'logistic_regression',
	                       params => '{"alpha": 0, "tol": 1e-12}', test_size => 0, deploy => 'always')});
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM mm_coefficients('logit_binary') a JOIN mm_coefficients('logit_tight') b
	 USING (feature) WHERE abs(a.coef - b.coef) > 1e-9 * abs(b.coef)}),
	'0', 'the default tolerance gives the maximum-likelihood estimate to nine digits');

# A penalized fit says which setting gives the statistics, and leaves them out.
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
	SELECT metrics->'train' ? 'log_likelihood' FROM mm_train('logit_penalized', 'two', 'target',
	       algorithm => 'logistic_regression', test_size => 0)});
is($stdout, 'f', 'a penalized fit has no log-likelihood');
like($stderr, qr/HINT:  Pass params => '\{"alpha": 0\}' for them\./, 'and a NOTICE names alpha 0');

$node->stop;
done_testing();
