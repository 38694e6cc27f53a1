# Dates and timestamps in the standalone scorer: mm-score reads a date or
# timestamp column as PostgreSQL prints it (ISO), computes the parts the
# model reads (in UTC for timestamptz, whatever offset the text carries) and
# scores with the same bits as mm_predict on the table; missing, infinite
# and unreadable dates are handled as the database handles them, and the
# documents of such models validate against the format's JSON Schema.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $schema = dirname(__FILE__) . '/../../doc/export-format.schema.json';
my $node = PostgreSQL::Test::Cluster->new('dates');
$node->init;
$node->append_conf('postgresql.conf', "modelmgr.monitor_enabled = off\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;

# dates before 1970, in leap years, BC and far ahead; timestamps with
# fractions of a second; missing values in each column
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE visits AS
	SELECT g AS id,
	       CASE WHEN g % 19 = 0 THEN NULL ELSE DATE '1890-01-01' + (g * 97) % 80000 END AS born_on,
	       CASE WHEN g % 23 = 0 THEN NULL
	            ELSE TIMESTAMP '2023-01-01' + g * interval '7 hours 13 minutes 1.25 seconds' END AS arrived,
	       CASE WHEN g % 29 = 0 THEN NULL
	            ELSE TIMESTAMPTZ '2022-12-31 22:00:00+00' + g * interval '5 hours 59 minutes 59.999999 seconds' END
	         AS paid_at,
	       (g % 40)::float8 AS spend
	  FROM generate_series(1, 2000) g;
	INSERT INTO visits VALUES (3001, '0044-03-15 BC', '1969-12-31 23:59:59.5', '2000-02-29 23:30:00+00', 3),
	                          (3002, '2400-02-29', '9999-12-31 23:00', '1900-01-01 00:00+00', 7);
	ALTER TABLE visits ADD COLUMN amount float8, ADD COLUMN busy boolean;
	UPDATE visits SET amount = 10 + 2 * spend + 3 * coalesce(extract(month FROM arrived), 6)
	                           + 0.5 * coalesce(extract(hour FROM paid_at AT TIME ZONE 'UTC'), 12)
	                           + (id * 7919) % 13,
	                  busy = coalesce(extract(dow FROM arrived), 0) IN (5, 6) OR coalesce(extract(hour FROM arrived), 0) > 17;
});

my %models = (
	amount => q{'visits', 'amount', exclude => ARRAY['id', 'busy'],
		preprocess => '{"*": {"impute": "mean", "scale": "standard"}}'},
	amount_parts => q{'visits', 'amount', exclude => ARRAY['id', 'busy'],
		preprocess => '{"*": {"impute": "median", "date_parts": ["quarter", "day", "hour", "epoch"]},
		                "born_on": {"date_parts": ["year", "day_of_year", "epoch"], "scale": "robust"}}'},
	busy => q{'visits', 'busy', algorithm => 'logistic_regression', exclude => ARRAY['id', 'amount'],
		preprocess => '{"*": {"impute": "most_frequent", "scale": "minmax"}, "arrived": {"date_parts": ["day_of_week", "hour"]}}'},
);
for my $m (sort keys %models)
{
	$node->safe_psql('postgres', "SELECT version FROM mm_train('$m', $models{$m})");
	PostgreSQL::Test::Utils::append_to_file("$dir/$m.json",
		$node->safe_psql('postgres', "SELECT mm_export('$m')"));
}
# written in a session whose TimeZone prints offsets of hours and minutes
$node->safe_psql('postgres', "SET TimeZone = 'America/St_Johns'; "
	. "COPY (SELECT * FROM visits ORDER BY id) TO '$dir/visits.csv' CSV HEADER");
$node->safe_psql('postgres', "SET TimeZone = 'Asia/Kathmandu'; "
	. "COPY (SELECT * FROM visits ORDER BY id) TO '$dir/visits_kathmandu.csv' CSV HEADER");

sub slurp_file_text { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; my $t = <$fh>; close $fh; return $t; }

sub score
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'mm-score', @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub database
{
	my ($select, $from) = @_;
	my $file = "$dir/expected.csv";
	$node->safe_psql('postgres', "COPY (SELECT $select FROM $from ORDER BY id) TO '$file' CSV HEADER");
	return slurp_file_text($file);
}

like(slurp_file_text("$dir/visits.csv"), qr/,0044-03-15 BC,1969-12-31 23:59:59\.5,2000-02-29 20:00:00-03:30,/,
	'the CSV holds dates BC, fractions of a second and offsets of hours and minutes');

my ($status, $out, $err);
for my $csv ('visits.csv', 'visits_kathmandu.csv')
{
	($status, $out, $err) = score('--keep=id', "$dir/amount.json", "$dir/$csv");
	is($status, 0, "default parts: scored ($csv)") or diag($err);
	is($out, database("id, mm_predict('amount', v) AS prediction", 'visits v'),
		"default parts of a date, a timestamp and a timestamptz, imputed and scaled: the same bits ($csv)");
}

($status, $out, $err) = score('--keep=id', "$dir/amount_parts.json", "$dir/visits.csv");
is($status, 0, 'chosen parts: scored') or diag($err);
is($out, database("id, mm_predict('amount_parts', v) AS prediction", 'visits v'),
	'quarter, day, hour, day of year and epoch: the same bits');

($status, $out, $err) = score('--keep=id', '--proba', "$dir/busy.json", "$dir/visits.csv");
is($status, 0, 'a classifier of parts: scored') or diag($err);
is($out, database("id, mm_predict_label('busy', v) AS prediction, (mm_predict_proba('busy', v))[1] AS proba_false, "
		. "(mm_predict_proba('busy', v))[2] AS proba_true", 'visits v'),
	'labels and probabilities from the day of the week and the hour: the same bits');

# the parts are named column.part in the document
my $features = $node->safe_psql('postgres',
	q{SELECT string_agg(f->>'name', ' ') FROM jsonb_array_elements(mm_export('busy')->'features') f});
is($features, 'born_on.year born_on.month born_on.day_of_week born_on.day_of_year arrived.day_of_week arrived.hour '
	. 'paid_at.year paid_at.month paid_at.day_of_week paid_at.day_of_year paid_at.hour spend',
	'the document names each part column.part');

# an infinite date is refused as the database refuses it, and so is text that is no date
open my $fh, '>', "$dir/odd.csv" or die;
print $fh "id,born_on,arrived,paid_at,spend\n1,infinity,2023-01-01 10:00:00,2023-01-01 10:00:00+00,3\n"
  . "2,2023-02-30,2023-01-01 10:00:00,2023-01-01 10:00:00+00,3\n"
  . "3,,,,3\n";
close $fh;
($status, $out, $err) = score('--skip-errors', '--keep=id', "$dir/amount.json", "$dir/odd.csv");
is($status, 3, 'rows with an infinite or impossible date are skipped');
like($err, qr/line 2: feature "born_on\.year" is NaN or infinite/, 'an infinite date is not finite');
like($err, qr/line 3: feature "born_on\.year": "2023-02-30" is not a date or timestamp/, 'an impossible date is refused');
my $imputed = $node->safe_psql('postgres',
	q{SELECT mm_predict('amount', v) FROM (SELECT 3 AS id, NULL::date AS born_on, NULL::timestamp AS arrived,
	                                        NULL::timestamptz AS paid_at, 3::float8 AS spend) v});
is($out, "id,prediction\n3,$imputed\n", 'missing dates are imputed as mm_predict imputes them');

# the header must have the date column the parts read
open $fh, '>', "$dir/nodate.csv" or die;
print $fh "id,arrived,paid_at,spend\n1,2023-01-01 10:00:00,2023-01-01 10:00:00+00,3\n";
close $fh;
($status, $out, $err) = score("$dir/amount.json", "$dir/nodate.csv");
is($err, qq{mm-score: the header has no column "born_on", which feature "born_on.year" of the model reads\n},
	'a missing date column is named');

# every document validates against the schema, and the schema wants a part for a date part
for my $m (sort keys %models)
{
	my ($ok, $why) = ('', '');
	IPC::Run::run([ '/usr/bin/python3', '-c', q{
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
print("valid")
}, $schema, "$dir/$m.json" ], '>', \$ok, '2>', \$why);
	is($ok, "valid\n", "the document of $m validates against the schema") or diag($why);
}
{
	my $doc = slurp_file_text("$dir/amount.json");
	$doc =~ s/, "part": "year"//;
	PostgreSQL::Test::Utils::append_to_file("$dir/partless.json", $doc);
	my ($ok, $why) = ('', '');
	IPC::Run::run([ '/usr/bin/python3', '-c', q{
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
print("valid" if jsonschema.Draft202012Validator(schema).is_valid(json.load(open(sys.argv[2]))) else "invalid")
}, $schema, "$dir/partless.json" ], '>', \$ok, '2>', \$why);
	is($ok, "invalid\n", 'the schema refuses a date part without its part');
	($status, $out, $err) = score("$dir/partless.json", "$dir/visits.csv");
	like($err, qr/"part"/, 'and so does mm-score');
}

done_testing();
