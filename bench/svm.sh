#!/usr/bin/env bash
# The kernel SVM's training against scikit-learn's, printed as ratios
# measured side by side in one run, never as pass/fail thresholds.
#
#     bash bench/svm.sh          (as root; builds, installs, starts its own server)
#
# ROWS rows (default 10,000) of 10 standard normal features and a class that
# depends on them nonlinearly (with noise, so that many rows become support
# vectors): mm_train with algorithm svm (rbf, gamma scale, C 1: SVC's
# defaults), reading the table and scoring the training rows for its metrics
# included, against SVC().fit on the same rows already in memory.  Both run
# libsvm's solver on the same problem; the difference is reading the rows,
# the training metrics' prediction pass, and scikit-learn's own copy of
# libsvm against Debian's.  The test accuracy of both on 2,000 further rows
# is printed beside.  Each side runs RUNS times, alternating; the ratios of
# the minimum and median times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-10000}
RUNS=${RUNS:-3}

bench_prepare sklearn
DATA=$DIR/csv
rm -rf "$DATA" && mkdir -p "$DATA" && chown "$PG_USER": "$DATA"

"$PY" - "$DATA" "$ROWS" <<'EOF'
import sys, numpy as np
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(15)
x = rng.normal(size=(n + 2000, 10))
score = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] - 0.5 * x[:, 3] ** 2 + 0.7 * rng.normal(size=n + 2000)
y = (score > -0.3).astype(int)
for name, rows in (("train", range(n)), ("test", range(n, n + 2000))):
    with open(f"{out}/{name}.csv", "w") as f:
        f.write(",".join([f"f{j}" for j in range(10)] + ["label"]) + "\n")
        for i in rows:
            f.write(",".join(repr(float(v)) for v in x[i]) + f",{y[i]}\n")
EOF
chown -R "$PG_USER": "$DATA"
cols=$(printf 'f%d float8, ' $(seq 0 9))
psql_bench -o /dev/null <<EOF
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS svm_train, svm_test CASCADE;
CREATE TABLE svm_train (${cols}label int);
CREATE TABLE svm_test (${cols}label int);
\copy svm_train FROM '$DATA/train.csv' WITH (FORMAT csv, HEADER)
\copy svm_test FROM '$DATA/test.csv' WITH (FORMAT csv, HEADER)
VACUUM ANALYZE svm_train, svm_test;
EOF

say "svm training: $ROWS rows of 10 features"
ours=() theirs=()
for _ in $(seq "$RUNS"); do
    ours+=("$(statement_ms "SELECT version FROM mm_train('bench_svm', 'svm_train', 'label', algorithm => 'svm', test_size => 0, deploy => 'never')")")
    theirs+=("$("$PY" - "$DATA/train.csv" <<'EOF'
import sys, time, numpy as np
from sklearn.svm import SVC
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
t0 = time.perf_counter()
SVC().fit(d[:, :-1], d[:, -1].astype(int))
print("%.3f" % ((time.perf_counter() - t0) * 1000))
EOF
)")
done
print_ratios "svm fit ($ROWS x 10)" "modelmgr (table read included)" "scikit-learn SVC.fit" \
    "$(lines "${ours[@]}")" "$(lines "${theirs[@]}")"

psql_bench -o /dev/null -c "SELECT mm_deploy('bench_svm')"
ours_acc=$(psql_bench -At -c "SELECT (mm_evaluate('bench_svm', 'svm_test')->>'accuracy')::float8")
theirs_acc=$("$PY" - "$DATA/train.csv" "$DATA/test.csv" <<'EOF'
import sys, numpy as np
from sklearn.svm import SVC
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
t = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
print(SVC().fit(d[:, :-1], d[:, -1].astype(int)).score(t[:, :-1], t[:, -1].astype(int)))
EOF
)
printf '%-30s modelmgr %.4f  scikit-learn %.4f  (test accuracy, 2,000 further rows)\n' "svm accuracy" "$ours_acc" "$theirs_acc"
