# modelmgr on a Citus cluster: a coordinator and two workers on this machine.
# Training on a distributed table runs its aggregates on the shards (with
# citus.log_remote_commands on, no query sent to a shard reads raw feature
# columns without an aggregate, a LIMIT or a TABLESAMPLE; with
# citus.coordinator_aggregation_strategy = 'disabled', an aggregate that could
# not be pushed down would fail), and gives the model a local copy of the same
# rows gives; a monitor's check is one aggregate on the shards too.
# A view that reads a distributed table is read as the table is.
# Predictions run on the shards with the version the coordinator resolved,
# and see a deploy or rollback at the next statement; mm_citus_setup
# sets up a database where modelmgr predates Citus; with a worker down, local
# training and parallel prediction work and distributed training fails cleanly.
#
# Citus is a test dependency built by scripts/test.sh from ../shared/vendor/citus;
# where it is not installed, the test skips.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(gettimeofday tv_interval);
use JSON::PP qw(decode_json);
use File::Basename qw(dirname);

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
	ANALYZE dist;
	ANALYZE local;
});
is($coordinator->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'dist'::regclass}),
	'32', 'the table is spread over 32 shards');

# Algorithms trained on both tables, with preprocessing and text features: a
# name, mm_train's arguments after the relation, and how the two models are
# compared and to what relative tolerance (1e-9 unless said: iterative fits
# to 1e-6).  Linear models compare their coefficients, others what
# mm_transform makes of the local rows.
my $numeric = q{exclude => ARRAY['id', 'city', 'label']};
my @cases = (
	{ name => 'ols', args => qq{'y', algorithm => 'linear_regression', $numeric}, compare => 'coefficients' },
	{ name => 'ridge', args => qq{'y', algorithm => 'linear_regression', params => '{"alpha": 1}', $numeric},
	  compare => 'coefficients' },
	{ name => 'pca', args => q{NULL, algorithm => 'pca', exclude => ARRAY['id', 'city', 'label', 'y']},
	  compare => 'transform' },
	{ name => 'ols_text', args => q{'y', algorithm => 'linear_regression', exclude => ARRAY['id', 'label'],
	                                  preprocess => '{"x1": {"scale": "minmax"}}'},
	  compare => 'coefficients' },
	{ name => 'ridge_prep', args => q{'y', algorithm => 'linear_regression', exclude => ARRAY['id', 'label'],
	                                    params => '{"alpha": 0.5}',
	                                    preprocess => '{"*": {"impute": "median", "scale": "standard"}, "x3": {"scale": "robust"}}'},
	  compare => 'coefficients' },
	{ name => 'pca_prep', args => q{NULL, algorithm => 'pca', exclude => ARRAY['id', 'city', 'label', 'y'],
	                                  preprocess => '{"x2": {"scale": "minmax"}}'},
	  compare => 'transform' },
	{ name => 'logit', args => q{'label', algorithm => 'logistic_regression', exclude => ARRAY['id', 'city', 'y']},
	  compare => 'coefficients', tolerance => 1e-6 },
	{ name => 'logit_text', args => q{'label', algorithm => 'logistic_regression', exclude => ARRAY['id', 'y'],
	                                    params => '{"alpha": 0}', preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'coefficients', tolerance => 1e-6 },
	{ name => 'multinomial', args => q{'city', algorithm => 'logistic_regression', exclude => ARRAY['id', 'label', 'y']},
	  compare => 'coefficients', tolerance => 1e-6 },
	{ name => 'svm', args => q{'label', algorithm => 'linear_svm', exclude => ARRAY['id', 'y'],
	                             preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'coefficients', tolerance => 1e-6 },
	{ name => 'kmeans', args => q{NULL, algorithm => 'kmeans', params => '{"k": 3}', exclude => ARRAY['id', 'label', 'y'],
	                                preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'transform' },
	# the most frequent number from partial counts per value; selection from one more pass
	{ name => 'ols_mode', args => q{'y', algorithm => 'linear_regression', exclude => ARRAY['id', 'label'],
	                                  preprocess => '{"x2": {"impute": "most_frequent", "scale": "minmax"}, "x3": {"impute": "most_frequent", "scale": "standard"}}'},
	  compare => 'coefficients' },
	{ name => 'ols_select', args => q{'y', algorithm => 'linear_regression', exclude => ARRAY['id', 'label'],
	                                    preprocess => '{"select": {"k_best": 2}}'},
	  compare => 'coefficients' },
	{ name => 'logit_select', args => q{'label', algorithm => 'logistic_regression', exclude => ARRAY['id', 'y'],
	                                      preprocess => '{"*": {"scale": "standard"}, "select": {"k_best": 2}}'},
	  compare => 'coefficients', tolerance => 1e-6 },
	# a view that reads the distributed table is read as the table is: on the shards, in passes
	{ name => 'logit_view', relations => [ 'dist_view', 'local_view' ],
	  args => q{'label', algorithm => 'logistic_regression', exclude => ARRAY['id'],
	            preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'coefficients', tolerance => 1e-6 },
	# algorithms that read the rows into memory read every shard's rows through the coordinator;
	# so do boosting and forests, under auto, where a distributed table's rows fit
	{ name => 'boosting', args => q{'y', algorithm => 'gradient_boosting', exclude => ARRAY['id', 'label'],
	                                  params => '{"n_estimators": 10}'},
	  compare => 'predictions', memory => 1 },
	{ name => 'kernel_svm', args => q{'label', algorithm => 'svm', exclude => ARRAY['id', 'y'],
	                                    preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'labels', memory => 1 },
	# libsvm's solver and its probabilities' cross-validation go by the rows' positions: the rows go
	# to it in the order of their contents (but for the sigmoid kernel without probabilities)
	{ name => 'kernel_svr', args => q{'y', algorithm => 'svm', exclude => ARRAY['id', 'label'],
	                                    params => '{"C": 10}', preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'predictions', memory => 1 },
	{ name => 'kernel_svm_proba', args => q{'label', algorithm => 'svm', exclude => ARRAY['id', 'y'],
	                                          params => '{"probability": true}',
	                                          preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'probabilities', memory => 1 },
	# a forest draws each tree's rows by their positions: the rows go to it in the order of their contents
	{ name => 'forest', args => q{'label', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
	                                params => '{"n_estimators": 10}'},
	  compare => 'probabilities', memory => 1 },
	# forests in passes (modelmgr.train_in_passes on; under auto a distributed table whose rows
	# fit is read into memory, above): trees grown on the shards' histograms, the same trees
	{ name => 'forest_passes', args => q{'label', algorithm => 'random_forest', exclude => ARRAY['id', 'y'],
	                                       params => '{"n_estimators": 10, "max_depth": 5}'},
	  compare => 'probabilities', passes => 1 },
	{ name => 'forest_passes_reg', args => q{'y', algorithm => 'random_forest', exclude => ARRAY['id', 'label'],
	                                           params => '{"n_estimators": 10, "max_depth": 5}'},
	  compare => 'predictions', passes => 1 },
	# boosting in passes: each round on the shards' histograms of the gradients at the margins
	# of the rounds before, the same trees; early stopping on the same held-out rows
	{ name => 'boosting_passes', args => q{'label', algorithm => 'gradient_boosting', exclude => ARRAY['id', 'y'],
	                                         params => '{"n_estimators": 8, "max_depth": 4}'},
	  compare => 'probabilities', passes => 1 },
	{ name => 'boosting_passes_reg', args => q{'y', algorithm => 'gradient_boosting', exclude => ARRAY['id', 'label'],
	                                             params => '{"n_estimators": 40, "max_depth": 3, "subsample": 0.8, "early_stopping_rounds": 3}'},
	  compare => 'predictions', passes => 1 },
	# the hinge loss's solver shuffles the rows from an order of their contents too: the same
	# coefficients, though it stops at its limit
	{ name => 'hinge', args => q{'label', algorithm => 'linear_svm', exclude => ARRAY['id', 'y'],
	                               params => '{"loss": "hinge", "max_iter": 50}'},
	  compare => 'coefficients', memory => 1 },
	# and with scaling, whose statistics are summed compensated: the same design to the bit
	{ name => 'hinge_scaled', args => q{'label', algorithm => 'linear_svm', exclude => ARRAY['id', 'y'],
	                                      params => '{"loss": "hinge", "max_iter": 200}',
	                                      preprocess => '{"*": {"scale": "standard"}}'},
	  compare => 'coefficients', memory => 1 },
	# a numeric label is counted by a grouping query that carries the first pass, a lateral row per thing
	{ name => 'logit_numeric', relations => [ 'dist_numeric', 'local_numeric' ],
	  args => q{'grade', algorithm => 'logistic_regression', exclude => ARRAY['id']},
	  compare => 'coefficients', tolerance => 1e-6, sends => qr/worker_partial_agg.*CROSS JOIN LATERAL \(VALUES/ },
);
$coordinator->safe_psql('postgres', q{
	CREATE VIEW dist_view AS SELECT id, x1, x2, city, label FROM dist WHERE x3 > 0;
	CREATE VIEW local_view AS SELECT id, x1, x2, city, label FROM local WHERE x3 > 0;
	CREATE VIEW dist_numeric AS SELECT id, x1, x2, (label = 'high')::int::numeric AS grade FROM dist;
	CREATE VIEW local_numeric AS SELECT id, x1, x2, (label = 'high')::int::numeric AS grade FROM local;
});

# The queries a statement sent to the shards of dist that read its rows
# without an aggregate or a bound on the rows (the first 300 characters of
# each).
sub raw_reads
{
	my ($log) = @_;
	my @raw;
	for my $command ($log =~ /NOTICE:\s+issuing (.*)$/mg)
	{
		next unless $command =~ /\bdist_\d+\b/;
		next if $command =~ /worker_partial_agg|\bLIMIT\b|\bTABLESAMPLE\b/i;
		# counts per group (the labels and categories a training discovers) are aggregates too
		next if $command =~ /\bcount\(\*\).*\bGROUP BY\b/is;
		push @raw, substr($command, 0, 300);
	}
	return @raw;
}

# The queries that read dist's shards' rows for a training in memory, each
# under the bound of the rows the memory limit holds: the bounds they carry.
sub bounded_reads
{
	my ($log) = @_;
	return map { /^SELECT .* FROM public\.dist\w*_\d+ r WHERE true LIMIT '(\d+)'::bigint$/ ? ($1) : () }
	  ($log =~ /NOTICE:\s+issuing (.*)$/mg);
}

my $compare_sql = {
	coefficients => q{SELECT coalesce(max(abs(a.coef - b.coef) / greatest(1, abs(b.coef))), 1)
	                    FROM mm_coefficients('%1$s_dist') a JOIN mm_coefficients('%1$s_local') b
	                         ON a.feature = b.feature AND a.class IS NOT DISTINCT FROM b.class},
	transform => q{SELECT coalesce(max(abs(a - b) / greatest(1, abs(b))), 1)
	                 FROM local l, unnest(mm_transform('%1$s_dist', l), mm_transform('%1$s_local', l)) t(a, b)},
	predictions => q{SELECT coalesce(max(abs(mm_predict('%1$s_dist', l) - mm_predict('%1$s_local', l))
	                                     / greatest(1, abs(mm_predict('%1$s_local', l)))), 1)
	                   FROM local l},
	probabilities => q{SELECT coalesce(max(abs(mm_predict_proba('%1$s_dist', l, 'high') - mm_predict_proba('%1$s_local', l, 'high'))), 1)
	                     FROM local l},
	labels => q{SELECT count(*) FILTER (WHERE mm_predict_label('%1$s_dist', l) IS DISTINCT FROM mm_predict_label('%1$s_local', l))
	              FROM local l},
};

for my $case (@cases)
{
	my $name = $case->{name};
	my ($dist, $local) = @{ $case->{relations} // [ 'dist', 'local' ] };
	my $started = [gettimeofday];
	my $passes = $case->{passes} ? 'SET modelmgr.train_in_passes = on;' : '';
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		$passes
		SELECT version FROM mm_train('${name}_dist', '$dist', $case->{args});
	});
	my $dist_seconds = tv_interval($started);
	is($ret, 0, "$name trains on the distributed table") or diag($err);
	my @raw = raw_reads($err);
	if ($case->{memory})
	{
		# the shards' rows, each once, into the coordinator's memory, under
		# the bound of the rows the limit holds (doc/scaling.md)
		my @bounds = bounded_reads($err);
		ok(!@raw && @bounds == 32, "$name reads each shard's rows once, into memory, bounded")
		  or diag(join("\n", @raw, @bounds));
	}
	else
	{
		ok(scalar(grep { /dist_\d+/ } ($err =~ /NOTICE:\s+issuing (.*)$/mg)) > 0 && !@raw,
			"$name reads the shards through aggregates and bounded samples only")
		  or diag(join("\n", @raw));
	}
	ok(scalar(grep { $_ =~ $case->{sends} } ($err =~ /NOTICE:\s+issuing (.*)$/mg)) > 0,
		"$name sends the shards its grouping") if $case->{sends};
	note(sprintf('%s: %d partial aggregates, %d raw reads sent to the shards', $name,
			scalar(grep { /worker_partial_agg/ } ($err =~ /NOTICE:\s+issuing (.*)$/mg)), scalar(@raw)));
	$started = [gettimeofday];
	$coordinator->safe_psql('postgres', qq{$passes SELECT version FROM mm_train('${name}_local', '$local', $case->{args})});
	note(sprintf('%s: %.0f ms on the distributed table (remote commands logged), %.0f ms on the local copy',
			$name, 1000 * $dist_seconds, 1000 * tv_interval($started)));
	my $diff = $coordinator->safe_psql('postgres', sprintf($compare_sql->{ $case->{compare} }, $name));
	my $tolerance = $case->{tolerance} // 1e-9;
	cmp_ok($diff, '<', $tolerance, "$name on the shards equals $name on the local copy ($case->{compare}, to $tolerance)");
	$case->{sent} = [ $err =~ /NOTICE:\s+issuing (.*)$/mg ];
}

# selection on the shards keeps the features the local copy keeps, and the mode imputes the same value
is($coordinator->safe_psql('postgres', q{
	SELECT bool_and(a.features = b.features AND a.fitted_preprocess -> 'dropped' = b.fitted_preprocess -> 'dropped'
	                AND a.fitted_preprocess #> '{features,x2,impute}' IS NOT DISTINCT FROM b.fitted_preprocess #> '{features,x2,impute}')
	  FROM unnest(ARRAY['ols_mode', 'ols_select', 'logit_select']) n, mm.versions a, mm.versions b
	 WHERE a.model = n || '_dist' AND b.model = n || '_local'}),
	't', 'selection and the most frequent number on the shards equal the local copy\'s');

# the statistics of scaling in memory are the same bits whatever order the shards' rows came in,
# and so are the hinge loss's coefficients, stopped at its limit (before, they differed in their
# 15th digit)
is($coordinator->safe_psql('postgres', q{
	SELECT a.fitted_preprocess = b.fitted_preprocess
	       AND (SELECT bool_and(c.coef = d.coef) FROM mm_coefficients('hinge_scaled_dist') c
	              JOIN mm_coefficients('hinge_scaled_local') d ON c.feature = d.feature AND c.class IS NOT DISTINCT FROM d.class)
	  FROM mm.versions a, mm.versions b WHERE a.model = 'hinge_scaled_dist' AND b.model = 'hinge_scaled_local'}),
	't', 'scaling fitted in memory on the shards\' rows equals the local copy\'s to the bit, and so does the hinge fit');

# the sample is sized from the rows the shards' statistics count, as the local table's are
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SELECT version FROM mm_train('estimated', 'dist', 'y', $numeric);
	});
	like($err, qr/worker_partial_agg\(.*ROW\('0\.25'::double precision, 0, \d+, '4000'::double precision/,
		'the training pass expects the rows the shards hold');
}

# A shard's partial aggregate calls the pass's transition through a new
# function handle for every row, so every call site without one of its own
# is handed the one site a kept design keeps.  A call site that keeps its
# handle and shares that site checks its own argument types all the same:
# here, with the header a shard received, the variadic form's second call
# site in one query gives a text where the design reads a number.
{
	my ($case) = grep { $_->{name} eq 'logit' } @cases;
	my ($shard_call) = grep { /worker_partial_agg\('public\.mm_pass\(bytea,double precision,double precision\[\],text\[\]\)'/ }
	  @{ $case->{sent} };
	my ($header, $numbers, $texts) = ($shard_call // '') =~
	  /ROW\(('\\x[0-9a-f]+'::bytea), [^,]+, ARRAY\[([^\]]+)\], ARRAY\[([^\]]+)\]\)\)/;
	ok(defined $texts, "a pass's header with its design is read off a shard's query")
	  or diag(substr($shard_call // 'no shard call', -400));
	my @numbers = split /, /, $numbers // '';
	my $good = join(', ', @numbers, $texts // '');
	my $bad = join(', ', "($numbers[0])::text", @numbers[ 1 .. $#numbers ], $texts // '');
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SELECT mm_pass($header, 0, $good) IS NOT NULL, mm_pass($header, 0, $bad) IS NOT NULL FROM local;
	});
	like($err, qr/ERROR:\s+value 1 of a row of mm_pass must be float8/,
		"a call site sharing a kept design's site checks its own argument types");
	is($coordinator->safe_psql('postgres', qq{
		SELECT mm_pass($header, 0, $good) IS NOT NULL, mm_pass($header, 0, $good) IS NOT NULL FROM local}),
		't|t', 'and two that read the design alike both pass');
}

# dropping duplicate rows needs equal rows to meet on one node: in passes it
# is refused on a distributed table, saying why, and under auto the rows are
# read into memory
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET modelmgr.train_in_passes = on;
		SELECT version FROM mm_train('deduped', 'dist', 'y', $numeric, preprocess => '{"dedupe": true}');
	});
	like($err, qr/ERROR:\s+cannot train linear_regression in passes\nDETAIL:\s+Dropping duplicate rows of a distributed table would gather them on the coordinator\./,
		'dropping duplicate rows in passes is refused on a distributed table');
	is($coordinator->safe_psql('postgres', qq{
		SELECT version FROM mm_train('deduped', 'dist', 'y', $numeric, preprocess => '{"dedupe": true}')}),
		'1', 'and under auto trains in memory');
}

# An algorithm that reads the rows into memory (here the kernel SVM) reads
# no more from a shard than the memory limit holds, and one: the
# coordinator gathers a bounded number of rows.  A table with more rows is refused, counting the rows a
# NULL target leaves out, and leaves no version behind.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE dist_wide (LIKE dist);
	SELECT create_distributed_table('dist_wide', 'id');
	INSERT INTO dist_wide SELECT d.id + 4000 * g, d.x1, d.x2, d.x3, d.city, CASE WHEN g = 0 THEN d.y END, d.label
	  FROM dist d, generate_series(0, 9) g;
	ANALYZE dist_wide;
});
# three features and the target a row: 1 MB holds 37,449 rows of a label
# (28 bytes each) and 29,127 of a number (36 bytes)
for my $target ([ 'label', 37450 ], [ 'y', 29128 ])
{
	my ($name, $bound) = @$target;
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET modelmgr.max_train_memory = '1MB';
		SELECT version FROM mm_train('wide_$name', 'dist_wide', '$name', algorithm => 'svm',
		                             exclude => ARRAY['id', 'city', 'label', 'y']);
	});
	like($err, qr/ERROR:\s+the rows of public\.dist_wide exceed modelmgr\.max_train_memory \(1024 kB\)/,
		"40,000 rows in memory are refused (target $name)");
	my @bounds = bounded_reads($err);
	ok(@bounds == 32 && !(grep { $_ != $bound } @bounds) && !raw_reads($err),
		"every shard is read under a bound of $bound rows (target $name)")
	  or diag(join("\n", @bounds, raw_reads($err)));
	# 4,000 rows have a target: they would fit, but the bound is reached before that is known
	like($err, qr/DETAIL:\s+The read stops at 29128 rows, one more than the limit holds; \d+ of them were left out for their target\./,
		'a bound reached by rows without a target is refused as well, saying so')
	  if $name eq 'y';
}
is($coordinator->safe_psql('postgres', q{SELECT count(*) FROM mm.models WHERE model LIKE 'wide_%'}),
	'0', 'and no model is left behind');

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

# The linear regression's search, timed on both tables without the remote
# commands logged: its one aggregate's partial states travel from every shard.
{
	my %ms;
	for my $table ('dist', 'local')
	{
		my $started = [gettimeofday];
		$coordinator->safe_psql('postgres',
			qq{SELECT version FROM mm_tune('tuned_time_$table', '$table', 'y', $numeric, folds => 5)});
		$ms{$table} = 1000 * tv_interval($started);
	}
	note(sprintf('linear regression search (5 folds, 20 candidates): %.0f ms on the distributed table, '
			. '%.0f ms on the local copy, %.1fx', $ms{dist}, $ms{local}, $ms{dist} / $ms{local}));
}

# Searches that fit every fold in passes: on the distributed table (in passes
# as it is distributed), every pass an aggregate pushed to the shards, and on
# the local copy in passes; the folds come from the rows' content-hash draw,
# so both score the same folds alike and pick the same winner.
my @searches = (
	{ name => 'tune_logit', args => q{'label', algorithm => 'logistic_regression', exclude => ARRAY['id', 'y'],
	                                    search => '{"alpha": [0, 1]}', preprocess => '{"*": {"scale": "standard"}}'} },
	# k-means on whole numbers and a text feature's one-hot columns, unscaled: its
	# sums are exact in any order, so the distances' many ties break alike on
	# both tables (scaled, the rows' last bits follow the order the statistics
	# were summed in, and a tie broken the other way can move a fold's fixed point)
	{ name => 'tune_kmeans', args => q{NULL, algorithm => 'kmeans', exclude => ARRAY['id', 'label', 'y', 'x3'],
	                                     search => '{"k": [2, 3]}'} },
);
for my $search (@searches)
{
	my $name = $search->{name};
	my $started = [gettimeofday];
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		SELECT version FROM mm_tune('${name}_dist', 'dist', $search->{args}, folds => 3);
	});
	my $dist_seconds = tv_interval($started);
	is($ret, 0, "$name runs on the distributed table") or diag($err);
	my @raw = raw_reads($err);
	ok(scalar(grep { /worker_partial_agg\(.*mm_pass/ } ($err =~ /NOTICE:\s+issuing (.*)$/mg)) > 0 && !@raw,
		"$name reads the shards through pass aggregates and bounded samples only")
	  or diag(join("\n", @raw));
	$started = [gettimeofday];
	$coordinator->safe_psql('postgres', qq{
		SET modelmgr.train_in_passes = on;
		SELECT version FROM mm_tune('${name}_local', 'local', $search->{args}, folds => 3);
	});
	note(sprintf('%s: %.0f ms on the distributed table (remote commands logged), %.0f ms on the local copy in passes',
			$name, 1000 * $dist_seconds, 1000 * tv_interval($started)));
	is($coordinator->safe_psql('postgres', qq{
		SELECT count(*) = 2 AND bool_and(a.status = 'ok' AND b.status = 'ok' AND a.params = b.params)
		       AND bool_and((SELECT bool_and(abs(s - t) <= 1e-6) FROM unnest(a.fold_scores, b.fold_scores) f(s, t)))
		  FROM mm.trials a JOIN mm.trials b USING (trial)
		 WHERE a.model = '${name}_dist' AND b.model = '${name}_local'}),
		't', "$name scores every candidate's folds as the local copy does")
	  or diag($coordinator->safe_psql('postgres', qq{
		SELECT a.trial, a.status, a.fold_scores, b.status, b.fold_scores
		  FROM mm.trials a JOIN mm.trials b USING (trial)
		 WHERE a.model = '${name}_dist' AND b.model = '${name}_local'}));
	is($coordinator->safe_psql('postgres', qq{
		SELECT a.algorithm = b.algorithm AND a.params = b.params
		  FROM mm.versions a, mm.versions b WHERE a.model = '${name}_dist' AND b.model = '${name}_local'}),
		't', "$name picks the winner the local copy picks");
}

# The predictions of a function over dist and over local, in id order, as text.
sub predictions
{
	my ($expression) = @_;
	return map {
		$coordinator->safe_psql('postgres', qq{SELECT array_agg($expression ORDER BY id) FROM $_ r})
	} ('dist', 'local');
}

# prediction runs on the shards, with the model the coordinator resolved
$coordinator->safe_psql('postgres', qq{
	SELECT version FROM mm_train('grade', 'local', 'label', algorithm => 'logistic_regression',
	                             $numeric, test_size => 0)});
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', q{
		SET citus.log_remote_commands = on;
		SELECT count(*) FROM dist r WHERE mm_predict('ols_dist', r) > 0;
	});
	is($ret, 0, 'mm_predict runs on a distributed table') or diag($err);
	like($err, qr/issuing SELECT .* FROM public\.dist_\d+ r WHERE .*mm_predict\('ols_dist\@1#[0-9a-f]+'::text, r\.\*\)/,
		'each shard gets the version the coordinator resolved, with its artifact');
}
for my $expression (q{mm_predict('ols_dist', r)}, q{mm_predict_label('grade', r)},
	q{mm_predict_proba('grade', r)}, q{mm_predict_proba('grade', r, 'high')}, q{mm_transform('pca_dist', r)})
{
	my ($dist, $local) = predictions($expression);
	is($dist, $local, "$expression on the shards equals it on the local copy");
}

# a deploy or a rollback on the coordinator is seen by the next statement on the shards,
# prepared statements included
$coordinator->safe_psql('postgres', qq{
	SELECT version FROM mm_train('ols_dist', 'dist', 'y', $numeric, test_size => 0.5, deploy => 'never')});
{
	my $out = $coordinator->safe_psql('postgres', q{
		PREPARE total(text) AS SELECT sum(mm_predict($1, r)) FROM dist r;
		EXECUTE total('ols_dist'); EXECUTE total('ols_dist@1'); EXECUTE total('ols_dist@2');
		SELECT mm_deploy('ols_dist', 2);
		SELECT sum(mm_predict('ols_dist', r)) FROM dist r;
		EXECUTE total('ols_dist'); EXECUTE total('ols_dist'); EXECUTE total('ols_dist'); EXECUTE total('ols_dist');
		EXECUTE total('ols_dist'); EXECUTE total('ols_dist');
		SELECT mm_rollback('ols_dist');
		SELECT sum(mm_predict('ols_dist', r)) FROM dist r;
		EXECUTE total('ols_dist');
	});
	my ($now, $v1, $v2, $deployed, $sum_after_deploy, @rest) = split /\n/, $out;
	my $prepared_after_deploy = $rest[5];
	my ($rolled_back, $sum_after_rollback, $prepared_after_rollback) = @rest[6 .. 8];
	my $close = sub { abs($_[0] - $_[1]) <= 1e-9 * abs($_[1]) };
	ok($close->($now, $v1) && !$close->($v1, $v2), 'version 1 serves, and version 2 predicts otherwise');
	ok($deployed == 2 && $close->($sum_after_deploy, $v2) && $close->($prepared_after_deploy, $v2),
		'after mm_deploy the shards predict with version 2');
	ok($rolled_back == 1 && $close->($sum_after_rollback, $v1) && $close->($prepared_after_rollback, $v1),
		'after mm_rollback with version 1 again');
}

# evaluation of a regression is one pass too
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', q{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		SELECT mm_evaluate('ols_dist', 'dist')->>'rmse';
	});
	is($ret, 0, 'mm_evaluate of a regression runs on the distributed table') or diag($err);
	my @raw = raw_reads($err);
	ok(!@raw, 'and reads no raw rows from the shards') or diag(join("\n", @raw));
	cmp_ok(abs($out - $coordinator->safe_psql('postgres', q{SELECT mm_evaluate('ols_dist', 'local')->>'rmse'})),
		'<', 1e-9 * $out, 'and equals the evaluation on the local copy');
}

# every other model's evaluation is a pass of the model over the shards too:
# the same metrics as the local copy's evaluation in memory, counts exactly,
# the rest to 1e-9, the ROC AUC within 1e-4 (the bound of its histogram)
$coordinator->safe_psql('postgres', slurp_file(dirname(__FILE__) . '/../fixtures/json_diff.sql'));
$coordinator->safe_psql('postgres', q{
	CREATE TABLE evaluated (model text, relation text, result jsonb);
});
for my $model (qw(logit_dist logit_text_dist multinomial_dist svm_dist kmeans_dist pca_prep_dist ols_text_dist))
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
		CREATE TEMP TABLE e AS SELECT mm_evaluate('$model', 'dist') AS result;
		RESET citus.log_remote_commands;
		INSERT INTO evaluated SELECT '$model', 'dist', result FROM e;
	});
	is($ret, 0, "mm_evaluate of $model runs on the distributed table") or diag($err);
	my @raw = raw_reads($err);
	ok(scalar(grep { /worker_partial_agg.*mm_pass/ } ($err =~ /NOTICE:\s+issuing (.*)$/mg)) > 0 && !@raw,
		"and measures the rows on the shards, reading none of them raw")
	  or diag(join("\n", @raw));
	is($coordinator->safe_psql('postgres', qq{
		SELECT json_diff(l.result - 'roc_auc', d.result - 'roc_auc') < 1e-9
		       AND (l.result -> 'rows', l.result -> 'confusion_matrix', l.result -> 'cluster_sizes')
		           IS NOT DISTINCT FROM (d.result -> 'rows', d.result -> 'confusion_matrix', d.result -> 'cluster_sizes')
		       AND coalesce(abs((l.result ->> 'roc_auc')::float8 - (d.result ->> 'roc_auc')::float8) < 1e-4,
		                    l.result -> 'roc_auc' IS NOT DISTINCT FROM d.result -> 'roc_auc')
		  FROM (SELECT mm_evaluate('$model', 'local') AS result) l, evaluated d
		 WHERE d.model = '$model'}),
		't', "and equals the evaluation of the local copy in memory");
}
# a label the model lacks stops the shards' pass; the labels, asked for then, name it
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', q{
		CREATE TABLE dist_west AS SELECT id, x1, x2, x3, CASE WHEN id % 50 = 0 THEN 'west' ELSE city END AS city
		  FROM local;
		SELECT create_distributed_table('dist_west', 'id');
		SELECT truncate_local_data_after_distributing_table('dist_west');
		SELECT mm_evaluate('multinomial_dist', 'dist_west');
	});
	like($err, qr/ERROR:\s+label "west" in relation public\.dist_west is not a class of the model/,
		'a label the model lacks is named as in memory');
	is($coordinator->safe_psql('postgres', q{SELECT count(*) FROM dist_west}), '4000',
		'and the session goes on');
}

# A monitor's check is one aggregate, mm_check_stats, run on the shards: it
# reads no raw rows, and finds what it finds on the local copy (the run's and
# the monitor's numbers aside).  A classifier's numbers all come from counts,
# so they are the same to the last digit; a regression's error sums are
# merged in another order, so they agree to rounding.  The window of a time
# column is the shard queries' WHERE.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE dist_live AS SELECT *, now() - interval '1 hour' * (id % 48) AS at FROM local;
	CREATE TABLE local_live AS SELECT * FROM dist_live;
	SELECT create_distributed_table('dist_live', 'id');
	SELECT truncate_local_data_after_distributing_table('dist_live');
});

# Whether two JSON values have the same fields and numbers equal to a relative tolerance.
sub json_close
{
	my ($a, $b, $tolerance) = @_;
	return 0 if ref($a) ne ref($b);
	if (ref($a) eq 'HASH')
	{
		return 0 if join(',', sort keys %$a) ne join(',', sort keys %$b);
		return !grep { !json_close($a->{$_}, $b->{$_}, $tolerance) } keys %$a;
	}
	if (ref($a) eq 'ARRAY')
	{
		return 0 if @$a != @$b;
		return !grep { !json_close($a->[$_], $b->[$_], $tolerance) } 0 .. $#$a;
	}
	return (defined $a) == (defined $b) if !defined $a || !defined $b;
	return abs($a - $b) <= $tolerance * (abs($b) > 1 ? abs($b) : 1)
	  if $a =~ /^-?[\d.]+(?:e[-+]?\d+)?$/i && $b =~ /^-?[\d.]+(?:e[-+]?\d+)?$/i;
	return $a eq $b;
}

for my $check (
	{ name => 'a classifier\'s check', model => 'logit_dist', args => q{label_column => 'label'}, table => 'dist',
	  exact => 1 },
	{ name => 'a regression\'s check of the last day', model => 'ols_dist', table => 'dist_live',
	  args => q{time_column => 'at', time_window => '1 day', label_column => 'y'} })
{
	my $run = q{SELECT mm_monitor_run(mm_monitor('%s', '%s', %s)) - 'run' - 'monitor'};
	my $started = [gettimeofday];
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET citus.coordinator_aggregation_strategy = 'disabled';
	} . sprintf($run, $check->{model}, $check->{table}, $check->{args}));
	my $dist_seconds = tv_interval($started);
	is($ret, 0, "$check->{name} runs on the distributed table") or diag($err);
	like($err, qr/worker_partial_agg\('[^']*mm_check_stats/, 'its window is a partial aggregate on the shards');
	my @raw = raw_reads($err);
	ok(!@raw, 'and it reads no raw rows from the shards') or diag(join("\n", @raw));
	(my $local_table = $check->{table}) =~ s/^dist/local/;
	$started = [gettimeofday];
	my $local = $coordinator->safe_psql('postgres', sprintf($run, $check->{model}, $local_table, $check->{args}));
	note(sprintf('%s: %.0f ms on the distributed table (remote commands logged), %.0f ms on the local copy',
			$check->{name}, 1000 * $dist_seconds, 1000 * tv_interval($started)));
	if ($check->{exact})
	{
		is($out, $local, 'and equals the check of the local copy');
	}
	else
	{
		ok(json_close(decode_json($out), decode_json($local), 1e-12),
			'and equals the check of the local copy to rounding') or diag("$out\n$local");
	}
	if ($check->{table} eq 'dist_live')
	{
		like($err, qr/issuing SELECT .*mm_check_stats.* FROM public\.dist_live_\d+ r WHERE \(at OPERATOR\(pg_catalog\.>=\) '[^']+'::timestamp with time zone\)/,
			'the window is the WHERE of the shard queries');
		is(decode_json($out)->{rows},
			$coordinator->safe_psql('postgres', q{SELECT count(*) FROM local_live WHERE at >= now() - interval '1 day'}),
			'and counts the rows of the last day');
	}
}

# a database where modelmgr came before Citus: one call sets the workers up
for my $node ($coordinator, @workers)
{
	$node->safe_psql('postgres', 'CREATE DATABASE late');
	$node->safe_psql('late', 'CREATE EXTENSION citus') if $node != $coordinator;
}
$coordinator->safe_psql('late', sprintf(q{
	CREATE EXTENSION modelmgr;
	CREATE EXTENSION citus;
	SELECT citus_set_coordinator_host('%s', %d);
	SELECT citus_add_node('%s', %d);
}, $coordinator->host, $coordinator->port, $workers[0]->host, $workers[0]->port));
is($workers[0]->safe_psql('late', q{SELECT count(*) FROM pg_extension WHERE extname = 'modelmgr'}), '0',
	'modelmgr created before Citus is not on the worker');
is($coordinator->safe_psql('late', 'SELECT mm_citus_setup(); SELECT mm_citus_setup();'), "1\n1",
	'mm_citus_setup sets the worker up, and again changes nothing');
$coordinator->safe_psql('late', sprintf(q{SELECT citus_add_node('%s', %d)}, $workers[1]->host, $workers[1]->port));
is(join(',', map { $_->safe_psql('late', q{SELECT extversion FROM pg_extension WHERE extname = 'modelmgr'}) } @workers),
	'0.7.0,0.7.0', 'both workers have the extension, the one added later too');
is($coordinator->safe_psql('late', q{
	CREATE TABLE pts (id int, x float8, y float8);
	SELECT create_distributed_table('pts', 'id');
	INSERT INTO pts SELECT g, g, 2 * g + 1 FROM generate_series(1, 200) g;
	SELECT version FROM mm_train('line', 'pts', 'y', features => ARRAY['x'], test_size => 0);
	SELECT round(sum(mm_predict('line', p))::numeric, 6) FROM pts p;
}), "\n1\n40400.000000", 'and a model trains and predicts on the shards there');

# parallel prediction on a local table
my $parallel = q{
	SET parallel_setup_cost = 0;
	SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0;
	SET max_parallel_workers_per_gather = 2;
};
my $serial = $coordinator->safe_psql('postgres', q{SELECT sum(mm_predict('ols_dist', l)) FROM local l});
like($coordinator->safe_psql('postgres', $parallel . q{
	EXPLAIN (COSTS OFF) SELECT sum(mm_predict('ols_dist', l)) FROM local l}),
	qr/Parallel Seq Scan on local/, 'prediction on a local table is planned in parallel');
# sums in another order: equal to rounding
cmp_ok(abs($coordinator->safe_psql('postgres', $parallel . q{SELECT sum(mm_predict('ols_dist', l)) FROM local l})
		- $serial), '<=', 1e-9 * abs($serial), 'and predicts as without parallel workers');

# with a worker down: training on a local table works, on a distributed one it fails cleanly
my $catalog = q{SELECT (SELECT count(*) FROM mm.models) || '/' || (SELECT count(*) FROM mm.versions)
                       || '/' || (SELECT count(*) FROM mm.deployment_history)};
$workers[1]->stop;
is($coordinator->safe_psql('postgres', qq{SELECT version FROM mm_train('grade', 'local', 'label', $numeric)}),
	'2', 'with a worker down, training on a local table works');
cmp_ok(abs($coordinator->safe_psql('postgres', $parallel . q{SELECT sum(mm_predict('ols_dist', l)) FROM local l})
		- $serial), '<=', 1e-9 * abs($serial), 'and so does parallel prediction on it');
my $before = $coordinator->safe_psql('postgres', $catalog);
{
	my ($ret, $out, $err) = $coordinator->psql('postgres', qq{SELECT version FROM mm_train('ols_dist', 'dist', 'y', $numeric)});
	isnt($ret, 0, 'training on the distributed table fails');
	like($err, qr/ERROR:\s+connection to the remote node .* failed/, 'with the error naming the node down');
	unlike($err, qr/PANIC|server closed the connection/, 'and nothing worse');
}
is($coordinator->safe_psql('postgres', $catalog), $before, 'the catalog is unchanged');
$coordinator->safe_psql('postgres', q{
	SELECT mm_deploy('grade', 1);
	SELECT mm_rollback('grade');
	SELECT mm_deploy('grade', 1);
	SELECT mm_archive('ols_dist', 2);
	SELECT mm_drop_model('ridge_local');
});
is($coordinator->safe_psql('postgres', q{
	SELECT (SELECT version FROM mm.deployments WHERE model = 'grade' AND stage = 'production'),
	       (SELECT status FROM mm.versions WHERE model = 'ols_dist' AND version = 2),
	       (SELECT count(*) FROM mm.models WHERE model = 'ridge_local')}),
	'1|archived|0', 'and deploy, rollback, archive and drop work');
$workers[1]->start;

done_testing();
