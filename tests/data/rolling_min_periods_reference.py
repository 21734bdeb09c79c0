"""pandas reference values for the rolling statistics with min_periods < n.

    venv/bin/pip install pandas==3.* numpy pyarrow
    venv/bin/python tests/data/rolling_min_periods_reference.py

Series: x = the first 120 hourly EURUSD closes and y = the first 120 opens of
../shared/data/fx_h1_eurusd_backtestingpy_2017-2018.parquet. Each case records the
pandas call that produced it.
"""

import json
import os

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

here = os.path.dirname(os.path.abspath(__file__))
fx = pq.read_table(os.path.join(here, "../../../shared/data/fx_h1_eurusd_backtestingpy_2017-2018.parquet")).to_pandas()
x = fx["close"].iloc[:120].reset_index(drop=True)
y = fx["open"].iloc[:120].reset_index(drop=True)

cases = []
for n, m in [(20, 5), (20, 1), (8, 3)]:
    r = x.rolling(n, min_periods=m)
    calls = {
        f"rolling_mean(x, {n}, {m})": (f"x.rolling({n}, min_periods={m}).mean()", r.mean()),
        f"rolling_sum(x, {n}, {m})": (f"x.rolling({n}, min_periods={m}).sum()", r.sum()),
        f"rolling_std(x, {n}, 1, {m})": (f"x.rolling({n}, min_periods={m}).std()", r.std()),
        f"rolling_var(x, {n}, 0, {m})": (f"x.rolling({n}, min_periods={m}).var(ddof=0)", r.var(ddof=0)),
        f"rolling_min(x, {n}, {m})": (f"x.rolling({n}, min_periods={m}).min()", r.min()),
        f"rolling_max(x, {n}, {m})": (f"x.rolling({n}, min_periods={m}).max()", r.max()),
        f"rolling_median(x, {n}, {m})": (f"x.rolling({n}, min_periods={m}).median()", r.median()),
        f"rolling_quantile(x, {n}, 0.3, {m})": (f"x.rolling({n}, min_periods={m}).quantile(0.3)", r.quantile(0.3)),
        f"rolling_skew(x, {n}, {max(m, 3)})": (f"x.rolling({n}, min_periods={max(m, 3)}).skew()", x.rolling(n, min_periods=max(m, 3)).skew()),
        f"rolling_kurt(x, {n}, {max(m, 4)})": (f"x.rolling({n}, min_periods={max(m, 4)}).kurt()", x.rolling(n, min_periods=max(m, 4)).kurt()),
        f"rolling_corr(x, y, {n}, {m})": (f"x.rolling({n}, min_periods={m}).corr(y)", r.corr(y)),
        f"rolling_cov(x, y, {n}, {m})": (f"x.rolling({n}, min_periods={m}).cov(y)", r.cov(y)),
    }
    for sql, (call, values) in calls.items():
        cases.append({"sql": sql, "pandas": call,
                      "expected": [None if np.isnan(v) else float(v) for v in values]})

with open(os.path.join(here, "rolling_min_periods_reference.json"), "w") as f:
    json.dump({"pandas": pd.__version__, "x": x.tolist(), "y": y.tolist(), "cases": cases}, f)
print(len(cases), "cases, pandas", pd.__version__)
