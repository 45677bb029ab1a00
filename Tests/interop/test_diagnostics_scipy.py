"""`mledger diagnostics` against scipy and statsmodels computed live on fresh samples (a seed the
committed fixtures do not use): Shapiro-Wilk (scipy.stats.shapiro), Anderson-Darling
(statsmodels normal_ad), D'Agostino-Pearson (scipy.stats.normaltest) to 1e-6, and the 90 %
residual interval (numpy.quantile, linear) to 1e-9."""
import json

import numpy as np
import pytest
import scipy.stats as st
from statsmodels.stats.diagnostic import normal_ad

from mledger_node import mledger


def close(ours, theirs, tolerance=1e-6):
    return abs(ours - theirs) <= tolerance * max(1.0, abs(theirs))


def run_diagnostics(tmp_path, values):
    path = tmp_path / "residuals.json"
    path.write_text(json.dumps({"residuals": [float(v) for v in values]}))
    result = mledger("diagnostics", "--residuals", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


SAMPLES = [(n, shape) for n in (9, 15, 30, 120, 800, 4000) for shape in ("normal", "gamma", "laplace")]


@pytest.mark.parametrize("n,shape", SAMPLES)
def test_matches_scipy_and_statsmodels(tmp_path, n, shape):
    rng = np.random.default_rng(n * 31 + len(shape))
    values = {"normal": lambda: rng.normal(-0.2, 0.05, n), "gamma": lambda: rng.gamma(2.0, 1.0, n),
              "laplace": lambda: rng.laplace(0.0, 1.0, n)}[shape]()
    answer = run_diagnostics(tmp_path, values)
    assert answer["n"] == n
    sw = st.shapiro(values)
    assert close(answer["shapiro_wilk"]["statistic"], sw.statistic), (answer["shapiro_wilk"], sw)
    assert close(answer["shapiro_wilk"]["p_value"], sw.pvalue), (answer["shapiro_wilk"], sw)
    ad, ad_p = normal_ad(values)
    assert close(answer["anderson_darling"]["statistic"], ad), (answer["anderson_darling"], ad)
    assert close(answer["anderson_darling"]["p_value"], ad_p), (answer["anderson_darling"], ad_p)
    k2 = st.normaltest(values)
    assert close(answer["dagostino_pearson"]["statistic"], k2.statistic), (answer["dagostino_pearson"], k2)
    assert close(answer["dagostino_pearson"]["p_value"], k2.pvalue), (answer["dagostino_pearson"], k2)
    lo, hi = np.quantile(values, [0.05, 0.95])
    assert close(answer["interval"]["lower_offset"], lo, 1e-9) and close(answer["interval"]["upper_offset"], hi, 1e-9)


def test_too_few_and_bad_values_are_refused(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"residuals": [1.0, 2.0]}))
    result = mledger("diagnostics", "--residuals", str(path))
    assert result.returncode != 0 and "at least 3 values, got 2" in result.stderr
    path.write_text('{"residuals": [1.0, "x", 2.0]}')
    result = mledger("diagnostics", "--residuals", str(path))
    assert result.returncode != 0 and "residuals[1]" in result.stderr
    # Seven values: Shapiro-Wilk and Anderson-Darling only.
    answer = run_diagnostics(tmp_path, [0.1, -0.3, 0.25, 0.9, -1.1, 0.05, 0.4])
    assert answer["dagostino_pearson"] is None and close(answer["shapiro_wilk"]["p_value"],
                                                         st.shapiro([0.1, -0.3, 0.25, 0.9, -1.1, 0.05, 0.4]).pvalue)
