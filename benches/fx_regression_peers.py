"""The rolling-regression stage of sql/fx_regression.sql (slope, intercept at the
oldest bar, R² and RMSE of the close on the bar index, windows 15, 30, 60, 120, 240
and 480: 24 outputs) over 28 pairs x 370,000 one-minute closes, timed in one run
through TA-Lib (composed from LINEARREG_SLOPE, LINEARREG_INTERCEPT, CORREL and
STDDEV per pair), numpy prefix sums per pair, Polars rolling expressions, DuckDB's
regr_* aggregates over ROWS frames and the quantfusion binary. SQL engines sum every
output so all are computed; each engine reads the same sorted parquet file except
TA-Lib and numpy, which get numpy arrays per pair (their bare compute).

    python -m venv venv && venv/bin/pip install ta-lib polars duckdb numpy pyarrow
    cargo build --release
    venv/bin/python benches/fx_regression_peers.py target/release/quantfusion
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import talib

PAIRS, PER = 28, 370_000
ROWS = PAIRS * PER
WINDOWS = [15, 30, 60, 120, 240, 480]


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def report(name, seconds):
    print(f"{name:52s} {seconds:7.2f} s  {ROWS / seconds / 1e6:6.1f} M rows/s")
    return seconds


def write(path):
    rng = np.random.default_rng(11)
    pair = np.repeat(np.array([f"PAIR{i:02d}" for i in range(PAIRS)]), PER)
    ts = np.tile(np.datetime64("2023-01-02T00:00", "us") + np.arange(PER).astype("timedelta64[m]"), PAIRS)
    close = np.concatenate([1.1 * np.exp(np.cumsum(rng.normal(0, 1e-4, PER))) for _ in range(PAIRS)])
    pq.write_table(pa.table({"pair": pair, "ts": pa.array(ts, pa.timestamp("us", tz="UTC")), "close": close}),
                   path, row_group_size=1_000_000)
    return [np.ascontiguousarray(close[i * PER:(i + 1) * PER]) for i in range(PAIRS)]


def talib_run(series):
    t = np.arange(PER, dtype=np.float64)
    for y in series:
        for n in WINDOWS:
            talib.LINEARREG_SLOPE(y, n)
            talib.LINEARREG_INTERCEPT(y, n)
            r = talib.CORREL(t, y, n)
            talib.STDDEV(y, n) * np.sqrt(np.maximum(1 - r * r, 0))


def numpy_run(series):
    for y in series:
        y = y - y[0]  # centred on the first value to keep the prefix sums small
        j = np.arange(PER, dtype=np.float64)
        c1 = np.concatenate(([0.0], np.cumsum(y)))
        c2 = np.concatenate(([0.0], np.cumsum(y * y)))
        cj = np.concatenate(([0.0], np.cumsum(j * y)))
        for n in WINDOWS:
            s1 = c1[n:] - c1[:-n]
            s2 = c2[n:] - c2[:-n]
            start = j[: PER - n + 1]
            sjy = (cj[n:] - cj[:-n]) - start * s1  # sum of local index x y
            xm = (n - 1) / 2
            sxx = n * (n * n - 1) / 12
            sxy = sjy - xm * s1
            syy = s2 - s1 * s1 / n
            slope = sxy / sxx
            intercept = s1 / n - slope * xm
            r2 = sxy * sxy / (sxx * syy)
            rmse = np.sqrt(np.maximum(syy - slope * sxy, 0) / n)
            del slope, intercept, r2, rmse


def polars_run(path):
    y = pl.col("close")
    t = pl.int_range(pl.len()).cast(pl.Float64)
    exprs = []
    for n in WINDOWS:
        my, mt = y.rolling_mean(n), t.rolling_mean(n)
        cov = (t * y).rolling_mean(n) - mt * my
        var_t = (t * t).rolling_mean(n) - mt * mt
        var_y = (y * y).rolling_mean(n) - my * my
        slope = cov / var_t
        intercept = my - slope * (mt - (t - n + 1))
        r2 = cov * cov / (var_t * var_y)
        rmse = ((var_y - slope * cov).clip(lower_bound=0)).sqrt()
        exprs += [e.over("pair").alias(f"{k}_{n}") for k, e in
                  [("slope", slope), ("intercept", intercept), ("r2", r2), ("rmse", rmse)]]
    return pl.scan_parquet(path).select(exprs).select(pl.all().sum()).collect()


def duckdb_sql(path):
    cols, sums = [], []
    for n in WINDOWS:
        w = f"(PARTITION BY pair ORDER BY ts ROWS {n - 1} PRECEDING)"
        cols += [f"regr_slope(close, t) OVER {w} AS slope_{n}",
                 f"regr_intercept(close, t) OVER {w} + regr_slope(close, t) OVER {w} * (t - {n - 1}) AS intercept_{n}",
                 f"regr_r2(close, t) OVER {w} AS r2_{n}",
                 f"sqrt(greatest(regr_syy(close, t) OVER {w} - regr_slope(close, t) OVER {w} * regr_sxy(close, t) OVER {w}, 0) / {n}) AS rmse_{n}"]
        sums += [f"sum({k}_{n})" for k in ("slope", "intercept", "r2", "rmse")]
    return (f"SELECT {', '.join(sums)} FROM (SELECT {', '.join(cols)} FROM "
            f"(SELECT *, row_number() OVER (PARTITION BY pair ORDER BY ts)::DOUBLE AS t FROM read_parquet('{path}')))")


def quantfusion_sql(path):
    cols, sums = [], []
    for n in WINDOWS:
        for k, f in (("slope", "linreg_slope"), ("intercept", "linreg_intercept"), ("r2", "linreg_r2"), ("rmse", "linreg_rmse")):
            cols.append(f"{f}(close, {n}) OVER w AS {k}_{n}")
            sums.append(f"sum({k}_{n})")
    return (f"CREATE EXTERNAL TABLE m1_bars STORED AS PARQUET LOCATION '{path}' WITH ORDER (pair ASC, ts ASC); "
            f"SELECT {', '.join(sums)} FROM (SELECT {', '.join(cols)} FROM m1_bars "
            f"WINDOW w AS (PARTITION BY pair ORDER BY ts))")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/quantfusion"
    work = tempfile.mkdtemp(prefix="qf_fxreg_")
    path = os.path.join(work, "m1.parquet")
    series = write(path)
    print(f"data: {PAIRS} pairs x {PER} closes, windows {WINDOWS}, 24 outputs")
    t_talib = report("TA-Lib composed, bare compute (1 core)", timed(lambda: talib_run(series)))
    t_np = report("numpy prefix sums per pair (1 core)", timed(lambda: numpy_run(series)))
    t_pl = report("Polars lazy parquet, rolling expressions", timed(lambda: polars_run(path)))
    con = duckdb.connect()
    t_dd = report("DuckDB regr_* over ROWS frames", timed(lambda: con.sql(duckdb_sql(path)).fetchall()))
    sql = quantfusion_sql(path)
    runs = [timed(lambda: subprocess.run([binary, "-q", "-c", sql], check=True, capture_output=True))
            for _ in range(3)]
    t_qf = report("quantfusion SQL from parquet (binary, best of 3)", min(runs))
    print(f"ratios: TA-Lib/quantfusion {t_talib / t_qf:.2f}x; numpy {t_np / t_qf:.1f}x; "
          f"Polars {t_pl / t_qf:.1f}x; DuckDB {t_dd / t_qf:.0f}x")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
