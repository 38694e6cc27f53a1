# Upgrading a database made by a real earlier release.
#
# The release (test/upgrade/release.sh says which) is built from its own
# source and installed; its library and SQL make models of every algorithm it
# has, versions, stages, rollbacks, archived and purged versions, a tuned and
# an imported model, monitors with runs and alerts, and the audit log of all
# that.  Then the current library replaces it in the same installation, the
# server restarts, ALTER EXTENSION modelmgr UPDATE runs, and what the release
# made must still work the same: every model predicts the same bits, the
# catalog's rows are as they were, the schema is what a fresh install makes,
# and management, monitoring and export go on.
#
# Needs a PostgreSQL installation of its own, since two builds of modelmgr
# are installed into it in turn and the installation the other tests use must
# not change: a copy of that one in the test's temporary directory, which
# works because PostgreSQL's programs find their files relative to their own
# location.
use strict;
use warnings;
use Cwd qw(getcwd abs_path);
use File::Basename qw(basename dirname);
use File::Compare;
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# TAP tests run in the project's root, which make has built: the current tree
my $tree = getcwd();
my $tmp = PostgreSQL::Test::Utils::tempdir('upgrade');

# Reports why the test cannot go on, where prove shows it, and stops with a failure.
sub give_up
{
	my ($why) = @_;
	diag($why);
	fail('the upgrade test could be set up');
	done_testing();
	exit(1);
}

# Standard output of a command, or give up with its standard error.
sub output
{
	my @cmd = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err) or give_up("@cmd failed: $err");
	chomp $out;
	return $out;
}

# Runs make for another tree than the one make runs the tests from: the
# outer make's flags and variables (PROVE_TESTS, PG_CONFIG given on its
# command line) must not reach it.
sub make_ok
{
	my ($what, @args) = @_;
	local %ENV = %ENV;
	delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES)};
	return ok(system_log('make', @args) == 0, $what);
}

# The version a modelmgr.control's text sets.
sub extversion
{
	my ($str) = @_;
	return ($str =~ /^default_version\s*=\s*'([^']+)'/m)[0];
}

my $current = extversion(slurp_file("$tree/modelmgr.control"));

######################################################################
# The release's source: exported by scripts/test.sh into releases/VERSION
# (the staged tree has no .git), named by MM_RELEASE_SOURCE, or exported here
# from a git repository (MM_GIT_DIR, or the tree itself when it is a clone).
######################################################################

my ($release, $commit) = split ' ', output('bash', "$tree/test/upgrade/release.sh", 'which');
my $source = $ENV{MM_RELEASE_SOURCE} // "$tree/releases/$release";
if (!-f "$source/Makefile")
{
	give_up("MM_RELEASE_SOURCE=$source has no Makefile") if defined $ENV{MM_RELEASE_SOURCE};
	my $repo = $ENV{MM_GIT_DIR} // $tree;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'bash', "$tree/test/upgrade/release.sh", 'export', $repo, "$tmp/releases" ],
		'>', \$out, '2>', \$err)
	  or give_up(
		"the source of release $release (commit $commit) is not in $tree/releases/$release, "
		  . "and it could not be exported from $repo:\n$err"
		  . "scripts/test.sh exports it before the TAP tests; to run this test alone, point MM_GIT_DIR "
		  . "at a clone with the history (MM_GIT_DIR=/path/to/modelmgr make tapcheck "
		  . "PROVE_TESTS=test/t/010_upgrade_release.pl), or export it first with "
		  . "bash test/upgrade/release.sh export /path/to/modelmgr releases");
	chomp($source = $out);
}
is(extversion(slurp_file("$source/modelmgr.control")), $release, "the source of release $release is there");
note("upgrading from release $release ($commit) to $current");

######################################################################
# A private PostgreSQL: a copy of the one the tests run on (its pg_config
# is first on PATH), laid out as Debian lays it out, without modelmgr.
######################################################################

my $bindir = output('pg_config', '--bindir');
my $major = basename(dirname($bindir));
my $root = "$tmp/pg";
my $install = "$root/usr/lib/postgresql/$major";
make_path("$root/usr/lib/postgresql", "$root/usr/share/postgresql", "$root/usr/include");
system_log('cp', '-a', dirname($bindir), "$root/usr/lib/postgresql/") == 0
  or give_up("could not copy " . dirname($bindir));
system_log('cp', '-a', output('pg_config', '--sharedir'), "$root/usr/share/postgresql/") == 0
  or give_up('could not copy ' . output('pg_config', '--sharedir'));
symlink(abs_path(output('pg_config', '--includedir')), "$root/usr/include/postgresql")
  or give_up("could not link the headers: $!");
unlink(glob("$install/lib/modelmgr.so $install/bin/mm-score $root/usr/share/postgresql/$major/extension/modelmgr*"));
File::Path::rmtree([ glob("$install/lib/bitcode/modelmgr*") ]);

my $pg_config = "$install/bin/pg_config";
for my $dir (qw(bindir pkglibdir sharedir))
{
	like(output($pg_config, "--$dir"), qr/^\Q$root\E\//,
		"the copy's $dir is in the copy: nothing is installed elsewhere");
}

######################################################################
# The release, built with the copy's pg_config from a copy of its source
# (so that the exported tree stays clean), and installed into the copy.
######################################################################

my $old_tree = "$tmp/release-$release";
system_log('cp', '-a', $source, $old_tree) == 0 or give_up("could not copy $source");
make_ok("release $release builds", '-C', $old_tree, '-s', '-j2', "PG_CONFIG=$pg_config")
  or give_up("release $release does not build: see the log");
make_ok("release $release installs into the copy", '-C', $old_tree, '-s', 'install', "PG_CONFIG=$pg_config")
  or give_up("release $release does not install: see the log");

my $node = PostgreSQL::Test::Cluster->new('upgrade', install_path => $install);
$node->init;
# monitors run by hand until the workers are turned on after the upgrade
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'modelmgr'
modelmgr.monitor_enabled = off
modelmgr.monitor_naptime = 1
max_worker_processes = 16
});
$node->start;

sub sql { return $node->safe_psql('postgres', $_[0]); }

sql('CREATE EXTENSION modelmgr');
is(sql(q{SELECT extversion FROM pg_extension WHERE extname = 'modelmgr'}), $release,
	"the database has modelmgr $release");

# what the release has, by the functions it declares
my %has = map {
	$_->[0] => sql(qq{SELECT count(*) > 0 FROM pg_proc WHERE proname = '$_->[1]'}) eq 't'
} ([ classify => 'mm_predict_label' ], [ monitor => 'mm_monitor' ], [ tune => 'mm_tune' ],
	[ export => 'mm_import' ], [ privileges => 'mm_grant' ]);
note('the release has: ' . join(', ', grep { $has{$_} } sort keys %has));

######################################################################
# Before: models of every algorithm, with the registry's whole life.
######################################################################

# every input type a model reads, with missing values; and the same shifted for the monitors
sql(q{
	CREATE TABLE homes AS
	SELECT g AS id,
	       40 + (g * 37) % 160 AS area,
	       CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 7) % 50) / 7.0 END::float8 AS age,
	       (((g * 11) % 97) / 3.0)::real AS dist,
	       round(((g * 17) % 1000) / 9.0, 4)::numeric AS tax,
	       g % 3 = 0 AS garden,
	       CASE WHEN g % 17 = 0 THEN NULL
	            ELSE (ARRAY['north', 'south', 'east', 'west', 'centre'])[1 + (g * 13) % 5] END AS district,
	       (ARRAY['ab', 'c', 'de'])[1 + g % 3]::char(3) AS code
	  FROM generate_series(1, 3000) g;
	ALTER TABLE homes ADD COLUMN price float8, ADD COLUMN band text, ADD COLUMN rating int, ADD COLUMN sold boolean;
	UPDATE homes SET price = 1000 + 25 * area + 30 * coalesce(age, 3) - 2 * dist + tax
	                         + (CASE WHEN garden THEN 400 ELSE 0 END) + (id * 7919) % 300;
	UPDATE homes SET band = CASE WHEN price < 4000 THEN 'low' WHEN price < 5500 THEN 'mid' ELSE 'high' END,
	                 rating = (price::int / 1000) % 4, sold = price > 4700 + (id % 7) * 50;
	CREATE VIEW homes_complete AS SELECT * FROM homes WHERE age IS NOT NULL AND district IS NOT NULL;
	CREATE TABLE homes_shifted AS
	SELECT id, area + 200 AS area, age + 30 AS age, dist * 3 AS dist, tax + 300 AS tax, garden, district,
	       code, price * 1.5 AS price, band, rating, sold
	  FROM homes;
	-- a prediction as the bits of its doubles, so that equal means identical
	CREATE FUNCTION bits(float8) RETURNS text LANGUAGE sql IMMUTABLE
	    AS $$ SELECT coalesce(encode(float8send($1), 'hex'), 'null') $$;
	CREATE FUNCTION bits(float8[]) RETURNS text LANGUAGE sql IMMUTABLE
	    AS $$ SELECT coalesce((SELECT string_agg(encode(float8send(x), 'hex'), ',' ORDER BY i)
	                             FROM unnest($1) WITH ORDINALITY u(x, i)), 'null') $$;
	CREATE FUNCTION bits(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1, 'null') $$;
});

my $not_features = q{ARRAY['id', 'band', 'rating', 'sold']};
my $numeric_only = q{ARRAY['id', 'band', 'rating', 'sold', 'district', 'code']};

# Trains and returns the version's number.
sub train
{
	my ($model, $args) = @_;
	return sql("SELECT version FROM mm_train('$model', $args)");
}

# linear regression: with preprocessing and a text feature (the release
# before preprocessing gets plain columns), ridge on raw columns, a subset
if ($has{classify})
{
	is(train('price', qq{'homes', 'price', exclude => $not_features,
		preprocess => '{"*": {"impute": "mean", "scale": "standard", "clip": {"z": 3}},
		                "district": {"impute": "most_frequent"}}'}),
		'1', 'price 1: linear regression with imputation, scaling, clipping and one-hot text');
	is(train('price', q{'homes', 'price', features => ARRAY['area', 'age', 'garden', 'district'],
		preprocess => '{"*": {"impute": "median"}, "district": {"impute": "most_frequent", "encode": "ordinal"}}',
		deploy => 'never'}), '2', 'price 2: a subset, ordinal text');
}
else
{
	is(train('price', qq{'homes_complete', 'price', exclude => $numeric_only}), '1', 'price 1: least squares');
	is(train('price', q{'homes_complete', 'price', features => ARRAY['area', 'age', 'garden'], deploy => 'never'}),
		'2', 'price 2: a subset');
}
is(train('price', qq{'homes_complete', 'price', exclude => $numeric_only, params => '{"alpha": 0.5}', deploy => 'never'}),
	'3', 'price 3: ridge on raw integer, double, real, numeric and boolean columns');
is(train('price', q{'homes_complete', 'price', features => ARRAY['area'], deploy => 'never'}), '4',
	'price 4: to be purged');

# production 1 -> 3 -> rolled back to 1; staging serves 2; 4 archived and purged
is(sql(q{SELECT mm_deploy('price', 3)}), '3', 'price: 3 deployed');
is(sql(q{SELECT mm_rollback('price')}), '1', 'price: rolled back to 1');
is(sql(q{SELECT mm_deploy('price', 2, 'staging')}), '2', 'price: 2 deployed to staging');
sql(q{SELECT mm_archive('price', 4); SELECT mm_purge('price', 4)});
sql(q{SELECT mm_annotate('price', 'house prices', '{"team": "pricing"}')});
# a failed call, in the audit log by its background writer
my ($ret, $out, $err) = $node->psql('postgres', q{SELECT mm_deploy('price', 42)});
like($err, qr/has no version 42/, 'a failing call fails');

if ($has{classify})
{
	is(train('band', qq{'homes', 'band', algorithm => 'logistic_regression', exclude => $not_features,
		preprocess => '{"*": {"impute": "median", "scale": "robust"},
		                "district": {"encode": "ordinal", "impute": "most_frequent"}}'}),
		'1', 'band 1: multinomial logistic regression');
	is(train('band', qq{'homes_complete', 'band', algorithm => 'logistic_regression', exclude => $not_features,
		params => '{"alpha": 1}', deploy => 'never'}), '2', 'band 2: penalized, on complete rows');
	is(sql(q{SELECT mm_deploy('band', 2, 'staging')}), '2', 'band: 2 deployed to staging');
	is(train('sold', qq{'homes', 'sold', algorithm => 'logistic_regression', exclude => ARRAY['id', 'price', 'band', 'rating'],
		preprocess => '{"*": {"impute": "zero", "scale": "minmax"}, "district": {"impute": {"constant": "north"}}}'}),
		'1', 'sold 1: binary logistic regression');
	is(train('sold', q{'homes_complete', 'sold', algorithm => 'logistic_regression',
		exclude => ARRAY['id', 'price', 'band', 'rating', 'district', 'code'], params => '{"alpha": 0.1}', deploy => 'always'}), '2', 'sold 2: deployed over 1');
	is(train('rating', qq{'homes', 'rating', algorithm => 'linear_svm', exclude => ARRAY['id', 'price', 'band', 'sold'],
		preprocess => '{"*": {"impute": "mean", "scale": "standard"},
		                "district": {"impute": "most_frequent", "max_categories": 3}}'}),
		'1', 'rating 1: linear SVM, categories capped');
	is(sql(q{SELECT version FROM mm_retrain('rating')}), '2', 'rating 2: retrained from 1');
	is(train('groups', qq{'homes', NULL, algorithm => 'kmeans', exclude => ARRAY['id', 'price', 'band', 'rating', 'sold'],
		params => '{"k": 5}',
		preprocess => '{"*": {"impute": "mean", "scale": "standard"}, "district": {"impute": "most_frequent"}}'}),
		'1', 'groups 1: k-means');
	is(train('shape', q{'homes', NULL, algorithm => 'pca',
		exclude => ARRAY['id', 'price', 'band', 'rating', 'sold', 'district', 'code'],
		params => '{"n_components": 4}', preprocess => '{"*": {"impute": "median", "scale": "standard"}}'}),
		'1', 'shape 1: PCA');
}
if ($has{tune})
{
	is(sql(qq{SELECT version FROM mm_tune('price_tuned', 'homes_complete', 'price', algorithm => 'linear_regression',
		exclude => $numeric_only, search => '{"alpha": [0.01, 1, 100]}', folds => 3)}),
		'1', 'price_tuned 1: a grid search');
}
if ($has{export})
{
	is(sql(q{SELECT mm_import('band_copy', mm_export('band'))}), '1', 'band_copy 1: imported');
	# documents the release wrote, imported again after the upgrade
	sql(q{CREATE TABLE old_documents AS
	      SELECT model, production_version AS version, mm_export(model) AS document FROM mm.models});
}

# the release's own list of its algorithms, from its refusal of one it does not have
($ret, $out, $err) = $node->psql('postgres',
	q{SELECT mm_train('none', 'homes_complete', 'price', features => ARRAY['area'], algorithm => 'none')});
my ($supported) = $err =~ /Supported algorithms: (.*)\./;
is(sql(q{SELECT string_agg(DISTINCT algorithm, ' ' ORDER BY algorithm) FROM mm.versions}),
	join(' ', sort grep { $_ ne 'auto' } split /, /, $supported // ''),
	'there is a model of every algorithm the release has');

# The references to predict with: every version, and every stage.
sub references
{
	my ($versions_only) = @_;
	my $list = sql(q{
		SELECT v.model || '@' || v.version, v.task, v.relation, v.features, v.feature_types, v.target_type, v.algorithm
		  FROM mm.versions v
		 WHERE v.status = 'active'} . ($versions_only ? '' : q{
		UNION ALL
		SELECT d.model || CASE WHEN d.stage = 'production' THEN '' ELSE '@' || d.stage END,
		       v.task, v.relation, v.features, v.feature_types, v.target_type, v.algorithm
		  FROM mm.deployments d JOIN mm.versions v ON v.model = d.model AND v.version = d.version}) . q{
		ORDER BY 1});
	return { map { my @f = split /\|/, $_, -1; ($f[0] => [ @f[ 1 .. 6 ] ]) } split /\n/, $list };
}

# Every prediction of a reference on the rows of the relation it was trained
# on, one line per row: the numbers, labels, probabilities, distances or
# components its task gives, as bits (a classifier's label as a number too
# unless it is text, its probabilities when it has them); for a model of
# numbers only, the array form too.
sub predictions
{
	my ($refs) = @_;
	my %got;
	for my $ref (sort keys %$refs)
	{
		my ($task, $relation, $features, $types, $target_type, $algorithm) = @{ $refs->{$ref} };
		my @calls =
		    $task eq 'regression' ? ('mm_predict')
		  : $task eq 'classification'
		  ? (($target_type =~ /text|char/ ? () : ('mm_predict')), 'mm_predict_label',
			($algorithm eq 'logistic_regression' ? ('mm_predict_proba') : ()))
		  : $task eq 'clustering' ? ('mm_predict', 'mm_transform')
		  : ('mm_transform');
		my @values = map { "bits($_('$ref', h))" } @calls;
		my @names = split /,/, substr($features, 1, -1);
		my @kinds = split /,/, substr($types, 1, -1);
		if ($task eq 'regression' && !grep { /text|char/ } @kinds)
		{
			my $i = 0;
			push @values, "bits(mm_predict('$ref', ARRAY["
			  . join(', ', map { $kinds[ $i++ ] eq 'boolean' ? "h.${_}::int" : "h.$_" } @names)
			  . ']::float8[]))';
		}
		$got{$ref} = [ split /\n/,
			sql("SELECT id || ' ' || " . join(" || ' ' || ", @values) . " FROM $relation h ORDER BY id") ];
	}
	return \%got;
}

# every version's predictions, before one is archived (archived versions do not predict)
my $version_refs = references(1);
my %before = %{ predictions($version_refs) };
my $archived = 'price@3';
sql(q{SELECT mm_archive('price', 3)});
my %active_refs = map { $_ => $version_refs->{$_} } grep { $_ ne $archived } keys %$version_refs;

my %monitor;
if ($has{monitor})
{
	# drift on the shifted table; a quality check that passes; a rollback
	$monitor{alert} = sql(q{SELECT mm_monitor('price@1', 'homes_shifted', every => '1 second')});
	$monitor{quality} = sql(q{SELECT mm_monitor('band', 'homes', every => '1 second', label_column => 'band')});
	$monitor{rollback} = sql(q{SELECT mm_monitor('sold', 'homes_shifted', every => '1 second', action => 'rollback')});
	is(sql(qq{SELECT mm_monitor_run($monitor{alert}) ->> 'verdict'}), 'alert', 'the drift monitor alerts');
	is(sql(qq{SELECT mm_monitor_run($monitor{quality}) ->> 'verdict'}), 'ok', 'the quality monitor passes');
	is(sql(qq{SELECT mm_monitor_run($monitor{rollback}) #>> '{action,outcome}'}), 'done',
		'the rollback monitor rolls back');
	is(sql(q{SELECT version FROM mm.deployments WHERE model = 'sold' AND stage = 'production'}), '1',
		'sold serves 1 again');
}

my $stage_refs = references(0);
delete $stage_refs->{$_} for keys %$version_refs;
%before = (%before, %{ predictions($stage_refs) });

# the catalog as the release shows it: every view, with the columns it has
my %order = (models => 'model', versions => 'model, version', deployments => 'model, stage',
	deployment_history => 'id', audit_log => 'id', monitors => 'monitor', monitor_runs => 'id',
	alerts => 'id', trials => 'model, version, trial', grants => 'model, grantee, privilege');
my %columns = map { split /\|/ } split /\n/, sql(q{
	SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
	  FROM information_schema.columns WHERE table_schema = 'mm' AND table_name NOT LIKE '\_%'
	   AND table_name <> 'tune_progress'
	 GROUP BY table_name});
ok(exists $columns{$_}, "the release has view mm.$_") for qw(models versions deployments deployment_history audit_log);
# the logs grow after the upgrade: their rows up to here are the release's
my %last_id = map { $_ => sql("SELECT coalesce(max(id), 0) FROM mm.$_") }
  grep { exists $columns{$_} } qw(audit_log deployment_history monitor_runs alerts);
sub catalog
{
	return {
		map {
			$_ => sql("SELECT $columns{$_} FROM mm.$_"
				  . (exists $last_id{$_} ? " WHERE id <= $last_id{$_}" : '') . " ORDER BY $order{$_}")
		} keys %columns
	};
}
my $old_catalog = catalog();
like($old_catalog->{audit_log}, qr/\|error\|42704\|/, 'the audit log has the failed call');

######################################################################
# The upgrade: the current library into the same installation, a restart.
######################################################################

$node->stop;
my $library = "$tree/modelmgr.so";
-f $library or give_up("$tree is not built: run make first");
my $built_at = (stat $library)[9];
make_ok('the current tree is built, nothing to make', '-C', $tree, '-q', 'all', "PG_CONFIG=$pg_config")
  or give_up("$tree is not up to date: run make first (installing would rebuild it)");
make_ok('the current tree installs into the copy', '-C', $tree, '-s', 'install', "PG_CONFIG=$pg_config")
  or give_up('the current tree does not install: see the log');
is((stat $library)[9], $built_at, 'the install rebuilt nothing');
is(File::Compare::compare("$install/lib/modelmgr.so", $library), 0, 'the copy has the current library');
$node->start;

# the restarted server serves the release's models before the SQL objects follow
is_deeply(predictions(\%active_refs), { map { $_ => $before{$_} } keys %active_refs },
	'the current library predicts the same bits before ALTER EXTENSION UPDATE');
# (and refuses to train: what a new version records may not have its columns yet)
my $refused = '';
if ($release ne $current)
{
	($ret, $out, $err) = $node->psql('postgres',
		qq{SELECT version FROM mm_train('price', 'homes_complete', 'price', exclude => $numeric_only)});
	like($err, qr/extension modelmgr is installed at version \Q$release\E, and this library trains for \Q$current\E/,
		'training waits for ALTER EXTENSION UPDATE');
	$refused = 'mm_train error, ';
}

$node->psql('postgres', 'ALTER EXTENSION modelmgr UPDATE', on_error_die => 1);
my $release_models = sql(q{SELECT string_agg(name, ',') FROM mm._models});
is(sql(q{SELECT extversion FROM pg_extension WHERE extname = 'modelmgr'}), $current,
	"the database has modelmgr $current");

# what the release recorded is still there, row for row
my $new_catalog = catalog();
is($new_catalog->{$_}, $old_catalog->{$_}, "mm.$_ holds the release's rows unchanged") for sort keys %columns;

# the upgraded schema is the one a fresh install makes
my $schema = q{
	SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
	  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	 WHERE e.extname = 'modelmgr' AND d.deptype = 'e'
	UNION ALL
	SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
	       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
	       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
	       || CASE WHEN a.attcompression <> '' THEN ' compression ' || a.attcompression::text ELSE '' END
	  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	 WHERE c.relnamespace = 'mm'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) || ' ' || coalesce(c.relacl::text, '')
	  FROM pg_class c WHERE c.relnamespace = 'mm'::regnamespace AND c.relkind = 'v'
	UNION ALL
	SELECT 'acl ' || c.relname || ' ' || coalesce(c.relacl::text, '')
	  FROM pg_class c WHERE c.relnamespace = 'mm'::regnamespace
	UNION ALL
	SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
	  FROM pg_constraint WHERE connamespace = 'mm'::regnamespace
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid)
	  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'mm'::regnamespace
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	 WHERE c.relnamespace = 'mm'::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT 'function ' || pg_get_functiondef(p.oid) || ' ' || coalesce(p.proacl::text, '')
	  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  JOIN pg_extension e ON e.oid = d.refobjid
	 WHERE e.extname = 'modelmgr' AND p.prokind IN ('f', 'p')
	UNION ALL
	SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn || ' ' || a.aggcombinefn || ' '
	       || a.aggtranstype::regtype || ' ' || coalesce(a.agginitval, '')
	  FROM pg_aggregate a JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
	   AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid
	 WHERE e.extname = 'modelmgr'
	UNION ALL
	SELECT 'comment ' || pg_describe_object(ds.classoid, ds.objoid, ds.objsubid) || ' ' || ds.description
	  FROM pg_description ds JOIN pg_depend d ON d.classid = ds.classoid AND d.objid = ds.objoid
	   AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid
	 WHERE e.extname = 'modelmgr'
	UNION ALL
	SELECT 'dumped ' || c::regclass FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'modelmgr'
	ORDER BY 1};
sql('CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION modelmgr');
my $fresh = $node->safe_psql('fresh', $schema);
like($fresh, qr/^member function mm_predict\(text,record\)$/m, 'the schema lists the extension\'s objects');
is(sql($schema), $fresh, 'the upgraded schema is the one a fresh install makes');

is_deeply(predictions(\%active_refs), { map { $_ => $before{$_} } keys %active_refs },
	'every version predicts the same bits after ALTER EXTENSION UPDATE');
is_deeply(predictions($stage_refs), { map { $_ => $before{$_} } keys %$stage_refs },
	'every stage serves the same version: the same bits');

######################################################################
# Export: every version of the release, exported and imported again,
# predicts as it did; documents the release wrote import too.
######################################################################

for my $ref (sort keys %active_refs)
{
	my ($model, $version) = split /@/, $ref;
	my $copy = "${model}_${version}_copy";
	is(sql(qq{SELECT mm_import('$copy', mm_export('$ref'))}), '1', "$ref exported and imported as $copy");
	is_deeply(predictions({ $copy => $active_refs{$ref} })->{$copy}, $before{$ref},
		"$copy predicts the bits $ref predicted before the upgrade");
}
is(sql(q{SELECT (mm_export('price@1') - 'provenance') = (mm_export('price_1_copy') - 'provenance')}), 't',
	'an imported copy exports the document of its original');
if ($has{export})
{
	for (split /\n/, sql('SELECT model, version FROM old_documents ORDER BY model'))
	{
		my ($model, $version) = split /\|/;
		my $copy = "${model}_old_document";
		is(sql(qq{SELECT mm_import('$copy', document) FROM old_documents WHERE model = '$model'}),
			'1', "the document release $release wrote of $model\@$version imports");
		is_deeply(predictions({ $copy => $version_refs->{"$model\@$version"} })->{$copy},
			$before{"$model\@$version"}, "and predicts the bits $model\@$version predicted before the upgrade");
	}
}

######################################################################
# Management goes on where the release left it.
######################################################################

is(train('price', qq{'homes_complete', 'price', exclude => $numeric_only, deploy => 'never'}), '5',
	'a new version of price takes the number after the purged 4');
is(sql(q{SELECT mm_deploy('price', 5)}), '5', 'and deploys');
is(sql(q{SELECT mm_rollback('price')}), '1', 'a rollback returns to the version the release deployed');
($ret, $out, $err) = $node->psql('postgres', q{SELECT mm_deploy('price', 3)});
like($err, qr/cannot deploy version 3 of model "price": it is archived/, 'the archived version stays archived');
sql(q{SELECT mm_restore('price', 3)});
is_deeply(predictions({ 'price@3' => $version_refs->{'price@3'} }), { 'price@3' => $before{'price@3'} },
	'restored, the version archived by the release predicts the same bits');
is(sql(q{SELECT mm_deploy('price', 3, 'staging')}), '3', 'it deploys to staging');
is(sql(q{SELECT mm_rollback('price', 'staging')}), '2', 'staging rolls back to what the release deployed there');
sql(q{SELECT mm_archive('price', 3)});
sql(q{SELECT mm_annotate('price', 'house prices, upgraded', '{"upgraded": true}')});
is(sql(q{SELECT description || ' ' || tags::text || ' ' || production_version FROM mm.models WHERE model = 'price'}),
	'house prices, upgraded {"upgraded": true} 1', 'annotated');
is(sql(qq{SELECT string_agg(stage || ' ' || action || ' ' || version || ' ' || previous_version, ', ' ORDER BY id)
	FROM mm.deployment_history WHERE id > $last_id{deployment_history} AND model = 'price'}),
	'production deploy 5 1, production rollback 1 5, staging deploy 3 2, staging rollback 2 3',
	'the deployment history goes on after the release\'s rows');
is(sql(qq{SELECT string_agg(function || ' ' || outcome, ', ' ORDER BY id)
	FROM mm.audit_log WHERE id > $last_id{audit_log} AND model = 'price'}),
	$refused . 'mm_train ok, mm_deploy ok, mm_rollback ok, mm_deploy error, mm_restore ok, mm_deploy ok, mm_rollback ok, '
	  . 'mm_archive ok, mm_annotate ok',
	'and so does the audit log');
my $dropped = $has{classify} ? 'groups' : 'price_1_copy';
my $history = sql(qq{SELECT string_agg(id || ' ' || action, ', ' ORDER BY id) FROM mm.deployment_history
	WHERE model = '$dropped'});
sql(qq{SELECT mm_drop_model('$dropped')});
is(sql(qq{SELECT count(*) FROM mm.models WHERE model = '$dropped'}), '0', "$dropped, made by the release, is dropped");
like(sql(qq{SELECT string_agg(id || ' ' || action, ', ' ORDER BY id) FROM mm.deployment_history
	WHERE model = '$dropped'}), qr/^\Q$history\E, \d+ undeploy$/, 'its history stays, its stage emptied after it');
if ($has{classify})
{
	my $parent = sql(q{SELECT production_version FROM mm.models WHERE model = 'rating'});
	is(sql(q{SELECT version FROM mm_retrain('rating')}), '3', 'a version of the release retrains');
	is(sql(qq{SELECT count(*) FROM mm.versions a JOIN mm.versions b ON a.model = b.model
		WHERE a.model = 'rating' AND a.version = $parent AND b.version = 3 AND b.parent_version = a.version
		  AND a.features = b.features AND a.params = b.params AND a.preprocess = b.preprocess
		  AND a.relation = b.relation}), '1', 'from the recipe of the version production serves');
}
if ($has{tune})
{
	is(sql(q{SELECT version FROM mm_tune('price_tuned', 'homes_complete', 'price', algorithm => 'linear_regression',
		exclude => ARRAY['id', 'band', 'rating', 'sold', 'district', 'code'], search => '{"alpha": [0.01, 1, 100]}',
		folds => 3, deploy => 'never')}), '2', 'a tuned model tunes again');
	is(sql(q{SELECT string_agg(version || ':' || count, ' ' ORDER BY version)
		FROM (SELECT version, count(*) FROM mm.trials WHERE model = 'price_tuned' GROUP BY version) t}),
		'1:3 2:3', 'with the trials of both searches');
}

######################################################################
# Monitoring: the release's monitors run by hand, then in the workers.
######################################################################

if ($has{monitor})
{
	for my $m (sort keys %monitor)
	{
		my $last = sql(qq{SELECT verdict || ' ' || version FROM mm.monitor_runs WHERE monitor = $monitor{$m}
			ORDER BY id DESC LIMIT 1});
		my $alerts = sql(qq{SELECT string_agg(scope || ' ' || coalesce(feature, '') || ' ' || metric, ', '
			ORDER BY scope, feature, metric) FROM mm.alerts WHERE run = (SELECT max(id) FROM mm.monitor_runs
			WHERE monitor = $monitor{$m})});
		my $run = sql(qq{SELECT mm_monitor_run($monitor{$m}) ->> 'run'});
		if ($m eq 'rollback')
		{
			# production is the version rolled back to, which fits the shifted rows no better
			is(sql(qq{SELECT verdict || ' ' || version || ' ' || (action ->> 'outcome') FROM mm.monitor_runs WHERE id = $run}),
				'alert 1 skipped', "the $m monitor checks again, within its cooldown");
			next;
		}
		is(sql(qq{SELECT verdict || ' ' || version FROM mm.monitor_runs WHERE id = $run}), $last,
			"the $m monitor gives the release's verdict");
		is(sql(qq{SELECT string_agg(scope || ' ' || coalesce(feature, '') || ' ' || metric, ', '
			ORDER BY scope, feature, metric) FROM mm.alerts WHERE run = $run}), $alerts, 'with the same alerts');
	}
	like(sql(qq{SELECT result::text FROM mm.monitor_runs WHERE monitor = $monitor{quality} ORDER BY id DESC LIMIT 1}),
		qr/"quality": \{.*"accuracy"/, 'the quality monitor scores the labels');
	is(sql(q{SELECT version FROM mm.deployments WHERE model = 'sold' AND stage = 'production'}), '1',
		'the cooldown holds: no second rollback');

	my $runs = sql('SELECT max(id) FROM mm.monitor_runs');
	sql(q{ALTER SYSTEM SET modelmgr.monitor_enabled = on; SELECT pg_reload_conf()});
	for my $m (sort keys %monitor)
	{
		ok($node->poll_query_until('postgres', qq{SELECT count(*) > 0 FROM mm.monitor_runs
				WHERE monitor = $monitor{$m} AND via = 'worker' AND id > $runs AND verdict <> 'failed'}),
			"a worker runs the $m monitor");
	}
	is(sql(qq{SELECT count(*) FROM mm.monitor_runs WHERE id > $runs AND verdict = 'failed'}), '0',
		'and no run fails');
}

# Before privileges every role could use every model: the upgrade keeps that
# for the models it finds (use, granted to public), and nothing more; a model
# made after it is private.
if (!$has{privileges} && sql(q{SELECT count(*) FROM pg_proc WHERE proname = 'mm_grant'}) eq '1')
{
	sql(q{CREATE ROLE upgrade_reader});
	my $models = sql(qq{SELECT string_agg(name, ',' ORDER BY name) FROM mm._models
		WHERE name = ANY (string_to_array('$release_models', ','))});
	is($node->safe_psql('postgres', q{SET ROLE upgrade_reader;
			SELECT string_agg(model, ',' ORDER BY model) FROM mm.models
			 WHERE privileges = '{use}' AND mm_has_privilege(model, 'use')
			   AND NOT mm_has_privilege(model, 'train, deploy')}),
		$models, 'an ordinary role may use every model the release made, and only use it; later models are private');
	my ($ret, $out, $err) = $node->psql('postgres', q{SET ROLE upgrade_reader; SELECT mm_rollback('price')});
	like($err, qr/permission denied for model "price"/, 'deploying stays with the owners');
	sql(q{DROP ROLE upgrade_reader});
}

$node->stop;
done_testing();
