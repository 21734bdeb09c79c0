//! Numeric kernels: plain functions over dense `&[f64]` slices with no Arrow or
//! DataFusion types, so the SQL glue, a GPU backend and other callers share them.
//!
//! Conventions: inputs hold no missing values (the caller removes them); outputs are
//! written into a slice of the input's length pre-filled with NaN, and NaN means
//! "no value" (warm-up rows, division by zero).

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
