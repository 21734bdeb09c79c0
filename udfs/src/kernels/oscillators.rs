//! Multi-average oscillators, stochastics, Aroon, CCI, BOP and accumulation /
//! distribution, with TA-Lib's definitions, seeding and flat-range values.

use super::ema_step;
use super::moving_average::ema;
use super::rolling::{for_each_block_of_extremes, rolling_mean};

/// TA-Lib MACD: the fast EMA is seeded on the `fast` rows ending at row `slow - 1`, so
/// both EMAs start together; the signal is an EMA of MACD; every output starts at row
/// `(slow - 1) + (signal - 1)`. TA-Lib swaps the periods when slow < fast.
/// `outs` = [line, signal], every row written; the histogram is [`macd_hist`] of the
/// two.
pub fn macd_all<O: AsMut<[f64]>>(
    x: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
    outs: &mut [O],
) {
    let [line_out, signal_out] = outs else {
        return;
    };
    let (line_out, signal_out) = (line_out.as_mut(), signal_out.as_mut());
    let start = fast.max(slow).saturating_sub(1) + signal.saturating_sub(1);
    super::no_value_before(line_out, start);
    super::no_value_before(signal_out, start);
    for_each_macd(x, fast, slow, signal, |row, line, sig| {
        line_out[row] = line;
        signal_out[row] = sig;
    });
}

/// The histogram, line minus signal, row by row.
pub fn macd_hist(line: &[f64], signal: &[f64], out: &mut [f64]) {
    for ((o, l), s) in out.iter_mut().zip(line).zip(signal) {
        *o = l - s;
    }
}

/// Calls `emit(row, line, signal)` for every row with a MACD value.
fn for_each_macd(
    x: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
    mut emit: impl FnMut(usize, f64, f64),
) {
    let (fast, slow) = if slow < fast {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let start = (slow - 1) + (signal - 1);
    if x.len() <= start {
        return;
    }
    // One pass with the three recurrences interleaved (each is latency-bound, so
    // together they cost about one), each step one fused multiply-add (see `ema`).
    let (kf, ks, kg) = (ema_factor(fast), ema_factor(slow), ema_factor(signal));
    let mut f = x[slow - fast..slow].iter().sum::<f64>() / fast as f64;
    let mut s = x[..slow].iter().sum::<f64>() / slow as f64;
    // The signal is seeded with the mean of the MACD values from row slow-1 to start.
    let mut seed = f - s;
    for &v in &x[slow..=start] {
        f = ema_step(f, 1.0 - kf, kf * v);
        s = ema_step(s, 1.0 - ks, ks * v);
        seed += f - s;
    }
    let mut sig = seed / signal as f64;
    emit(start, f - s, sig);
    for (row, &v) in x.iter().enumerate().skip(start + 1) {
        f = ema_step(f, 1.0 - kf, kf * v);
        s = ema_step(s, 1.0 - ks, ks * v);
        let line = f - s;
        sig = ema_step(sig, 1.0 - kg, kg * line);
        emit(row, line, sig);
    }
}

/// The EMA smoothing factor `2 / (n + 1)`.
fn ema_factor(n: usize) -> f64 {
    2.0 / (n as f64 + 1.0)
}

/// TA-Lib APO / PPO with simple moving averages: `sma(fast) - sma(slow)`, or in
/// percent of `sma(slow)` (0 where it is 0). TA-Lib swaps the periods when slow < fast.
pub fn price_oscillator(x: &[f64], fast: usize, slow: usize, percent: bool, out: &mut [f64]) {
    let (fast, slow) = if slow < fast {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let mut f = vec![f64::NAN; x.len()];
    let mut s = vec![f64::NAN; x.len()];
    rolling_mean(x, fast, &mut f);
    rolling_mean(x, slow, &mut s);
    for row in slow.saturating_sub(1)..x.len() {
        let diff = f[row] - s[row];
        out[row] = match percent {
            false => diff,
            true if s[row] != 0.0 => 100.0 * diff / s[row],
            true => 0.0,
        };
    }
}

/// TA-Lib BOP: `(close - open) / (high - low)`, 0 on a zero range.
pub fn bop(open: &[f64], high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        let range = high[i] - low[i];
        out[i] = if range != 0.0 {
            (close[i] - open[i]) / range
        } else {
            0.0
        };
    }
}

/// TA-Lib CCI: `(tp - sma(tp)) / (0.015 * mean |tp - sma(tp)|)` of the typical price
/// over `n` rows; 0 when the mean deviation is 0.
pub fn cci(high: &[f64], low: &[f64], close: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || close.len() < n {
        return;
    }
    let tp: Vec<f64> = (0..close.len())
        .map(|i| (high[i] + low[i] + close[i]) / 3.0)
        .collect();
    for row in n - 1..tp.len() {
        let window = &tp[row + 1 - n..=row];
        let mean = window.iter().sum::<f64>() / n as f64;
        let deviation = window.iter().map(|v| (v - mean).abs()).sum::<f64>() / n as f64;
        out[row] = if deviation != 0.0 {
            (tp[row] - mean) / (0.015 * deviation)
        } else {
            0.0
        };
    }
}

/// Which output of Aroon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AroonOutput {
    Up,
    Down,
    Oscillator,
}

/// TA-Lib AROON over windows of `n + 1` rows: `100 (n - rows since the extreme) / n`;
/// ties go to the most recent extreme.
pub fn aroon(high: &[f64], low: &[f64], n: usize, output: AroonOutput, out: &mut [f64]) {
    if n == 0 || high.len() <= n {
        return;
    }
    let nf = n as f64;
    let since = |values: &[f64], better: fn(f64, f64) -> bool| {
        let mut best = 0;
        for (j, &v) in values.iter().enumerate() {
            if !better(values[best], v) {
                best = j;
            }
        }
        (values.len() - 1 - best) as f64
    };
    for row in n..high.len() {
        let up = 100.0 * (nf - since(&high[row - n..=row], |best, v| best > v)) / nf;
        let down = 100.0 * (nf - since(&low[row - n..=row], |best, v| best < v)) / nf;
        out[row] = match output {
            AroonOutput::Up => up,
            AroonOutput::Down => down,
            AroonOutput::Oscillator => up - down,
        };
    }
}

/// TA-Lib AD: the running sum of `volume * ((close - low) - (high - close)) / (high - low)`
/// from the partition start (a zero range adds nothing).
pub fn ad(high: &[f64], low: &[f64], close: &[f64], volume: &[f64], out: &mut [f64]) {
    let mut total = 0.0;
    for i in 0..out.len() {
        let range = high[i] - low[i];
        if range > 0.0 {
            total += ((close[i] - low[i]) - (high[i] - close[i])) / range * volume[i];
        }
        out[i] = total;
    }
}

/// TA-Lib ADOSC: `ema(ad, fast) - ema(ad, slow)`, both EMAs seeded with the first AD
/// value; output from row `max(fast, slow) - 1`.
pub fn adosc(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    fast: usize,
    slow: usize,
    out: &mut [f64],
) {
    let start = fast.max(slow) - 1;
    if close.len() <= start {
        return;
    }
    let mut line = vec![0.0; close.len()];
    ad(high, low, close, volume, &mut line);
    let (kf, ks) = (2.0 / (fast as f64 + 1.0), 2.0 / (slow as f64 + 1.0));
    let (mut ef, mut es) = (line[0], line[0]);
    for row in 1..line.len() {
        ef = kf * line[row] + (1.0 - kf) * ef;
        es = ks * line[row] + (1.0 - ks) * es;
        if row >= start {
            out[row] = ef - es;
        }
    }
    if start == 0 {
        out[0] = 0.0;
    }
}

/// Raw stochastic %K: `100 (close - lowest low) / (highest high - lowest low)` over
/// `n` rows, 0 on a flat range.
fn raw_k(high: &[f64], low: &[f64], close: &[f64], n: usize) -> Vec<f64> {
    let mut k = vec![f64::NAN; close.len()];
    for_each_block_of_extremes(high, low, n, |first, hh, ll| {
        let rows = first..first + hh.len();
        for (((o, c), h), l) in k[rows.clone()].iter_mut().zip(&close[rows]).zip(hh).zip(ll) {
            let range = h - l;
            *o = if range != 0.0 || range.is_nan() {
                100.0 * (c - l) / range
            } else {
                0.0
            };
        }
    });
    k
}

/// A simple mean of a series whose values start at row `start`.
fn mean_from(x: &[f64], start: usize, n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    if start < x.len() {
        rolling_mean(&x[start..], n, &mut out[start..]);
    }
    out
}

/// TA-Lib STOCHF: fast %K and its `d`-row mean %D, both from row `(k - 1) + (d - 1)`.
pub fn stochf(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    k: usize,
    d: usize,
    want_d: bool,
    out: &mut [f64],
) {
    let fast_k = raw_k(high, low, close, k);
    let fast_d = mean_from(&fast_k, k - 1, d);
    let start = (k - 1) + (d - 1);
    for row in start..close.len() {
        out[row] = if want_d { fast_d[row] } else { fast_k[row] };
    }
}

/// TA-Lib STOCH (simple means): slow %K is the `slowk`-row mean of fast %K, slow %D the
/// `slowd`-row mean of slow %K; both from row `(k - 1) + (slowk - 1) + (slowd - 1)`.
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    k: usize,
    slowk: usize,
    slowd: usize,
    want_d: bool,
    out: &mut [f64],
) {
    let fast_k = raw_k(high, low, close, k);
    let slow_k = mean_from(&fast_k, k - 1, slowk);
    let slow_d = mean_from(&slow_k, (k - 1) + (slowk - 1), slowd);
    let start = (k - 1) + (slowk - 1) + (slowd - 1);
    for row in start..close.len() {
        out[row] = if want_d { slow_d[row] } else { slow_k[row] };
    }
}

/// An EMA chain: each EMA of the previous one, each seeded with a simple mean of its
/// first `n` inputs; returns every level (level `j` starts at row `(j + 1)(n - 1)`).
fn ema_chain(x: &[f64], n: usize, levels: usize) -> Vec<Vec<f64>> {
    let mut chain: Vec<Vec<f64>> = Vec::with_capacity(levels);
    for level in 0..levels {
        let mut next = vec![f64::NAN; x.len()];
        let start = level * (n - 1);
        if start < x.len() {
            let input = if level == 0 { x } else { &chain[level - 1][..] };
            ema(&input[start..], n, &mut next[start..]);
        }
        chain.push(next);
    }
    chain
}

/// TA-Lib TRIX: one-row rate of change, in percent, of a triple EMA.
pub fn trix(x: &[f64], n: usize, out: &mut [f64]) {
    let chain = ema_chain(x, n, 3);
    let e3 = &chain[2];
    for row in 3 * (n - 1) + 1..x.len() {
        out[row] = if e3[row - 1] != 0.0 {
            100.0 * (e3[row] / e3[row - 1] - 1.0)
        } else {
            0.0
        };
    }
}

/// TA-Lib T3 (Tillson): six chained EMAs combined with the volume factor `a`;
/// lookback 6(n - 1).
pub fn t3(x: &[f64], n: usize, a: f64, out: &mut [f64]) {
    let chain = ema_chain(x, n, 6);
    let (a2, a3) = (a * a, a * a * a);
    let c1 = -a3;
    let c2 = 3.0 * a2 + 3.0 * a3;
    let c3 = -6.0 * a2 - 3.0 * a - 3.0 * a3;
    let c4 = 1.0 + 3.0 * a + a3 + 3.0 * a2;
    for row in 6 * (n - 1)..x.len() {
        out[row] =
            c1 * chain[5][row] + c2 * chain[4][row] + c3 * chain[3][row] + c4 * chain[2][row];
    }
}

/// TA-Lib KAMA: Kaufman's adaptive average; the smoothing constant follows the
/// efficiency ratio |x - x[n ago]| / Σ|changes| over the last `n` changes
/// (1 when there was no movement), between the 2- and 30-row EMA constants.
pub fn kama(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || x.len() <= n {
        return;
    }
    let (fastest, slowest) = (2.0 / 3.0, 2.0 / 31.0);
    let mut path: f64 = x[1..n]
        .iter()
        .zip(&x[..n - 1])
        .map(|(a, b)| (a - b).abs())
        .sum();
    let mut value = x[n - 1];
    for row in n..x.len() {
        path += (x[row] - x[row - 1]).abs();
        if row > n {
            path -= (x[row - n] - x[row - n - 1]).abs();
        }
        let direction = (x[row] - x[row - n]).abs();
        let efficiency = if path <= direction || path == 0.0 {
            1.0
        } else {
            direction / path
        };
        let sc = (efficiency * (fastest - slowest) + slowest).powi(2);
        value += sc * (x[row] - value);
        out[row] = value;
    }
}

/// TA-Lib MFI: `100 positive flow / total flow` of the typical price times volume over
/// the last `n` changes; 0 when the total is below 1, as TA-Lib.
///
/// A change within a few ulps of the price counts as no change: typical prices of
/// equal bars built from different high/low/close differ in the last bit, and TA-Lib
/// counts those as unchanged (a 2.8e-14 "rise" at price 100 flips 14 rows otherwise).
pub fn mfi(high: &[f64], low: &[f64], close: &[f64], volume: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || close.len() <= n {
        return;
    }
    let tp: Vec<f64> = (0..close.len())
        .map(|i| (high[i] + low[i] + close[i]) / 3.0)
        .collect();
    let flow = |i: usize| {
        let f = tp[i] * volume[i];
        let change = tp[i] - tp[i - 1];
        let rounding = 8.0 * f64::EPSILON * tp[i].abs().max(tp[i - 1].abs());
        if change > rounding {
            (f, 0.0)
        } else if change < -rounding {
            (0.0, f)
        } else {
            (0.0, 0.0)
        }
    };
    for (row, o) in out.iter_mut().enumerate().take(close.len()).skip(n) {
        let (mut pos, mut neg) = (0.0, 0.0);
        for i in row + 1 - n..=row {
            let (p, m) = flow(i);
            pos += p;
            neg += m;
        }
        let total = pos + neg;
        *o = if total < 1.0 {
            0.0
        } else {
            100.0 * pos / total
        };
    }
}

/// TA-Lib ULTOSC: buying pressure over true range averaged on three periods (sorted;
/// the shortest weighted 4, the middle 2, the longest 1), in percent; a term whose
/// true-range sum is 0 is left out. Lookback: the longest period.
pub fn ultosc(high: &[f64], low: &[f64], close: &[f64], periods: [usize; 3], out: &mut [f64]) {
    let mut p = periods;
    p.sort_unstable();
    let longest = p[2];
    if close.len() <= longest {
        return;
    }
    let mut bp = vec![0.0; close.len()];
    let mut tr = vec![0.0; close.len()];
    for i in 1..close.len() {
        let floor = low[i].min(close[i - 1]);
        bp[i] = close[i] - floor;
        tr[i] = high[i].max(close[i - 1]) - floor;
    }
    for (row, o) in out.iter_mut().enumerate().take(close.len()).skip(longest) {
        let mut total = 0.0;
        for (period, weight) in p.iter().zip([4.0, 2.0, 1.0]) {
            let range = row + 1 - period..=row;
            let (b, t): (f64, f64) = (bp[range.clone()].iter().sum(), tr[range].iter().sum());
            if t != 0.0 {
                total += weight * b / t;
            }
        }
        *o = 100.0 * total / 7.0;
    }
}
