#!/usr/bin/env python3
"""scikit-learn's elastic net on a CSV file, as JSON: the oracle the SQL-level
tests compare mm_coefficients against.

    elastic_net.py DATA.csv --alpha A [--l1-ratio R] [--no-intercept]
                   [--tol T] [--max-iter N]

DATA.csv has a header row, then one row per observation: the features, then
the target last.  Prints {"intercept": b, "coef": [...], "n_iter": k,
"dual_gap": g, "sklearn": version}, floats in shortest round-trip form.
The fit is sklearn.linear_model.ElasticNet (Lasso when l1_ratio is 1 gives
the same numbers) on the columns as given, without standardization.
"""
import argparse
import csv
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    data = np.array([[float(v) for v in r] for r in body], dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(header) or data.shape[1] < 2:
        sys.exit("%s: expected a header and rows of features then the target" % path)
    return header, data[:, :-1], data[:, -1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--alpha", type=float, required=True)
    ap.add_argument("--l1-ratio", type=float, default=0.5)
    ap.add_argument("--no-intercept", action="store_true")
    ap.add_argument("--tol", type=float, default=1e-12)
    ap.add_argument("--max-iter", type=int, default=10**6)
    args = ap.parse_args()

    _, X, y = read_csv(args.csv)
    with warnings.catch_warnings():
        # l1_ratio 0 and alpha 0 never meet scikit-learn's gap: the result is still its answer
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        m = ElasticNet(alpha=args.alpha, l1_ratio=args.l1_ratio,
                       fit_intercept=not args.no_intercept, tol=args.tol,
                       max_iter=args.max_iter).fit(X, y)
    json.dump({"intercept": float(m.intercept_),
               "coef": [float(c) for c in m.coef_],
               "n_iter": int(m.n_iter_),
               "dual_gap": float(m.dual_gap_),
               "sklearn": sklearn.__version__}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
