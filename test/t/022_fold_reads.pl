# A search in passes prepares its folds' preprocessing from one read of the
# relation: the first read of every fold (the column profile, statistics,
# labels and text values, each fold's own training rows) is one query with
# an aggregate per fold, as the folds' later passes are.  Where a fold's
# first read cannot share a scan (a numeric label, counted by a grouping
# query that carries it), each fold reads on its own, as before.  The
# folds' reads are in the server's log at DEBUG1; the search's results are
# those the folds read alone give (tunepasses compares them with memory).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('fold_reads');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_enabled = off
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE visits AS
	SELECT g AS id, (g % 17)::float8 AS pages, ((g * 7) % 23)::float8 / 3 AS minutes,
	       (ARRAY['web', 'store', 'phone'])[1 + g % 3] AS channel,
	       (g % 17) + ((g * 7) % 23) / 3.0 + 4 * (g % 3) > 14 AS bought,
	       ((g % 17) + ((g * 7) % 23) / 3.0 > 12)::int::numeric AS bought_numeric
	  FROM generate_series(1, 3000) g;
});

# The passes the search ran, as the log names them: a pass alone, or n of them in one read.
sub searched_passes
{
	my ($label) = @_;
	my $offset = -s $node->logfile;
	$node->safe_psql('postgres', qq{
		SET log_min_messages = debug1;
		SET modelmgr.train_in_passes = on;
		SELECT version FROM mm_tune('fold_reads_$label', 'visits', '$label', algorithm => 'logistic_regression',
		                            exclude => ARRAY['id', 'bought', 'bought_numeric'],
		                            search => '{"alpha": [0.1, 1]}', folds => 3,
		                            preprocess => '{"*": {"scale": "standard"}}');
	});
	my $log = slurp_file($node->logfile, $offset);
	return ($log =~ /modelmgr (pass "[a-z_.]+"(?: with its grouping)?|\d+ passes "[a-z_.]+" in one read)/g);
}

my @passes = searched_passes('bought');
is(scalar(grep { $_ eq '3 passes "column_profile_stats" in one read' } @passes), 1,
	"the three folds' first reads are one read");
# the winner's refit on the whole training part reads on its own
is(scalar(grep { /^pass "column_profile_stats"/ } @passes), 1, 'no fold reads first on its own')
  or diag(join("\n", @passes));
ok(scalar(grep { /^3 passes "logistic_regression.newton" in one read$/ } @passes) > 0,
	"the folds' Newton steps share their reads too");

# a numeric label is counted by a grouping query that carries the first read: each fold's is its own
@passes = searched_passes('bought_numeric');
is(scalar(grep { /column_profile_stats" in one read/ } @passes), 0,
	'folds whose first reads carry a grouping query do not share them');
is(scalar(grep { $_ eq 'pass "column_profile_stats" with its grouping' } @passes), 4,
	'each fold, and the refit, reads first with its grouping')
  or diag(join("\n", @passes));

is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE status = 'ok') FROM mm.trials WHERE model LIKE 'fold_reads_%'}),
	'4', 'every candidate of both searches is scored');

$node->stop;
done_testing();
