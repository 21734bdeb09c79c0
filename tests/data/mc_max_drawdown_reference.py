"""Reference distribution of the bootstrap maximum drawdown, computed with numpy.

Series: the last 2,520 non-missing daily returns of SPX in
../shared/golden/inputs/spx_returns.parquet, in time order. For block lengths 1
(i.i.d.) and 21 (circular blocks), 100,000 resamples as long as the series are
drawn with numpy's default generator (seed 20261124), and the quantiles of their
maximum drawdowns (empyrical's definition: wealth starts at 1, which counts as a
peak) are written at q = 0.000, 0.001, ..., 1.000 with numpy's linear
interpolation to mc_max_drawdown_reference.json.

    python tests/data/mc_max_drawdown_reference.py
"""

import json
import pathlib

import numpy as np
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).parent
SOURCE = HERE / "../../../shared/golden/inputs/spx_returns.parquet"
LENGTH, SIMS, CHUNK, SEED = 2520, 100_000, 5_000, 20261124


def series():
    t = pq.read_table(SOURCE).to_pandas().sort_values("ts")
    return t["ret"].dropna().to_numpy()[-LENGTH:]


def max_drawdowns(r, rng, sims, block):
    n = len(r)
    blocks = -(-n // block)
    starts = rng.integers(0, n, size=(sims, blocks))
    idx = ((starts[:, :, None] + np.arange(block)) % n).reshape(sims, -1)[:, :n]
    wealth = np.cumprod(1.0 + r[idx], axis=1)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=1), 1.0)
    return np.minimum(((wealth - peak) / peak).min(axis=1), 0.0)


def main():
    r = series()
    rng = np.random.default_rng(SEED)
    grid = np.linspace(0.0, 1.0, 1001)
    out = {"series": "SPX, last 2520 non-missing returns by ts", "sims": SIMS, "seed": SEED,
           "q": grid.round(3).tolist(), "quantiles": {}}
    for block in (1, 21):
        dd = np.concatenate([max_drawdowns(r, rng, CHUNK, block) for _ in range(SIMS // CHUNK)])
        out["quantiles"][str(block)] = np.quantile(dd, grid).tolist()
    (HERE / "mc_max_drawdown_reference.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main()
