//! Wilder's directional movement system with TA-Lib's seeding: +DM/-DM sums, +DI/-DI,
//! DX, ADX and ADXR.

/// One-row directional moves: `(+dm, -dm)` at row `i >= 1`.
fn moves(high: &[f64], low: &[f64], i: usize) -> (f64, f64) {
    let up = high[i] - high[i - 1];
    let down = low[i - 1] - low[i];
    let plus = if up > 0.0 && up > down { up } else { 0.0 };
    let minus = if down > 0.0 && down > up { down } else { 0.0 };
    (plus, minus)
}

fn true_range(high: &[f64], low: &[f64], close: &[f64], i: usize) -> f64 {
    high[i].max(close[i - 1]) - low[i].min(close[i - 1])
}

/// Wilder sums `s - s/n + x` of +DM, -DM and TR, seeded with the plain sums of rows
/// `1..n`; calls `emit(row, plus_dm, minus_dm, tr)` from row `n - 1` on.
fn for_each_wilder_sum(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: usize,
    mut emit: impl FnMut(usize, f64, f64, f64),
) {
    if n == 0 || high.len() < n {
        return;
    }
    let nf = n as f64;
    let (mut p, mut m, mut tr) = (0.0, 0.0, 0.0);
    for i in 1..n {
        let (dp, dm) = moves(high, low, i);
        p += dp;
        m += dm;
        tr += true_range(high, low, close, i);
    }
    emit(n - 1, p, m, tr);
    let inv = 1.0 / nf; // a multiply, not a divide, on each recurrence
    for i in n..high.len() {
        let (dp, dm) = moves(high, low, i);
        p = p - p * inv + dp;
        m = m - m * inv + dm;
        tr = tr - tr * inv + true_range(high, low, close, i);
        emit(i, p, m, tr);
    }
}

/// Which directional quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directional {
    PlusDm,
    MinusDm,
    PlusDi,
    MinusDi,
    Dx,
}

/// TA-Lib PLUS_DM / MINUS_DM (lookback n - 1; for n = 1 the raw moves) and PLUS_DI /
/// MINUS_DI / DX (lookback n). Ratios over a zero denominator are 0, as TA-Lib.
pub fn directional(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    n: usize,
    what: Directional,
    out: &mut [f64],
) {
    let ratio = |a: f64, b: f64| if b != 0.0 { 100.0 * a / b } else { 0.0 };
    for_each_wilder_sum(high, low, close, n, |row, p, m, tr| {
        let value = match what {
            Directional::PlusDm => p,
            Directional::MinusDm => m,
            Directional::PlusDi => ratio(p, tr),
            Directional::MinusDi => ratio(m, tr),
            Directional::Dx => {
                let (pdi, mdi) = (ratio(p, tr), ratio(m, tr));
                ratio((pdi - mdi).abs(), pdi + mdi)
            }
        };
        let first = match what {
            Directional::PlusDm | Directional::MinusDm => n - 1,
            _ => n,
        };
        if row >= first {
            out[row] = value;
        }
    });
}

/// TA-Lib ADX: the mean of the first `n` DX values, then Wilder smoothing;
/// lookback 2n - 1.
pub fn adx(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    let mut dx = vec![f64::NAN; close.len()];
    directional(high, low, close, n, Directional::Dx, &mut dx);
    let first = 2 * n - 1;
    if close.len() <= first {
        return;
    }
    let nf = n as f64;
    let mut value = dx[n..=first].iter().sum::<f64>() / nf;
    out[first] = value;
    let inv = 1.0 / nf;
    for row in first + 1..close.len() {
        value = (value * (nf - 1.0) + dx[row]) * inv;
        out[row] = value;
    }
}

/// TA-Lib ADXR: `(adx + adx[n - 1 rows ago]) / 2`; lookback 3n - 2.
pub fn adxr(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    let mut a = vec![f64::NAN; close.len()];
    adx(high, low, close, n, &mut a);
    for row in (3 * n).saturating_sub(2)..close.len() {
        out[row] = (a[row] + a[row + 1 - n]) / 2.0;
    }
}
