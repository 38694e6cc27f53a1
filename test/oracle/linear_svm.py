#!/usr/bin/env python3
"""scikit-learn's LinearSVC with the squared hinge on a CSV file, as JSON: the
oracle test/t/018_svm_primal.pl compares mm_coefficients against.

    linear_svm.py DATA.csv --C C [--balanced] [--dual] [--tol T] [--max-iter N]

DATA.csv has a header row, then one row per observation: the features, then
the class (a whole number) last.  Prints {"classes": [...], "intercept":
[...], "coef": [[...], ...], "sklearn": version}: one row for two classes
(the larger class positive), one per class against the rest for more.  The
intercept is LinearSVC's: a constant feature of 1 (intercept_scaling 1),
penalized with the rest.  --balanced weighs each row's C by its class's
weight n / (k n_c), as modelmgr's class_weight "balanced" does, through
sample_weight (LinearSVC's own class_weight weighs only the positive side of
each one-against-the-rest problem).
"""
import argparse
import csv
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    data = np.array([[float(v) for v in r] for r in body], dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(header) or data.shape[1] < 2:
        sys.exit("%s: expected a header and rows of features then the class" % path)
    return data[:, :-1], data[:, -1].astype(np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--C", type=float, required=True)
    ap.add_argument("--balanced", action="store_true")
    ap.add_argument("--dual", action="store_true")
    ap.add_argument("--tol", type=float, default=1e-12)
    ap.add_argument("--max-iter", type=int, default=10**6)
    args = ap.parse_args()

    X, y = read_csv(args.csv)
    classes, counts = np.unique(y, return_counts=True)
    weight = None
    if args.balanced:
        per_class = len(y) / (len(classes) * counts)
        weight = per_class[np.searchsorted(classes, y)]
    svc = LinearSVC(C=args.C, loss="squared_hinge", dual=args.dual, tol=args.tol,
                    max_iter=args.max_iter, fit_intercept=True, intercept_scaling=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        svc.fit(X, y, sample_weight=weight)
    json.dump({"classes": [int(c) for c in svc.classes_],
               "intercept": [float(v) for v in svc.intercept_],
               "coef": [[float(v) for v in row] for row in svc.coef_],
               "sklearn": sklearn.__version__}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
