"""Rolling statistics over 1,000 symbols x 10,000 rows (10M rows), timed in one run
through pandas, Polars, DuckDB and the quantfusion binary.

The 8 outputs, window 50: mean, std (ddof 1), min, max, median, skew, kurtosis and
the correlation of x with y. Every engine reads the same parquet file sorted by
(symbol, ts); SQL engines sum each output so all are computed and nothing big is
printed; pandas and Polars compute from the file too (read included).

    python -m venv venv && venv/bin/pip install polars duckdb pandas numpy pyarrow
    cargo build --release
    venv/bin/python benches/rolling_peers.py target/release/quantfusion
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

SYMBOLS, PER, N = 1_000, 10_000, 50
ROWS = SYMBOLS * PER
OUTPUTS = ["mean", "std", "min", "max", "median", "skew", "kurt", "corr"]


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def report(name, seconds, outputs):
    print(f"{name:50s} {seconds * 1e3:9.1f} ms  {ROWS / seconds / 1e6:7.1f} M rows/s  ({outputs} outputs)")
    return seconds


def write(path):
    rng = np.random.default_rng(5)
    x = np.concatenate([100 * np.exp(np.cumsum(rng.normal(0, 1e-3, PER))) for _ in range(SYMBOLS)])
    y = x * (1 + rng.normal(0, 1e-3, ROWS))
    symbol = np.repeat(np.array([f"S{i:04d}" for i in range(SYMBOLS)]), PER)
    ts = np.tile(np.arange(PER, dtype=np.int64), SYMBOLS)
    pq.write_table(pa.table({"symbol": symbol, "ts": ts, "x": x, "y": y}), path, row_group_size=500_000)


def pandas_run(path):
    df = pd.read_parquet(path)
    g = df.groupby("symbol", sort=False)
    r = g["x"].rolling(N)
    out = [r.mean(), r.std(), r.min(), r.max(), r.median(), r.skew(), r.kurt()]
    corr = g[["x", "y"]].rolling(N).corr()
    return [o.sum() for o in out] + [corr.sum()]


def polars_run(path):
    x, y = pl.col("x"), pl.col("y")
    mx, my = x.rolling_mean(N), y.rolling_mean(N)
    cov = ((x * y).rolling_mean(N) - mx * my)
    corr = cov / ((x * x).rolling_mean(N) - mx * mx).sqrt() / ((y * y).rolling_mean(N) - my * my).sqrt()
    exprs = [mx, x.rolling_std(N), x.rolling_min(N), x.rolling_max(N), x.rolling_median(N),
             x.rolling_skew(N), x.rolling_kurtosis(N), corr]
    return (pl.scan_parquet(path)
            .select([e.over("symbol").alias(o) for e, o in zip(exprs, OUTPUTS)])
            .select([pl.col(o).sum() for o in OUTPUTS]).collect())


DUCKDB_SQL = """
SELECT sum(m), sum(s), sum(lo), sum(hi), sum(med), sum(c) FROM (
  SELECT avg(x) OVER w AS m, stddev_samp(x) OVER w AS s, min(x) OVER w AS lo, max(x) OVER w AS hi,
         median(x) OVER w AS med, corr(x, y) OVER w AS c
  FROM read_parquet('{path}')
  WINDOW w AS (PARTITION BY symbol ORDER BY ts ROWS {n1} PRECEDING))
"""

QUANTFUSION_SQL = """
CREATE EXTERNAL TABLE bars STORED AS PARQUET LOCATION '{path}' WITH ORDER (symbol ASC, ts ASC);
SELECT {sums} FROM (
  SELECT rolling_mean(x, {n}) OVER w AS mean, rolling_std(x, {n}) OVER w AS std,
    rolling_min(x, {n}) OVER w AS min, rolling_max(x, {n}) OVER w AS max,
    rolling_median(x, {n}) OVER w AS median, rolling_skew(x, {n}) OVER w AS skew,
    rolling_kurt(x, {n}) OVER w AS kurt, rolling_corr(x, y, {n}) OVER w AS corr
  FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts))
"""


def quantfusion(binary, path, outputs):
    sql = QUANTFUSION_SQL.format(path=path, n=N, sums=", ".join(f"sum({o})" for o in outputs))
    subprocess.run([binary, "-q", "-c", sql], check=True, capture_output=True)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/quantfusion"
    work = tempfile.mkdtemp(prefix="qf_rolling_")
    path = os.path.join(work, "series.parquet")
    write(path)
    print(f"data: {SYMBOLS} symbols x {PER} rows, window {N}")
    t_pd = report("pandas groupby().rolling() (read included)", best_of(lambda: pandas_run(path), repeat=1), 8)
    t_pl = report("Polars lazy parquet -> rolling_*().over(symbol)", best_of(lambda: polars_run(path)), 8)
    con = duckdb.connect()
    t_dd = report("DuckDB SQL window frames (no skew/kurt)", best_of(lambda: con.sql(DUCKDB_SQL.format(path=path, n1=N - 1)).fetchall()), 6)
    t_qf = report("quantfusion SQL from parquet (binary, both cores)", best_of(lambda: quantfusion(binary, path, OUTPUTS)), 8)
    six = ["mean", "std", "min", "max", "median", "corr"]
    t_qf6 = report("quantfusion SQL, DuckDB's 6 outputs", best_of(lambda: quantfusion(binary, path, six)), 6)
    print(f"ratios: pandas/quantfusion {t_pd / t_qf:.1f}x; Polars/quantfusion {t_pl / t_qf:.2f}x; "
          f"DuckDB/quantfusion (6 outputs) {t_dd / t_qf6:.1f}x")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
