#!/usr/bin/env bash
# Benchmarks of linear models, printed as ratios measured side by side in one
# run (our time over a baseline's time), never as pass/fail thresholds.
#
#     bash bench/linear.sh            (as root; builds, installs, starts its own server)
#
# On a table of ROWS rows (default 1,000,000) with 10 float8 features, with
# the server's default parallel settings:
#   train    mm_train (split, fit, metrics, catalog)   over  SELECT sum(x1), ..., sum(x10), sum(y)
#   predict  SELECT sum(mm_predict('m', t)) FROM t     over  SELECT sum(b0 + b1*x1 + ... + b10*x10) FROM t
#            by the model's owner, and by a role the use privilege was granted to
#   memory   the training state's size and the backend's private memory after
#            training on 100,000 and on ROWS rows
# Each pair runs RUNS times, interleaved; the ratios of the minimum and of the
# median times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-9}

bench_prepare

say "loading $ROWS rows of 10 features"
psql_bench -o /dev/null <<EOF
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS bench, bench_small CASCADE;
SELECT setseed(0.5);
CREATE TABLE bench AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       1 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 4*x10 + random() AS y
  FROM (SELECT random() x1, random() x2, random() x3, random() x4, random() x5, random() x6,
               random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS)) r;
CREATE TABLE bench_small AS SELECT * FROM bench LIMIT 100000;
VACUUM ANALYZE bench, bench_small;
-- warm the cache and fit the model used for prediction
SELECT count(*) FROM bench;
SELECT version FROM mm_train('bench_model', 'bench', 'y', deploy => 'always');
-- a role that predicts through a grant, not as the owner
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_reader') THEN
        CREATE ROLE bench_reader LOGIN;
    END IF;
END \$\$;
GRANT SELECT ON bench TO bench_reader;
SELECT mm_grant('bench_model', 'use', 'bench_reader');
EOF

FORMULA=$(psql_bench -At <<'EOF'
SELECT string_agg(CASE WHEN feature = 'intercept' THEN coef::text
                       ELSE format('%s * %I', coef, feature) END, ' + ')
  FROM mm_coefficients('bench_model');
EOF
)

say "timing (interleaved, $RUNS runs each)"
compare_statements train mm_train "sum of 11 columns" \
    "SELECT version FROM mm_train('bench_train', 'bench', 'y', deploy => 'never')" \
    "SELECT sum(x1), sum(x2), sum(x3), sum(x4), sum(x5), sum(x6), sum(x7), sum(x8), sum(x9), sum(x10), sum(y) FROM bench"
compare_statements predict mm_predict "the formula in SQL" \
    "SELECT sum(mm_predict('bench_model', t)) FROM bench t" \
    "SELECT sum($FORMULA) FROM bench"
BENCH_ROLE=bench_reader compare_statements "predict (granted use)" mm_predict "the formula in SQL" \
    "SELECT sum(mm_predict('bench_model', t)) FROM bench t" \
    "SELECT sum($FORMULA) FROM bench"

say "memory of training"
psql_bench -At <<'EOF'
SELECT format('training state: %s bytes for 100,000 rows, %s bytes for all rows (bounded by modelmgr.metric_sample_rows = %s)',
              (SELECT length(mm_ls_stats(0.25, 0, current_setting('modelmgr.metric_sample_rows')::int, 0, y,
                                         x1, x2, x3, x4, x5, x6, x7, x8, x9, x10)) FROM bench_small),
              (SELECT length(mm_ls_stats(0.25, 0, current_setting('modelmgr.metric_sample_rows')::int, 0, y,
                                         x1, x2, x3, x4, x5, x6, x7, x8, x9, x10)) FROM bench),
              current_setting('modelmgr.metric_sample_rows'));
EOF
# Peak private (anonymous) memory of the backend while it trains on a table,
# sampled from /proc every few milliseconds; shared buffers are not counted.
peak_private_kb() {
    local table=$1 pid peak=0 kb
    PGAPPNAME=mm_bench_mem psql_bench -c "SET max_parallel_workers_per_gather = 0" \
        -c "SELECT pg_sleep(0.3)" \
        -c "SELECT version FROM mm_train('mem_$table', '$table', 'y', deploy => 'never')" \
        -c "SELECT pg_sleep(0.3)" >/dev/null &
    for _ in $(seq 200); do
        pid=$(psql_bench -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'mm_bench_mem'")
        [ -n "$pid" ] && break
        sleep 0.02
    done
    while kill -0 "$pid" 2>/dev/null && [ -r /proc/"$pid"/status ]; do
        kb=$(awk '/^RssAnon/ {print $2}' /proc/"$pid"/status 2>/dev/null)
        [ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
        sleep 0.005
    done
    wait
    echo "$peak"
}
for table in bench_small bench; do
    printf 'backend peak private memory while training on %8s rows: %s kB\n' \
        "$(psql_bench -At -c "SELECT count(*) FROM $table")" "$(peak_private_kb "$table")"
done
