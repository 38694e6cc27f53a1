# A monitor is code its owner chose, run on someone else's session: a
# background worker's (the bootstrap superuser's) or that of whoever calls
# mm_monitor_run.  Here an ordinary role, mallory, monitors views whose
# functions change session settings, try SET ROLE and leave temporary
# objects behind, and plants operators and functions in its own schema that
# make it a superuser when a superuser runs them.  Whichever way the monitor runs,
# nothing of the view may outlive the check: the caller's search_path,
# statement_timeout, role and temporary objects are as before, no planted
# object ever runs as anyone but mallory, and mallory stays an ordinary role.
# The checks themselves still run as mallory.
#
# Needs real servers: the worker path runs in a background worker.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# What the poisoned view leaves as search_path: mallory's schema ahead of pg_catalog.
my $poisoned_path = 'mallory, pg_catalog';

# public.sales, a model mallory owns, mallory's views and planted objects.
sub plant
{
	my ($node) = @_;

	$node->safe_psql('postgres', q{
		CREATE EXTENSION modelmgr;
		CREATE ROLE mallory LOGIN;
		CREATE SCHEMA mallory AUTHORIZATION mallory;
		-- y linear in x1, x2: a monitor of the same rows has nothing to say
		CREATE TABLE public.sales AS
		SELECT (g % 97)::float8 AS x1, ((g * 31) % 89)::float8 AS x2,
		       (5 + 2 * (g % 97) - 3 * ((g * 31) % 89))::float8 AS y
		  FROM generate_series(1, 3000) g;
		GRANT SELECT ON public.sales TO mallory;
	});
	$node->safe_psql('postgres', q{
		SET ROLE mallory;
		SELECT version FROM mm_train('its_model', 'public.sales', 'y', test_size => 0);

		-- what mallory's functions saw when they ran, in a table nobody else is granted
		CREATE TABLE mallory.seen (probe text, who name, path text, timeout text,
		                           at timestamptz DEFAULT pg_catalog.clock_timestamp());
		-- which planted object ran, and as whom
		CREATE TABLE mallory.fired (what text, who name,
		                            at timestamptz DEFAULT pg_catalog.clock_timestamp());

		CREATE FUNCTION mallory.poison() RETURNS boolean LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM pg_catalog.set_config('search_path', 'mallory, pg_catalog', false);
			RETURN true;
		END $$;
		CREATE VIEW mallory.v AS SELECT x1, x2, y FROM public.sales WHERE mallory.poison();

		-- a session left with 1ms cancels every statement that follows
		CREATE FUNCTION mallory.stall() RETURNS boolean LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM pg_catalog.set_config('statement_timeout', '1ms', false);
			RETURN true;
		END $$;
		CREATE VIEW mallory.v_timeout AS SELECT x1, x2, y FROM public.sales WHERE mallory.stall();

		-- once per check (an InitPlan), so that the table has a row per run
		CREATE FUNCTION mallory.spy() RETURNS boolean LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO mallory.seen (probe, who, path, timeout)
			VALUES ('spy', CURRENT_USER, pg_catalog.current_setting('search_path'),
			        pg_catalog.current_setting('statement_timeout'));
			RETURN true;
		END $$;
		CREATE VIEW mallory.v_spy AS SELECT x1, x2, y FROM public.sales WHERE (SELECT mallory.spy());

		-- the session user is whoever runs the check: a role change to it, a
		-- temporary table in its session, a temporary view there that its
		-- unqualified "sales" would find first, and whose function would run
		-- as the caller, a search_path with pg_temp first; each attempt on its
		-- own, so that a refusal does not stop the others
		CREATE FUNCTION mallory.escape() RETURNS boolean LANGUAGE plpgsql AS $$
		BEGIN
			BEGIN
				PERFORM pg_catalog.set_config('role', SESSION_USER::text, false);
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
			BEGIN
				EXECUTE pg_catalog.format('SET ROLE %I', SESSION_USER);
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
			BEGIN
				CREATE TEMPORARY TABLE planted (x int);
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
			BEGIN
				CREATE TEMPORARY VIEW sales AS
				SELECT x1, x2, y FROM public.sales WHERE (SELECT mallory.strike('temporary view sales'));
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
			PERFORM pg_catalog.set_config('search_path', 'pg_temp, mallory, pg_catalog', false);
			INSERT INTO mallory.seen (probe, who, path, timeout)
			VALUES ('escape', CURRENT_USER, pg_catalog.current_setting('search_path'),
			        pg_catalog.current_setting('statement_timeout'));
			RETURN true;
		END $$;
		CREATE VIEW mallory.v_escape AS SELECT x1, x2, y FROM public.sales WHERE (SELECT mallory.escape());

		-- the payload of every planted object: as a superuser, make mallory one
		CREATE FUNCTION mallory.strike(text) RETURNS boolean LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO mallory.fired (what, who) VALUES ($1, CURRENT_USER);
			IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
				ALTER ROLE mallory SUPERUSER;
			END IF;
			RETURN true;
		END $$;
	});

	# operators: each gives the answer of pg_catalog's, after the payload
	my %operator = ('=' => 'eq', '<>' => 'ne', '<' => 'lt', '<=' => 'le', '>' => 'gt', '>=' => 'ge');
	my %type = (integer => 'int4', bigint => 'int8', text => 'text', name => 'name',
		'double precision' => 'float8', numeric => 'numeric', timestamptz => 'timestamptz',
		oid => 'oid', boolean => 'bool');
	my $sql = "SET ROLE mallory;\n";
	for my $t (sort keys %type)
	{
		for my $op (sort keys %operator)
		{
			my $f = "mallory.$operator{$op}_$type{$t}";
			$sql .= qq{
				CREATE FUNCTION $f(a $t, b $t) RETURNS boolean LANGUAGE plpgsql AS \$\$
				BEGIN
					PERFORM mallory.strike('$op($t,$t)');
					RETURN a OPERATOR(pg_catalog.$op) b;
				END \$\$;
				CREATE OPERATOR mallory.$op (LEFTARG = $t, RIGHTARG = $t, FUNCTION = $f);
			};
		}
	}

	# functions and aggregates the extension's statements could name unqualified
	$sql .= q{
		CREATE FUNCTION mallory.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM mallory.strike('now()');
			RETURN pg_catalog.now();
		END $$;
		CREATE FUNCTION mallory.count_final(n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM mallory.strike('count(*)');
			RETURN n;
		END $$;
		CREATE FUNCTION mallory.count_step(n bigint) RETURNS bigint LANGUAGE sql
			AS $$ SELECT n OPERATOR(pg_catalog.+) 1 $$;
		CREATE AGGREGATE mallory.count(*) (SFUNC = mallory.count_step, STYPE = bigint,
		                                  INITCOND = '0', FINALFUNC = mallory.count_final);
	};
	for my $t ('integer', 'bigint', 'timestamptz', 'double precision')
	{
		my $s = $type{$t};
		for my $agg ('min', 'max')
		{
			my $cmp = $agg eq 'min' ? '<' : '>';
			$sql .= qq{
				CREATE FUNCTION mallory.${agg}_step_$s(a $t, b $t) RETURNS $t LANGUAGE sql STRICT
					AS \$\$ SELECT CASE WHEN b OPERATOR(pg_catalog.$cmp) a THEN b ELSE a END \$\$;
				CREATE FUNCTION mallory.${agg}_final_$s(a $t) RETURNS $t LANGUAGE plpgsql AS \$\$
				BEGIN
					PERFORM mallory.strike('$agg($t)');
					RETURN a;
				END \$\$;
				CREATE AGGREGATE mallory.$agg($t) (SFUNC = mallory.${agg}_step_$s, STYPE = $t,
				                                   FINALFUNC = mallory.${agg}_final_$s);
			};
		}
	}
	$node->safe_psql('postgres', $sql);
	return;
}

# Runs statements in one psql session; returns each one's output and the session's errors.
sub session
{
	my ($node, @statements) = @_;
	my $script = '';
	for my $i (0 .. $#statements)
	{
		$script .= "\\echo ==$i\n$statements[$i]\n";
	}
	my ($ret, $out, $err) = $node->psql('postgres', $script, on_error_stop => 0);
	my @outputs = ('') x @statements;
	my $current;
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^==(\d+)$/)
		{
			$current = $1;
		}
		elsif (defined $current)
		{
			$outputs[$current] .= ($outputs[$current] eq '' ? '' : "\n") . $line;
		}
	}
	return (\@outputs, $err);
}

# The planted objects that ran as a role other than mallory, and as whom: empty
# while nothing of mallory's escapes its own checks.
sub fired_elsewhere
{
	my ($node) = @_;
	return $node->safe_psql('postgres', q{
		SELECT pg_catalog.string_agg(DISTINCT what || ' as ' || who, ', ')
		  FROM mallory.fired WHERE who <> 'mallory'});
}

# ---------------------------------------------------------------- the worker

my $node = PostgreSQL::Test::Cluster->new('worker_path');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_naptime = 1
max_worker_processes = 16
});
$node->start;
plant($node);

# created in this order, the worker runs them in this order in each pass:
# the spy sees what the two before it left in the worker's session
my $poison = $node->safe_psql('postgres',
	q{SET ROLE mallory; SELECT mm_monitor('its_model', 'mallory.v', every => '1 second')});
my $stall = $node->safe_psql('postgres',
	q{SET ROLE mallory; SELECT mm_monitor('its_model', 'mallory.v_timeout', every => '1 second')});
my $spy = $node->safe_psql('postgres',
	q{SET ROLE mallory; SELECT mm_monitor('its_model', 'mallory.v_spy', every => '1 second')});

ok($node->poll_query_until('postgres', qq{
		SELECT count(*) >= 2 FROM mm.monitor_runs WHERE monitor = $poison AND via = 'worker'}),
	'the worker ran the poisoned monitor twice');
ok($node->poll_query_until('postgres', qq{
		SELECT count(*) >= 2 FROM mm.monitor_runs WHERE monitor = $spy AND via = 'worker'}),
	'and the spy twice');
is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'}),
	'f', 'worker: mallory is still an ordinary role');
is(fired_elsewhere($node), '', 'worker: no planted operator or function ran as another role');
is($node->safe_psql('postgres', qq{
		SELECT pg_catalog.string_agg(DISTINCT verdict, ',') FROM mm.monitor_runs
		 WHERE monitor IN ($poison, $stall, $spy)}),
	'ok', 'worker: the checks of the same rows as training all passed');
is($node->safe_psql('postgres',
		q{SELECT pg_catalog.string_agg(DISTINCT who, ',') FROM mallory.seen WHERE probe = 'spy'}),
	'mallory', 'worker: the checks ran as mallory');
is($node->safe_psql('postgres', qq{
		SELECT pg_catalog.count(*) FROM mallory.seen
		 WHERE probe = 'spy' AND path = '$poisoned_path'}),
	'0', 'worker: a check does not see the search_path an earlier check set');
is($node->safe_psql('postgres', q{
		SELECT pg_catalog.count(*) FROM mallory.seen WHERE probe = 'spy' AND timeout = '1ms'}),
	'0', 'worker: nor the statement_timeout');
$node->stop;

# ---------------------------------------------------------------- mm_monitor_run

# no worker runs these monitors: only the superuser's calls do
$node = PostgreSQL::Test::Cluster->new('manual_path');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_enabled = off
});
$node->start;
plant($node);
my %monitor;
for my $view ('v', 'v_timeout', 'v_spy', 'v_escape')
{
	$monitor{$view} = $node->safe_psql('postgres',
		qq{SET ROLE mallory; SELECT mm_monitor('its_model', 'mallory.$view', every => '1 day')});
}
my $superuser = $node->safe_psql('postgres', 'SELECT current_user');

my ($out, $err) = session($node,
	'SHOW search_path;',
	'SHOW statement_timeout;',
	"SELECT mm_monitor_run($monitor{v})->>'verdict';",
	'SHOW search_path;',
	'SHOW statement_timeout;',
	'SELECT now() <= now();',
	'SELECT current_user, session_user;',
	# the session as the poisoned call left it, seen from the next check
	"SELECT public.mm_monitor_run($monitor{v_spy})->>'verdict';");
is($out->[2], 'ok', 'mm_monitor_run: the check of the same rows as training passes') or diag($err);
is($out->[3], $out->[0], 'mm_monitor_run: the caller\'s search_path is as before');
is($out->[4], $out->[1], 'mm_monitor_run: so is its statement_timeout');
is(fired_elsewhere($node), '', 'mm_monitor_run: the caller\'s now() <= now() ran pg_catalog\'s, not a planted one');
is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'}),
	'f', 'mm_monitor_run: mallory is still an ordinary role');
is($out->[6], "$superuser|$superuser", 'the caller is still itself');
is($out->[7], 'ok', 'the spy\'s check passes');
is($node->safe_psql('postgres',
		q{SELECT pg_catalog.string_agg(DISTINCT who, ',') FROM mallory.seen WHERE probe = 'spy'}),
	'mallory', 'mm_monitor_run: the check ran as mallory');
is($node->safe_psql('postgres', qq{
		SELECT pg_catalog.count(*) FROM mallory.seen
		 WHERE probe = 'spy' AND path = '$poisoned_path'}),
	'0', 'mm_monitor_run: the next check does not see the search_path the poisoned one set');

# each probe below on its own: whatever the one above did is undone
$node->safe_psql('postgres', 'ALTER ROLE mallory NOSUPERUSER; TRUNCATE mallory.fired');

# statement_timeout alone: left at 1ms, the caller's next statement would be cancelled
($out, $err) = session($node,
	'SHOW statement_timeout;',
	"SELECT mm_monitor_run($monitor{v_timeout})->>'verdict';",
	'SHOW statement_timeout;',
	q{SELECT 'slept' FROM pg_catalog.pg_sleep(0.05);});
is($out->[1], 'ok', 'the check of the stalling view passes') or diag($err);
is($out->[2], $out->[0], 'the caller\'s statement_timeout is as before');
is($out->[3], 'slept', 'and its next statement runs to its end') or diag($err);

# a role change, temporary objects, a search_path: none of them reaches the caller
($out, $err) = session($node,
	'SHOW search_path;',
	"SELECT mm_monitor_run($monitor{v_escape})->>'verdict';",
	'SHOW search_path;',
	'SELECT current_user, session_user;',
	q{SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c
	   WHERE c.relname OPERATOR(pg_catalog.=) 'planted'
	     AND c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema();},
	q{SELECT n.nspname FROM pg_catalog.pg_class c
	    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	   WHERE c.oid OPERATOR(pg_catalog.=) 'sales'::pg_catalog.regclass;},
	# the caller's own query, as it would write it
	'SELECT count(*) FROM sales;');
is($out->[1], 'ok', 'the check of the escaping view passes') or diag($err);
is($out->[2], $out->[0], 'the caller\'s search_path is as before');
is($out->[3], "$superuser|$superuser", 'the caller\'s role is as before');
is($out->[4], '0', 'the caller\'s session has no temporary table of the check\'s');
is($out->[5], 'public', 'the caller\'s "sales" is still public.sales');
is($out->[6], '3000', 'and reads its rows');
is($node->safe_psql('postgres',
		q{SELECT pg_catalog.string_agg(DISTINCT who, ',') FROM mallory.seen WHERE probe = 'escape'}),
	'mallory', 'inside the check, the role change did not take');
is(fired_elsewhere($node), '', 'no planted operator or function ran as the caller since');
is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'}),
	'f', 'mallory is still an ordinary role at the end');
$node->stop;

done_testing();
