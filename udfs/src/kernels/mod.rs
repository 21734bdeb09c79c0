//! Numeric kernels: plain functions over dense `&[f64]` slices with no Arrow or
//! DataFusion types, so the SQL glue, a GPU backend and other callers share them.
//!
//! Conventions: inputs hold no missing values (the caller removes them); outputs are
//! written into a slice of the input's length pre-filled with NaN, and NaN means
//! "no value" (warm-up rows, division by zero). A kernel whose doc says it writes
//! every row also writes the NaN of its warm-up rows, so its caller can skip the
//! fill (a pass over every output).

pub mod adf;
pub mod bootstrap;
pub mod convolution;
pub mod directional;
pub mod distance;
pub mod drawdown;
pub mod emd;
pub mod filters;
pub mod frac_diff;
pub mod garch;
pub mod kpss;
pub mod linreg;
pub mod logarithm;
pub mod moments;
pub mod momentum;
pub mod moving_average;
pub mod ols;
pub mod oscillators;
pub mod price;
pub mod returns;
pub mod risk;
pub mod rolling;
pub mod sample;
pub mod signals;
pub mod time;
pub mod volatility;

/// `a * b + c` in one instruction with one rounding where the target has FMA (the
/// x86-64-v3 build does), two operations otherwise. A recurrence such as an EMA is
/// a chain of dependent operations whose latency sets the speed; fusing two of
/// them shortens the chain by a third.
#[inline(always)]
pub(crate) fn mul_add(a: f64, b: f64, c: f64) -> f64 {
    if cfg!(target_feature = "fma") {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// One step of an exponential smoothing, `keep prev + share_of_new` (`share_of_new`
/// = `(1 - keep) x`, computed by the caller off the recurrence): a single fused
/// multiply-add is all that each row waits for, half the chain of TA-Lib's
/// `prev + k (x - prev)`, and within a few ulps of it (the smoothing damps
/// rounding instead of accumulating it).
#[inline(always)]
pub(crate) fn ema_step(prev: f64, keep: f64, share_of_new: f64) -> f64 {
    mul_add(prev, keep, share_of_new)
}

/// Writes NaN ("no value") into the rows before `first_row`, or into every row of a
/// series that short: the warm-up of a kernel that writes every row.
pub(crate) fn no_value_before(out: &mut [f64], first_row: usize) {
    let end = first_row.min(out.len());
    out[..end].fill(f64::NAN);
}

/// Deterministic inputs for the kernels' tests.
#[cfg(test)]
pub(crate) mod test_data {
    /// A pseudo-random walk (xorshift) from `start` with steps uniform in ±`step`.
    pub fn walk(len: usize, start: f64, step: f64, seed: u64) -> Vec<f64> {
        let mut s = seed;
        let mut level = start;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                level += step * ((s % 2001) as f64 / 1000.0 - 1.0);
                level
            })
            .collect()
    }
}

/// Kernels that write every row (see the module docs) overwrite whatever the output
/// held, and give what they give over an output pre-filled with NaN.
#[cfg(test)]
mod writes_every_row {
    use super::*;

    type Kernel = fn(&[f64], &[f64], &[f64], &mut [Vec<f64>]);

    fn kernels() -> Vec<(&'static str, usize, Kernel)> {
        vec![
            ("rolling_mean", 1, |_, _, c, o| {
                rolling::rolling_mean(c, 5, &mut o[0])
            }),
            ("ema", 1, |_, _, c, o| moving_average::ema(c, 5, &mut o[0])),
            ("rolling_var", 1, |_, _, c, o| {
                rolling::rolling_var(c, 5, 1, &mut o[0])
            }),
            ("rolling_std", 1, |_, _, c, o| {
                rolling::rolling_std(c, 5, 0, &mut o[0])
            }),
            ("rolling_var, n <= ddof", 1, |_, _, c, o| {
                rolling::rolling_var(c, 2, 2, &mut o[0])
            }),
            ("rsi", 1, |_, _, c, o| momentum::rsi(c, 5, &mut o[0])),
            ("willr", 1, |h, l, c, o| {
                momentum::willr(h, l, c, 5, &mut o[0])
            }),
            ("atr", 1, |h, l, c, o| {
                volatility::atr(h, l, c, 5, &mut o[0])
            }),
            ("log_return", 1, |_, _, c, o| {
                returns::log_return(c, &mut o[0])
            }),
            ("bollinger_all", 3, |_, _, c, o| {
                volatility::bollinger_all(c, 5, 2.0, o)
            }),
            ("macd_all", 2, |_, _, c, o| {
                oscillators::macd_all(c, 3, 5, 2, o)
            }),
        ]
    }

    #[test]
    fn warm_up_rows_are_written_as_nan() {
        let close = test_data::walk(40, 100.0, 1.0, 7);
        let high: Vec<f64> = close.iter().map(|c| c + 0.5).collect();
        let low: Vec<f64> = close.iter().map(|c| c - 0.5).collect();
        for (name, outputs, kernel) in kernels() {
            for len in [0, 1, 4, 5, 6, 40] {
                let (h, l, c) = (&high[..len], &low[..len], &close[..len]);
                let mut clean = vec![vec![f64::NAN; len]; outputs];
                let mut dirty = vec![vec![7.25; len]; outputs];
                kernel(h, l, c, &mut clean);
                kernel(h, l, c, &mut dirty);
                for (k, (a, b)) in clean.iter().zip(&dirty).enumerate() {
                    let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{name} output {k}, {len} rows: {a:?} vs {b:?}");
                }
            }
        }
    }
}
