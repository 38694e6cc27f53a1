#!/usr/bin/env bash
# Benchmarks of gradient boosting against XGBoost's own Python API, printed as
# ratios measured side by side in one run, never as pass/fail thresholds.
#
#     bash bench/boosting.sh          (as root; builds, installs, starts its own server)
#
# On ROWS rows (default 200,000) of 10 features and a nonlinear target, 100 trees
# of depth 6 (hist, 256 bins, the defaults of both sides):
#   training: mm_train, reading the table included, over XGBRegressor.fit on the
#     same rows already in a numpy array, with the same number of threads
#     (modelmgr.training_threads, THREADS, 2 by default; XGBoost's n_jobs);
#   prediction: SELECT sum(mm_predict('m', t)) FROM t over Booster.predict of
#     the array, the booster the one mm_export embeds.
# Each side runs RUNS times, alternating; the ratios of the minimum and median
# times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-200000}
RUNS=${RUNS:-5}
THREADS=${THREADS:-2}

bench_prepare
if ! "$PY" -c 'import xgboost' 2>/dev/null; then
    say "installing python3-xgboost (the baseline)"
    apt-get install -y -qq --no-install-recommends python3-xgboost >/dev/null
fi
DATA=$DIR/csv
rm -rf "$DATA" && mkdir -p "$DATA" && chown "$PG_USER": "$DATA"

psql_bench -o /dev/null <<EOF
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
ALTER SYSTEM SET modelmgr.training_threads = $THREADS;
SELECT pg_reload_conf();
DROP TABLE IF EXISTS gb_bench CASCADE;
SELECT setseed(0.25);
CREATE TABLE gb_bench AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       10 * sin(pi() * x1 * x2) + 20 * (x3 - 0.5) ^ 2 + 10 * x4 + 5 * x5 + random() AS y
  FROM (SELECT random() x1, random() x2, random() x3, random() x4, random() x5,
               random() x6, random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS)) r;
VACUUM ANALYZE gb_bench;
COPY gb_bench TO '$DATA/gb_bench.csv' WITH (FORMAT csv);
SELECT version FROM mm_train('gb_speed', 'gb_bench', 'y', algorithm => 'gradient_boosting',
                             test_size => 0, deploy => 'always');
COPY (SELECT mm_export('gb_speed')) TO '$DATA/gb_speed.json';
EOF

"$PY" - "$DATA" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
a = np.loadtxt(f"{d}/gb_bench.csv", delimiter=",")
np.save(f"{d}/X.npy", np.ascontiguousarray(a[:, :10]))
np.save(f"{d}/y.npy", a[:, 10])
EOF

# One timed fit or prediction of XGBoost's on the arrays loaded before the clock starts.
xgboost_ms() {
    "$PY" - "$DATA" "$1" "$THREADS" <<'EOF'
import json, sys, tempfile, time, numpy as np, xgboost as xgb
d, what, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
X = np.load(f"{d}/X.npy"); y = np.load(f"{d}/y.npy")
if what == "fit":
    est = xgb.XGBRegressor(tree_method="hist", n_jobs=threads)
    t0 = time.perf_counter()
    est.fit(X, y)
else:
    with open(f"{d}/gb_speed.json") as f, tempfile.NamedTemporaryFile("w", suffix=".json") as tmp:
        json.dump(json.load(f)["model"]["booster"], tmp)
        tmp.flush()
        booster = xgb.Booster()
        booster.load_model(tmp.name)
    booster.set_param({"nthread": threads})
    m = xgb.DMatrix(X)
    t0 = time.perf_counter()
    float(booster.predict(m).sum())
print(f"{(time.perf_counter() - t0) * 1000:.3f}")
EOF
}

compare() {
    local what=$1 statement=$2 i ours=() theirs=()
    for i in $(seq "$RUNS"); do
        ours+=("$(statement_ms "$statement")")
        theirs+=("$(xgboost_ms "$what")")
    done
    print_ratios "$what" modelmgr XGBoost "$(lines "${ours[@]}")" "$(lines "${theirs[@]}")"
}

say "gradient boosting on $ROWS rows of 10 features, 100 trees of depth 6, $THREADS threads"
compare fit "SELECT version FROM mm_train('gb_speed', 'gb_bench', 'y', algorithm => 'gradient_boosting', test_size => 0, deploy => 'always')"
compare predict "SELECT sum(mm_predict('gb_speed', t)) FROM gb_bench t"
