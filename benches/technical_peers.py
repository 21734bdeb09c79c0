"""Technical indicators over 1,000 symbols x 10,000 hourly OHLCV bars (10M rows),
timed in one run through TA-Lib, Polars, DuckDB and the quantfusion binary.

The 13 outputs: SMA20, EMA20, RSI14, MACD line/signal/hist (12, 26, 9), Bollinger
upper/middle/lower (20, 2), ATR14, WILLR14, the log return and the 20-row standard
deviation of the log return. DuckDB can express 7 of them (SMA, the three bands,
WILLR, log return, its rolling std); Polars all 13, its EWM-based ones (EMA, RSI,
MACD, ATR) with its own seeding, so close to but not equal to TA-Lib's values.

Every engine reads the same parquet file, sorted by (symbol, ts). SQL engines are
timed as `SELECT sum(output) ...` over the query so every output is computed and
nothing big is printed; TA-Lib is timed on numpy arrays already split per symbol
(its bare compute loop), with the parquet read reported separately. Then the
quantfusion stage sql/indicators36.sql is materialised from the same file (1,000
symbol partitions of parquet).

    python -m venv venv && venv/bin/pip install ta-lib polars duckdb pandas numpy pyarrow
    cargo build --release
    venv/bin/python benches/technical_peers.py target/release/quantfusion

`--pairs N` (after the binary) then times TA-Lib's loop and the quantfusion query
alternately N times and prints each pair's ratio and their median: on a shared
machine whose speed drifts within a minute, a ratio of two times taken seconds
apart is steadier than one of two best-of-3s.
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

SYMBOLS, PER = 1_000, 10_000
ROWS = SYMBOLS * PER
REPEAT = 3


def best_of(fn, repeat=REPEAT):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def report(name, seconds, outputs):
    print(f"{name:58s} {seconds * 1e3:9.1f} ms  {ROWS / seconds / 1e6:7.1f} M rows/s  ({outputs} outputs)")
    return seconds


def write_bars(path):
    rng = np.random.default_rng(3)
    steps = rng.normal(0.0, 2e-3, ROWS)
    close = np.empty(ROWS)
    for s in range(SYMBOLS):
        seg = slice(s * PER, (s + 1) * PER)
        close[seg] = 50.0 * np.exp(np.cumsum(steps[seg]))
    open_ = np.roll(close, 1)
    open_[::PER] = close[::PER]
    wick = np.abs(rng.normal(0.0, 1e-3, (2, ROWS)))
    high = np.maximum(open_, close) * (1 + wick[0])
    low = np.minimum(open_, close) * (1 - wick[1])
    volume = rng.integers(100, 10_000, ROWS)
    symbol = np.repeat(np.array([f"S{i:04d}" for i in range(SYMBOLS)]), PER)
    start = np.datetime64("2020-01-01T00:00:00", "us")
    ts = start + np.tile(np.arange(PER), SYMBOLS).astype("timedelta64[h]")
    table = pa.table({
        "symbol": symbol, "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "open": open_, "high": high, "low": low, "close": close, "volume": volume,
    })
    pq.write_table(table, path, row_group_size=500_000)


def talib_loop(arrays):
    for o, h, l, c in arrays:
        talib.SMA(c, 20)
        talib.EMA(c, 20)
        talib.RSI(c, 14)
        talib.MACD(c, 12, 26, 9)
        talib.BBANDS(c, 20, 2, 2)
        talib.ATR(h, l, c, 14)
        talib.WILLR(h, l, c, 14)
        lr = np.log(c[1:] / c[:-1])
        talib.STDDEV(lr, 20) * np.sqrt(20 / 19)


def polars_query(path):
    c = pl.col("close")
    lr = (c / c.shift(1)).log()
    tr = pl.max_horizontal(pl.col("high") - pl.col("low"),
                           (pl.col("high") - c.shift(1)).abs(),
                           (pl.col("low") - c.shift(1)).abs())
    delta = c.diff()
    gain = delta.clip(lower_bound=0).ewm_mean(alpha=1 / 14, adjust=False)
    loss = (-delta).clip(lower_bound=0).ewm_mean(alpha=1 / 14, adjust=False)
    macd = c.ewm_mean(span=12, adjust=False) - c.ewm_mean(span=26, adjust=False)
    mid = c.rolling_mean(20)
    sd = c.rolling_std(20, ddof=0)
    hh = pl.col("high").rolling_max(14)
    ll = pl.col("low").rolling_min(14)
    exprs = {
        "sma": mid, "ema": c.ewm_mean(span=20, adjust=False), "rsi": 100 - 100 / (1 + gain / loss),
        "macd": macd, "signal": macd.ewm_mean(span=9, adjust=False),
        "hist": macd - macd.ewm_mean(span=9, adjust=False),
        "upper": mid + 2 * sd, "middle": mid, "lower": mid - 2 * sd,
        "atr": tr.ewm_mean(alpha=1 / 14, adjust=False), "willr": -100 * (hh - c) / (hh - ll),
        "lr": lr, "lr_std": lr.rolling_std(20),
    }
    return (pl.scan_parquet(path)
            .select([e.over("symbol").alias(k) for k, e in exprs.items()])
            .select([pl.col(k).sum() for k in exprs])
            .collect())


DUCKDB_SQL = """
WITH b AS (
  SELECT symbol, ts, close, high, low,
    ln(close / lag(close) OVER w) AS lr,
    avg(close) OVER (w ROWS 19 PRECEDING) AS sma,
    stddev_pop(close) OVER (w ROWS 19 PRECEDING) AS sd,
    max(high) OVER (w ROWS 13 PRECEDING) AS hh,
    min(low) OVER (w ROWS 13 PRECEDING) AS ll
  FROM read_parquet('{path}') WINDOW w AS (PARTITION BY symbol ORDER BY ts))
SELECT sum(sma), sum(sma + 2 * sd), sum(sma), sum(sma - 2 * sd), sum(-100 * (hh - close) / (hh - ll)),
       sum(lr), sum(lr_std)
FROM (SELECT *, stddev_samp(lr) OVER (PARTITION BY symbol ORDER BY ts ROWS 19 PRECEDING) AS lr_std FROM b)
"""

QUANTFUSION_SQL = """
CREATE EXTERNAL TABLE bars STORED AS PARQUET LOCATION '{path}' WITH ORDER (symbol ASC, ts ASC);
WITH r AS (SELECT *, log_return(close) OVER w AS lr FROM bars WINDOW w AS (PARTITION BY symbol ORDER BY ts)),
f AS (
  SELECT sma(close, 20) OVER w AS sma, ema(close, 20) OVER w AS ema, rsi(close, 14) OVER w AS rsi,
    macd(close, 12, 26, 9) OVER w AS macd, macd_signal(close, 12, 26, 9) OVER w AS signal,
    macd_hist(close, 12, 26, 9) OVER w AS hist,
    bb_upper(close, 20, 2) OVER w AS upper, bb_middle(close, 20) OVER w AS middle,
    bb_lower(close, 20, 2) OVER w AS lower,
    atr(high, low, close, 14) OVER w AS atr, willr(high, low, close, 14) OVER w AS willr,
    lr, rolling_std(lr, 20) OVER w AS lr_std
  FROM r WINDOW w AS (PARTITION BY symbol ORDER BY ts))
SELECT {sums} FROM f
"""

QUANTFUSION_7 = ["sma", "upper", "middle", "lower", "willr", "lr", "lr_std"]
QUANTFUSION_13 = ["sma", "ema", "rsi", "macd", "signal", "hist", "upper", "middle", "lower",
                  "atr", "willr", "lr", "lr_std"]


def quantfusion(binary, path, outputs):
    sql = QUANTFUSION_SQL.format(path=path, sums=", ".join(f"sum({o})" for o in outputs))
    subprocess.run([binary, "-q", "-c", sql], check=True, capture_output=True)


def alternating_pairs(binary, path, arrays, pairs):
    """TA-Lib's loop and the 13-output query timed back to back, `pairs` times."""
    ratios = []
    for i in range(pairs):
        t_talib = best_of(lambda: talib_loop(arrays), repeat=1)
        t_qf = best_of(lambda: quantfusion(binary, path, QUANTFUSION_13), repeat=1)
        ratios.append(t_qf / t_talib)
        print(f"pair {i + 1:2d}: TA-Lib {t_talib * 1e3:6.1f} ms, quantfusion {t_qf * 1e3:6.1f} ms, "
              f"ratio {t_qf / t_talib:.2f}")
    ratios.sort()
    print(f"quantfusion/TA-Lib time over {pairs} alternating pairs: median {ratios[pairs // 2]:.2f}, "
          f"range {ratios[0]:.2f}-{ratios[-1]:.2f}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/quantfusion"
    pairs = int(sys.argv[sys.argv.index("--pairs") + 1]) if "--pairs" in sys.argv else 0
    work = tempfile.mkdtemp(prefix="qf_technical_")
    path = os.path.join(work, "bars.parquet")
    write_bars(path)
    print(f"data: {SYMBOLS} symbols x {PER} hourly bars, {os.path.getsize(path) / 1e6:.0f} MB parquet")

    t_read = best_of(lambda: pq.read_table(path, columns=["symbol", "open", "high", "low", "close"]))
    table = pq.read_table(path, columns=["open", "high", "low", "close"])
    cols = [table.column(n).to_numpy() for n in ("open", "high", "low", "close")]
    arrays = [tuple(np.ascontiguousarray(a[s * PER:(s + 1) * PER]) for a in cols) for s in range(SYMBOLS)]
    t_talib = report("TA-Lib per-symbol loop, bare compute (1 core)", best_of(lambda: talib_loop(arrays)), 13)
    report("  + pyarrow parquet read", t_read, 0)
    t_polars = report("Polars lazy parquet -> .over(symbol)", best_of(lambda: polars_query(path)), 13)
    con = duckdb.connect()
    t_duck = report("DuckDB SQL from parquet", best_of(lambda: con.sql(DUCKDB_SQL.format(path=path)).fetchall()), 7)
    t_start = best_of(lambda: subprocess.run([binary, "-q", "-c", "SELECT 1"], check=True, capture_output=True))
    report("quantfusion process start (SELECT 1)", t_start, 0)
    t_qf13 = report("quantfusion SQL from parquet (binary, both cores)", best_of(lambda: quantfusion(binary, path, QUANTFUSION_13)), 13)
    t_qf7 = report("quantfusion SQL, DuckDB's 7 outputs", best_of(lambda: quantfusion(binary, path, QUANTFUSION_7)), 7)
    print(f"ratios: quantfusion/TA-Lib time {t_qf13 / t_talib:.2f} (>1 = slower); "
          f"Polars/quantfusion {t_polars / t_qf13:.2f}x; DuckDB/quantfusion (7 outputs) {t_duck / t_qf7:.2f}x")
    if pairs:
        alternating_pairs(binary, path, arrays, pairs)

    dest = os.path.join(work, "indicators36")
    stage = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sql", "indicators36.sql")
    t0 = time.perf_counter()
    subprocess.run([binary, "materialize", "--sql", stage, "--table", f"bars={path}", "--to", dest,
                    "--partition-by", "symbol"], check=True, capture_output=True)
    t_stage = time.perf_counter() - t0
    report("quantfusion indicators36 stage -> 1,000 parquet partitions", t_stage, 37)
    print(f"seed 003 took 2 s per symbol: {SYMBOLS * 2 / 60:.0f} min for {SYMBOLS} symbols; "
          f"this stage {t_stage:.1f} s ({SYMBOLS * 2 / t_stage:.0f}x)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
