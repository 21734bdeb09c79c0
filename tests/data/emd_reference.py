"""Reference intrinsic mode functions for emd_imf, from the EMD-signal package.

    venv/bin/pip install EMD-signal==1.10.0 numpy pyarrow
    venv/bin/python tests/data/emd_reference.py

Series: the first 1,500 hourly EURUSD closes of
../shared/data/fx_h1_eurusd_backtestingpy_2017-2018.parquet, and a synthetic signal
(two tones and a trend, 1,000 rows). Each is decomposed with PyEMD's defaults,
`EMD().emd(x)`; the first four IMFs are stored (the last row of emd()'s output is
the residue, not stored).
"""

import json
import os

import numpy as np
import pyarrow.parquet as pq
from PyEMD import EMD

here = os.path.dirname(os.path.abspath(__file__))
fx = pq.read_table(os.path.join(here, "../../../shared/data/fx_h1_eurusd_backtestingpy_2017-2018.parquet"))
close = fx.column("close").to_numpy()[:1500].astype(np.float64)
t = np.arange(1000, dtype=np.float64)
synthetic = np.sin(0.31 * t) + 0.5 * np.sin(0.047 * t + 1.0) + 0.002 * t

cases = {}
for name, x in [("eurusd_h1_close_1500", close), ("two_tones_and_trend_1000", synthetic)]:
    imfs = EMD().emd(x)
    stored = imfs[:-1][:4]
    cases[name] = {"x": x.tolist(), "imfs": [imf.tolist() for imf in stored], "total_imfs": len(imfs) - 1}

with open(os.path.join(here, "emd_reference.json"), "w") as f:
    json.dump({"call": "PyEMD.EMD().emd(x) (EMD-signal 1.10.0 defaults)", "cases": cases}, f)
for name, c in cases.items():
    print(name, "imfs:", c["total_imfs"])
