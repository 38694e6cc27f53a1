# The README's examples work as typed: its SQL blocks, in order, in a
# database with the sample data, print what the README shows after them,
# and its shell block's mm-score prints the rows it shows, the same bits as
# mm_predict.  Output is compared as psql prints it, without the row counts
# and command tags the README leaves out, and without trailing blanks.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = dirname(__FILE__) . '/../..';
my $readme = slurp_file("$root/README.md");
# the examples come before the two commands
$readme =~ s/\n## Two commands\n.*//s;

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'modelmgr'\nmodelmgr.monitor_enabled = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE readme');
my ($out, $err) = run_psql_file("$root/scripts/sample_data.sql");

# the printed form of psql's output the README shows
sub tidy
{
	my ($text) = @_;
	my @lines = grep {
		!/^\(\d+ rows?\)$/ && !/^(CREATE|COPY|SELECT) ?\w*( \d+)?$/ && !/^\s*$/
	} map { s/\s+$//r } split /\n/, $text;
	return join("\n", @lines) . "\n";
}

sub run_psql_file
{
	my ($file) = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-q', '-d', $node->connstr('readme'), '-v', 'ON_ERROR_STOP=1', '-f', $file ],
		'>', \$stdout, '2>', \$stderr)
	  or die "psql -f $file failed: $stderr";
	return ($stdout, $stderr);
}

my $dir = PostgreSQL::Test::Utils::tempdir;
my $n = 0;
while ($readme =~ /```sql\n(.*?)```\n(?:\n*```\n(.*?)```\n)?/sg)
{
	my ($sql, $shown) = ($1, $2);
	$n++;
	my $file = "$dir/block$n.sql";
	PostgreSQL::Test::Utils::append_to_file($file, $sql);
	my ($stdout) = run_psql_file($file);
	next unless defined $shown;
	is(tidy($stdout), tidy($shown), "README block $n prints what the README shows");
}
ok($n >= 6, "the README's $n SQL blocks ran");

# the shell block: the document of production, three rows as CSV, mm-score
my ($shell, $shown) = $readme =~ /```sh\n# production.*?\n(.*?)```\n```\n(.*?)```\n/s
  or die 'the README has no export block';
ok($shell =~ /mm-score --keep=id house_price.json house_sales_sample.csv/, 'the README scores with mm-score');
my ($doc, $doc_err) = ('', '');
IPC::Run::run([ 'psql', '-X', '-At', '-d', $node->connstr('readme'), '-c', "SELECT mm_export('house_price')" ],
	'>', \$doc, '2>', \$doc_err) or die "mm_export failed: $doc_err";
PostgreSQL::Test::Utils::append_to_file("$dir/house_price.json", $doc);
$node->safe_psql('readme',
	"COPY (SELECT * FROM house_sales_2026 ORDER BY id LIMIT 3) TO '$dir/house_sales_sample.csv' CSV HEADER");
my ($scored, $why) = ('', '');
IPC::Run::run([ 'mm-score', '--keep=id', "$dir/house_price.json", "$dir/house_sales_sample.csv" ],
	'>', \$scored, '2>', \$why);
is($scored, $shown, 'mm-score prints what the README shows') or diag($why);
is($node->safe_psql('readme', q{
	SELECT string_agg(id || ',' || mm_predict('house_price', s), E'\n' ORDER BY id)
	  FROM (SELECT * FROM house_sales_2026 ORDER BY id LIMIT 3) s}) . "\n",
	$shown =~ s/^id,prediction\n//r, 'and mm_predict gives the same bits');

$node->stop;
done_testing();
