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

/// `out[t] = sum_k w_k x[t - k]` wherever the window of `len(w)` rows is full.
///
/// The weights are found first; if the series cannot fill the window (the weights
/// are still above the threshold at the series' length), every row is left.
pub fn frac_diff(x: &[f64], d: f64, threshold: f64, out: &mut [f64]) {
    let weights = frac_diff_weights(d, threshold, x.len() + 1);
    let width = weights.len();
    if width > x.len() {
        return;
    }
    for (t, o) in out.iter_mut().enumerate().skip(width - 1) {
        let window = &x[t + 1 - width..=t];
        *o = window.iter().rev().zip(&weights).map(|(v, w)| v * w).sum();
    }
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
        let mut out = [f64::NAN; 4];
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
    fn a_window_longer_than_the_series_gives_nothing() {
        let mut out = [f64::NAN; 10];
        frac_diff(&[1.0; 10], 0.4, 1e-5, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
