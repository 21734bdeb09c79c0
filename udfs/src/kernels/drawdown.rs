//! Compounded wealth paths and their drawdowns (empyrical's definitions).
//!
//! Wealth starts at 1 before the first return and the start counts as a peak, so a
//! loss on the first return is already a drawdown (empyrical prepends the starting
//! value before taking the running maximum).

/// Compounded wealth from 1 and its running peak.
#[derive(Debug, Clone, Copy)]
pub struct Wealth {
    value: f64,
    peak: f64,
}

impl Default for Wealth {
    fn default() -> Self {
        Self::new()
    }
}

impl Wealth {
    pub fn new() -> Self {
        Wealth {
            value: 1.0,
            peak: 1.0,
        }
    }

    #[inline(always)]
    pub fn step(&mut self, ret: f64) {
        self.value *= 1.0 + ret;
        self.peak = self.peak.max(self.value);
    }

    /// Wealth relative to the start, minus 1.
    pub fn cum_return(&self) -> f64 {
        self.value - 1.0
    }

    /// The current fall from the peak, `(value - peak) / peak` (0 or negative).
    #[inline(always)]
    pub fn drawdown(&self) -> f64 {
        (self.value - self.peak) / self.peak
    }

    /// Takes one return and lowers `worst` (a drawdown, <= 0) to the new drawdown
    /// when it is deeper. The test `value - peak < worst * peak` (the peak is at
    /// least 1) needs no division, and a new worst is rare, so the loop costs two
    /// multiplications and a maximum per row instead of a division.
    #[inline(always)]
    pub fn step_and_track(&mut self, ret: f64, worst: &mut f64) {
        self.step(ret);
        if self.value - self.peak < *worst * self.peak {
            *worst = self.drawdown();
        }
    }
}

/// The largest fall from a running peak, a number <= 0; `None` without returns.
pub fn max_drawdown(returns: &[f64]) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let mut wealth = Wealth::new();
    let mut worst = 0.0f64;
    for &r in returns {
        wealth.step_and_track(r, &mut worst);
    }
    Some(worst)
}

/// Compounded total return `prod(1 + r) - 1`; `None` without returns.
pub fn total_return(returns: &[f64]) -> Option<f64> {
    (!returns.is_empty()).then(|| super::sample::growth(returns) - 1.0)
}

/// The running drawdown path: `wealth / max(1, running max wealth) - 1` per row.
pub fn drawdown_path(returns: &[f64], out: &mut [f64]) {
    let mut wealth = Wealth::new();
    for (o, &r) in out.iter_mut().zip(returns) {
        wealth.step(r);
        *o = wealth.drawdown();
    }
}

/// The compounded wealth path minus 1 per row.
pub fn cum_return_path(returns: &[f64], out: &mut [f64]) {
    let mut wealth = Wealth::new();
    for (o, &r) in out.iter_mut().zip(returns) {
        wealth.step(r);
        *o = wealth.cum_return();
    }
}

/// Maximum drawdown of each window of the last `n` returns, wealth restarting at 1
/// before the window's first return; rows before the first full window are left.
///
/// Each window is recomputed from its start (O(n) per row) so every value is exactly
/// the whole-sample `max_drawdown` of its window, with no drift along the series.
pub fn rolling_max_drawdown(returns: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || returns.len() < n {
        return;
    }
    for (end, o) in out.iter_mut().enumerate().skip(n - 1) {
        *o = max_drawdown(&returns[end + 1 - n..=end]).unwrap_or(f64::NAN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_loss_counts_from_the_starting_value() {
        assert_eq!(max_drawdown(&[-0.1]), Some((1.0 - 0.1) - 1.0));
        let mut out = [f64::NAN; 3];
        drawdown_path(&[-0.5, 1.0, 0.5], &mut out);
        assert_eq!(out, [-0.5, 0.0, 0.0]);
    }

    #[test]
    fn max_drawdown_is_the_minimum_of_the_path() {
        let r = [0.1, -0.2, 0.05, -0.1, 0.3, -0.25];
        let mut path = [f64::NAN; 6];
        drawdown_path(&r, &mut path);
        let min = path.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((max_drawdown(&r).unwrap() - min).abs() < 1e-15);
        // The peak stays 1.1 (after the first return); the trough is the last row.
        assert!(
            (min - (0.8 * 1.05 * 0.9 * 1.3 * 0.75 - 1.0)).abs() < 1e-12,
            "{min}"
        );
    }

    #[test]
    fn gains_only_have_no_drawdown() {
        assert_eq!(max_drawdown(&[0.01, 0.02, 0.0]), Some(0.0));
        assert_eq!(max_drawdown(&[]), None);
    }

    #[test]
    fn rolling_windows_restart_their_wealth() {
        let r = [-0.5, 0.1, 0.1, -0.1];
        let mut out = [f64::NAN; 4];
        rolling_max_drawdown(&r, 2, &mut out);
        assert!(out[0].is_nan());
        assert_eq!(out[1], -0.5);
        assert_eq!(out[2], 0.0);
        assert!((out[3] - (0.9 - 1.0)).abs() < 1e-15);
    }

    #[test]
    fn cumulative_and_total_return_agree() {
        let r = [0.1, -0.2, 0.3];
        let mut out = [f64::NAN; 3];
        cum_return_path(&r, &mut out);
        assert_eq!(Some(out[2]), total_return(&r));
        assert!((out[2] - (1.1 * 0.8 * 1.3 - 1.0)).abs() < 1e-15);
    }
}
