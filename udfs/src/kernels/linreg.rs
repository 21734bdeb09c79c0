//! Rolling least-squares line of a series on its row index within the window
//! (x = 0 for the oldest row, n - 1 for the current one), TA-Lib's LINEARREG family.
//!
//! The window sums of `d = y - K` and of `j * d` (j the position in the window) slide
//! in O(1): when the window moves on, every position drops by one, so
//! `Σ j d` loses `Σ d` (less the leaving value) and gains `(n - 1) d_new`. `K` is the
//! window's exact mean, renewed every `n` rows with the sums rebuilt, as in
//! [`super::rolling`], so prices near 1e5 moving by 1e-3 keep their digits (TA-Lib's
//! raw sums lose them: its slope is off by 3e-3 relative there).

/// The fitted line of one window, with centred sums of squares and products.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Slope per row.
    pub slope: f64,
    /// Fitted value at the oldest row (x = 0).
    pub intercept: f64,
    /// Σ (x - x̄)(y - ȳ)
    pub sxy: f64,
    /// Σ (y - ȳ)^2, exactly 0 on a flat window.
    pub syy: f64,
    /// Σ (x - x̄)^2 = n (n² - 1) / 12
    pub sxx: f64,
}

impl Fit {
    /// R² of the fit; NaN on a flat window.
    pub fn r2(&self) -> f64 {
        if self.syy > 0.0 {
            (self.sxy * self.sxy / (self.sxx * self.syy)).min(1.0)
        } else {
            f64::NAN
        }
    }

    /// Root mean squared residual (divided by n), given `inv_n` = 1 / n (a
    /// multiplication per row instead of a division).
    pub fn rmse(&self, inv_n: f64) -> f64 {
        ((self.syy - self.slope * self.sxy).max(0.0) * inv_n).sqrt()
    }
}

/// Calls `emit(row, fit)` for every row whose window of `n >= 2` values is full.
pub fn for_each_window_fit(y: &[f64], n: usize, mut emit: impl FnMut(usize, Fit)) {
    if n < 2 || y.len() < n {
        return;
    }
    let nf = n as f64;
    let x_mean = (nf - 1.0) / 2.0;
    let sxx = nf * (nf * nf - 1.0) / 12.0;
    // Multiplications by reciprocals: the divider was the loop's bottleneck.
    let (inv_sxx, inv_n) = (1.0 / sxx, 1.0 / nf);
    let mut equal_run = 1usize;
    for w in y[..n].windows(2) {
        equal_run = if w[1] == w[0] { equal_run + 1 } else { 1 };
    }
    let mut anchor_row = n - 1;
    while anchor_row < y.len() {
        let start = anchor_row + 1 - n;
        let window = &y[start..=anchor_row];
        let rough = window.iter().sum::<f64>() / nf;
        let shift = rough + window.iter().map(|v| v - rough).sum::<f64>() / nf;
        let (mut s1, mut s2, mut sjd) = (0.0, 0.0, 0.0);
        for (j, v) in window.iter().enumerate() {
            let d = v - shift;
            s1 += d;
            s2 += d * d;
            sjd += j as f64 * d;
        }
        let block_end = (anchor_row + n).min(y.len());
        for row in anchor_row..block_end {
            if row > anchor_row {
                let (entering, leaving) = (y[row] - shift, y[row - n] - shift);
                sjd += (nf - 1.0) * entering - (s1 - leaving);
                s1 += entering - leaving;
                s2 += entering * entering - leaving * leaving;
            }
            if row >= n {
                equal_run = if y[row] == y[row - 1] {
                    equal_run + 1
                } else {
                    1
                };
            }
            let fit = if equal_run >= n {
                Fit {
                    slope: 0.0,
                    intercept: y[row],
                    sxy: 0.0,
                    syy: 0.0,
                    sxx,
                }
            } else {
                let sxy = sjd - x_mean * s1;
                let slope = sxy * inv_sxx;
                let mean = s1 * inv_n;
                Fit {
                    slope,
                    intercept: shift + (mean - slope * x_mean),
                    sxy,
                    syy: (s2 - s1 * mean).max(0.0),
                    sxx,
                }
            };
            emit(row, fit);
        }
        anchor_row = block_end;
    }
}

/// The statistics of the rolling fit at once, `outs` = [slope, intercept, r2, rmse].
/// The line's value at a row (TA-Lib's LINEARREG and TSF) is [`line_at`] of the
/// first two; the angle, an arctangent per row, is left to [`linreg_angle`].
pub fn linreg_all<O: AsMut<[f64]>>(y: &[f64], n: usize, outs: &mut [O]) {
    // Every row is written: NaN until the first full window.
    let warmup = (n.max(1) - 1).min(y.len());
    for out in outs.iter_mut() {
        out.as_mut()[..warmup].fill(f64::NAN);
    }
    let inv_n = 1.0 / n as f64;
    for_each_window_fit(y, n, |row, f| {
        let values = [f.slope, f.intercept, f.r2(), f.rmse(inv_n)];
        for (out, value) in outs.iter_mut().zip(values) {
            out.as_mut()[row] = value;
        }
    });
}

/// The fitted line at position `x` of each window (`n - 1`: the current row, as
/// LINEARREG; `n`: one row ahead, as TSF), from the slopes and intercepts.
pub fn line_at(slope: &[f64], intercept: &[f64], x: f64, out: &mut [f64]) {
    for ((o, s), i) in out.iter_mut().zip(slope).zip(intercept) {
        *o = i + s * x;
    }
}

/// Angle of the slope in degrees (TA-Lib LINEARREG_ANGLE).
pub fn linreg_angle(y: &[f64], n: usize, out: &mut [f64]) {
    for_each_window_fit(y, n, |row, f| out[row] = f.slope.atan().to_degrees());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_data::walk;

    /// Exact OLS of one window on 0..n-1, shifted by its first value.
    fn reference(w: &[f64]) -> (f64, f64) {
        let n = w.len() as f64;
        let d: Vec<f64> = w.iter().map(|v| v - w[0]).collect();
        let x_mean = (n - 1.0) / 2.0;
        let y_mean = d.iter().sum::<f64>() / n;
        let sxy: f64 = d
            .iter()
            .enumerate()
            .map(|(j, v)| (j as f64 - x_mean) * (v - y_mean))
            .sum();
        let sxx: f64 = (0..w.len()).map(|j| (j as f64 - x_mean).powi(2)).sum();
        let slope = sxy / sxx;
        (slope, w[0] + y_mean - slope * x_mean)
    }

    /// The outputs need no NaN fill: whatever they held, every row is written.
    #[test]
    fn linreg_all_writes_every_row() {
        for len in [0, 1, 5, 13, 14, 15, 300] {
            let y = walk(len, 100.0, 1e-2, 3);
            for n in [2, 14] {
                let mut from_nan = vec![vec![f64::NAN; len]; 4];
                let mut from_junk = vec![vec![7.0; len]; 4];
                linreg_all(&y, n, &mut from_nan);
                linreg_all(&y, n, &mut from_junk);
                for (a, b) in from_nan.iter().zip(&from_junk) {
                    let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "len {len} n {n}");
                }
                assert!(from_junk
                    .iter()
                    .all(|o| o.iter().take(n - 1).all(|v| v.is_nan())));
            }
        }
    }

    #[test]
    fn matches_exact_ols_under_large_offset() {
        let y = walk(3000, 1e5, 1e-3, 17);
        for n in [2, 14, 200] {
            for_each_window_fit(&y, n, |row, f| {
                let (slope, intercept) = reference(&y[row + 1 - n..=row]);
                assert!(
                    (f.slope - slope).abs() <= 1e-9 * slope.abs() + 1e-15,
                    "n {n} row {row}"
                );
                assert!(
                    (f.intercept - intercept).abs() <= 1e-15 * intercept,
                    "n {n} row {row}"
                );
            });
        }
    }

    #[test]
    fn a_line_is_fitted_exactly_and_flat_windows_have_no_r2() {
        let y = [1.0, 3.0, 5.0, 7.0, 7.0, 7.0];
        // [slope, intercept, r2, rmse]
        let mut outs = vec![vec![f64::NAN; 6]; 4];
        linreg_all(&y, 3, &mut outs);
        let mut forecast = [f64::NAN; 6];
        line_at(&outs[0], &outs[1], 3.0, &mut forecast);
        assert_eq!(forecast[2], 7.0);
        assert!((outs[2][3] - 1.0).abs() < 1e-15);
        assert!(outs[2][5].is_nan());
        assert_eq!(outs[0][5], 0.0);
        assert_eq!(outs[3][5], 0.0);
    }

    /// Ten million rows near 1e5 moving by 1e-3: the sliding sums must not drift.
    #[test]
    fn long_offset_series_stays_accurate() {
        let n = 120;
        let y = walk(10_000_000, 1e5, 1e-3, 99);
        let mut worst = 0.0f64;
        let mut checked = 0;
        for_each_window_fit(&y, n, |row, f| {
            if row % 997 == 0 || row + 3 >= y.len() {
                let (slope, intercept) = reference(&y[row + 1 - n..=row]);
                worst = worst.max((f.slope - slope).abs() / slope.abs().max(1e-12));
                assert!(
                    (f.intercept - intercept).abs() <= 1e-15 * intercept,
                    "row {row}"
                );
                checked += 1;
            }
        });
        assert!(checked > 10_000);
        assert!(worst <= 1e-9, "worst relative slope error {worst:e}");
    }
}
