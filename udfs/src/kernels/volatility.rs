//! True range, average true range and Bollinger bands with TA-Lib's definitions.

use super::rolling::{for_each_block_of_power_sums, mean_and_m2};

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

/// The mean and population standard deviation (ddof 0) of the last `n` rows;
/// writes every row. One pass over the window moments serves `sma`, the middle band
/// and bands of every width, which are made from it by [`band`]; the square roots
/// are taken once here, in the vectorised loop over each block of windows, rather
/// than once per band.
pub fn window_mean_and_sd(x: &[f64], n: usize, mean: &mut [f64], sd: &mut [f64]) {
    let first_row = n.checked_sub(1).unwrap_or(usize::MAX);
    super::no_value_before(mean, first_row);
    super::no_value_before(sd, first_row);
    if n == 0 || x.len() < n {
        return;
    }
    let inv = 1.0 / n as f64;
    for_each_block_of_power_sums::<2>(x, n, |rows, shift, sums| {
        let outs = mean[rows.clone()].iter_mut().zip(&mut sd[rows]);
        for ((m, s), sums) in outs.zip(sums) {
            let (window_mean, m2) = mean_and_m2(shift, sums, inv);
            (*m, *s) = (window_mean, (m2 * inv).sqrt());
        }
    });
}

/// A Bollinger band `mean + k sd` row by row (`k` < 0 for the lower band).
pub fn band(mean: &[f64], sd: &[f64], k: f64, out: &mut [f64]) {
    for ((o, m), s) in out.iter_mut().zip(mean).zip(sd) {
        *o = m + k * s;
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
    // The deviation waits in `upper` until the lower band is made from it.
    window_mean_and_sd(x, n, middle, upper);
    band(middle, upper, -k, lower);
    for (u, m) in upper.iter_mut().zip(&*middle) {
        *u = m + k * *u;
    }
}

/// `%b = (x - lower) / (upper - lower)` for bands `k` deviations wide, row by row;
/// NaN for a zero-width band.
pub fn percent_b(x: &[f64], mean: &[f64], sd: &[f64], k: f64, out: &mut [f64]) {
    for (((o, v), m), s) in out.iter_mut().zip(x).zip(mean).zip(sd) {
        let half = k * s;
        let (u, l) = (m + half, m - half);
        *o = if u > l { (v - l) / (u - l) } else { f64::NAN };
    }
}

/// The band width `(upper - lower) / middle` for bands `k` deviations wide, row by
/// row.
pub fn band_width(mean: &[f64], sd: &[f64], k: f64, out: &mut [f64]) {
    for ((o, m), s) in out.iter_mut().zip(mean).zip(sd) {
        let half = k * s;
        *o = ((m + half) - (m - half)) / m;
    }
}
