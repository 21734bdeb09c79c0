//! Momentum oscillators with TA-Lib's definitions and seeding.

/// `x[i] - x[i - n]` (TA-Lib MOM).
pub fn mom(x: &[f64], n: usize, out: &mut [f64]) {
    for row in n..x.len() {
        out[row] = x[row] - x[row - n];
    }
}

/// `x[i] / x[i - n] - 1` (TA-Lib ROCP); 0 when the old price is 0, as TA-Lib.
pub fn rocp(x: &[f64], n: usize, out: &mut [f64]) {
    for row in n..x.len() {
        let old = x[row - n];
        out[row] = if old != 0.0 { x[row] / old - 1.0 } else { 0.0 };
    }
}

/// `100 (x[i] / x[i - n] - 1)` (TA-Lib ROC); 0 when the old price is 0, as TA-Lib.
pub fn roc(x: &[f64], n: usize, out: &mut [f64]) {
    for row in n..x.len() {
        let old = x[row - n];
        out[row] = if old != 0.0 {
            (x[row] / old - 1.0) * 100.0
        } else {
            0.0
        };
    }
}

/// Wilder-smoothed average gain and loss of one-row changes, as RSI and CMO use:
/// `emit(row, gain, loss)` from row `n` on, seeded with simple means of the first
/// `n` changes, then `avg = (avg (n - 1) + new) / n`, computed as
/// `avg (n - 1) / n + new / n`.
fn for_each_wilder_gain_loss(x: &[f64], n: usize, mut emit: impl FnMut(usize, f64, f64)) {
    if n == 0 || x.len() <= n {
        return;
    }
    let nf = n as f64;
    let (mut gain, mut loss) = (0.0, 0.0);
    for w in x[..=n].windows(2) {
        let change = w[1] - w[0];
        if change > 0.0 {
            gain += change;
        } else {
            loss -= change;
        }
    }
    gain /= nf;
    loss /= nf;
    emit(n, gain, loss);
    // `avg (n-1)/n + new/n`: one fused multiply-add on each recurrence's chain, the
    // new move's share computed off it (within a few ulps of TA-Lib's arithmetic,
    // damped by the smoothing). Moves are split without a branch: their sign is a
    // coin flip.
    let (keep, inv) = ((nf - 1.0) / nf, 1.0 / nf);
    for row in n + 1..x.len() {
        let change = x[row] - x[row - 1];
        let (up, down) = (change.max(0.0), (-change).max(0.0));
        gain = super::ema_step(gain, keep, up * inv);
        loss = super::ema_step(loss, keep, down * inv);
        emit(row, gain, loss);
    }
}

/// TA-Lib RSI: `100 gain / (gain + loss)`; 0 on a flat range, as TA-Lib; writes every
/// row.
pub fn rsi(x: &[f64], n: usize, out: &mut [f64]) {
    super::no_value_before(out, if n == 0 { usize::MAX } else { n });
    for_each_wilder_gain_loss(x, n, |row, gain, loss| {
        let total = gain + loss;
        out[row] = if total != 0.0 {
            100.0 * gain / total
        } else {
            0.0
        };
    });
}

/// TA-Lib CMO: `100 (gain - loss) / (gain + loss)` of Wilder-smoothed moves; 0 on a
/// flat range.
pub fn cmo(x: &[f64], n: usize, out: &mut [f64]) {
    for_each_wilder_gain_loss(x, n, |row, gain, loss| {
        let total = gain + loss;
        out[row] = if total != 0.0 {
            100.0 * (gain - loss) / total
        } else {
            0.0
        };
    });
}

/// TA-Lib WILLR: `-100 (highest high - close) / (highest high - lowest low)` over the
/// last `n` rows; 0 on a flat range; writes every row.
pub fn willr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    super::no_value_before(out, n.checked_sub(1).unwrap_or(usize::MAX));
    super::rolling::for_each_block_of_extremes(high, low, n, |first, hh, ll| {
        let rows = first..first + hh.len();
        for (((o, c), h), l) in out[rows.clone()]
            .iter_mut()
            .zip(&close[rows])
            .zip(hh)
            .zip(ll)
        {
            let range = h - l;
            *o = if range != 0.0 {
                -100.0 * (h - c) / range
            } else {
                0.0
            };
        }
    });
}
