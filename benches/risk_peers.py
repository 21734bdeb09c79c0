"""Peers of benches/risk.rs on the same data in the same run.

Writes 1,000 symbols x 2,520 daily returns (numpy seed 11) to parquet sorted by
(symbol, ts), the order recorded in the file's metadata, then times
  - the risk scorecard (15 metrics per symbol) with empyrical called per symbol,
    with a vectorised numpy computation over the (symbol, day) matrix, and with
    quantfusion's one GROUP BY query through the release binary (`-c`, so process
    start and parquet reading are included);
  - the 5% quantile of the maximum drawdown over 10,000 i.i.d. bootstrap resamples of
    one 2,520-row series with vectorised numpy, and with quantfusion's
    `mc_max_drawdown` through the binary.
Prints the best of several runs of each and the ratios.

    venv/bin/pip install empyrical-reloaded numpy pandas pyarrow
    cargo build --release && venv/bin/python benches/risk_peers.py target/release/quantfusion
"""

import pathlib
import subprocess
import sys
import tempfile
import time

import empyrical as ep
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SYMBOLS, DAYS, SIMS = 1_000, 2_520, 10_000

SCORECARD = """SELECT symbol, sharpe_ratio(ret, 252), sortino_ratio(ret, 252),
    annual_return(ret, 252), annual_volatility(ret, 252), calmar_ratio(ret, 252 ORDER BY ts),
    max_drawdown(ret ORDER BY ts), value_at_risk(ret, 0.05), conditional_value_at_risk(ret, 0.05),
    omega_ratio(ret), tail_ratio(ret), downside_risk(ret, 252),
    stability_of_timeseries(ret ORDER BY ts), win_rate(ret), profit_factor(ret),
    total_return(ret ORDER BY ts) FROM '{path}' GROUP BY symbol"""

MC = "SELECT mc_max_drawdown(ret, {sims}, 0.05, 1 ORDER BY ts) FROM '{path}' WHERE symbol = 'S0000'"


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def empyrical_loop(frame):
    out = []
    for _, r in frame.groupby("symbol", sort=False)["ret"]:
        r = r.to_numpy()
        out.append((
            ep.sharpe_ratio(r, annualization=252), ep.sortino_ratio(r, annualization=252),
            ep.annual_return(r, annualization=252), ep.annual_volatility(r, annualization=252),
            ep.calmar_ratio(r, annualization=252), ep.max_drawdown(r),
            ep.value_at_risk(r, 0.05), ep.conditional_value_at_risk(r, 0.05),
            ep.omega_ratio(r), ep.tail_ratio(r), ep.downside_risk(r, annualization=252),
            ep.stability_of_timeseries(r),
            (r > 0).sum() / (r != 0).sum(), r[r > 0].sum() / -r[r < 0].sum(),
            ep.cum_returns_final(r),
        ))
    return out


def numpy_matrix(m):
    """The same 15 metrics, vectorised over a (symbols, days) matrix."""
    n = m.shape[1]
    mean, std = m.mean(1), m.std(1, ddof=1)
    down = np.sqrt((np.minimum(m, 0) ** 2).mean(1)) * np.sqrt(252)
    growth = np.prod(1 + m, axis=1)
    wealth = np.cumprod(1 + m, axis=1)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=1), 1.0)
    mdd = np.minimum(((wealth - peak) / peak).min(1), 0)
    annual = growth ** (252 / n) - 1
    s = np.sort(m, axis=1)
    p5, p95 = np.percentile(s, 5, axis=1), np.percentile(s, 95, axis=1)
    k = int(np.floor((n - 1) * 0.05)) + 1
    gains, losses = np.where(m > 0, m, 0).sum(1), -np.where(m < 0, m, 0).sum(1)
    y = np.cumsum(np.log1p(m), axis=1)
    x = np.arange(n) - (n - 1) / 2
    yc = y - y.mean(1, keepdims=True)
    r2 = (yc @ x) ** 2 / ((x @ x) * (yc * yc).sum(1))
    return (mean / std * np.sqrt(252), mean * 252 / down, annual, std * np.sqrt(252),
            annual / np.abs(mdd), mdd, p5, s[:, :k].mean(1), gains / losses, np.abs(p95) / np.abs(p5),
            down, r2, (m > 0).sum(1) / (m != 0).sum(1), gains / losses, growth - 1)


def numpy_bootstrap(r, sims, chunk=2_000):
    rng = np.random.default_rng(1)
    out = []
    for _ in range(sims // chunk):
        wealth = np.cumprod(1 + r[rng.integers(0, len(r), size=(chunk, len(r)))], axis=1)
        peak = np.maximum(np.maximum.accumulate(wealth, axis=1), 1.0)
        out.append(np.minimum(((wealth - peak) / peak).min(1), 0))
    return np.quantile(np.concatenate(out), 0.05)


def quantfusion(binary, sql):
    subprocess.run([binary, "-q", "--format", "csv", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/quantfusion"
    rng = np.random.default_rng(11)
    m = rng.normal(3e-4, 0.015, size=(SYMBOLS, DAYS))
    frame = pd.DataFrame({
        "symbol": np.repeat([f"S{i:04d}" for i in range(SYMBOLS)], DAYS),
        "ts": np.tile(np.arange(DAYS, dtype=np.int64), SYMBOLS),
        "ret": m.ravel(),
    })
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "returns.parquet"
        # The file records its order in its metadata (as DataFusion writes a table
        # declared WITH ORDER), so the reader knows each symbol's rows are together.
        table = pa.Table.from_pandas(frame, preserve_index=False)
        order = pq.SortingColumn.from_ordering(table.schema, [("symbol", "ascending"), ("ts", "ascending")])
        pq.write_table(table, path, sorting_columns=order)

        t_ep = best_of(lambda: empyrical_loop(frame), repeat=1)
        t_np = best_of(lambda: numpy_matrix(frame["ret"].to_numpy().reshape(SYMBOLS, DAYS)))
        t_start = best_of(lambda: quantfusion(binary, "SELECT 1"))
        t_qf = best_of(lambda: quantfusion(binary, SCORECARD.format(path=path)))
        print(f"scorecard, {SYMBOLS} symbols x {DAYS} returns, 15 metrics:")
        print(f"  empyrical per symbol      {t_ep * 1e3:9.1f} ms")
        print(f"  numpy vectorised matrix   {t_np * 1e3:9.1f} ms")
        print(f"  quantfusion GROUP BY      {t_qf * 1e3:9.1f} ms  "
              f"({t_ep / t_qf:.1f}x empyrical, {t_np / t_qf:.2f}x numpy; process start {t_start * 1e3:.0f} ms)")

        r = m[0]
        t_mc_np = best_of(lambda: numpy_bootstrap(r, SIMS))
        t_mc_qf = best_of(lambda: quantfusion(binary, MC.format(sims=SIMS, path=path)))
        print(f"mc_max_drawdown, {SIMS} i.i.d. resamples of {DAYS} returns:")
        print(f"  numpy vectorised          {t_mc_np * 1e3:9.1f} ms")
        print(f"  quantfusion               {t_mc_qf * 1e3:9.1f} ms  ({t_mc_np / t_mc_qf:.1f}x numpy)")


if __name__ == "__main__":
    main()
