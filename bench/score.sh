#!/usr/bin/env bash
# Benchmark of the standalone scorer, printed as a ratio measured side by
# side in one run (our time over a baseline's time), never as a pass/fail
# threshold.
#
#     bash bench/score.sh           (as root; builds, installs, starts its own server)
#
# A linear regression and a binary logistic regression are trained on ROWS
# rows (default 1,000,000) of 10 float8 features and exported; the rows'
# features are written as CSV with COPY.  Then, single-threaded, alternating,
# RUNS times each:
#   score    mm-score MODEL.json rows.csv > /dev/null
#   floor    bench/floor rows.csv > /dev/null   (reads the same CSV with the same
#            reader, parses every field with the same parser, prints one number
#            per row with the same printer, and scores nothing)
# The ratios of the minimum and median times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-7}

bench_prepare
runuser -u "$PG_USER" -- make -C "$STAGE" -s bench/floor

say "loading $ROWS rows of 10 features, training, exporting"
psql_bench -o /dev/null <<SQL
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS score_rows CASCADE;
SELECT setseed(0.5);
CREATE TABLE score_rows AS
SELECT g AS id, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       1 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 4*x10 + random() AS y
  FROM (SELECT g, random() x1, random() x2, random() x3, random() x4, random() x5, random() x6,
               random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS) g) r;
ALTER TABLE score_rows ADD COLUMN high boolean;
UPDATE score_rows SET high = y > 4.6;
VACUUM ANALYZE score_rows;
SELECT version FROM mm_train('score_linear', 'score_rows', 'y', exclude => ARRAY['id', 'high']);
SELECT version FROM mm_train('score_logistic', 'score_rows', 'high', exclude => ARRAY['id', 'y'],
                             algorithm => 'logistic_regression');
SQL
psql_bench -At -c "SELECT mm_export('score_linear')" > "$DIR/linear.json"
psql_bench -At -c "SELECT mm_export('score_logistic')" > "$DIR/logistic.json"
psql_bench -c "\\copy (SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10 FROM score_rows ORDER BY id) TO '$DIR/rows.csv' CSV HEADER"
ls -l "$DIR/rows.csv"

SCORE=$STAGE/src/scorer/mm-score
FLOOR=$STAGE/bench/floor

say "the scorer agrees with the database (first 5 rows)"
head -n 6 "$DIR/rows.csv" | "$SCORE" "$DIR/linear.json"
psql_bench -At -c "SELECT mm_predict('score_linear', r) FROM score_rows r ORDER BY id LIMIT 5"

ratio() {
    local label=$1; shift
    local ours=() base=() i
    for i in $(seq "$RUNS"); do
        ours+=("$(command_ms "$@")")
        base+=("$(command_ms "$FLOOR" "$DIR/rows.csv")")
    done
    print_ratios "$label" mm-score floor "$(lines "${ours[@]}")" "$(lines "${base[@]}")"
}

say "timing (alternating, $RUNS runs each, $ROWS rows)"
ratio "linear regression" "$SCORE" "$DIR/linear.json" "$DIR/rows.csv"
ratio "logistic regression, label" "$SCORE" "$DIR/logistic.json" "$DIR/rows.csv"
ratio "logistic regression, --proba" "$SCORE" --proba "$DIR/logistic.json" "$DIR/rows.csv"
