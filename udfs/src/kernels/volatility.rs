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
/// `(atr (n - 1) + tr) / n`; lookback n; writes every row.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    super::no_value_before(out, if n == 0 { usize::MAX } else { n });
    if n == 0 || close.len() <= n {
        return;
    }
    let true_range = |row: usize| {
        let prev = close[row - 1];
        high[row].max(prev) - low[row].min(prev)
    };
    let nf = n as f64;
    // `atr (n-1)/n + tr/n`: each true range's share first (a vectorised pass), then
    // the smoothing (within a few ulps of TA-Lib's arithmetic; the smoothing damps
    // the difference).
    let (keep, inv) = ((nf - 1.0) / nf, 1.0 / nf);
    let seed = (1..=n).map(true_range).sum::<f64>() / nf;
    out[n] = seed;
    for (row, o) in out.iter_mut().enumerate().skip(n + 1) {
        *o = true_range(row) * inv;
    }
    super::smooth_in_place(seed, keep, &mut out[n + 1..]);
}

/// TA-Lib NATR: `100 atr / close`.
pub fn natr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    atr(high, low, close, n, out);
    for (o, c) in out.iter_mut().zip(close) {
        *o = if *c != 0.0 { 100.0 * *o / c } else { 0.0 };
    }
}

/// The mean and population variance (ddof 0) of the last `n` rows; writes every
/// row. One pass over the window moments serves `sma`, the middle band and bands of
/// every width, which are made from it by [`band`].
pub fn window_mean_and_variance(x: &[f64], n: usize, mean: &mut [f64], variance: &mut [f64]) {
    let first_row = n.checked_sub(1).unwrap_or(usize::MAX);
    super::no_value_before(mean, first_row);
    super::no_value_before(variance, first_row);
    if n == 0 || x.len() < n {
        return;
    }
    let inv = 1.0 / n as f64;
    for_each_window_moments(x, n, |row, m, m2| {
        mean[row] = m;
        variance[row] = m2 * inv;
    });
}

/// A Bollinger band `mean + k sd` row by row (`k` < 0 for the lower band); the
/// square roots are a vectorised pass of their own, outside the moments'
/// recurrence, where one per row cost more than the recurrence itself.
pub fn band(mean: &[f64], variance: &[f64], k: f64, out: &mut [f64]) {
    for ((o, m), v) in out.iter_mut().zip(mean).zip(variance) {
        *o = m + k * v.sqrt();
    }
}

/// Bollinger bands (TA-Lib BBANDS, matype SMA): the `n`-row simple mean plus and
/// minus `k` population standard deviations (ddof 0), into `outs` = [upper, middle,
/// lower]; writes every row.
pub fn bollinger_all<O: AsMut<[f64]>>(x: &[f64], n: usize, k: f64, outs: &mut [O]) {
    let [upper, middle, lower, ..] = outs else {
        return;
    };
    let (upper, middle, lower) = (upper.as_mut(), middle.as_mut(), lower.as_mut());
    // The variance waits in `upper` until the lower band is made from it.
    window_mean_and_variance(x, n, middle, upper);
    band(middle, upper, -k, lower);
    for (u, m) in upper.iter_mut().zip(&*middle) {
        *u = m + k * u.sqrt();
    }
}

/// `%b = (x - lower) / (upper - lower)` for bands `k` deviations wide, row by row;
/// NaN for a zero-width band.
pub fn percent_b(x: &[f64], mean: &[f64], variance: &[f64], k: f64, out: &mut [f64]) {
    for (((o, v), m), var) in out.iter_mut().zip(x).zip(mean).zip(variance) {
        let half = k * var.sqrt();
        let (u, l) = (m + half, m - half);
        *o = if u > l { (v - l) / (u - l) } else { f64::NAN };
    }
}

/// The band width `(upper - lower) / middle` for bands `k` deviations wide, row by
/// row.
pub fn band_width(mean: &[f64], variance: &[f64], k: f64, out: &mut [f64]) {
    for ((o, m), var) in out.iter_mut().zip(mean).zip(variance) {
        let half = k * var.sqrt();
        *o = ((m + half) - (m - half)) / m;
    }
}
