#!/usr/bin/env python3
"""Writes Tests/DiagnosticsTests/Fixtures/normality.json: seeded samples of several sizes and
shapes with the normality statistics and quantiles that scipy, statsmodels and numpy compute
for them. MLedger's Diagnostics module must reproduce these to 1e-6 (quantiles to 1e-9).

Run with the interop venv:  Tests/interop/.venv/bin/python tools/make-diagnostics-fixtures.py
"""
import json
import math
import pathlib
import sys

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.diagnostic import normal_ad

PROBABILITIES = [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0]


def draw(rng, shape, n):
    if shape == "normal":
        return rng.normal(3.0, 2.0, n)
    if shape == "uniform":
        return rng.uniform(-1.0, 1.0, n)
    if shape == "exponential":
        return rng.exponential(1.5, n)
    if shape == "student-t3":
        return rng.standard_t(3, n)
    if shape == "lognormal":
        return rng.lognormal(0.0, 0.75, n)
    raise ValueError(shape)


def num(x):
    """JSON has no infinity: non-finite results (A² is +inf when a value lies so far out that
    its normal CDF rounds to 1) are written as the strings "inf", "-inf", "nan"."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def reference(values):
    x = np.asarray(values, dtype=np.float64)
    sw = st.shapiro(x)
    ad, ad_p = normal_ad(x)
    case = {
        "shapiro_wilk": {"statistic": num(sw.statistic), "p_value": num(sw.pvalue)},
        "anderson_darling": {"statistic": num(ad), "p_value": num(ad_p)},
        "quantiles": {"probabilities": PROBABILITIES,
                      "values": [float(q) for q in np.quantile(x, PROBABILITIES)]},
    }
    if len(x) >= 8:
        k2 = st.normaltest(x)
        case["dagostino_pearson"] = {"statistic": num(k2.statistic), "p_value": num(k2.pvalue),
                                     "skewness_z": num(st.skewtest(x).statistic),
                                     "kurtosis_z": num(st.kurtosistest(x).statistic)}
    return case


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "Tests/DiagnosticsTests/Fixtures/normality.json")
    rng = np.random.default_rng(20261207)
    plan = [(n, s) for n in (3, 4, 5, 8, 11, 12, 20, 50, 200, 1000)
            for s in ("normal", "uniform", "exponential", "student-t3", "lognormal")]
    plan += [(5000, "normal"), (5000, "exponential")]
    cases = []
    for n, shape in plan:
        # Six decimals keep the file small; the references are computed on the rounded values.
        values = [round(float(v), 6) for v in draw(rng, shape, n)]
        cases.append({"name": f"{shape}-{n}", "values": values, **reference(values)})
    document = {
        "generator": "tools/make-diagnostics-fixtures.py",
        "versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
