# The standalone scorer gives, for every algorithm, the same bits as the
# database: mm-score on a CSV of a table against mm_predict, mm_predict_label,
# mm_predict_proba and mm_transform on the table itself, compared as the text
# both print (the shortest text that reads back to the same double).  Also:
# its errors name the line, and every exported document validates against
# the JSON Schema of the format.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $schema = dirname(__FILE__) . '/../../doc/export-format.schema.json';
my $node = PostgreSQL::Test::Cluster->new('scorer');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;

# every input type the scorer reads: integer, double, real, numeric, boolean,
# text, character(n), with missing values
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE homes AS
	SELECT g AS id,
	       40 + (g * 37) % 160 AS area,
	       CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 7) % 50) / 7.0 END::float8 AS age,
	       (((g * 11) % 97) / 3.0)::real AS dist,
	       round(((g * 17) % 1000) / 9.0, 4)::numeric AS tax,
	       g % 3 = 0 AS garden,
	       CASE WHEN g % 17 = 0 THEN NULL
	            ELSE (ARRAY['north', 'south, "old" town', 'east', 'west', 'centre'])[1 + (g * 13) % 5] END AS district,
	       (ARRAY['ab', 'c', 'de'])[1 + g % 3]::char(3) AS code
	  FROM generate_series(1, 3000) g;
	ALTER TABLE homes ADD COLUMN price float8, ADD COLUMN band text, ADD COLUMN rating int, ADD COLUMN sold boolean;
	UPDATE homes SET price = 1000 + 25 * area + 30 * coalesce(age, 3) - 2 * dist + tax
	                         + (CASE WHEN garden THEN 400 ELSE 0 END) + (g7 % 300)
	  FROM (SELECT id AS i, (id * 7919) AS g7 FROM homes) s WHERE s.i = homes.id;
	UPDATE homes SET band = CASE WHEN price < 4000 THEN 'low' WHEN price < 5500 THEN 'mid' ELSE 'high' END,
	                 rating = (price::int / 1000) % 4, sold = price > 4700 + (id % 7) * 50;
	CREATE VIEW homes_complete AS SELECT * FROM homes WHERE age IS NOT NULL AND district IS NOT NULL;
});

my %models = (
	price => q{'homes', 'price', exclude => ARRAY['id', 'band', 'rating', 'sold'],
		preprocess => '{"*": {"impute": "mean", "scale": "standard", "clip": {"z": 3}}, "district": {"impute": "most_frequent"}}'},
	price_raw => q{'homes_complete', 'price', exclude => ARRAY['id', 'band', 'rating', 'sold', 'district', 'code'],
		params => '{"alpha": 0.5}'},
	price_enet => q{'homes', 'price', algorithm => 'elastic_net', exclude => ARRAY['id', 'band', 'rating', 'sold'],
		params => '{"alpha": 0.5, "l1_ratio": 0.3}',
		preprocess => '{"*": {"impute": "median", "scale": "standard"}, "district": {"impute": "most_frequent"}}'},
	band => q{'homes', 'band', algorithm => 'logistic_regression', exclude => ARRAY['id', 'price', 'rating', 'sold'],
		preprocess => '{"*": {"impute": "median", "scale": "robust"}, "district": {"encode": "ordinal", "impute": "most_frequent"}}'},
	sold => q{'homes', 'sold', algorithm => 'logistic_regression', exclude => ARRAY['id', 'price', 'rating', 'band'],
		preprocess => '{"*": {"impute": "zero", "scale": "minmax"}, "district": {"impute": {"constant": "north"}}}'},
	rating => q{'homes', 'rating', algorithm => 'linear_svm', exclude => ARRAY['id', 'price', 'band', 'sold'],
		preprocess => '{"*": {"impute": "mean", "scale": "standard"}, "district": {"impute": "most_frequent", "max_categories": 3}}'},
	groups => q{'homes', NULL, algorithm => 'kmeans', exclude => ARRAY['id', 'price', 'band', 'rating', 'sold'],
		params => '{"k": 5}', preprocess => '{"*": {"impute": "mean", "scale": "standard"}, "district": {"impute": "most_frequent"}}'},
	shape => q{'homes', NULL, algorithm => 'pca', exclude => ARRAY['id', 'price', 'band', 'rating', 'sold', 'district', 'code'],
		params => '{"n_components": 4}', preprocess => '{"*": {"impute": "median", "scale": "standard"}}'},
);
for my $m (sort keys %models)
{
	$node->safe_psql('postgres', "SELECT version FROM mm_train('$m', $models{$m})");
	PostgreSQL::Test::Utils::append_to_file("$dir/$m.json",
		$node->safe_psql('postgres', "SELECT mm_export('$m')"));
}
$node->safe_psql('postgres', "COPY (SELECT * FROM homes ORDER BY id) TO '$dir/homes.csv' CSV HEADER");
$node->safe_psql('postgres', "COPY (SELECT * FROM homes_complete ORDER BY id) TO '$dir/homes_complete.csv' CSV HEADER");

sub slurp_file_text { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; my $t = <$fh>; close $fh; return $t; }

# runs mm-score, returns (exit status, stdout, stderr)
sub score
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'mm-score', @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# what the database gives, as CSV with mm-score's header
sub database
{
	my ($select, $from, $db) = @_;
	my $file = "$dir/expected.csv";
	$node->safe_psql($db // 'postgres', "COPY (SELECT $select FROM $from ORDER BY id) TO '$file' CSV HEADER");
	return slurp_file_text($file);
}

sub proba_columns
{
	my ($model) = @_;
	my $classes = $node->safe_psql('postgres', "SELECT array_length(mm_classes('$model'), 1)");
	return join(', ', map {
		my $cls = $node->safe_psql('postgres', "SELECT (mm_classes('$model'))[$_]");
		"(mm_predict_proba('$model', h))[$_] AS \"proba_$cls\""
	} 1 .. $classes);
}

my ($status, $out, $err);

($status, $out, $err) = score('--keep=id', "$dir/price.json", "$dir/homes.csv");
is($status, 0, 'linear regression: scored');
is($out, database("id, mm_predict('price', h) AS prediction", 'homes h'),
	'linear regression with imputation, scaling, clipping, one-hot text and char(n): the same bits');

($status, $out, $err) = score('--keep=id', "$dir/price_enet.json", "$dir/homes.csv");
is($status, 0, 'elastic net: scored');
is($out, database("id, mm_predict('price_enet', h) AS prediction", 'homes h'),
	'elastic net with imputation, scaling and one-hot text: the same bits');

($status, $out, $err) = score('-k', 'id', "$dir/price_raw.json", "$dir/homes_complete.csv");
is($out, database("id, mm_predict('price_raw', h) AS prediction", 'homes_complete h'),
	'ridge regression on raw integer, double, real and numeric inputs: the same bits');

($status, $out, $err) = score('--keep=id', '--skip-errors', "$dir/price_raw.json", "$dir/homes.csv");
is($status, 3, 'rows the model cannot score are skipped with --skip-errors');
like($err, qr/^mm-score: line 14: feature "age" is missing, and the model does not impute it$/m,
	'a skipped row is reported with its line');
is($out, database("id, mm_predict('price_raw', h) AS prediction", 'homes h WHERE age IS NOT NULL'),
	'the other rows score as in the database');

($status, $out, $err) = score('--keep=id', '--proba', "$dir/band.json", "$dir/homes.csv");
is($out, database("id, mm_predict_label('band', h) AS prediction, " . proba_columns('band'), 'homes h'),
	'multinomial logistic regression, ordinal text: labels and probabilities, the same bits');

($status, $out, $err) = (sub {
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'mm-score', '--keep=id', '--proba', "$dir/sold.json" ], '<', "$dir/homes.csv", '>', \$o, '2>', \$e);
	return ($? >> 8, $o, $e);
})->();
is($out, database("id, mm_predict_label('sold', h) AS prediction, " . proba_columns('sold'), 'homes h'),
	'binary logistic regression read from standard input: the same bits');
($status, $out, $err) = score('--keep=id', '--number', "$dir/sold.json", "$dir/homes.csv");
is($out, database("id, mm_predict('sold', h) AS prediction", 'homes h'),
	'--number gives a boolean label as mm_predict does');

($status, $out, $err) = score('--keep=id', "$dir/rating.json", "$dir/homes.csv");
is($out, database("id, mm_predict_label('rating', h) AS prediction", 'homes h'),
	'linear SVM, one-vs-rest, categories capped: the same labels');
($status, $out, $err) = score('--number', "$dir/rating.json", "$dir/homes.csv");
is($out, database("mm_predict('rating', h) AS prediction", 'homes h'), 'and the same numbers');

# a double precision target of whole numbers: number labels, printed as integers
$node->safe_psql('postgres', q{
	CREATE VIEW homes_float AS
	SELECT id, area, age, dist, tax, garden, district, code, rating::float8 AS rating FROM homes;
	SELECT version FROM mm_train('rating_float', 'homes_float', 'rating', algorithm => 'logistic_regression',
		exclude => ARRAY['id'], preprocess => '{"*": {"impute": "mean"}, "district": {"impute": "most_frequent"}}');
});
PostgreSQL::Test::Utils::append_to_file("$dir/rating_float.json",
	$node->safe_psql('postgres', "SELECT mm_export('rating_float')"));
($status, $out, $err) = score('--keep=id', "$dir/rating_float.json", "$dir/homes.csv");
is($out, database("id, mm_predict_label('rating_float', h) AS prediction", 'homes h'),
	'a classifier of a double precision target: the same labels');
unlike($out, qr/\.0\b/, 'rendered as integers');
($status, $out, $err) = score('--number', "$dir/rating_float.json", "$dir/homes.csv");
is($out, database("mm_predict('rating_float', h) AS prediction", 'homes_float h'), 'and the same numbers');

my $distances = join(', ', map { "(mm_transform('groups', h))[" . ($_ + 1) . "] AS distance_$_" } 0 .. 4);
($status, $out, $err) = score('--keep=id', '--transform', "$dir/groups.json", "$dir/homes.csv");
is($out, database("id, mm_predict('groups', h) AS prediction, $distances", 'homes h'),
	'k-means: clusters and distances, the same bits');

my $components = join(', ', map { "(mm_transform('shape', h))[$_] AS pc$_" } 1 .. 4);
($status, $out, $err) = score('--keep=id', "$dir/shape.json", "$dir/homes.csv");
is($out, database("id, $components", 'homes h'), 'PCA: the components, the same bits');

# an imported copy scores the same, and its export is the same document
$node->safe_psql('postgres', "SELECT mm_import('band_copy', mm_export('band'))");
is($node->safe_psql('postgres', q{SELECT (mm_export('band') - 'provenance') = (mm_export('band_copy') - 'provenance')}),
	't', 'export, import, export: the same document');

# models move between databases: imported elsewhere, they predict as mm-score does
$node->safe_psql('postgres', 'CREATE DATABASE elsewhere');
$node->safe_psql('elsewhere', qq{
	CREATE EXTENSION modelmgr;
	CREATE TABLE homes (id int, area int, age float8, dist real, tax numeric, garden boolean, district text,
	                    code char(3), price float8, band text, rating int, sold boolean);
	COPY homes FROM '$dir/homes.csv' CSV HEADER;
});
for my $m (sort keys %models)
{
	my $doc = slurp_file_text("$dir/$m.json");
	$node->safe_psql('elsewhere', "SELECT mm_import('$m', \$doc\$$doc\$doc\$)");
}
($status, $out, $err) = score('--keep=id', '--proba', "$dir/band.json", "$dir/homes.csv");
is($out, database("id, mm_predict_label('band', h) AS prediction, " . proba_columns('band'), 'homes h', 'elsewhere'),
	'imported into another database, a classifier predicts as mm-score does');
($status, $out, $err) = score('--keep=id', "$dir/price.json", "$dir/homes.csv");
is($out, database("id, mm_predict('price', h) AS prediction", 'homes h', 'elsewhere'),
	'and so does a regression');
is($node->safe_psql('elsewhere', q{SELECT string_agg(model || ':' || relation || ':' || trained_by, ' ' ORDER BY model) FROM mm.versions}),
	'band:public.homes:postgres groups:public.homes:postgres price:public.homes:postgres price_enet:public.homes:postgres price_raw:public.homes_complete:postgres rating:public.homes:postgres shape:public.homes:postgres sold:public.homes:postgres',
	'each imported version records where it was trained');

# with every query compiled, inlined and optimized by the JIT, still the same bits
SKIP:
{
	skip 'this server has no JIT', 4
	  unless $node->safe_psql('postgres', 'SELECT pg_jit_available()') eq 't';
	$node->append_conf('postgresql.conf',
		"jit = on\njit_above_cost = 0\njit_inline_above_cost = 0\njit_optimize_above_cost = 0\n");
	$node->reload;
	like($node->safe_psql('postgres', q{EXPLAIN (ANALYZE) SELECT mm_predict('price', h) FROM homes h}),
		qr/JIT:.*Inlining true.*Optimization true/s, 'predictions are compiled by the JIT');
	($status, $out, $err) = score('--keep=id', "$dir/price.json", "$dir/homes.csv");
	is($out, database("id, mm_predict('price', h) AS prediction", 'homes h'), 'JIT: a regression, the same bits');
	($status, $out, $err) = score('--keep=id', '--proba', "$dir/band.json", "$dir/homes.csv");
	is($out, database("id, mm_predict_label('band', h) AS prediction, " . proba_columns('band'), 'homes h'),
		'JIT: a classifier, the same bits');
	($status, $out, $err) = score('--keep=id', '--transform', "$dir/groups.json", "$dir/homes.csv");
	is($out, database("id, mm_predict('groups', h) AS prediction, $distances", 'homes h'),
		'JIT: k-means, the same bits');
	$node->append_conf('postgresql.conf', "jit = off\n");
	$node->reload;
}

# output to a file; a byte order mark before the header
open my $fh, '>', "$dir/bom.csv" or die;
print $fh "\xEF\xBB\xBF" . slurp_file_text("$dir/homes.csv");
close $fh;
($status, $out, $err) = score('--keep=id', '--output', "$dir/out.csv", "$dir/price.json", "$dir/bom.csv");
is($status, 0, 'a byte order mark is skipped');
is(slurp_file_text("$dir/out.csv"), database("id, mm_predict('price', h) AS prediction", 'homes h'),
	'--output writes the results to the file');

# errors
open $fh, '>', "$dir/bad.csv" or die;
print $fh "id,area,age,dist,tax,garden,district,code\n1,50,2,3,4,t,north,ab\n2,50,2,x3,4,t,north,ab\n";
close $fh;
($status, $out, $err) = score("$dir/price.json", "$dir/bad.csv");
is($status, 1, 'a bad value stops the run');
is($err, qq{mm-score: line 3: feature "dist": "x3" is not a number\n}, 'and names its line, feature and value');
like($out, qr/^prediction\n[0-9.]+\n$/, 'rows before it are written');

open $fh, '>', "$dir/bad.csv" or die;
print $fh "id,area,age,dist,tax,garden,district,code\n1,50,2,3,4,maybe,north,ab\n2,50,2,3,4,t,\"north\nwest\",ab\n3,50,NaN,3,4,t,north,ab\n4,50,2,3\n5,\"50";
close $fh;
($status, $out, $err) = score('--skip-errors', "$dir/price.json", "$dir/bad.csv");
is($status, 1, 'an unclosed quote at the end stops even --skip-errors');
is($err, qq{mm-score: line 2: feature "garden": "maybe" is not a boolean
mm-score: line 5: feature "age" is NaN or infinite
mm-score: line 6: the row has 4 fields, the header 8
mm-score: line 7: a quoted field is not closed before the end of the input
}, 'each bad row is reported with its line, counting lines inside quoted fields');

open $fh, '>', "$dir/bad.csv" or die;
print $fh "id,area,age\n1,2,3\n";
close $fh;
($status, $out, $err) = score("$dir/price.json", "$dir/bad.csv");
is($err, qq{mm-score: the header has no column "dist", a feature of the model\n}, 'a missing feature column is named');
($status, $out, $err) = score('--proba', "$dir/rating.json", "$dir/homes.csv");
is($err, qq{mm-score: --proba needs a logistic_regression, svm, gradient_boosting or random_forest model, and $dir/rating.json is a linear_svm\n},
	'probabilities from an SVM are refused');
open $fh, '>', "$dir/bad.json" or die;
print $fh substr(slurp_file_text("$dir/band.json"), 0, 500);
close $fh;
($status, $out, $err) = score("$dir/bad.json", "$dir/homes.csv");
is($status, 1, 'a truncated document is refused');
like($err, qr/^mm-score: .*bad\.json is not a model document: the document is not JSON/, 'and says why');
($status, $out, $err) = score();
is($status, 2, 'no arguments: usage');

# streaming: memory stays the same whether 3,000 rows or 1,200,000 go through
my ($rss, $rss_why) = ('', '');
IPC::Run::run([ '/usr/bin/python3', '-c', q{
import os, subprocess, sys, threading
header, body = open(sys.argv[2], 'rb').read().split(b'\n', 1)
def peak_kib(repeats):
    p = subprocess.Popen(['mm-score', '--keep=id', '--proba', sys.argv[1], '-'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    rows = 0
    def count():
        nonlocal rows
        for chunk in iter(lambda: p.stdout.read(1 << 16), b''):
            rows += chunk.count(b'\n')
    t = threading.Thread(target=count); t.start()
    p.stdin.write(header + b'\n')
    for _ in range(repeats):
        p.stdin.write(body)
    p.stdin.close(); t.join()
    _, status, usage = os.wait4(p.pid, 0)
    assert status == 0 and rows == 1 + 3000 * repeats, (status, rows)
    return usage.ru_maxrss
small, large = peak_kib(1), peak_kib(400)
print('same' if large - small < 1024 else 'grew by %d KiB' % (large - small))
}, "$dir/band.json", "$dir/homes.csv" ], '>', \$rss, '2>', \$rss_why);
is($rss, "same\n", 'mm-score streams: 400 times the rows, no more memory (within 1 MiB)') or diag($rss_why);

# every exported document validates against the schema
for my $m (sort keys %models)
{
	my ($ok, $why) = ('', '');
	IPC::Run::run([ '/usr/bin/python3', '-c', q{
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
print("valid")
}, $schema, "$dir/$m.json" ], '>', \$ok, '2>', \$why);
	is($ok, "valid\n", "the document of $m validates against the schema") or diag($why);
}

# and the schema refuses what the readers refuse
my ($refused, $why) = ('', '');
IPC::Run::run([ '/usr/bin/python3', '-c', q{
import copy, json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
def edit(f):
    d = copy.deepcopy(doc); f(d); return d
cases = {
    'newer format': edit(lambda d: d.update(format_version=2)),
    'unknown field': edit(lambda d: d.update(note='x')),
    'no model': edit(lambda d: d.pop('model')),
    'coefficient as text': edit(lambda d: d['model']['coef'][0].__setitem__(0, '1.5')),
    'unknown model field': edit(lambda d: d['model'].update(weights=[])),
    'zero scale': edit(lambda d: d['preprocess'][0].update(scale=0)),
    'duplicate class': edit(lambda d: d['model']['classes'].__setitem__(1, d['model']['classes'][0])),
    'unknown kind': edit(lambda d: d['features'][0].update(kind='complex')),
    'profile kind': edit(lambda d: d['baseline']['features']['area'].update(kind='zzz')),
    'negative sd': edit(lambda d: d['baseline']['features']['area'].update(sd=-1)),
    'negative rows': edit(lambda d: d['baseline']['features']['area'].update(rows=-5)),
    'negative missing': edit(lambda d: d['baseline']['features']['age'].update(missing=-1)),
    'other bins': edit(lambda d: d['baseline'].update(bins=1000000000)),
    'other sketch': edit(lambda d: d['baseline'].update(sketch=20)),
    'unknown profile field': edit(lambda d: d['baseline']['features']['area'].update(unit='m2')),
    'prediction of another kind': edit(lambda d: d['baseline'].update(prediction=d['baseline']['features']['area'])),
    'no prediction profile': edit(lambda d: d['baseline'].pop('prediction')),
    'long array': edit(lambda d: d['params'].update(grid=[0] * 100002)),
}
v = jsonschema.Draft202012Validator(schema)
print(' '.join(sorted(k for k, d in cases.items() if not v.is_valid(d))))
}, $schema, "$dir/band.json" ], '>', \$refused, '2>', \$why);
is($refused, "coefficient as text duplicate class long array negative missing negative rows negative sd newer format "
	. "no model no prediction profile other bins other sketch prediction of another kind profile kind unknown field "
	. "unknown kind unknown model field unknown profile field zero scale\n",
	'the schema refuses damaged documents') or diag($why);

done_testing();
