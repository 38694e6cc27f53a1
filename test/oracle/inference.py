#!/usr/bin/env python3
"""statsmodels' inference on a CSV file, as JSON: the oracle the SQL-level
tests compare mm_coefficients and the train metrics against.

    inference.py DATA.csv {ols,logit,mnlogit} [--no-intercept] [--level L]

DATA.csv has a header row, then one row per observation: the features, then
the target last (for logit and mnlogit the classes 0 .. k - 1).  Prints
{"terms": [...], "stats": {...}, "statsmodels": version}: one term per
coefficient, {"class", "feature", "coef", "std_err", "stat", "p_value",
"ci_lower", "ci_upper"}, the intercept named "intercept" and first, the
class null except for mnlogit (each later class against the first); the
stats under the names of modelmgr's train metrics.  The fits are
statsmodels' OLS, Logit and MNLogit, Newton's method run to convergence.
"""
import argparse
import csv
import json
import sys

import numpy as np
import statsmodels
import statsmodels.api as sm


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    data = np.array([[float(v) for v in r] for r in body], dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(header) or data.shape[1] < 2:
        sys.exit("%s: expected a header and rows of features then the target" % path)
    return header[:-1], data[:, :-1], data[:, -1]


def terms_of(names, params, bse, stat, pvalues, ci, cls):
    return [{"class": cls, "feature": n, "coef": float(params[i]), "std_err": float(bse[i]),
             "stat": float(stat[i]), "p_value": float(pvalues[i]),
             "ci_lower": float(ci[i][0]), "ci_upper": float(ci[i][1])}
            for i, n in enumerate(names)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("model", choices=["ols", "logit", "mnlogit"])
    ap.add_argument("--no-intercept", action="store_true")
    ap.add_argument("--level", type=float, default=0.95)
    args = ap.parse_args()

    features, X, y = read_csv(args.csv)
    names = list(features)
    if not args.no_intercept:
        X = np.column_stack([np.ones(len(y)), X])
        names = ["intercept"] + names
    alpha = 1.0 - args.level
    if args.model == "ols":
        r = sm.OLS(y, X).fit()
        terms = terms_of(names, r.params, r.bse, r.tvalues, r.pvalues, r.conf_int(alpha), None)
        stats = {"r2_model": r.rsquared, "adj_r2": r.rsquared_adj, "f_statistic": r.fvalue,
                 "f_p_value": r.f_pvalue, "log_likelihood": r.llf, "aic": r.aic, "bic": r.bic,
                 "df_model": r.df_model, "df_resid": r.df_resid}
    else:
        model = sm.Logit(y, X) if args.model == "logit" else sm.MNLogit(y.astype(int), X)
        r = model.fit(method="newton", maxiter=1000, tol=1e-14, disp=False)
        stats = {"log_likelihood": r.llf, "null_log_likelihood": r.llnull,
                 "pseudo_r2": r.prsquared, "aic": r.aic, "bic": r.bic,
                 "deviance": -2.0 * r.llf}
        if args.model == "logit":
            terms = terms_of(names, r.params, r.bse, r.tvalues, r.pvalues, r.conf_int(alpha), None)
        else:
            # class by class: (k - 1, d, 2) for array data
            ci = np.asarray(r.conf_int(alpha)).reshape(-1, len(names), 2)
            params, bse = np.asarray(r.params), np.asarray(r.bse)
            tvalues, pvalues = np.asarray(r.tvalues), np.asarray(r.pvalues)
            terms = []
            for c in range(params.shape[1]):
                terms += terms_of(names, params[:, c], bse[:, c], tvalues[:, c], pvalues[:, c],
                                  ci[c], str(c + 1))
    json.dump({"terms": terms, "stats": {k: float(v) for k, v in stats.items()},
               "statsmodels": statsmodels.__version__}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
