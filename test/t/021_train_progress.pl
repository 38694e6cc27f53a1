# A running training is visible from another session in mm.train_progress,
# with its phase, passes and rows read, to the roles that may see its model
# or run as its role; a cancelled one leaves no version and no progress row.
#
# The training reads a view whose rows wait on an advisory lock the test
# holds, so it is caught at a known point: in memory while reading rows,
# then inside the pass of the least-squares aggregate.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('train_progress');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_enabled = off
max_parallel_workers_per_gather = 0
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION modelmgr;
	CREATE TABLE rows_ AS
	SELECT g AS id, (g % 97)::float8 AS a, ((g * 7) % 13)::float8 AS b,
	       (g % 97) * 2.0 + ((g * 7) % 13) + (g % 5) / 10.0 AS y
	  FROM generate_series(1, 150000) g;
	-- row 140,000 waits until the test lets go of lock 7
	CREATE FUNCTION gate(id int) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
	  IF id = 140000 THEN PERFORM pg_advisory_lock_shared(7); PERFORM pg_advisory_unlock_shared(7); END IF;
	  RETURN true;
	END $$;
	CREATE VIEW gated AS SELECT * FROM rows_ r WHERE gate(r.id);
	CREATE ROLE trainer; CREATE ROLE trainer_member IN ROLE trainer; CREATE ROLE stranger; CREATE ROLE reader;
	GRANT SELECT ON rows_, gated TO trainer;
	SET ROLE trainer;
	SELECT version FROM mm_train('watched', 'rows_', 'y', exclude => ARRAY['id'], deploy => 'never');
	SELECT mm_grant('watched', 'use', 'reader');
});

is($node->safe_psql('postgres', 'SELECT count(*) FROM mm.train_progress'), '0', 'no training runs');

# the lock is held by a session of its own, so that it can be let go of at will
my $holder = $node->background_psql('postgres');
$holder->query_until(qr/held/, q{
	SELECT pg_advisory_lock(7);
	\echo held
});

my $training = $node->background_psql('postgres');
$training->query_until(qr/started/, q{
	\echo started
	SET ROLE trainer;
	SELECT version FROM mm_train('watched', 'gated', 'y', exclude => ARRAY['id'], deploy => 'never',
	                             preprocess => '{"*": {"scale": "standard"}}');
	\echo trained
});

ok($node->poll_query_until('postgres',
		q{SELECT phase = 'reading the rows' AND rows_read >= 131072 FROM mm.train_progress WHERE model = 'watched'}),
	'another session sees the rows being read into memory');
is($node->safe_psql('postgres',
		q{SELECT algorithm || ' ' || passes || ' ' || coalesce(pass, '-') || ' ' || (elapsed > interval '0')
		    FROM mm.train_progress WHERE model = 'watched'}),
	'linear_regression 0 - true', 'with its algorithm, no pass over the relation, and its time so far');
is($node->safe_psql('postgres', q{SET ROLE stranger; SELECT count(*) FROM mm.train_progress}),
	'0', 'a role without a privilege on the model does not see the training');
is($node->safe_psql('postgres', q{SET ROLE reader; SELECT count(*) FROM mm.train_progress WHERE model = 'watched'}),
	'1', 'a role that may use the model sees it');
is($node->safe_psql('postgres', q{SET ROLE trainer_member; SELECT count(*) FROM mm_train_progress() WHERE model = 'watched'}),
	'1', 'so does a member of the training role, through the function too');

# let the first training finish, take the lock again, and catch a training in its pass
$holder->query_safe('SELECT pg_advisory_unlock(7)');
$training->query_until(qr/trained/, '');
is($node->safe_psql('postgres', 'SELECT count(*) FROM mm.train_progress'), '0', 'a finished training leaves the view');
$holder->query_safe('SELECT pg_advisory_lock(7)');
$training->query_until(qr/started again/, q{
	\echo started again
	SELECT version FROM mm_train('watched', 'gated', 'y', exclude => ARRAY['id'], deploy => 'never');
});
ok($node->poll_query_until('postgres',
		q{SELECT phase = 'fitting' AND passes = 1 AND pass = 'moments' FROM mm.train_progress WHERE model = 'watched'}),
	'a training in one pass shows the pass running');

my $pid = $node->safe_psql('postgres', q{SELECT pid FROM mm.train_progress WHERE model = 'watched'});
$node->safe_psql('postgres', qq{SELECT pg_cancel_backend($pid)});
ok($node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM mm.train_progress WHERE model = 'watched'}),
	'the cancelled training leaves the progress view');
eval { $training->quit; };
$holder->query_safe('SELECT pg_advisory_unlock(7)');
$holder->quit;
is($node->safe_psql('postgres', q{SELECT count(*) FROM mm.versions WHERE model = 'watched'}),
	'2', 'and no version beyond the two trained');

$node->stop;
done_testing();
