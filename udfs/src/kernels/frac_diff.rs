//! Fixed-width-window fractional differentiation (López de Prado, AFML 5.3).

/// The weights `w_0 = 1, w_k = -w_(k-1) (d - k + 1) / k`, kept while
/// `|w_k| >= threshold`. At most `max_len` are computed (no window can be longer
/// than the series).
pub fn frac_diff_weights(d: f64, threshold: f64, max_len: usize) -> Vec<f64> {
    let mut weights = vec![1.0];
    let mut k = 1.0;
    while weights.len() < max_len {
        let next = -weights[weights.len() - 1] * (d - k + 1.0) / k;
        if next.abs() < threshold {
            break;
        }
        weights.push(next);
        k += 1.0;
    }
    weights
}

/// `out[t] = sum_k w_k x[t - k]` wherever the window of `len(w)` rows is full, NaN
/// before (every row is NaN when the series cannot fill the window: the weights
/// are still above the threshold at the series' length).
pub fn frac_diff(x: &[f64], d: f64, threshold: f64, out: &mut [f64]) {
    let weights = frac_diff_weights(d, threshold, x.len() + 1);
    if weights.len() > x.len() {
        out.fill(f64::NAN);
        return;
    }
    out[..weights.len() - 1].fill(f64::NAN);
    super::convolution::causal_filter(x, &weights, out);
}

/// The smallest `d` on the grid `0, step, 2 step, ..., 1` whose fractionally
/// differentiated series passes the ADF test (one lag, a constant, as AFML 5.4) at
/// `p_value`; `None` when no `d` on the grid does.
pub fn min_stationary_d(x: &[f64], threshold: f64, p_value: f64, step: f64) -> Option<f64> {
    let steps = (1.0 / step + 1e-9).floor() as usize;
    let mut out = vec![f64::NAN; x.len()];
    (0..=steps).map(|i| i as f64 * step).find(|&d| {
        frac_diff(x, d, threshold, &mut out);
        let series: Vec<f64> = out.iter().copied().filter(|v| !v.is_nan()).collect();
        super::adf::adf_with_lags(&series, 1, super::adf::AdfTrend::Constant)
            .is_some_and(|t| t.p_value <= p_value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_orders_are_ordinary_differences() {
        assert_eq!(frac_diff_weights(1.0, 1e-5, 100), vec![1.0, -1.0]);
        assert_eq!(frac_diff_weights(2.0, 1e-5, 100), vec![1.0, -2.0, 1.0]);
        assert_eq!(frac_diff_weights(0.0, 1e-5, 100), vec![1.0]);
        let x = [1.0, 4.0, 9.0, 16.0];
        let mut out = [0.0; 4];
        frac_diff(&x, 1.0, 1e-5, &mut out);
        assert!(out[0].is_nan());
        assert_eq!(out[1..], [3.0, 5.0, 7.0]);
    }

    #[test]
    fn weights_decay_to_the_threshold() {
        let w = frac_diff_weights(0.4, 1e-3, 10_000);
        assert!((w[1] + 0.4).abs() < 1e-15);
        assert!((w[2] + 0.4 * 0.6 / 2.0).abs() < 1e-15);
        assert!(w.last().unwrap().abs() >= 1e-3);
        let next = -w[w.len() - 1] * (0.4 - w.len() as f64 + 1.0) / w.len() as f64;
        assert!(next.abs() < 1e-3);
    }

    #[test]
    fn stationary_series_need_no_differencing_and_walks_do() {
        let walk = crate::kernels::test_data::walk(3_000, 100.0, 1.0, 21);
        let noise: Vec<f64> = walk.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(min_stationary_d(&noise, 1e-2, 0.05, 0.05), Some(0.0));
        let d = min_stationary_d(&walk, 1e-2, 0.05, 0.05).unwrap();
        assert!(d > 0.0 && d <= 1.0, "{d}");
        assert_eq!(min_stationary_d(&[1.0; 100], 1e-2, 0.05, 0.05), None);
    }

    #[test]
    fn a_window_longer_than_the_series_gives_nothing() {
        let mut out = [0.0; 10];
        frac_diff(&[1.0; 10], 0.4, 1e-5, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
