#!/usr/bin/env bash
# Benchmarks of classifiers against scikit-learn, printed as ratios and
# differences measured side by side in one run, never as pass/fail thresholds.
#
#     bash bench/classify.sh          (as root; builds, installs, starts its own server)
#
# Quality: on the iris, wine and breast-cancer data sets that Debian's
#   python3-sklearn ships, split once into the same training and test rows,
#   with standard scaling: modelmgr's logistic regression and linear SVM
#   against scikit-learn's LogisticRegression and LinearSVC (both with the
#   hinge loss), test accuracy side by side.
# Speed: logistic regression on ROWS rows (default 1,000,000) of 10 features:
#   mm_train, reading the table included, over scikit-learn's
#   LogisticRegression().fit on the same rows already in memory (lbfgs, the
#   same objective: C = 1 is alpha = 1), with both models' accuracy on
#   200,000 further rows of the same distribution.
#   k-means (k = 8, 20 iterations, tolerance 0, one k-means++ start) and PCA
#   (all components) on the same rows' features, against scikit-learn's
#   KMeans and PCA with the same settings on the data in memory.
#   Elastic net (alpha 0.001, l1_ratio 0.5, scikit-learn's defaults for the
#   rest) on the same features with a numeric target: mm_train's one
#   aggregate pass against ElasticNet().fit on the rows in memory, with the
#   largest difference between the two fits' coefficients.
# Each side runs RUNS times, alternating (ours as the second statement of a session,
# theirs in a fresh process with the data loaded before the clock starts); the ratios
# of the minimum and median times are printed.  modelmgr.training_threads is left at its default (2),
# scikit-learn's threads at theirs (every core).

source "$(dirname "$0")/common.sh"

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}

bench_prepare sklearn
DATA=$DIR/csv
rm -rf "$DATA" && mkdir -p "$DATA" && chown "$PG_USER": "$DATA"

psql_bench -o /dev/null <<'EOF'
DROP EXTENSION IF EXISTS modelmgr CASCADE;
DROP SCHEMA IF EXISTS mm CASCADE;
CREATE EXTENSION modelmgr;
EOF

say "quality: iris, wine, breast cancer (the same split for both)"
"$PY" - "$DATA" <<'EOF'
import sys, numpy as np
from sklearn import datasets
out = sys.argv[1]
rng = np.random.RandomState(0)
for name, loader in [("iris", datasets.load_iris), ("wine", datasets.load_wine),
                     ("breast_cancer", datasets.load_breast_cancer)]:
    d = loader()
    n = d.data.shape[0]
    test = np.zeros(n, dtype=int)
    test[rng.permutation(n)[: n // 4]] = 1
    with open(f"{out}/{name}.csv", "w") as f:
        f.write(",".join([f"f{j}" for j in range(d.data.shape[1])] + ["label", "is_test"]) + "\n")
        for i in range(n):
            f.write(",".join(repr(float(v)) for v in d.data[i]) + f",{d.target_names[d.target[i]]},{test[i]}\n")
EOF
chown -R "$PG_USER": "$DATA"
for name in iris wine breast_cancer; do
    cols=$(head -1 "$DATA/$name.csv" | tr ',' '\n' | grep '^f' | sed 's/$/ float8/' | paste -sd, -)
    psql_bench -o /dev/null <<EOF
DROP TABLE IF EXISTS $name, ${name}_train, ${name}_test CASCADE;
CREATE TABLE $name ($cols, label text, is_test int);
\copy $name FROM '$DATA/$name.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE ${name}_train AS SELECT * FROM $name WHERE is_test = 0;
CREATE TABLE ${name}_test AS SELECT * FROM $name WHERE is_test = 1;
SELECT version FROM mm_train('q_$name', '${name}_train', 'label', algorithm => 'logistic_regression',
                             exclude => ARRAY['is_test'], test_size => 0,
                             preprocess => '{"*": {"scale": "standard"}}');
SELECT version FROM mm_train('s_$name', '${name}_train', 'label', algorithm => 'linear_svm',
                             exclude => ARRAY['is_test'], test_size => 0,
                             preprocess => '{"*": {"scale": "standard"}}');
EOF
    ours_lr=$(psql_bench -At -c "SELECT (mm_evaluate('q_$name', '${name}_test')->>'accuracy')::float8")
    ours_svm=$(psql_bench -At -c "SELECT (mm_evaluate('s_$name', '${name}_test')->>'accuracy')::float8")
    read -r theirs_lr theirs_svm < <("$PY" - "$DATA/$name.csv" <<'EOF'
import sys, numpy as np, warnings
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
warnings.simplefilter("ignore")
raw = np.genfromtxt(sys.argv[1], delimiter=",", names=True, dtype=None, encoding="utf-8")
feats = [c for c in raw.dtype.names if c.startswith("f")]
X = np.column_stack([raw[c].astype(float) for c in feats]); y = raw["label"]; t = raw["is_test"] == 1
lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[~t], y[~t])
svm = make_pipeline(StandardScaler(), LinearSVC(loss="hinge", random_state=0)).fit(X[~t], y[~t])
print(lr.score(X[t], y[t]), svm.score(X[t], y[t]))
EOF
)
    awk -v n="$name" -v o="$ours_lr" -v t="$theirs_lr" -v os="$ours_svm" -v ts="$theirs_svm" 'BEGIN {
        printf "%-14s logistic regression test accuracy: modelmgr %.4f  scikit-learn %.4f  difference %+.2f points\n", n, o, t, 100 * (o - t)
        printf "%-14s linear SVM          test accuracy: modelmgr %.4f  scikit-learn %.4f  difference %+.2f points\n", n, os, ts, 100 * (os - ts) }'
done

say "speed: logistic regression on $ROWS rows of 10 features"
psql_bench -o /dev/null <<EOF
DROP TABLE IF EXISTS lr_bench, lr_holdout CASCADE;
SELECT setseed(0.25);
CREATE TABLE lr_bench AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       random() < 1 / (1 + exp(-(0.5 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.3*x9 + 1.5*x10))) AS y
  FROM (SELECT random() - 0.5 x1, random() - 0.5 x2, random() - 0.5 x3, random() - 0.5 x4, random() - 0.5 x5,
               random() - 0.5 x6, random() - 0.5 x7, random() - 0.5 x8, random() - 0.5 x9, random() - 0.5 x10
          FROM generate_series(1, $ROWS + 200000)) r;
CREATE TABLE lr_holdout AS SELECT * FROM lr_bench OFFSET $ROWS;
DELETE FROM lr_bench WHERE ctid IN (SELECT ctid FROM lr_bench OFFSET $ROWS);
DROP TABLE IF EXISTS enet_bench CASCADE;
CREATE TABLE enet_bench AS
SELECT x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
       0.5 + 2*x1 - 3*x2 + 0.5*x3 + x4 - x5 + 0.1*x6 + 2*x7 - x8 + 0.01*x9 + 1.5*x10 + (random() - 0.5) AS t
  FROM lr_bench;
VACUUM ANALYZE lr_bench, lr_holdout, enet_bench;
COPY enet_bench TO '$DATA/enet_bench.csv' WITH (FORMAT csv);
COPY lr_bench TO '$DATA/lr_bench.csv' WITH (FORMAT csv);
COPY lr_holdout TO '$DATA/lr_holdout.csv' WITH (FORMAT csv);
SELECT count(*) FROM lr_bench;
EOF

# the same rows for scikit-learn, as numpy arrays it loads in a moment
"$PY" - "$DATA" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
for name in ("lr_bench", "lr_holdout"):
    a = np.loadtxt(f"{d}/{name}.csv", delimiter=",", converters={10: lambda s: 1.0 if s in (b"t", "t") else 0.0})
    np.save(f"{d}/{name}_X.npy", np.ascontiguousarray(a[:, :10]))
    np.save(f"{d}/{name}_y.npy", a[:, 10])
a = np.loadtxt(f"{d}/enet_bench.csv", delimiter=",")
np.save(f"{d}/enet_bench_X.npy", np.ascontiguousarray(a[:, :10]))
np.save(f"{d}/enet_bench_y.npy", a[:, 10])
EOF

# One timed fit of scikit-learn's: the estimator is the first argument.
sklearn_ms() {
    "$PY" - "$DATA" "$1" <<'EOF'
import sys, time, warnings, numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import ElasticNet, LogisticRegression
warnings.simplefilter("ignore")
d, what = sys.argv[1], sys.argv[2]
data = "enet_bench" if what == "enet" else "lr_bench"
X = np.load(f"{d}/{data}_X.npy"); y = np.load(f"{d}/{data}_y.npy")
est = {"logistic": lambda: LogisticRegression(),
       "kmeans": lambda: KMeans(n_clusters=8, max_iter=20, tol=0, n_init=1, random_state=0),
       "pca": lambda: PCA(),
       "enet": lambda: ElasticNet(alpha=0.001, l1_ratio=0.5)}[what]()
t0 = time.perf_counter()
est.fit(X, y) if what in ("logistic", "enet") else est.fit(X)
ms = (time.perf_counter() - t0) * 1000
extra = ""
if what == "logistic":
    extra = f" {est.score(np.load(f'{d}/lr_holdout_X.npy'), np.load(f'{d}/lr_holdout_y.npy'))} {est.n_iter_[0]}"
elif what == "kmeans":
    extra = f" {est.inertia_}"
elif what == "enet":
    extra = " " + ",".join(repr(float(c)) for c in [est.intercept_] + list(est.coef_))
print(f"{ms:.3f}{extra}")
EOF
}

# Runs ours and theirs alternately RUNS times and prints the ratios.
compare_fits() {
    local name=$1 statement=$2 i ours=() theirs=() out
    for i in $(seq "$RUNS"); do
        ours+=("$(statement_ms "$statement")")
        out=$(sklearn_ms "$name")
        theirs+=("${out%% *}")
        last_extra=${out#* }
    done
    print_ratios "$name" "modelmgr (table read included)" scikit-learn "$(lines "${ours[@]}")" "$(lines "${theirs[@]}")"
}

compare_fits logistic "SELECT version FROM mm_train('lr_speed', 'lr_bench', 'y', algorithm => 'logistic_regression', test_size => 0, deploy => 'always')"
read -r their_acc their_iter <<<"$last_extra"
ours_acc=$(psql_bench -At -c "SELECT (mm_evaluate('lr_speed', 'lr_holdout')->>'accuracy')::float8")
ours_iter=$(psql_bench -At -c "SELECT metrics->'iterations' FROM mm.versions WHERE model = 'lr_speed' ORDER BY version DESC LIMIT 1")
awk -v oa="$ours_acc" -v ta="$their_acc" -v oi="$ours_iter" -v ti="$their_iter" 'BEGIN {
    printf "holdout accuracy: modelmgr %.4f (%s Newton steps)  scikit-learn %.4f (%s lbfgs iterations)  difference %+.2f points\n",
           oa, oi, ta, ti, 100 * (oa - ta) }'

say "speed: k-means (k = 8, 20 iterations, tolerance 0) and PCA (all components) on $ROWS rows of 10 features"
compare_fits kmeans "SELECT version FROM mm_train('km_speed', 'lr_bench', NULL, algorithm => 'kmeans', exclude => ARRAY['y'], test_size => 0, params => '{\"k\": 8, \"max_iter\": 20, \"tol\": 0}', deploy => 'always')"
their_inertia=$last_extra
ours_inertia=$(psql_bench -At -c "SELECT metrics->'train'->>'inertia' FROM mm.versions WHERE model = 'km_speed' ORDER BY version DESC LIMIT 1")
awk -v o="$ours_inertia" -v t="$their_inertia" 'BEGIN { printf "k-means inertia: modelmgr %.6g  scikit-learn %.6g  (ratio %.4f)\n", o, t, o / t }'
compare_fits pca "SELECT version FROM mm_train('pca_speed', 'lr_bench', NULL, algorithm => 'pca', exclude => ARRAY['y'], test_size => 0, deploy => 'always')"

say "speed: elastic net (alpha 0.001, l1_ratio 0.5) on $ROWS rows of 10 features"
compare_fits enet "SELECT version FROM mm_train('enet_speed', 'enet_bench', 't', algorithm => 'elastic_net', test_size => 0, params => '{\"alpha\": 0.001, \"l1_ratio\": 0.5}', deploy => 'always')"
ours_coef=$(psql_bench -At -c "SELECT string_agg(c.coef::text, ',' ORDER BY c.n) FROM mm_coefficients('enet_speed') WITH ORDINALITY c(class, feature, coef, std_err, stat, p_value, n)")
awk -v o="$ours_coef" -v t="$last_extra" 'BEGIN {
    n = split(o, a, ","); split(t, b, ","); worst = 0
    for (i = 1; i <= n; i++) { d = a[i] - b[i]; if (d < 0) d = -d; s = b[i] < 0 ? -b[i] : b[i]; r = d / (s > 1e-12 ? s : 1); if (r > worst) worst = r }
    printf "elastic net coefficients: largest relative difference from scikit-learn %.2g (its tol 1e-4 stops both early)\n", worst }'
