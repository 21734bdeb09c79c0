"""Peer timings for benches/foundation.rs: the same shape of data (1,000 partitions x
10,000 rows of a random walk) through TA-Lib, Polars, DuckDB and pandas, plus this
machine's memory bandwidth, printed as rows/s.

    python -m venv venv && venv/bin/pip install ta-lib polars duckdb pandas numpy pyarrow
    venv/bin/python benches/peers.py
"""

import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import talib

PARTITIONS, PER = 1_000, 10_000
ROWS = PARTITIONS * PER


def best_of(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def report(name, seconds):
    print(f"{name:42s} {seconds * 1e3:9.1f} ms  {ROWS / seconds / 1e6:8.1f} M rows/s")


rng = np.random.default_rng(7)
close = (100 * np.cumprod(1 + rng.uniform(-1e-3, 1e-3, ROWS))).astype(np.float64)
parts = [np.ascontiguousarray(close[i * PER:(i + 1) * PER]) for i in range(PARTITIONS)]
symbol = np.repeat(np.array([f"S{i:04d}" for i in range(PARTITIONS)]), PER)
ts = np.tile(np.arange(PER, dtype=np.int64), PARTITIONS)

# Memory bandwidth: read 80 MB (sum) and read+write 160 MB (copy).
dst = np.empty_like(close)
t_read = best_of(lambda: close.sum())
t_copy = best_of(lambda: np.copyto(dst, close))
print(f"memory: read {close.nbytes / t_read / 1e9:.1f} GB/s, copy {2 * close.nbytes / t_copy / 1e9:.1f} GB/s "
      f"(a 1-read 1-write pass over 10M f64 takes >= {t_copy * 1e3:.1f} ms)")
report("numpy copy (bandwidth floor)", t_copy)

report("talib.EMA(20) per partition", best_of(lambda: [talib.EMA(p, 20) for p in parts]))
report("talib.SMA(20) per partition", best_of(lambda: [talib.SMA(p, 20) for p in parts]))

df = pl.DataFrame({"symbol": symbol, "ts": ts, "close": close})
report("polars ewm_mean(span=20).over(symbol)",
       best_of(lambda: df.select(pl.col("close").ewm_mean(span=20, adjust=False).over("symbol"))))
report("polars rolling_mean(20).over(symbol)",
       best_of(lambda: df.select(pl.col("close").rolling_mean(20).over("symbol"))))

pdf = pd.DataFrame({"symbol": symbol, "ts": ts, "close": close})
report("pandas groupby.rolling(20).mean()",
       best_of(lambda: pdf.groupby("symbol")["close"].rolling(20).mean(), repeat=2))

con = duckdb.connect()
con.register("bars", df.to_arrow())
report("duckdb AVG OVER (ROWS 19 PRECEDING)",
       best_of(lambda: con.execute(
           "SELECT AVG(close) OVER (PARTITION BY symbol ORDER BY ts "
           "ROWS BETWEEN 19 PRECEDING AND CURRENT ROW) FROM bars").to_arrow_table(), repeat=3))
