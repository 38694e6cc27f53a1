#!/usr/bin/env bash
# modelmgr on Citus: a coordinator and two workers on this machine, and each
# operation timed on a table spread over 32 shards against a local copy of the
# same rows on the coordinator.  Prints a markdown table for doc/scaling.md's
# "Measured times".
#
#     bash bench/citus.sh       (as root; builds, installs, starts three servers of its own)
#
# The rows are doc/scaling.md's sessions (ROWS of them, default 200,000), with
# a third number, a class of three, a numeric target and a timestamp:
# sessions_dist holds them in 32 shards, sessions on the coordinator.  Each
# operation runs once on each table as a check, then RUNS times each (default
# 5), alternating, in the same session; the table gives the median times, the
# ratio of the medians and, in brackets, of the minimums.
#
#   pushed down  during the check, with citus.log_remote_commands on and
#                citus.coordinator_aggregation_strategy = 'disabled' (an
#                aggregate that cannot run on the shards fails), the queries
#                sent to the shards are counted, and those that read raw rows:
#                no aggregate (modelmgr's partial states or a plain sum), no
#                LIMIT, no TABLESAMPLE, no count(*) per group
#   equal        after the timed runs, the newest result of each side compared:
#                coefficients (1e-9 for linear models, 1e-6 for iterative
#                fits), transforms of every local row (PCA, and the distances
#                to k-means' centers), the winner and every fold's score of a
#                search, the metrics of an evaluation and a check; the largest
#                relative difference found is shown
# The local copy trains in memory, except the logistic search, the forest and
# the boosting: the distributed ones run in passes, and are compared with the local copy's
# in passes (modelmgr.train_in_passes on for both).
#
# The servers share the machine's cores, so the ratios measure Citus' costs,
# not a speed-up.  The 1-minute load average is read before each operation,
# and its range printed with the table: other work on the machine makes the
# times noisy, and the ratios of the minimums show how much.
#
#   MM_BENCH_CITUS_PORT  the coordinator's port (default 55441; the workers the next two)
#   MM_BENCH_CITUS_DIR   the clusters, their logs and sockets (default /var/tmp/modelmgr-bench-citus)
#   MM_BENCH_PG_CONFIG   a PostgreSQL other than the system's, for the build, Citus and the servers
#   MM_CITUS_BUILD       where Citus is built when it is missing

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-200000}
RUNS=${RUNS:-5}
CPORT=${MM_BENCH_CITUS_PORT:-55441}
CDIR=${MM_BENCH_CITUS_DIR:-/var/tmp/modelmgr-bench-citus}
PGC=${BENCH_PG_CONFIG:-$PG_BIN/pg_config}
NODES=(coordinator worker1 worker2)

require_root
install_deps
# a build for another PostgreSQL is kept apart from the system's
if [ -n "$BENCH_PG_CONFIG" ]; then
    install_citus "${MM_CITUS_BUILD:-$CDIR/citus-build}" "$PGC"
else
    install_citus "${MM_CITUS_BUILD:-/var/tmp/modelmgr-citus}" "$PGC"
fi
[ -f "$("$PGC" --pkglibdir)/citus.so" ] ||
    die "Citus is not installed in $("$PGC" --pkglibdir), nor could it be built from $CITUS_VENDOR (MM_CITUS_VENDOR names another copy)"
bench_build_install

stop_nodes() {
    local node
    for node in "${NODES[@]}"; do
        if as_pg "$PG_BIN/pg_ctl" -D "$CDIR/$node" status >/dev/null 2>&1; then
            as_pg "$PG_BIN/pg_ctl" -D "$CDIR/$node" -w -m fast stop >/dev/null
        fi
    done
}

# fresh clusters each run: nothing of an earlier run's models or tables is left
stop_nodes
mkdir -p "$CDIR"
for node in "${NODES[@]}"; do rm -rf "${CDIR:?}/$node"; done
chown "$PG_USER": "$CDIR"
trap stop_nodes EXIT
for i in 0 1 2; do
    start_server "$CDIR/${NODES[i]}" $((CPORT + i)) "$CDIR" "$CDIR/${NODES[i]}.log" <<EOF
shared_preload_libraries = 'citus,modelmgr'
citus.node_conninfo = 'sslmode=disable'
max_worker_processes = 16
shared_buffers = '512MB'
modelmgr.monitor_enabled = off
EOF
done

psql_node() {
    local port=$1
    shift
    "$PG_BIN/psql" -X -q -h "$CDIR" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}
psql_coordinator() { psql_node "$CPORT" "$@"; }

say "a coordinator and two workers"
for i in 0 1 2; do psql_node $((CPORT + i)) -c 'CREATE EXTENSION citus'; done
# nodes are named by their socket directory, as Citus connects through it
psql_coordinator -o /dev/null -c "SELECT citus_set_coordinator_host('$CDIR', $CPORT)" \
    -c "SELECT citus_add_node('$CDIR', $((CPORT + 1)))" -c "SELECT citus_add_node('$CDIR', $((CPORT + 2)))" \
    -c 'CREATE EXTENSION modelmgr'
psql_coordinator -o /dev/null <"$PROJECT/test/fixtures/json_diff.sql"

say "loading $ROWS rows, 32 shards and a local copy"
psql_coordinator -o /dev/null <<EOF
SET client_min_messages = warning;
-- doc/scaling.md's sessions, and visits, a plan of three, the spend and a time
CREATE TABLE sessions AS
SELECT g AS id, (g % 97) / 97.0::float8 AS pages, ((g * 31) % 89) / 89.0::float8 AS minutes,
       ((g * 13) % 11) / 11.0::float8 AS visits,
       (ARRAY['web', 'app', 'mail'])[1 + g % 3] AS channel,
       2 * ((g % 97) / 97.0) - ((g * 31) % 89) / 89.0 + 0.3 * (g % 3) + ((g * 7919) % 1000) / 1000.0 > 1.3 AS bought,
       CASE WHEN (g % 97) / 97.0 + ((g * 13) % 11) / 11.0 + ((g * 104729) % 1000) / 2000.0 < 1 THEN 'basic'
            WHEN (g % 97) / 97.0 + ((g * 13) % 11) / 11.0 + ((g * 104729) % 1000) / 2000.0 < 1.5 THEN 'plus'
            ELSE 'pro' END AS plan,
       (20 * ((g % 97) / 97.0) - 5 * (((g * 31) % 89) / 89.0) + 3 * (((g * 13) % 11) / 11.0) + 2 * (g % 3)
        + ((g * 6007) % 1000) / 250.0)::float8 AS spend,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '30 seconds' AS at
  FROM generate_series(1::bigint, $ROWS) g;  -- bigint: the products stay in range for any ROWS
CREATE TABLE sessions_dist (LIKE sessions);
SELECT create_distributed_table('sessions_dist', 'id', shard_count => 32);
INSERT INTO sessions_dist SELECT * FROM sessions;
VACUUM ANALYZE sessions;
VACUUM ANALYZE sessions_dist;

-- the models evaluated, checked and predicting, trained once on the local copy
SELECT version FROM mm_train('bench_reg', 'sessions', 'spend', algorithm => 'linear_regression',
                             features => ARRAY['pages', 'minutes', 'visits']);
SELECT version FROM mm_train('bench_cls', 'sessions', 'bought', algorithm => 'logistic_regression',
                             features => ARRAY['pages', 'minutes', 'visits', 'channel'],
                             preprocess => '{"*": {"scale": "standard"}}');
SELECT version FROM mm_train('bench_forest', 'sessions', 'spend', algorithm => 'random_forest',
                             features => ARRAY['pages', 'minutes', 'visits', 'channel'],
                             params => '{"n_estimators": 20, "max_depth": 6}');
CREATE TABLE bench_monitors AS
SELECT relation, mm_monitor('bench_cls', relation, label_column => 'bought') AS monitor
  FROM unnest(ARRAY['sessions_dist', 'sessions']) relation;

-- The differences between a model (or result) of the distributed table and of
-- the local copy: json_diff (test/fixtures/json_diff.sql), loaded before.

CREATE FUNCTION bench_coef_diff(m text) RETURNS float8 LANGUAGE sql AS \$\$
    SELECT CASE WHEN count(*) = (SELECT count(*) FROM mm_coefficients(m || '_dist'))
                 AND count(*) = (SELECT count(*) FROM mm_coefficients(m || '_local'))
                THEN coalesce(max(abs(a.coef - b.coef) / greatest(1, abs(b.coef))), 'infinity')
                ELSE 'infinity' END
      FROM mm_coefficients(m || '_dist') a JOIN mm_coefficients(m || '_local') b
           ON a.feature = b.feature AND a.class IS NOT DISTINCT FROM b.class
\$\$;

CREATE FUNCTION bench_transform_diff(m text) RETURNS float8 LANGUAGE sql AS \$\$
    SELECT max(coalesce(abs(a - b) / greatest(1, abs(b)), 'infinity'))
      FROM sessions l, unnest(mm_transform(m || '_dist', l), mm_transform(m || '_local', l)) t(a, b)
\$\$;

-- a search: the same winner, and every candidate's folds scored alike
CREATE FUNCTION bench_tune_diff(m text) RETURNS float8 LANGUAGE sql AS \$\$
    WITH newest AS (SELECT model, params, version FROM mm.versions v
                     WHERE model IN (m || '_dist', m || '_local')
                       AND version = (SELECT max(version) FROM mm.versions w WHERE w.model = v.model)),
         a AS (SELECT t.* FROM mm.trials t JOIN newest n USING (model, version) WHERE model = m || '_dist'),
         b AS (SELECT t.* FROM mm.trials t JOIN newest n USING (model, version) WHERE model = m || '_local'),
         pairs AS (SELECT a.status = b.status AND a.params = b.params AS alike, s, t
                     FROM a JOIN b USING (trial) LEFT JOIN LATERAL unnest(a.fold_scores, b.fold_scores) f(s, t) ON true)
    SELECT CASE WHEN (SELECT count(*) FROM a) = 0
                  OR (SELECT count(*) FROM a) <> (SELECT count(*) FROM b)
                  OR (SELECT count(DISTINCT trial) FROM a JOIN b USING (trial)) <> (SELECT count(*) FROM a)
                  OR (SELECT count(DISTINCT params) FROM newest) <> 1
                  OR EXISTS (SELECT FROM pairs WHERE NOT alike OR (s IS NULL) <> (t IS NULL))
                THEN 'infinity'
                ELSE coalesce((SELECT max(abs(s - t) / greatest(1, abs(t))) FROM pairs), 0) END
\$\$;

-- two tree models: 0 when their trees are the same, node for node
CREATE FUNCTION bench_trees_diff(m text) RETURNS float8 LANGUAGE sql AS \$\$
    SELECT CASE WHEN (SELECT d #> '{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(m || '_dist') d)
                   = (SELECT d #> '{model,booster,learner,gradient_booster,model,trees}' FROM mm_export(m || '_local') d)
                THEN 0 ELSE 'infinity'::float8 END
\$\$;

-- an evaluation: the same counts, the AUC within its histogram's 1e-4, the rest as numbers
CREATE FUNCTION bench_evaluate_diff(m text) RETURNS float8 LANGUAGE sql AS \$\$
    SELECT CASE WHEN (d -> 'rows', d -> 'confusion_matrix') IS DISTINCT FROM (l -> 'rows', l -> 'confusion_matrix')
                  OR abs(coalesce((d ->> 'roc_auc')::float8 - (l ->> 'roc_auc')::float8, 0)) >= 1e-4
                THEN 'infinity'
                ELSE json_diff(d - 'roc_auc', l - 'roc_auc') END
      FROM (SELECT mm_evaluate(m, 'sessions_dist') AS d, mm_evaluate(m, 'sessions') AS l) e
\$\$;

CREATE FUNCTION bench_monitor_diff() RETURNS float8 LANGUAGE sql AS \$\$
    SELECT json_diff((SELECT mm_monitor_run(monitor) - 'run' - 'monitor' FROM bench_monitors WHERE relation = 'sessions_dist'),
                           (SELECT mm_monitor_run(monitor) - 'run' - 'monitor' FROM bench_monitors WHERE relation = 'sessions'))
\$\$;
EOF

# The queries a check sent to the shards of sessions_dist (its log on
# standard input): "shard queries raw-reads".
shard_queries() {
    awk '/NOTICE: +issuing / && /sessions_dist_[0-9]+/ {
             n++
             if ($0 !~ /worker_partial_agg|[^a-z_](sum|count|avg|min|max)\(|LIMIT|TABLESAMPLE/) raw++
         }
         END { printf "%d %d\n", n, raw }'
}

# A whole number with its thousands set apart: 200,000.
group_digits() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$1"; }

# The median and the minimum of numbers, one a line: "median min".
median_min() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1] }'; }

FAILED=0
ROWS_OUT=()
LOADS=()

# measure LABEL EQUAL TOLERANCE COMPARE STATEMENT [SETTINGS]
# STATEMENT runs with @T@ the relation and @S@ a model's suffix: on
# sessions_dist with _dist, on sessions with _local; SETTINGS open the
# session.  COMPARE is a query of the two sides' difference (see the
# functions above), within TOLERANCE when they are EQUAL.
measure() {
    local label=$1 equal=$2 tolerance=$3 compare=$4 statement=$5 settings=${6:-}
    local on_dist on_local script out times queries raw pushed diff dist_t dist_min local_t local_min
    on_dist=${statement//@T@/sessions_dist}
    on_dist=${on_dist//@S@/_dist}
    on_local=${statement//@T@/sessions}
    on_local=${on_local//@S@/_local}
    LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
    printf '%s ... ' "$label" >&2
    script=$(printf '%s\n' "$settings" \
        "SET citus.log_remote_commands = on;" "SET citus.coordinator_aggregation_strategy = 'disabled';" \
        "$on_dist;" "RESET citus.log_remote_commands;" "RESET citus.coordinator_aggregation_strategy;" \
        "$on_local;" "SET client_min_messages = warning;" '\timing on'
        for _ in $(seq "$RUNS"); do printf '%s;\n%s;\n' "$on_dist" "$on_local"; done)
    if ! out=$(psql_coordinator -o /dev/null <<<"$script" 2>&1); then
        printf 'failed\n' >&2
        printf '%s\n' "$out" | grep -E '^(psql:.*)?(ERROR|DETAIL|HINT|CONTEXT):' >&2 || printf '%s\n' "$out" | tail -5 >&2
        ROWS_OUT+=("| $label | — | **failed** (see the error above) | — | — | — |")
        FAILED=1
        return 0
    fi
    read -r queries raw <<<"$(shard_queries <<<"$out")"
    if [ "$queries" -eq 0 ]; then
        pushed="**no query reached the shards**"
        FAILED=1
    elif [ "$raw" -eq 0 ]; then
        pushed="yes ($(group_digits "$queries") shard queries)"
    else
        pushed="**no**: $raw of $queries shard queries read raw rows"
        FAILED=1
    fi
    times=$(awk '/^Time:/ { print $2 }' <<<"$out")
    read -r dist_t dist_min <<<"$(awk 'NR % 2 == 1' <<<"$times" | median_min)"
    read -r local_t local_min <<<"$(awk 'NR % 2 == 0' <<<"$times" | median_min)"
    diff=$(psql_coordinator -At -c "SET client_min_messages = warning" -c "$compare" 2>&1 | tail -1) || true
    if awk -v d="$diff" -v t="$tolerance" 'BEGIN { exit !(d ~ /^[-+0-9.e]+$/ && d + 0 <= t + 0) }'; then
        equal=$(awk -v e="$equal" -v d="$diff" 'BEGIN { printf(d == 0 ? "%s (exactly)" : "%s (%.0e)", e, d) }')
    else
        equal="**no**: $equal, found $diff"
        FAILED=1
    fi
    printf 'done\n' >&2
    ROWS_OUT+=("$(printf '| %s | %s | %s | %s ms | %s ms | %s |' "$label" "$pushed" "$equal" \
        "$(group_digits "$(printf '%.0f' "$dist_t")")" "$(group_digits "$(printf '%.0f' "$local_t")")" \
        "$(awk -v d="$dist_t" -v dm="$dist_min" -v o="$local_t" -v om="$local_min" \
               'BEGIN { printf "%.1f (%.1f)", d / o, dm / om }')")")
}

NUM="features => ARRAY['pages', 'minutes', 'visits']"
TXT="features => ARRAY['pages', 'minutes', 'visits', 'channel']"
STD="preprocess => '{\"*\": {\"scale\": \"standard\"}}'"
say "timing: $RUNS runs each, alternating, after one checked run of each"
measure '`mm_train` linear regression' 'coefficients to 1e-9' 1e-9 "SELECT bench_coef_diff('ols')" \
    "SELECT version FROM mm_train('ols@S@', '@T@', 'spend', algorithm => 'linear_regression', $NUM, deploy => 'always')"
measure '`mm_train` ridge (`alpha` 1)' 'coefficients to 1e-9' 1e-9 "SELECT bench_coef_diff('ridge')" \
    "SELECT version FROM mm_train('ridge@S@', '@T@', 'spend', algorithm => 'linear_regression', $NUM,
                                  params => '{\"alpha\": 1}', deploy => 'always')"
measure '`mm_train` PCA' 'transforms to 1e-9' 1e-9 "SELECT bench_transform_diff('pca')" \
    "SELECT version FROM mm_train('pca@S@', '@T@', NULL, algorithm => 'pca', $NUM, deploy => 'always')"
measure '`mm_train` linear regression, a text feature, median imputation, standard scaling' \
    'coefficients to 1e-9' 1e-9 "SELECT bench_coef_diff('ols_text')" \
    "SELECT version FROM mm_train('ols_text@S@', '@T@', 'spend', algorithm => 'linear_regression', $TXT,
                                  preprocess => '{\"*\": {\"impute\": \"median\", \"scale\": \"standard\"}}', deploy => 'always')"
measure '`mm_train` logistic regression' 'coefficients to 1e-6' 1e-6 "SELECT bench_coef_diff('logit')" \
    "SELECT version FROM mm_train('logit@S@', '@T@', 'bought', algorithm => 'logistic_regression', $NUM, deploy => 'always')"
measure '`mm_train` logistic regression, a text feature, standard scaling' 'coefficients to 1e-6' 1e-6 \
    "SELECT bench_coef_diff('logit_text')" \
    "SELECT version FROM mm_train('logit_text@S@', '@T@', 'bought', algorithm => 'logistic_regression', $TXT, $STD,
                                  deploy => 'always')"
measure '`mm_train` multinomial logistic regression (3 classes), a text feature' 'coefficients to 1e-6' 1e-6 \
    "SELECT bench_coef_diff('multinomial')" \
    "SELECT version FROM mm_train('multinomial@S@', '@T@', 'plan', algorithm => 'logistic_regression', $TXT,
                                  deploy => 'always')"
measure '`mm_train` linear SVM (squared hinge), a text feature, standard scaling' 'coefficients to 1e-6' 1e-6 \
    "SELECT bench_coef_diff('svm')" \
    "SELECT version FROM mm_train('svm@S@', '@T@', 'bought', algorithm => 'linear_svm', $TXT, $STD,
                                  params => '{\"loss\": \"squared_hinge\"}', deploy => 'always')"
measure '`mm_train` k-means (`k` 3), a text feature, standard scaling' 'the distances to the centers to 1e-9' 1e-9 \
    "SELECT bench_transform_diff('kmeans')" \
    "SELECT version FROM mm_train('kmeans@S@', '@T@', NULL, algorithm => 'kmeans', $TXT, $STD,
                                  params => '{\"k\": 3}', deploy => 'always')"
measure '`mm_tune` linear regression (its default grid, 20 `alpha`s, 5 folds)' 'the winner, every fold to 1e-9' 1e-9 \
    "SELECT bench_tune_diff('tune_lin')" \
    "SELECT version FROM mm_tune('tune_lin@S@', '@T@', 'spend', algorithm => 'linear_regression', $NUM,
                                 folds => 5, deploy => 'always')"
measure '`mm_tune` logistic regression (3 `alpha`s, 3 folds), a text feature, standard scaling; the local copy in passes' \
    'the winner, every fold to 1e-6' 1e-6 "SELECT bench_tune_diff('tune_logit')" \
    "SELECT version FROM mm_tune('tune_logit@S@', '@T@', 'bought', algorithm => 'logistic_regression', $TXT, $STD,
                                 search => '{\"alpha\": [0.01, 0.1, 1]}', folds => 3, deploy => 'always')" \
    "SET modelmgr.train_in_passes = on;"
measure '`mm_train` random forest (20 trees of depth 6), a text feature; the local copy in passes' 'the same trees' 0 \
    "SELECT bench_trees_diff('forest')" \
    "SELECT version FROM mm_train('forest@S@', '@T@', 'bought', algorithm => 'random_forest', $TXT,
                                  params => '{\"n_estimators\": 20, \"max_depth\": 6}', deploy => 'always')" \
    "SET modelmgr.train_in_passes = on;"
measure '`mm_train` gradient boosting (10 rounds of depth 4), a text feature; the local copy in passes' 'the same trees' 0 \
    "SELECT bench_trees_diff('boost')" \
    "SELECT version FROM mm_train('boost@S@', '@T@', 'bought', algorithm => 'gradient_boosting', $TXT,
                                  params => '{\"n_estimators\": 10, \"max_depth\": 4}', deploy => 'always')" \
    "SET modelmgr.train_in_passes = on;"
measure '`mm_evaluate` linear regression' 'metrics to 1e-9' 1e-9 "SELECT bench_evaluate_diff('bench_reg')" \
    "SELECT mm_evaluate('bench_reg', '@T@')"
measure '`mm_evaluate` logistic regression, a text feature, standard scaling' 'counts, metrics to 1e-9, AUC to 1e-4' 1e-9 \
    "SELECT bench_evaluate_diff('bench_cls')" \
    "SELECT mm_evaluate('bench_cls', '@T@')"
measure '`mm_evaluate` random forest regression (20 trees of depth 6)' 'metrics to 1e-9' 1e-9 \
    "SELECT bench_evaluate_diff('bench_forest')" \
    "SELECT mm_evaluate('bench_forest', '@T@')"
measure '`mm_monitor_run` of that classifier, with its labels' 'every number' 0 "SELECT bench_monitor_diff()" \
    "SELECT mm_monitor_run(monitor) FROM bench_monitors WHERE relation = '@T@'"
measure '`sum(mm_predict(...))` over the table' 'every row bit for bit' 0 \
    "SELECT CASE WHEN (SELECT array_agg(mm_predict('bench_reg', r) ORDER BY id) FROM sessions_dist r)
                    = (SELECT array_agg(mm_predict('bench_reg', r) ORDER BY id) FROM sessions r) THEN 0 ELSE 'infinity'::float8 END" \
    "SELECT sum(mm_predict('bench_reg', r)) FROM @T@ r"
measure '`sum()` of the four numeric columns (a bare scan)' 'sums to 1e-9' 1e-9 \
    "SELECT greatest(abs(d.a - l.a) / greatest(1, abs(l.a)), abs(d.b - l.b) / greatest(1, abs(l.b)),
                     abs(d.c - l.c) / greatest(1, abs(l.c)), abs(d.s - l.s) / greatest(1, abs(l.s)))
       FROM (SELECT sum(pages) a, sum(minutes) b, sum(visits) c, sum(spend) s FROM sessions_dist) d,
            (SELECT sum(pages) a, sum(minutes) b, sum(visits) c, sum(spend) s FROM sessions) l" \
    "SELECT sum(pages), sum(minutes), sum(visits), sum(spend) FROM @T@"

read -r load_min load_max <<<"$(printf '%s\n' "${LOADS[@]}" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { print a, b }')"
say "results"
printf '%s rows, 32 shards on a coordinator and two workers sharing this machine (%s cores); the median of %s runs each,\n' \
    "$(group_digits "$ROWS")" "$(nproc)" "$RUNS"
printf 'distributed and local alternating, measured %s UTC with a 1-minute load average of %s to %s (bench/citus.sh):\n\n' \
    "$(date -u '+%Y-%m-%d %H:%M')" "$load_min" "$load_max"
printf '| Operation | Pushed down | Equal to local | Distributed | Local | Ratio of the medians (of the minimums) |\n'
printf '|---|---|---|---|---|---|\n'
printf '%s\n' "${ROWS_OUT[@]}"
[ "$FAILED" -eq 0 ] || die "an operation failed, was not pushed down or differed from the local copy's (marked above)"
