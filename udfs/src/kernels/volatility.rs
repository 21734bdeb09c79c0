//! True range, average true range and Bollinger bands with TA-Lib's definitions.

use super::rolling::for_each_window_moments;

/// TA-Lib TRANGE: `max(high, prev close) - min(low, prev close)`; the first row has no
/// previous close and stays NaN.
pub fn trange(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for row in 1..close.len() {
        let prev = close[row - 1];
        out[row] = high[row].max(prev) - low[row].min(prev);
    }
}

/// TA-Lib ATR: the mean of the first `n` true ranges (rows 1..=n), then Wilder's
/// `(atr (n - 1) + tr) / n`; lookback n.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || close.len() <= n {
        return;
    }
    let mut tr = vec![f64::NAN; close.len()];
    trange(high, low, close, &mut tr);
    let nf = n as f64;
    // A reciprocal, not a division, on the recurrence's critical path (within an ulp
    // of TA-Lib's division; the smoothing damps the difference).
    let inv = 1.0 / nf;
    let mut value = tr[1..=n].iter().sum::<f64>() / nf;
    out[n] = value;
    for row in n + 1..close.len() {
        value = (value * (nf - 1.0) + tr[row]) * inv;
        out[row] = value;
    }
}

/// TA-Lib NATR: `100 atr / close`.
pub fn natr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    atr(high, low, close, n, out);
    for (o, c) in out.iter_mut().zip(close) {
        *o = if *c != 0.0 { 100.0 * *o / c } else { 0.0 };
    }
}

/// Which Bollinger quantity to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Upper,
    Middle,
    Lower,
    /// `(x - lower) / (upper - lower)`, NaN for a zero-width band.
    PercentB,
    /// `(upper - lower) / middle`.
    Width,
}

/// Bollinger bands: the `n`-row simple mean plus or minus `k` population standard
/// deviations (ddof 0, as TA-Lib's BBANDS).
pub fn bollinger(x: &[f64], n: usize, k: f64, band: Band, out: &mut [f64]) {
    for_each_band(x, n, k, |row, b| out[row] = b[band as usize]);
}

/// Every band at once: `outs` in the order of [`Band`] (upper, middle, lower,
/// percent b, width), as many as `outs` holds.
pub fn bollinger_all(x: &[f64], n: usize, k: f64, outs: &mut [Vec<f64>]) {
    for_each_band(x, n, k, |row, b| {
        for (out, value) in outs.iter_mut().zip(b) {
            out[row] = value;
        }
    });
}

/// The band width `(upper - lower) / middle`, row by row.
pub fn band_width(upper: &[f64], middle: &[f64], lower: &[f64], out: &mut [f64]) {
    for (((o, u), m), l) in out.iter_mut().zip(upper).zip(middle).zip(lower) {
        *o = (u - l) / m;
    }
}

/// Calls `emit(row, values)` with every band's value, indexed by [`Band`].
fn for_each_band(x: &[f64], n: usize, k: f64, mut emit: impl FnMut(usize, [f64; 5])) {
    let inv = 1.0 / n as f64;
    for_each_window_moments(x, n, |row, mean, m2| {
        let half = k * (m2 * inv).sqrt();
        let (upper, lower) = (mean + half, mean - half);
        let percent_b = if upper > lower {
            (x[row] - lower) / (upper - lower)
        } else {
            f64::NAN
        };
        emit(row, [upper, mean, lower, percent_b, (upper - lower) / mean]);
    });
}
