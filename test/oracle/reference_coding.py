#!/usr/bin/env python3
"""statsmodels' OLS or Logit with a text feature in treatment coding, as JSON:
the oracle test/t/014_reference_coding.pl compares mm_coefficients against.

    reference_coding.py DATA.csv --model ols|logit --reference LEVEL

DATA.csv has a header row x1,cat,y and one row per observation (y 0 or 1 for
logit).  The fit is the formula y ~ x1 + C(cat, Treatment(reference=LEVEL)),
unpenalized, with an intercept.  Prints {"terms": {name: {"coef", "std_err",
"stat", "p_value"}}, "statsmodels": version}, the terms named as
mm_coefficients names them (intercept, x1, cat=level), floats in shortest
round-trip form.
"""
import argparse
import json
import re
import sys

import pandas as pd
import statsmodels
import statsmodels.formula.api as smf


def term_name(name):
    """statsmodels' name of a term as mm_coefficients spells it."""
    if name == "Intercept":
        return "intercept"
    m = re.fullmatch(r"C\(cat, Treatment\(reference=.*\)\)\[T\.(.*)\]", name)
    return "cat=" + m.group(1) if m else name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--model", choices=["ols", "logit"], required=True)
    ap.add_argument("--reference", required=True)
    args = ap.parse_args()

    data = pd.read_csv(args.csv, dtype={"x1": float, "cat": str, "y": float},
                       keep_default_na=False)
    formula = "y ~ x1 + C(cat, Treatment(reference=%r))" % args.reference
    if args.model == "ols":
        fit = smf.ols(formula, data).fit()
    else:
        # Newton's method to the optimum's last digit: the comparison is at 1e-6
        fit = smf.logit(formula, data).fit(method="newton", tol=1e-14, maxiter=200, disp=False)
    terms = {}
    for name in fit.params.index:
        terms[term_name(name)] = {
            "coef": float(fit.params[name]),
            "std_err": float(fit.bse[name]),
            "stat": float(fit.tvalues[name]),
            "p_value": float(fit.pvalues[name]),
        }
    json.dump({"terms": terms, "statsmodels": statsmodels.__version__}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
