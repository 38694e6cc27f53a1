# Gradient boosting against its reference, XGBoost's scikit-learn API with
# tree_method='hist' (python3-xgboost), on a fixed split of a fixed data set
# (test/fixtures/boosting): the same parameters give a test accuracy within
# one row and an r2 within 0.01; and the booster mm_export embeds, loaded by
# xgboost.Booster().load_model, predicts what mm_predict does, to the bit,
# also where a feature is missing (NULL here, NaN to XGBoost), and has the
# importances mm_importance reports.  Random forests (XGBoost's random-forest
# mode) are within two points of scikit-learn's RandomForest*, with the
# defaults and with max_features and min_samples_leaf as fractions; so are
# forests grown on histograms in passes over the relation are within two
# points of XGBoost's forests in memory (the mean of three seeds' scores
# each), where x1 is missing too, their exported trees loaded by XGBoost as
# those it trains.  Gradient boosting in passes is within 0.02 of
# accuracy and 0.01 of r2 of XGBoost's in memory with the same parameters.
use strict;
use warnings;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $python = '/usr/bin/python3';
my $oracle = 'test/oracle/boosting.py';
my $csv = 'test/fixtures/boosting/friedman.csv';
system($python, '-c', 'import xgboost, sklearn') == 0
  or BAIL_OUT('the oracle needs xgboost and sklearn: are python3-xgboost and python3-sklearn installed?');
my $dir = PostgreSQL::Test::Utils::tempdir;
my $abs_csv = Cwd::abs_path($csv);

my $node = PostgreSQL::Test::Cluster->new('boosting');
$node->init;
# one thread here and in the reference: the hist method's sums then run in the same order
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\nmodelmgr.training_threads = 1\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION modelmgr;
	CREATE TABLE friedman (id int, x1 float8, x2 float8, x3 float8, x4 float8, x5 float8,
	                       y float8, above boolean, level text, part text);
	COPY friedman FROM '$abs_csv' CSV HEADER;
	CREATE VIEW train_rows AS SELECT x1, x2, x3, x4, x5, y, above, level FROM friedman WHERE part = 'train';
	CREATE VIEW test_rows AS SELECT id, x1, x2, x3, x4, x5, y, above, level FROM friedman WHERE part = 'test';
	-- x1 missing in every seventh row: NULL here, NaN in the reference
	CREATE VIEW miss_train AS
	SELECT CASE WHEN id % 7 = 0 THEN NULL ELSE x1 END AS x1, x2, x3, x4, x5, y, above, level
	  FROM friedman WHERE part = 'train';
	CREATE VIEW miss_test AS
	SELECT id, CASE WHEN id % 7 = 0 THEN NULL ELSE x1 END AS x1, x2, x3, x4, x5, y, above, level
	  FROM friedman WHERE part = 'test';
});

my %cases = (
	reg => ['y', 'regression', '{"n_estimators": 60, "max_depth": 4, "learning_rate": 0.2}', 'r2'],
	bin => ['above', 'classification', '{"n_estimators": 40, "max_depth": 3, "reg_lambda": 2}', 'accuracy'],
	multi => ['level', 'classification', '{"n_estimators": 30, "subsample": 1, "min_child_weight": 2}', 'accuracy'],
	miss => ['above', 'classification', '{"n_estimators": 40, "max_depth": 5}', 'accuracy'],
	# forests against scikit-learn's (a forest of its own), within two points of accuracy
	rf_bin => ['above', 'classification', '{}', 'accuracy'],
	rf_multi => ['level', 'classification', '{}', 'accuracy'],
	rf_reg => ['y', 'regression', '{}', 'r2'],
	# scikit-learn's fraction forms: 0.6 of the five columns is three, 0.4 two, and
	# min_samples_leaf 0.01 of the training rows (as its own, for regression's rows)
	rf_bin_frac => ['above', 'classification', '{"max_features": 0.6}', 'accuracy'],
	rf_reg_frac => ['y', 'regression', '{"max_features": 0.4, "min_samples_leaf": 0.01}', 'r2'],
	# forests grown on histograms in passes over the relation (modelmgr.train_in_passes), as
	# they train where the rows would not fit or are distributed: the same bounds
	rfp_bin => ['above', 'classification', '{}', 'accuracy'],
	rfp_multi => ['level', 'classification', '{}', 'accuracy'],
	rfp_reg => ['y', 'regression', '{}', 'r2'],
	rfp_miss => ['above', 'classification', '{"max_features": 0.6}', 'accuracy'],
	# boosting on histograms in passes, its cuts from a sample of the rows rather than
	# XGBoost's sketch: the in-memory cases' parameters, against the same reference
	gbp_reg => ['y', 'regression', '{"n_estimators": 60, "max_depth": 4, "learning_rate": 0.2}', 'r2'],
	gbp_bin => ['above', 'classification', '{"n_estimators": 40, "max_depth": 3, "reg_lambda": 2}', 'accuracy'],
	gbp_multi => ['level', 'classification', '{"n_estimators": 30, "subsample": 1, "min_child_weight": 2}', 'accuracy'],
	gbp_miss => ['above', 'classification', '{"n_estimators": 40, "max_depth": 5}', 'accuracy'],
);

for my $name (sort keys %cases)
{
	my ($target, $task, $params, $metric) = @{ $cases{$name} };
	my ($train, $test, $missing) = $name =~ /miss$/ ? ('miss_train', 'miss_test', '--missing 7') :
	  ('train_rows', 'test_rows', '');
	my $forest = $name =~ /^rfp?_/;
	my $passes = $name =~ /^(rfp|gbp)_/ ? 'on' : 'auto';
	my $seeds = $name =~ /^rfp_/;
	my $algorithm = $forest ? 'random_forest' : 'gradient_boosting';
	my @others = grep { $_ ne $target } qw(y above level);
	$node->safe_psql('postgres', qq{
		SET modelmgr.train_in_passes = $passes;
		SELECT version FROM mm_train('$name', '$train', '$target', algorithm => '$algorithm',
		                             exclude => ARRAY['$others[0]', '$others[1]'],
		                             params => '$params', test_size => 0)});
	my $ours = $node->safe_psql('postgres', qq{
		SELECT mm_evaluate('$name', '$test')->>'$metric'});
	if ($seeds)
	{
		# a forest's score swings by a point or two with the rows and columns its seed draws:
		# in passes they are drawn by the rows' hashes, so the mean of three seeds' is compared
		for my $seed (1, 2)
		{
			$node->safe_psql('postgres', qq{
				SET modelmgr.train_in_passes = on;
				SELECT version FROM mm_train('${name}_$seed', '$train', '$target', algorithm => '$algorithm',
				                             exclude => ARRAY['$others[0]', '$others[1]'],
				                             params => '$params', test_size => 0, seed => $seed)});
			$ours += $node->safe_psql('postgres', qq{
				SELECT mm_evaluate('${name}_$seed', '$test')->>'$metric'});
		}
		$ours /= 3;
	}
	my $ref;
	if ($seeds)
	{
		# XGBoost's forest in memory (itself within two points of scikit-learn's above, whose
		# forests here take no NaN), the mean of the same three seeds' scores
		$node->safe_psql('postgres', qq{
			SET modelmgr.train_in_passes = off;
			SELECT version FROM mm_train('${name}_xgb', '$train', '$target', algorithm => '$algorithm',
			                             exclude => ARRAY['$others[0]', '$others[1]'],
			                             params => '$params', test_size => 0)});
		$ref = { score => $node->safe_psql('postgres', qq{
			SELECT mm_evaluate('${name}_xgb', '$test')->>'$metric'}) };
		for my $seed (1, 2)
		{
			$node->safe_psql('postgres', qq{
				SET modelmgr.train_in_passes = off;
				SELECT version FROM mm_train('${name}_xgb_$seed', '$train', '$target', algorithm => '$algorithm',
				                             exclude => ARRAY['$others[0]', '$others[1]'],
				                             params => '$params', test_size => 0, seed => $seed)});
			$ref->{score} += $node->safe_psql('postgres', qq{
				SELECT mm_evaluate('${name}_xgb_$seed', '$test')->>'$metric'});
		}
		$ref->{score} /= 3;
	}
	else
	{
		my $out = $forest ? `$python $oracle $csv $target $task --forest '$params'` :
		  `$python $oracle $missing $csv $target $task '$params' 1`;
		is($?, 0, "$name: the reference ran");
		$ref = decode_json($out);
	}
	if ($forest)
	{
		cmp_ok(abs($ours - $ref->{score}), '<=', 0.02,
			"$name: $metric $ours within 0.02 of " . ($seeds ? "XGBoost's" : "scikit-learn's") .
			  " forest's $ref->{score}");
	}
	elsif ($passes eq 'on')
	{
		cmp_ok(abs($ours - $ref->{score}), '<=', $metric eq 'r2' ? 0.01 : 0.02,
			"$name: $metric $ours in passes within " . ($metric eq 'r2' ? '0.01' : '0.02') .
			  " of XGBoost's $ref->{score}");
	}
	elsif ($metric eq 'r2')
	{
		cmp_ok(abs($ours - $ref->{score}), '<=', 0.01,
			"$name: r2 $ours within 0.01 of XGBRegressor's $ref->{score}");
	}
	else
	{
		cmp_ok(abs($ours - $ref->{score}) * $ref->{n_test}, '<=', 1.0 + 1e-9,
			"$name: accuracy $ours within one test row of XGBClassifier's $ref->{score}");
	}

	# the exported booster, loaded by XGBoost, against mm_predict on every test row
	my $doc = "$dir/$name.json";
	$node->safe_psql('postgres', qq{COPY (SELECT mm_export('$name')) TO '$doc'});
	my $expr = $target eq 'y' ? "mm_predict('$name', t)::text" :
	  $target eq 'above' ? "(mm_predict_proba('$name', t))[2]::text" :
	  "array_to_string(mm_predict_proba('$name', t), ',')";
	my @ours = split /[\n,]/, $node->safe_psql('postgres', qq{
		SELECT $expr FROM $test t ORDER BY id});
	my $loaded = decode_json(`$python $oracle $missing $csv $target $task --booster $doc`);
	is($?, 0, "$name: XGBoost loaded the exported booster");
	my @theirs = @{ $loaded->{predictions} };
	is(scalar @ours, scalar @theirs, "$name: as many predictions");
	my $differ = grep { $ours[$_] + 0 != $theirs[$_] + 0 } 0 .. $#ours;
	diag("$name: first prediction $ours[0], XGBoost's $theirs[0]") if $differ;
	is($differ, 0, "$name: mm_predict equals the loaded booster's predictions, bit for bit");

	# importances: XGBoost's get_score, its weight being our split_count, summed in its order
	my %method = (gain => 'gain', total_gain => 'total_gain', weight => 'split_count');
	my $off = 0;
	for my $kind (sort keys %method)
	{
		for my $row (split /\n/, $node->safe_psql('postgres', qq{
			SELECT feature, importance FROM mm_importance('$name') WHERE method = '$method{$kind}'}))
		{
			my ($feature, $ours) = split /\|/, $row;
			my $theirs = $loaded->{importance}{$kind}{$feature} // 0;
			next if $ours == $theirs;
			diag("$name: $kind of $feature is $ours, XGBoost's $theirs");
			$off++;
		}
	}
	is($off, 0, "$name: mm_importance equals XGBoost's get_score (gain, total_gain, weight), to the bit");
}

# every exported document validates against the export schema
for my $name (sort keys %cases)
{
	my ($ok, $why) = ('', '');
	IPC::Run::run([ $python, '-c', q{
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
print("valid")
}, 'doc/export-format.schema.json', "$dir/$name.json" ], '>', \$ok, '2>', \$why);
	is($ok, "valid\n", "the document of $name validates against the schema") or diag($why);
}

# mm-score predicts from the exported document what mm_predict does, to the last digit,
# missing values included (an empty CSV field)
for my $name (qw(miss multi reg))
{
	my $test = $name eq 'miss' ? 'miss_test' : 'test_rows';
	$node->safe_psql('postgres', qq{
		COPY (SELECT id, x1, x2, x3, x4, x5 FROM $test ORDER BY id) TO '$dir/$name.csv' CSV HEADER});
	my $classes = $name eq 'reg' ? 0 :
	  $node->safe_psql('postgres', "SELECT array_length(mm_classes('$name'), 1)");
	my $select = join(', ', "id",
		($name eq 'reg' ? "mm_predict('$name', t) AS prediction" :
			"mm_predict_label('$name', t) AS prediction"),
		map {
			my $cls = $node->safe_psql('postgres', "SELECT (mm_classes('$name'))[$_]");
			"(mm_predict_proba('$name', t))[$_] AS \"proba_$cls\""
		} 1 .. $classes);
	$node->safe_psql('postgres', qq{COPY (SELECT $select FROM $test t ORDER BY id) TO '$dir/$name.expected' CSV HEADER});
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'mm-score', '--keep=id', ($classes ? ('--proba') : ()), "$dir/$name.json", "$dir/$name.csv" ],
		'>', \$out, '2>', \$err);
	is($err, '', "$name: mm-score scored every row");
	is($out, slurp_file("$dir/$name.expected"), "$name: mm-score gives mm_predict's bits");
}

# early stopping holds out rows by their hash and keeps the rounds up to the best
$node->safe_psql('postgres', q{
	SELECT version FROM mm_train('es', 'train_rows', 'y', algorithm => 'gradient_boosting',
	       exclude => ARRAY['above', 'level'], test_size => 0,
	       params => '{"n_estimators": 500, "learning_rate": 0.3, "early_stopping_rounds": 5}')});
my ($rounds, $best, $trees) = split /\|/, $node->safe_psql('postgres', q{
	SELECT d->'model'->>'n_rounds', d->'model'->>'best_iteration',
	       jsonb_array_length(d->'model'->'booster'->'learner'->'gradient_booster'->'model'->'trees')
	  FROM mm_export('es') d});
cmp_ok($rounds, '<', 500, "early stopping stopped before 500 rounds ($rounds)");
is($rounds - $best - 1, 5, 'it stopped five rounds after the best');
is($trees, $best + 1, 'the model keeps the trees up to the best round');

# XGBoost's threads start inside calls made with every signal blocked, so they keep
# the server's signals off: two threads for 140,000 rows (one per 65,536)
$node->safe_psql('postgres', q{
	CREATE TABLE wide AS SELECT g AS id, (g % 997) / 997.0 AS a, (g % 1009) / 1009.0 AS b,
	       ((g % 997) / 997.0) * 3 + ((g % 1009) / 1009.0) AS y
	  FROM generate_series(1, 140000) g});
my $session = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $session->query_safe('SELECT pg_backend_pid()');
$pid =~ s/\D//g;
$session->query_until(qr/started/, q{
	\echo started
	SET modelmgr.training_threads = 2;
	SELECT version FROM mm_train('threads', 'wide', 'y', algorithm => 'gradient_boosting',
	                             exclude => ARRAY['id'], params => '{"n_estimators": 100000}');
});
my @masks;
for (1 .. 600)
{
	my @tasks = grep { $_ != $pid } map { m{/(\d+)$} ? $1 : () } glob("/proc/$pid/task/*");
	if (@tasks)
	{
		for my $task (@tasks)
		{
			my $status = slurp_file("/proc/$pid/task/$task/status");
			push @masks, hex($1) if $status =~ /^SigBlk:\s*([0-9a-f]+)/m;
		}
		last;
	}
	usleep(50_000);
}
ok(@masks >= 1, 'the training runs on more threads than the backend\'s own');
# SIGINT, SIGUSR1, SIGALRM and SIGTERM (signals 2, 10, 14, 15) reach the backend alone
my $blocked = grep { my $m = $_; !grep { !($m & (1 << ($_ - 1))) } (2, 10, 14, 15) } @masks;
is($blocked, scalar @masks, 'every thread XGBoost started blocks the server\'s signals');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$session->quit;
like($session->{stderr}, qr/canceling statement due to user request/, 'a cancel stops the boosting rounds');
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.versions WHERE model = 'threads'}), '0',
	'and leaves no version');

$node->stop;
done_testing();
