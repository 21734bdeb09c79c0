"""Peers of benches/stationarity.rs, on the same shapes of data:

- fractional differentiation at d = 0.4, threshold 1e-5 (1,458 weights) over
  100 series x 100,000 rows with scipy's fftconvolve in one 2-D call, and with
  np.convolve per series;
- statsmodels adfuller(x, maxlag=12, autolag='AIC') on the log-price path of the
  last 2,520 S&P 500 daily returns in ../shared/golden;
- arch GARCH(1,1) on those returns in percent;
- and, in the same run, the quantfusion binary's `frac_diff(x, 0.4)` SQL over the
  same series written as parquet sorted by (pair, ts), process start and parquet
  reading included, every output summed.

    venv/bin/pip install numpy scipy statsmodels arch pyarrow
    cargo build --release
    venv/bin/python benches/stationarity_peers.py target/release/quantfusion
"""

import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from arch import arch_model
from scipy.signal import fftconvolve
from statsmodels.tsa.stattools import adfuller

warnings.simplefilter("ignore")
SERIES, ROWS = 100, 100_000


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def weights(d, threshold):
    w = [1.0]
    k = 1
    while True:
        nxt = -w[-1] * (d - k + 1) / k
        if abs(nxt) < threshold:
            return np.array(w)
        w.append(nxt)
        k += 1


rng = np.random.default_rng(3)
x = 4.6 + np.cumsum(rng.uniform(-0.01, 0.01, size=(SERIES, ROWS)), axis=1)
w = weights(0.4, 1e-5)
t_fft = best_of(lambda: fftconvolve(x, w[None, :], mode="valid", axes=1))
t_np = best_of(lambda: [np.convolve(s, w, mode="valid") for s in x], repeat=1)
print(f"frac_diff d=0.4 ({len(w)} weights), {SERIES} x {ROWS} rows:")
print(f"  scipy fftconvolve (2-D, one call)  {t_fft * 1e3:8.1f} ms  {SERIES * ROWS / t_fft / 1e6:7.1f} Mrows/s")
print(f"  np.convolve per series (direct)    {t_np * 1e3:8.1f} ms  {SERIES * ROWS / t_np / 1e6:7.1f} Mrows/s")

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/quantfusion"
with tempfile.TemporaryDirectory(prefix="qf_fracdiff_") as work:
    path = os.path.join(work, "series.parquet")
    pq.write_table(pa.table({"pair": np.repeat([f"P{s:03d}" for s in range(SERIES)], ROWS),
                             "ts": np.tile(np.arange(ROWS), SERIES), "x": x.ravel()}),
                   path, row_group_size=1_000_000)
    sql = (f"CREATE EXTERNAL TABLE series STORED AS PARQUET LOCATION '{path}' WITH ORDER (pair ASC, ts ASC); "
           "SELECT sum(fd) FROM (SELECT frac_diff(x, 0.4) OVER (PARTITION BY pair ORDER BY ts) AS fd FROM series)")
    t_qf = best_of(lambda: subprocess.run([binary, "-q", "-c", sql], check=True, capture_output=True), repeat=5)
print(f"  quantfusion SQL from parquet (binary, both cores) {t_qf * 1e3:8.1f} ms  {SERIES * ROWS / t_qf / 1e6:7.1f} Mrows/s")
print(f"  ratio: quantfusion rows/s / scipy fftconvolve rows/s = {t_fft / t_qf:.2f}x")


spx = pq.read_table("../shared/golden/inputs/spx_returns.parquet").to_pandas().sort_values("ts")
returns = 100 * spx["ret"].dropna().to_numpy()[-2520:]
prices = np.cumsum(returns / 100)
t_adf = best_of(lambda: adfuller(prices, maxlag=12, regression="c", autolag="AIC"), repeat=10)
t_garch = best_of(lambda: arch_model(returns, mean="Constant", vol="GARCH", p=1, q=1,
                                     dist="normal").fit(disp="off"), repeat=5)
print(f"statsmodels adfuller, SPX 2,520 rows, maxlag 12: {t_adf * 1e3:8.2f} ms")
print(f"arch GARCH(1,1) fit, SPX 2,520 percent returns:  {t_garch * 1e3:8.2f} ms")
