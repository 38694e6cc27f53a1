#!/usr/bin/env bash
# Training in passes: memory that stays flat past modelmgr.max_train_memory,
# and what a pass costs, measured side by side in one run.
#
#     bash bench/passes.sh             (as root; builds, installs, starts its own server)
#
#   memory   on BIG rows (default 10,000,000) of 10 features, with
#            modelmgr.max_train_memory = 64MB: logistic regression, k-means,
#            a random forest (20 trees of depth 8) and gradient boosting (10
#            rounds of depth 6) train in passes (the rows
#            would take about 900 MB in memory); the
#            training backend's peak private memory is sampled from /proc
#            (shared buffers are not counted; parallel workers are processes
#            of their own, each a scan of its share, and are not counted)
#   passes   on ROWS rows (default 1,000,000): each training in memory and in
#            passes (modelmgr.train_in_passes; linear regression also dropping
#            duplicate rows, of which the table has none, so that each pass
#            groups a million rows; the forest of 20 trees of depth 8 and 10
#            rounds of boosting of depth 6 grown on histograms in passes, by
#            XGBoost in memory), and one pass of it over a bare
#            scan of the same columns, SELECT sum(x1), ..., sum(x10), sum(y);
#            the metrics pass of the logistic regression (both parts), one
#            Lloyd pass of k-means and one Newton pass of the squared-hinge
#            SVM likewise; and the first read of a training in passes (the
#            column profile and statistics, with a classifier's labels) over
#            the same scan (and with a text feature of 16 values, over the
#            scan of its columns and the text's); and that first read timed
#            as a whole statement, a training that stops right after it (its
#            label has one class), less the same statement's fixed cost on
#            1,000 rows
# Each timed pair runs RUNS times, interleaved; the ratios of the minimum
# and of the median times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
BIG=${BIG:-10000000}
RUNS=${RUNS:-5}

bench_prepare

say "loading $ROWS and $BIG rows of 10 features"
psql_bench -o /dev/null <<EOF
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS pass_bench, pass_big CASCADE;
SELECT setseed(0.75);
CREATE TABLE pass_big AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       random() < 1 / (1 + exp(-(0.5 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 1.5*x10))) AS y
  FROM (SELECT random() - 0.5 x1, random() - 0.5 x2, random() - 0.5 x3, random() - 0.5 x4, random() - 0.5 x5,
               random() - 0.5 x6, random() - 0.5 x7, random() - 0.5 x8, random() - 0.5 x9, random() - 0.5 x10
          FROM generate_series(1, $BIG)) r;
CREATE TABLE pass_bench AS SELECT * FROM pass_big LIMIT $ROWS;
DROP TABLE IF EXISTS pass_bench_text;
CREATE TABLE pass_bench_text AS
SELECT *, 'city ' || (pg_catalog.hashfloat8(x1) & 15) AS city FROM pass_bench;
VACUUM ANALYZE pass_big, pass_bench, pass_bench_text;
EOF

# Peak private memory (RssAnon, kB) of the backend running the statement $1,
# the memory it held before it, and the statement's time: "peak_kb start_kb seconds".
peak_private() {
    local statement=$1 pid peak=0 first="" kb start end
    start=$(date +%s.%N)
    PGAPPNAME=mm_bench_passes psql_bench -c "SET modelmgr.max_train_memory = '64MB'" \
        -c "SELECT pg_sleep(0.5)" -c "$statement" >/dev/null &
    for _ in $(seq 200); do
        pid=$(psql_bench -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'mm_bench_passes'")
        [ -n "$pid" ] && break
        sleep 0.02
    done
    while kill -0 "$pid" 2>/dev/null && [ -r /proc/"$pid"/status ]; do
        kb=$(awk '/^RssAnon/ {print $2}' /proc/"$pid"/status 2>/dev/null)
        [ -n "$kb" ] && [ -z "$first" ] && first=$kb
        [ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
        sleep 0.01
    done
    wait
    end=$(date +%s.%N)
    echo "$peak $first $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a - 0.5 }')"
}

say "memory: $BIG rows with modelmgr.max_train_memory = 64MB"
for case in "logistic_regression|'y'|{}" "kmeans|NULL|{\"k\": 8}" \
            "random_forest|'y'|{\"n_estimators\": 20, \"max_depth\": 8}" \
            "gradient_boosting|'y'|{\"n_estimators\": 10, \"max_depth\": 6}"; do
    IFS='|' read -r algorithm target params <<<"$case"
    exclude=$([ "$target" = NULL ] && echo ", exclude => ARRAY['y']" || echo "")
    read -r peak first seconds <<<"$(peak_private "SELECT version FROM mm_train('big_$algorithm', 'pass_big', $target,
        algorithm => '$algorithm', params => '$params'$exclude, deploy => 'never')")"
    read -r read_rows <<<"$(psql_bench -At -c "SELECT rows_read FROM mm.versions WHERE model = 'big_$algorithm'")"
    printf '%-20s %s rows in passes: %6.1f s; backend private memory %s kB before, %s kB at its peak (rows read: %s)\n' \
        "$algorithm" "$BIG" "$seconds" "$first" "$peak" "$read_rows"
done

# Milliseconds of statement $2 in a session where setting $1 is made first
# (the statement runs twice; the second is timed).
setting_ms() {
    psql_bench -o /dev/null -c "SET client_min_messages = warning" -c "$1" -c "$2" -c '\timing on' -c "$2" 2>&1 |
        awk '/^Time:/ {t = $2} END {print t}'
}

say "passes: $ROWS rows, each training in passes and in memory (interleaved, $RUNS runs each)"
psql_bench -c "CREATE OR REPLACE VIEW pass_bench_num AS
    SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, y::int::float8 AS t FROM pass_bench" >/dev/null
for case in "linear_regression|pass_bench_num|'t'|{}|" "logistic_regression|pass_bench|'y'|{}|" \
            "kmeans|pass_bench|NULL|{\"k\": 8, \"max_iter\": 20, \"tol\": 0}|" \
            "linear_regression|pass_bench_num|'t'|{}|\"dedupe\": true, " \
            "random_forest|pass_bench|'y'|{\"n_estimators\": 20, \"max_depth\": 8}|" \
            "gradient_boosting|pass_bench|'y'|{\"n_estimators\": 10, \"max_depth\": 6}|"; do
    IFS='|' read -r algorithm relation target params dedupe <<<"$case"
    exclude=$([ "$target" = NULL ] && echo ", exclude => ARRAY['y']" || echo "")
    statement="SELECT version FROM mm_train('cmp_$algorithm', '$relation', $target, algorithm => '$algorithm',
        params => '$params'$exclude, preprocess => '{$dedupe\"*\": {\"scale\": \"standard\"}}', deploy => 'never')"
    on=(); off=()
    for _ in $(seq "$RUNS"); do
        on+=("$(setting_ms "SET modelmgr.train_in_passes = on" "$statement")")
        off+=("$(setting_ms "SET modelmgr.train_in_passes = off" "$statement")")
    done
    print_ratios "$algorithm${dedupe:+, dedupe}" "in passes" "in memory" "$(lines "${on[@]}")" "$(lines "${off[@]}")"
done

# One pass against a bare scan: the last pass named $2 of training $1 in
# passes (a full one: a logistic regression's first steps may sum a sample
# of the rows), timed to the millisecond from the NOTICEs of
# modelmgr.train_progress, its end against the notice before it.
last_pass_ms() {
    psql_bench -o /dev/null -c "SET modelmgr.train_in_passes = on" -c "SET modelmgr.train_progress = on" \
        -c "$1" 2>&1 |
        awk -v name="$2" '/NOTICE:/ { ours = index($0, "(" name ") done") > 0 }
             /DETAIL:/ { match($0, /; [0-9.]+ s so far/); t = substr($0, RSTART + 2, RLENGTH - 11) * 1000;
                         if (ours) best = t - last; last = t }
             END { print best }'
}
newton_pass_ms() {
    last_pass_ms "SELECT version FROM mm_train('one_pass', 'pass_bench', 'y', algorithm => 'logistic_regression', deploy => 'never')" \
        logistic_regression.newton
}
metrics_pass_ms() {
    last_pass_ms "SELECT version FROM mm_train('one_metrics', 'pass_bench', 'y', algorithm => 'logistic_regression', deploy => 'never')" \
        classifier_eval
}
lloyd_pass_ms() {
    last_pass_ms "SELECT version FROM mm_train('one_lloyd', 'pass_bench', NULL, algorithm => 'kmeans', exclude => ARRAY['y'],
        params => '{\"k\": 8, \"max_iter\": 5, \"tol\": 0}', deploy => 'never')" kmeans.lloyd
}
svm_pass_ms() {
    last_pass_ms "SELECT version FROM mm_train('one_svm', 'pass_bench', 'y', algorithm => 'linear_svm', deploy => 'never')" \
        linear_svm.newton
}
# The first read of a training in passes, the column profile and statistics
# (with the labels, which the pass's state counts): the time from the
# training's start to the end of its first pass, from the same NOTICEs, in
# the second of two trainings in a session (the first loads the caches).
first_read_ms() {
    psql_bench -o /dev/null -c "SET modelmgr.train_in_passes = on" -c "SET modelmgr.train_progress = on" \
        -c "$1" -c "$1" 2>&1 |
        awk '/NOTICE:/ { first = /pass 1 \(column_profile_stats\) done/ }
             /DETAIL:/ && first { match($0, /; [0-9.]+ s so far/); t = substr($0, RSTART + 2, RLENGTH - 11) * 1000 }
             END { print t }'
}
# The first read of a logistic regression as a whole statement: a training
# whose label has a single class stops with an error right after it (the
# label is computed from the column, so the row is read as the bench's is).
# The statement's fixed cost, the same statement over 1,000 of the rows
# (mostly the audit log's record of the failed call, written by a
# background worker the session waits for), is timed in the same session
# and subtracted.
psql_bench -c "SET client_min_messages = warning" -c "CREATE OR REPLACE VIEW pass_bench_one_class AS
    SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, y OR NOT y AS y FROM pass_bench" \
    -c "DROP TABLE IF EXISTS pass_bench_small CASCADE" \
    -c "CREATE TABLE pass_bench_small AS SELECT * FROM pass_bench LIMIT 1000" \
    -c "CREATE VIEW pass_bench_one_class_small AS
    SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, y OR NOT y AS y FROM pass_bench_small" >/dev/null
# "whole fixed": the statement over the relation $1 and over its 1,000 rows $2, in ms.
first_read_stop_ms() {
    local stop="SELECT version FROM mm_train('first_read_stop', '%s', 'y', algorithm => 'logistic_regression', deploy => 'never')"
    local whole small
    # printf-ed (not run through a shell) so that the relation's name is all that changes
    whole=$(printf "$stop" "$1"); small=$(printf "$stop" "$2")
    # every statement fails, as it should: psql goes on past each, and its status is ignored
    { psql_bench -v ON_ERROR_STOP=0 -o /dev/null -c "SET modelmgr.train_in_passes = on" -c "$whole" -c "$small" \
        -c '\timing on' -c "$whole" -c "$small" 2>&1 || true; } |
        awk '/has only one class/ { stopped++ } /^Time:/ { t[++n] = $2 }
             END { if (stopped == 4 && n == 2) print t[1], t[2] }'
}
passes=(); metrics=(); lloyds=(); svms=(); labelled=(); stopped=(); fixed_costs=(); less_fixed=(); numbers=(); scans=(); texts=(); text_scans=()
for _ in $(seq "$RUNS"); do
    passes+=("$(newton_pass_ms)")
    metrics+=("$(metrics_pass_ms)")
    lloyds+=("$(lloyd_pass_ms)")
    svms+=("$(svm_pass_ms)")
    labelled+=("$(first_read_ms "SELECT version FROM mm_train('first_read', 'pass_bench', 'y', algorithm => 'logistic_regression', deploy => 'never')")")
    read -r whole fixed <<<"$(first_read_stop_ms pass_bench_one_class pass_bench_one_class_small)"
    stopped+=("$whole")
    fixed_costs+=("$fixed")
    less_fixed+=("$(awk -v a="$whole" -v b="$fixed" 'BEGIN { printf "%.3f", a - b }')")
    numbers+=("$(first_read_ms "SELECT version FROM mm_train('first_read_num', 'pass_bench_num', 't', algorithm => 'linear_regression',
        preprocess => '{\"*\": {\"scale\": \"standard\"}}', deploy => 'never')")")
    scans+=("$(setting_ms "SET max_parallel_workers_per_gather = 2" "SELECT sum(x1), sum(x2), sum(x3), sum(x4), sum(x5), sum(x6), sum(x7), sum(x8), sum(x9), sum(x10), sum(y::int) FROM pass_bench")")
    texts+=("$(first_read_ms "SELECT version FROM mm_train('first_read_text', 'pass_bench_text', 'y', algorithm => 'logistic_regression', deploy => 'never')")")
    text_scans+=("$(setting_ms "SET max_parallel_workers_per_gather = 2" "SELECT sum(x1), sum(x2), sum(x3), sum(x4), sum(x5), sum(x6), sum(x7), sum(x8), sum(x9), sum(x10), sum(y::int), count(city) FROM pass_bench_text")")
done
print_ratios "one Newton pass" "pass" "sum of 11 columns" "$(lines "${passes[@]}")" "$(lines "${scans[@]}")"
print_ratios "one metrics pass (classifier)" "pass" "sum of 11 columns" "$(lines "${metrics[@]}")" "$(lines "${scans[@]}")"
print_ratios "one Lloyd pass (k 8)" "pass" "sum of 11 columns" "$(lines "${lloyds[@]}")" "$(lines "${scans[@]}")"
print_ratios "one SVM Newton pass" "pass" "sum of 11 columns" "$(lines "${svms[@]}")" "$(lines "${scans[@]}")"
print_ratios "statistics, a label" "first read" "sum of 11 columns" "$(lines "${labelled[@]}")" "$(lines "${scans[@]}")"
print_ratios "statistics, a label (statement)" "first read" "sum of 11 columns" "$(lines "${stopped[@]}")" "$(lines "${scans[@]}")"
print_ratios "the statement's fixed cost" "on 1,000 rows" "sum of 11 columns" "$(lines "${fixed_costs[@]}")" "$(lines "${scans[@]}")"
print_ratios "statistics, a label (less it)" "first read" "sum of 11 columns" "$(lines "${less_fixed[@]}")" "$(lines "${scans[@]}")"
print_ratios "statistics, numbers" "first read" "sum of 11 columns" "$(lines "${numbers[@]}")" "$(lines "${scans[@]}")"
print_ratios "statistics, a label, a text" "first read" "and count(city)" "$(lines "${texts[@]}")" "$(lines "${text_scans[@]}")"
