# Reference (treatment) coding against its reference: statsmodels' OLS and
# Logit with the formula y ~ x1 + C(cat, Treatment(reference=...)), fitted on
# the same rows, give the coefficients, standard errors, statistics and
# p-values mm_coefficients reports (OLS to 1e-8, Logit to 1e-6, relative),
# term for term, the intercept included; the oracle is
# test/oracle/reference_coding.py.  The fits raise no collinearity NOTICE,
# and mm-score scores a reference-coded model, an unseen level included,
# with the same bits as mm_predict.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $oracle = dirname(__FILE__) . '/../oracle/reference_coding.py';
my $dir = PostgreSQL::Test::Utils::tempdir;

system($python, '-c', 'import statsmodels') == 0
  or BAIL_OUT('the oracle needs statsmodels: is python3-statsmodels installed?');

my $node = PostgreSQL::Test::Cluster->new('reference_coding');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;

# 600 rows: a number, four regions of unequal size, a price linear in both
# with noise, and a purchase drawn from a logistic model of both (the
# uniform draws come from a multiplicative hash of the row number).  The
# noise keeps every p-value well above 1e-15, where a relative comparison
# still means something.
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE shop AS
	SELECT g AS id, x1, cat,
	       3 + 0.5 * x1 + effect + 30 * (u - 0.5) AS price,
	       v < 1 / (1 + exp(-(-2 + 0.2 * x1 + effect / 4))) AS bought
	  FROM (SELECT g, round((5 + 4 * sin(g * 1.7) + (g % 13) / 2.0)::numeric, 3)::float8 AS x1,
	               (ARRAY['east', 'north', 'north', 'south', 'west', 'west', 'west'])[1 + (g * 5 + g / 7) % 7] AS cat,
	               ((g::bigint * 2654435761) % 1000003) / 1000003.0 AS u,
	               ((g::bigint * 40503 + 17) % 999983) / 999983.0 AS v
	          FROM generate_series(1, 600) g) s
	       CROSS JOIN LATERAL (SELECT CASE cat WHEN 'east' THEN 0 WHEN 'north' THEN 2.5
	                                           WHEN 'south' THEN -3 ELSE 5 END AS effect) e;
});
$node->safe_psql('postgres', qq{
	COPY (SELECT x1, cat, price AS y FROM shop ORDER BY id) TO '$dir/price.csv' CSV HEADER;
	COPY (SELECT x1, cat, bought::int AS y FROM shop ORDER BY id) TO '$dir/bought.csv' CSV HEADER;
});

# Trains a model; returns its NOTICEs.
sub train
{
	my ($name, $target, $algorithm, $params, $preprocess) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', qq{
		SELECT version FROM mm_train('$name', 'shop', '$target', algorithm => '$algorithm',
		                             features => ARRAY['x1', 'cat'], params => '$params',
		                             preprocess => '$preprocess', test_size => 0)});
	is($rc, 0, "$name: trained");
	return $err;
}

# Compares mm_coefficients with the oracle's fit, every statistic to tol relative.
sub check_fit
{
	my ($name, $csv, $model, $reference, $tol) = @_;
	my $out = `$python $oracle $csv --model $model --reference $reference`;
	is($?, 0, "$name: the oracle ran");
	my $ref = decode_json($out)->{terms};
	my %ours;
	for my $row (split /\n/, $node->safe_psql('postgres', qq{
		SELECT feature, coef::text, std_err::text, stat::text, p_value::text
		  FROM mm_coefficients('$name')}))
	{
		my ($term, @values) = split /\|/, $row;
		$ours{$term} = \@values;
	}
	is(join(',', sort keys %ours), join(',', sort keys %$ref),
		"$name: the same terms, the reference $reference left out");
	my $bad = 0;
	for my $term (sort keys %$ref)
	{
		my @want = @{ $ref->{$term} }{qw(coef std_err stat p_value)};
		my @got = @{ $ours{$term} // [] };
		for my $k (0 .. 3)
		{
			my $g = $got[$k];
			my $w = $want[$k];
			if (!defined $g || $g eq '' || abs($g - $w) > $tol * abs($w))
			{
				diag(sprintf('%s: %s %s is %s, statsmodels\' is %s', $name, $term,
						(qw(coef std_err stat p_value))[$k], $g // 'missing', $w));
				$bad++;
			}
		}
	}
	is($bad, 0, "$name: coefficients, standard errors, statistics and p-values equal statsmodels' to $tol");
}

my $notices = train('price_first', 'price', 'linear_regression', '{}', '{}');
unlike($notices, qr/collinear/, 'price_first: no collinearity NOTICE');
check_fit('price_first', "$dir/price.csv", 'ols', 'east', 1e-8);
is($node->safe_psql('postgres', q{
	SELECT fitted_preprocess #>> '{features,cat,reference}' FROM mm.versions WHERE model = 'price_first'}),
	'east', 'the first level in byte order is the default reference, recorded in the version');

train('price_north', 'price', 'linear_regression', '{}', '{"cat": {"encode": {"reference": "north"}}}');
check_fit('price_north', "$dir/price.csv", 'ols', 'north', 1e-8);

# Newton's method run to a tight tolerance, so that both sides sit at the same optimum
$notices = train('bought_south', 'bought', 'logistic_regression', '{"alpha": 0, "tol": 1e-12, "max_iter": 1000}',
	'{"cat": {"encode": {"reference": "south"}}}');
unlike($notices, qr/collinear|NOTICE/, 'bought_south: no NOTICE');
check_fit('bought_south', "$dir/bought.csv", 'logit', 'south', 1e-6);

# the same bits from mm-score, on the rows and on a level training never saw
PostgreSQL::Test::Utils::append_to_file("$dir/bought_south.json",
	$node->safe_psql('postgres', "SELECT mm_export('bought_south')"));
$node->safe_psql('postgres', qq{
	CREATE TABLE shop_new AS SELECT id, x1, CASE WHEN id % 50 = 0 THEN 'harbour' ELSE cat END AS cat FROM shop;
	COPY (SELECT * FROM shop_new ORDER BY id) TO '$dir/shop_new.csv' CSV HEADER;
	COPY (SELECT id, mm_predict_label('bought_south', s) AS prediction,
	             (mm_predict_proba('bought_south', s))[1] AS proba_false,
	             (mm_predict_proba('bought_south', s))[2] AS proba_true
	        FROM shop_new s ORDER BY id) TO '$dir/expected.csv' CSV HEADER;
});
my ($out, $err) = ('', '');
IPC::Run::run([ 'mm-score', '--keep=id', '--proba', "$dir/bought_south.json", "$dir/shop_new.csv" ],
	'>', \$out, '2>', \$err);
is($? >> 8, 0, 'mm-score scored the reference-coded model') or diag($err);
is($out, slurp_file("$dir/expected.csv"), 'mm-score gives the same bits as the database, unseen levels included');

$node->stop;
done_testing();
