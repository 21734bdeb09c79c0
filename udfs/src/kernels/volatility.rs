//! True range, average true range and Bollinger bands with TA-Lib's definitions.

use super::ema_step;
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
    // `atr (n-1)/n + tr/n`: one fused multiply-add on the recurrence's critical
    // path, the true range's share computed off it (within a few ulps of TA-Lib's
    // arithmetic; the smoothing damps the difference).
    let (keep, inv) = ((nf - 1.0) / nf, 1.0 / nf);
    let mut value = (1..=n).map(true_range).sum::<f64>() / nf;
    out[n] = value;
    for (row, o) in out.iter_mut().enumerate().skip(n + 1) {
        value = ema_step(value, keep, true_range(row) * inv);
        *o = value;
    }
}

/// TA-Lib NATR: `100 atr / close`.
pub fn natr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    atr(high, low, close, n, out);
    for (o, c) in out.iter_mut().zip(close) {
        *o = if *c != 0.0 { 100.0 * *o / c } else { 0.0 };
    }
}

/// Bollinger bands (TA-Lib BBANDS, matype SMA): the `n`-row simple mean plus and
/// minus `k` population standard deviations (ddof 0), into `outs` = [upper, middle,
/// lower]; writes every row.
///
/// The window moments are a running recurrence; the square roots are a second,
/// vectorised pass (a square root per row inside the recurrence cost more than the
/// recurrence itself). The window's `m2` waits in `upper` between the two.
pub fn bollinger_all<O: AsMut<[f64]>>(x: &[f64], n: usize, k: f64, outs: &mut [O]) {
    let [upper, middle, lower, ..] = outs else {
        return;
    };
    let (upper, middle, lower) = (upper.as_mut(), middle.as_mut(), lower.as_mut());
    let first_row = n.checked_sub(1).unwrap_or(usize::MAX);
    for band in [&mut *upper, &mut *middle, &mut *lower] {
        super::no_value_before(band, first_row);
    }
    if n == 0 || x.len() < n {
        return;
    }
    for_each_window_moments(x, n, |row, mean, m2| {
        middle[row] = mean;
        upper[row] = m2;
    });
    let inv = 1.0 / n as f64;
    let rows = n - 1..x.len();
    for ((u, l), m) in upper[rows.clone()]
        .iter_mut()
        .zip(&mut lower[rows.clone()])
        .zip(&middle[rows])
    {
        let half = k * (*u * inv).sqrt();
        (*u, *l) = (m + half, m - half);
    }
}

/// `%b = (x - lower) / (upper - lower)` row by row; NaN for a zero-width band.
pub fn percent_b(x: &[f64], upper: &[f64], lower: &[f64], out: &mut [f64]) {
    for (((o, v), u), l) in out.iter_mut().zip(x).zip(upper).zip(lower) {
        *o = if u > l { (v - l) / (u - l) } else { f64::NAN };
    }
}

/// The band width `(upper - lower) / middle`, row by row.
pub fn band_width(upper: &[f64], middle: &[f64], lower: &[f64], out: &mut [f64]) {
    for (((o, u), m), l) in out.iter_mut().zip(upper).zip(middle).zip(lower) {
        *o = (u - l) / m;
    }
}
