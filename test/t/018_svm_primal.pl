# The linear SVM with the squared hinge against its reference: scikit-learn's
# LinearSVC(loss='squared_hinge', intercept_scaling=1) fitted on the same rows
# gives the coefficients mm_coefficients reports, to 1e-6 relative, binary
# (weighted or not, LinearSVC's primal and dual solvers) and for three
# classes (Fisher's iris).  The same rows stored in another order train to
# the same coefficients.  The oracle is test/oracle/linear_svm.py.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $oracle = dirname(__FILE__) . '/../oracle/linear_svm.py';
my $dir = PostgreSQL::Test::Utils::tempdir;

# binary rows drawn with a fixed seed (one class in ten), and the iris data as scikit-learn ships it
system($python, '-c', qq{
import csv
import numpy as np
from sklearn.datasets import load_iris
rng = np.random.default_rng(2024)
X = rng.normal(size=(600, 3)) * [1.0, 2.0, 0.5] + [0, 1, -1]
y = (1.5 * X[:, 0] - 0.7 * X[:, 1] + 2 * X[:, 2] + rng.normal(size=600) * 1.5 > 0.8).astype(int)
iris = load_iris()
for name, header, rows, labels in (("binary", ["a", "b", "c"], X, y),
                                   ("iris", ["sl", "sw", "pl", "pw"], iris.data, iris.target)):
    with open("$dir/" + name + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header + ["label"])
        for r, t in zip(rows, labels):
            w.writerow([repr(float(v)) for v in r] + [int(t)])
}) == 0 or BAIL_OUT("the oracle cannot write its data: is python3-sklearn installed?");

my $node = PostgreSQL::Test::Cluster->new('svm_primal');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION modelmgr;
	CREATE TABLE binary_rows (a float8, b float8, c float8, label int);
	COPY binary_rows FROM '$dir/binary.csv' WITH (FORMAT csv, HEADER true);
	CREATE TABLE iris (sl float8, sw float8, pl float8, pw float8, label int);
	COPY iris FROM '$dir/iris.csv' WITH (FORMAT csv, HEADER true);
	-- the same rows, stored in another order
	CREATE TABLE binary_shuffled AS SELECT * FROM binary_rows ORDER BY md5(a::text);
	CREATE TABLE iris_shuffled AS SELECT * FROM iris ORDER BY md5(sw::text || pl::text), sl DESC;
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM binary_rows'), '600', 'the binary rows are loaded');
is($node->safe_psql('postgres', 'SELECT count(*) FROM iris'), '150', 'the iris rows are loaded');

my %features = (binary_rows => [qw(a b c)], iris => [qw(sl sw pl pw)]);

sub train
{
	my ($name, $table, $params) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT metrics->>'converged' FROM mm_train('$name', '$table', 'label', algorithm => 'linear_svm',
		                                          params => '$params', test_size => 0, deploy => 'always')});
}

# Compares one fit with the oracle's.
sub check_fit
{
	my ($name, $table, $C, $balanced, $dual) = @_;
	my $params = sprintf('{"C": %s, "tol": 1e-10, "max_iter": 100%s}', $C,
		$balanced ? ', "class_weight": "balanced"' : '');
	is(train($name, $table, $params), 'true', "$name: the fit converged");
	my %ours = map { my ($c, $f, $v) = split /\|/; ("$c/$f" => $v) } split /\n/,
	  $node->safe_psql('postgres', qq{SELECT coalesce(class, ''), feature, coef::text FROM mm_coefficients('$name')});
	my @args = ($python, $oracle, "$dir/" . ($table eq 'iris' ? 'iris' : 'binary') . '.csv', '--C', $C);
	push @args, '--balanced' if $balanced;
	push @args, '--dual' if $dual;
	my $out = `@args`;
	is($?, 0, "$name: the oracle ran");
	my $ref = decode_json($out);
	my @f = @{ $features{$table} };
	my $rows = scalar @{ $ref->{coef} };
	is(scalar(keys %ours), $rows * (@f + 1), "$name: one coefficient per term and class");
	# a binary model's row is the positive (last) class's; mm_coefficients names it so, or not at all
	my @classes = $rows == 1 ? (undef) : @{ $ref->{classes} };
	my $bad = 0;
	for my $r (0 .. $rows - 1)
	{
		my @want = ([ 'intercept', $ref->{intercept}[$r] ], map { [ $f[$_], $ref->{coef}[$r][$_] ] } 0 .. $#f);
		for my $w (@want)
		{
			my ($term, $value) = @$w;
			my ($key) = grep { m{/\Q$term\E$} && (!defined $classes[$r] || m{^\Q$classes[$r]\E/}) } keys %ours;
			my $got = defined $key ? $ours{$key} : undef;
			if (!defined $got || abs($got - $value) > 1e-6 * abs($value))
			{
				diag("$name: $term of class " . ($classes[$r] // 'positive') . ' is ' . ($got // 'missing')
					  . ", scikit-learn's is $value");
				$bad++;
			}
		}
	}
	is($bad, 0, "$name: coefficients equal LinearSVC's (scikit-learn $ref->{sklearn}) to 1e-6 relative");
}

check_fit('svm_binary', 'binary_rows', '1', 0, 0);
check_fit('svm_binary_dual', 'binary_rows', '1', 0, 1);
check_fit('svm_binary_small_c', 'binary_rows', '0.05', 0, 0);
check_fit('svm_binary_balanced', 'binary_rows', '0.1', 1, 0);
check_fit('svm_iris', 'iris', '1', 0, 0);
check_fit('svm_iris_balanced', 'iris', '10', 1, 0);

# rows in another order give the same fit (in memory the rows are read in the table's order)
for my $t ([ 'binary_rows', 'binary_shuffled', '{"C": 1, "tol": 1e-10}' ],
	[ 'iris', 'iris_shuffled', '{"C": 10, "tol": 1e-10, "class_weight": "balanced"}' ])
{
	my ($table, $shuffled, $params) = @$t;
	train("order_$table", $table, $params);
	train("order_$shuffled", $shuffled, $params);
	is($node->safe_psql('postgres', qq{
		SELECT count(*), count(*) FILTER (WHERE abs(a.coef - b.coef) > 1e-6 * greatest(abs(b.coef), 1e-300))
		  FROM mm_coefficients('order_$table') a
		  JOIN mm_coefficients('order_$shuffled') b
		    ON a.class IS NOT DISTINCT FROM b.class AND a.feature = b.feature}),
		($table eq 'iris' ? 15 : 4) . '|0', "$table: the same coefficients from the rows in another order");
}

$node->stop;
done_testing();
