#!/usr/bin/env bash
# Benchmark of a monitoring check, printed as a ratio measured side by side in
# one run (our time over a baseline's time), never as a pass/fail threshold.
#
#     bash bench/monitor.sh           (as root; builds, installs, starts its own server)
#
# A linear regression on 10 float8 features is trained on ROWS rows (default
# 1,000,000); a monitor watches a live table of ROWS rows whose time column
# puts every row in its window, with a label column, so that the check
# computes every metric: each feature's drift (PSI, JS, L-infinity, KS,
# Wasserstein), missing and out-of-range values, prediction drift, quality.
#   check    SELECT mm_monitor_run(1)
#   over     SELECT sum(x1), ..., sum(x10) FROM live WHERE at >= now() - '1 day'
# Each runs RUNS times, alternating in one session; the ratios of the minimum
# and median times are printed.  The server keeps its default parallel
# settings, which the sum uses.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-7}

bench_prepare

say "loading $ROWS training rows and $ROWS live rows of 10 features"
psql_bench -o /dev/null <<SQL
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS mon_train, mon_live CASCADE;
SELECT setseed(0.5);
CREATE TABLE mon_train AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       1 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 4*x10 + random() AS y
  FROM (SELECT random() x1, random() x2, random() x3, random() x4, random() x5, random() x6,
               random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS)) r;
-- the live rows: x1 drifts a little, the rest as in training, all inside the last day
CREATE TABLE mon_live AS
SELECT now() - random() * interval '20 hours' AS at, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       1 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 4*x10 + random() AS y
  FROM (SELECT random() * 1.1 x1, random() x2, random() x3, random() x4, random() x5, random() x6,
               random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS)) r;
VACUUM ANALYZE mon_train, mon_live;
SELECT count(*) FROM mon_live;
SELECT version FROM mm_train('mon_bench', 'mon_train', 'y', deploy => 'always');
SELECT mm_monitor('mon_bench', 'mon_live', time_column => 'at', time_window => '1 day', label_column => 'y');
SQL

say "one check"
psql_bench -At -c "SELECT jsonb_pretty(mm_monitor_run(1) #- '{features,x2}' #- '{features,x3}' #- '{features,x4}'
                     #- '{features,x5}' #- '{features,x6}' #- '{features,x7}' #- '{features,x8}'
                     #- '{features,x9}' #- '{features,x10}')"

say "timing (alternating, $RUNS runs each)"
compare_statements check "check" "sum of 10 columns" \
    "SELECT mm_monitor_run(1)" \
    "SELECT sum(x1), sum(x2), sum(x3), sum(x4), sum(x5), sum(x6), sum(x7), sum(x8), sum(x9), sum(x10) FROM mon_live WHERE at >= now() - interval '1 day'"
