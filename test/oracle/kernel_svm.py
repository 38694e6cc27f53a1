#!/usr/bin/env python3
"""scikit-learn's SVC or SVR on a fixed split of a CSV file, as JSON: the
oracle test/t/019_kernel_svm.pl compares modelmgr's svm against.

    kernel_svm.py DATA.csv --train N (--svc | --svr) [--kernel K] [--gamma G]
                  [--C C] [--epsilon E] [--balanced | --class-weight JSON]

DATA.csv has a header row (id, the features, the target last) and one row
per observation, ordered by id; the first N rows train, the rest test.  The
features are standardized with the training rows' mean and population
standard deviation (StandardScaler, as modelmgr's scale: standard).  Prints
{"predictions": [...]} for the test rows (SVC: the class labels as text;
SVR: the values), with "r2" on the test rows for SVR, and "sklearn": version.
--class-weight takes an object of labels and weights, as {"high": 5}.
"""
import argparse
import csv
import json

import numpy as np
import sklearn
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data")
    ap.add_argument("--train", type=int, required=True)
    task = ap.add_mutually_exclusive_group(required=True)
    task.add_argument("--svc", action="store_true")
    task.add_argument("--svr", action="store_true")
    ap.add_argument("--kernel", default="rbf")
    ap.add_argument("--gamma", default="scale")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--epsilon", type=float, default=0.1)
    weights = ap.add_mutually_exclusive_group()
    weights.add_argument("--balanced", action="store_true")
    weights.add_argument("--class-weight", type=json.loads)
    args = ap.parse_args()

    with open(args.data, newline="") as f:
        rows = [r for r in csv.reader(f)][1:]
    x = np.array([[float(v) for v in r[1:-1]] for r in rows], dtype=np.float64)
    target = [r[-1] for r in rows]
    scaler = StandardScaler().fit(x[:args.train])
    train, test = scaler.transform(x[:args.train]), scaler.transform(x[args.train:])
    gamma = args.gamma if args.gamma in ("scale", "auto") else float(args.gamma)
    out = {"sklearn": sklearn.__version__}
    if args.svc:
        model = SVC(kernel=args.kernel, gamma=gamma, C=args.C,
                    class_weight="balanced" if args.balanced else args.class_weight)
        model.fit(train, np.array(target[:args.train]))
        out["predictions"] = [str(v) for v in model.predict(test)]
    else:
        y = np.array([float(v) for v in target])
        model = SVR(kernel=args.kernel, gamma=gamma, C=args.C, epsilon=args.epsilon)
        model.fit(train, y[:args.train])
        predicted = model.predict(test)
        out["predictions"] = [float(v) for v in predicted]
        out["r2"] = float(r2_score(y[args.train:], predicted))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
