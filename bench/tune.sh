#!/usr/bin/env bash
# Benchmarks of mm_tune, printed as ratios measured side by side in one run,
# never as pass/fail thresholds.
#
#     bash bench/tune.sh              (as root; builds, installs, starts its own server)
#
# Ridge: a grid of 20 alphas, 5-fold cross-validation, on ROWS rows (default
#   1,000,000) of 10 float8 features: mm_tune over one plain mm_train of the
#   same model, and over scikit-learn's GridSearchCV(Ridge) on the same rows
#   already in memory (refit included, as mm_tune's).
# Logistic regression: a random search of 20 candidates (alpha log-uniform in
#   [0.001, 100], C = 1/alpha for scikit-learn), 5-fold cross-validation, on
#   LR_ROWS rows (default 200,000) of 10 features: mm_tune over scikit-learn's
#   RandomizedSearchCV(LogisticRegression) with n_jobs=None (one process, as
#   mm_tune's backend; scikit-learn's own threads as it has them).
# Each pair runs RUNS times, alternating; the ratios of the minimum and median
# times are printed.

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
LR_ROWS=${LR_ROWS:-200000}
RUNS=${RUNS:-3}

bench_prepare sklearn
DATA=$DIR/csv
rm -rf "$DATA" && mkdir -p "$DATA" && chown "$PG_USER": "$DATA"

say "loading $ROWS rows for ridge and $LR_ROWS for logistic regression"
psql_bench -o /dev/null <<SQL
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
DROP TABLE IF EXISTS tune_ridge, tune_logit CASCADE;
SELECT setseed(0.5);
CREATE TABLE tune_ridge AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       1 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 4*x10 + random() AS y
  FROM (SELECT random() x1, random() x2, random() x3, random() x4, random() x5, random() x6,
               random() x7, random() x8, random() x9, random() x10
          FROM generate_series(1, $ROWS)) r;
CREATE TABLE tune_logit AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       random() < 1 / (1 + exp(-(0.5 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 1.5*x10))) AS y
  FROM (SELECT random() - 0.5 x1, random() - 0.5 x2, random() - 0.5 x3, random() - 0.5 x4, random() - 0.5 x5,
               random() - 0.5 x6, random() - 0.5 x7, random() - 0.5 x8, random() - 0.5 x9, random() - 0.5 x10
          FROM generate_series(1, $LR_ROWS)) r;
VACUUM ANALYZE tune_ridge, tune_logit;
COPY tune_ridge TO '$DATA/tune_ridge.csv' WITH (FORMAT csv);
COPY tune_logit TO '$DATA/tune_logit.csv' WITH (FORMAT csv);
SQL

"$PY" - "$DATA" <<'PY'
import sys, numpy as np
d = sys.argv[1]
for name in ("tune_ridge", "tune_logit"):
    a = np.loadtxt(f"{d}/{name}.csv", delimiter=",", converters={10: lambda s: 1.0 if s in (b"t", "t") else (0.0 if s in (b"f", "f") else float(s))})
    np.save(f"{d}/{name}_X.npy", np.ascontiguousarray(a[:, :10]))
    np.save(f"{d}/{name}_y.npy", a[:, 10])
PY

ALPHAS=$("$PY" -c 'import numpy as np; print(",".join("%.6g" % a for a in np.logspace(-4, 3, 20)))')

# One timed search of scikit-learn's, the data loaded before the clock starts.
sklearn_ms() {
    "$PY" - "$DATA" "$1" "$ALPHAS" <<'PY'
import sys, time, warnings, numpy as np
from scipy.stats import loguniform
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, StratifiedKFold
warnings.simplefilter("ignore")
d, what, alphas = sys.argv[1], sys.argv[2], [float(a) for a in sys.argv[3].split(",")]
name = "tune_ridge" if what == "ridge" else "tune_logit"
X = np.load(f"{d}/{name}_X.npy"); y = np.load(f"{d}/{name}_y.npy")
if what == "ridge":
    search = GridSearchCV(Ridge(), {"alpha": alphas}, cv=KFold(5, shuffle=True, random_state=0), scoring="r2")
else:
    search = RandomizedSearchCV(LogisticRegression(), {"C": loguniform(1e-2, 1e3)}, n_iter=20,
                                cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="f1_macro",
                                random_state=0)
t0 = time.perf_counter()
search.fit(X, y)
print(f"{(time.perf_counter() - t0) * 1000:.3f} {search.best_score_:.6f}")
PY
}

TUNE_RIDGE="SELECT version FROM mm_tune('ridge', 'tune_ridge', 'y', search => '{\"alpha\": [$ALPHAS]}', deploy => 'never')"
TRAIN_RIDGE="SELECT version FROM mm_train('ridge_plain', 'tune_ridge', 'y', params => '{\"alpha\": 1}', deploy => 'never')"
TUNE_LOGIT="SELECT version FROM mm_tune('logit', 'tune_logit', 'y', algorithm => 'logistic_regression', method => 'random', trials => 20, search => '{\"alpha\": {\"log_uniform\": [0.001, 100]}}', deploy => 'never')"

say "ridge: 20 alphas, 5 folds, $ROWS rows (alternating, $RUNS runs each)"
ours=(); theirs=(); plain=()
for i in $(seq "$RUNS"); do
    ours+=("$(statement_ms "$TUNE_RIDGE")")
    plain+=("$(statement_ms "$TRAIN_RIDGE")")
    out=$(sklearn_ms ridge); theirs+=("${out%% *}"); sk_ridge=${out#* }
done
print_ratios "ridge grid / one mm_train" mm_tune mm_train "$(lines "${ours[@]}")" "$(lines "${plain[@]}")"
print_ratios "ridge grid / GridSearchCV" mm_tune "GridSearchCV(Ridge)" "$(lines "${ours[@]}")" "$(lines "${theirs[@]}")"
ours_ridge=$(psql_bench -At -c "SELECT round((metrics #>> '{cv,mean}')::numeric, 6) FROM mm.versions WHERE model = 'ridge' ORDER BY version DESC LIMIT 1")
echo "best cross-validated r2: mm_tune $ours_ridge  scikit-learn $sk_ridge"

say "logistic regression: 20 random candidates, 5 folds, $LR_ROWS rows (alternating, $RUNS runs each)"
ours=(); theirs=()
for i in $(seq "$RUNS"); do
    ours+=("$(statement_ms "$TUNE_LOGIT")")
    out=$(sklearn_ms logit); theirs+=("${out%% *}"); sk_logit=${out#* }
done
print_ratios "logistic random search" mm_tune RandomizedSearchCV "$(lines "${ours[@]}")" "$(lines "${theirs[@]}")"
ours_logit=$(psql_bench -At -c "SELECT round((metrics #>> '{cv,mean}')::numeric, 6) FROM mm.versions WHERE model = 'logit' ORDER BY version DESC LIMIT 1")
echo "best cross-validated macro f1: mm_tune $ours_logit  scikit-learn $sk_logit"
