# The kernel SVM against its reference: scikit-learn's SVC and SVR, which
# wrap libsvm as modelmgr's svm does, fitted on the same standardized rows
# of fixed data sets (test/fixtures/svm), predict the same classes for the
# test rows but at most one, for every kernel, gamma's modes, balanced
# class weights and weights given per label; SVR's r2 on the test rows is within 0.01 of scikit-learn's.
# mm-score predicts the same bits as the database, probabilities included,
# and the exported documents validate against the export format's schema.
# The oracle is test/oracle/kernel_svm.py.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $here = abs_path(dirname(__FILE__));
my $oracle = "$here/../oracle/kernel_svm.py";
my $fixtures = "$here/../fixtures/svm";
my $dir = PostgreSQL::Test::Utils::tempdir;
my $n_train = 450;

system($python, '-c', 'import sklearn') == 0
  or BAIL_OUT('the oracle needs scikit-learn: is python3-sklearn installed?');

my $node = PostgreSQL::Test::Cluster->new('kernel_svm');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION modelmgr;
	CREATE TABLE classes (id int PRIMARY KEY, x1 float8, x2 float8, x3 float8, x4 float8, label text);
	COPY classes FROM '$fixtures/classes.csv' CSV HEADER;
	CREATE TABLE vals (id int PRIMARY KEY, x1 float8, x2 float8, x3 float8, x4 float8, y float8);
	COPY vals FROM '$fixtures/values.csv' CSV HEADER;
	CREATE VIEW classes_train AS SELECT * FROM classes WHERE id <= $n_train;
	CREATE VIEW vals_train AS SELECT * FROM vals WHERE id <= $n_train;
});

# Trains svm on the training rows, standardized, with params.
sub train
{
	my ($name, $relation, $target, $params) = @_;
	$node->safe_psql('postgres', qq{
		SELECT version FROM mm_train('$name', '$relation', '$target', algorithm => 'svm',
		                             exclude => ARRAY['id'], params => '$params',
		                             preprocess => '{"*": {"scale": "standard"}}', test_size => 0)});
}

# The oracle's answer for the same fit.
sub oracle
{
	my ($csv, @args) = @_;
	my $out = `$python $oracle $csv --train $n_train @args`;
	is($?, 0, "the oracle ran: @args") or return undef;
	return decode_json($out);
}

my @svc = (
	[ 'rbf', '{}', '--kernel rbf' ],
	[ 'linear', '{"kernel": "linear"}', '--kernel linear' ],
	[ 'poly', '{"kernel": "poly"}', '--kernel poly' ],
	[ 'sigmoid', '{"kernel": "sigmoid"}', '--kernel sigmoid' ],
	[ 'auto', '{"gamma": "auto"}', '--gamma auto' ],
	[ 'gamma2', '{"gamma": 2, "C": 10}', '--gamma 2 --C 10' ],
	[ 'balanced', '{"class_weight": "balanced"}', '--balanced' ],
	[ 'weighted', '{"class_weight": {"mid": 8, "low": 0.5}, "C": 0.5}',
	  q{--class-weight '{"mid": 8, "low": 0.5}' --C 0.5} ],
);
for my $case (@svc)
{
	my ($name, $params, $args) = @$case;
	train("svc_$name", 'classes_train', 'label', $params);
	my $ref = oracle("$fixtures/classes.csv", '--svc', $args) or next;
	my @ours = split /\n/, $node->safe_psql('postgres', qq{
		SELECT mm_predict_label('svc_$name', c) FROM classes c WHERE id > $n_train ORDER BY id});
	my @theirs = @{ $ref->{predictions} };
	is(scalar @ours, scalar @theirs, "svc_$name: a prediction per test row");
	my $differ = grep { $ours[$_] ne $theirs[$_] } 0 .. $#theirs;
	cmp_ok($differ, '<=', 1, "svc_$name: $differ of " . scalar(@theirs) . " test rows differ from SVC($args)'s classes");
}

for my $case ([ 'rbf', '{}', '' ], [ 'poly', '{"kernel": "poly", "C": 3}', '--kernel poly --C 3' ],
	[ 'eps', '{"epsilon": 0.5, "gamma": 0.1}', '--epsilon 0.5 --gamma 0.1' ])
{
	my ($name, $params, $args) = @$case;
	train("svr_$name", 'vals_train', 'y', $params);
	my $ref = oracle("$fixtures/values.csv", '--svr', $args) or next;
	my $r2 = $node->safe_psql('postgres', qq{
		SELECT 1 - sum((y - mm_predict('svr_$name', v)) ^ 2) / sum((y - (SELECT avg(y) FROM vals WHERE id > $n_train)) ^ 2)
		  FROM vals v WHERE id > $n_train});
	cmp_ok(abs($r2 - $ref->{r2}), '<', 0.01, "svr_$name: r2 on the test rows $r2, SVR($args)'s $ref->{r2}");
}

# mm-score: the same bits as the database, labels and probabilities
train('svc_proba', 'classes_train', 'label', '{"probability": true}');
PostgreSQL::Test::Utils::append_to_file("$dir/svc_proba.json",
	$node->safe_psql('postgres', "SELECT mm_export('svc_proba')"));
PostgreSQL::Test::Utils::append_to_file("$dir/svr_rbf.json",
	$node->safe_psql('postgres', "SELECT mm_export('svr_rbf')"));
$node->safe_psql('postgres', qq{
	COPY (SELECT id, x1, x2, x3, x4 FROM classes ORDER BY id) TO '$dir/rows.csv' CSV HEADER;
	COPY (SELECT id, mm_predict_label('svc_proba', c) AS prediction,
	             (mm_predict_proba('svc_proba', c))[1] AS proba_high,
	             (mm_predict_proba('svc_proba', c))[2] AS proba_low,
	             (mm_predict_proba('svc_proba', c))[3] AS proba_mid
	        FROM classes c ORDER BY id) TO '$dir/expected_svc.csv' CSV HEADER;
	COPY (SELECT id, mm_predict('svr_rbf', v) AS prediction FROM vals v ORDER BY id)
	  TO '$dir/expected_svr.csv' CSV HEADER;
});
my ($out, $err) = ('', '');
IPC::Run::run([ 'mm-score', '--keep=id', '--proba', "$dir/svc_proba.json", "$dir/rows.csv" ],
	'>', \$out, '2>', \$err);
is($? >> 8, 0, 'mm-score scored the kernel SVC') or diag($err);
is($out, slurp_file("$dir/expected_svc.csv"), 'mm-score gives the SVC the same bits as the database');
IPC::Run::run([ 'mm-score', '--keep=id', "$dir/svr_rbf.json", "$dir/rows.csv" ], '>', \$out, '2>', \$err);
is($? >> 8, 0, 'mm-score scored the kernel SVR') or diag($err);
is($out, slurp_file("$dir/expected_svr.csv"), 'mm-score gives the SVR the same bits as the database');

# a model trained without probabilities has none to give in mm-score either
PostgreSQL::Test::Utils::append_to_file("$dir/svc_rbf.json",
	$node->safe_psql('postgres', "SELECT mm_export('svc_rbf')"));
IPC::Run::run([ 'mm-score', '--proba', "$dir/svc_rbf.json", "$dir/rows.csv" ], '>', \$out, '2>', \$err);
is($err, "mm-score: --proba needs probabilities, and the svm model $dir/svc_rbf.json was trained without them\n",
	'mm-score refuses probabilities of a kernel SVM trained without them');

# the documents validate against the export format's schema
for my $m ('svc_proba', 'svr_rbf')
{
	my ($ok, $why) = ('', '');
	IPC::Run::run([ $python, '-c', q{
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
print("valid")
}, "$here/../../doc/export-format.schema.json", "$dir/$m.json" ], '>', \$ok, '2>', \$why);
	is($ok, "valid\n", "the document of $m validates against the schema") or diag($why);
}

$node->stop;
done_testing();
