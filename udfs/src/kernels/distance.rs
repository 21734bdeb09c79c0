//! Distance correlation (Székely, Rizzo and Bakirov 2007), the biased
//! V-statistic with exponent 1 as `dcor.distance_correlation` computes it.
//!
//! The double-centred distance matrices are never stored: the row means of each
//! distance matrix are found first (O(n) memory), then every centred product is
//! formed on the fly in one pass over the pairs. O(n²) time, O(n) memory.

/// Mean distance from each point to all points.
fn row_means(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    x.iter()
        .map(|a| x.iter().map(|b| (a - b).abs()).sum::<f64>() / n)
        .collect()
}

/// The squared distance covariance of (x, y) and the squared distance variances of
/// x and y.
fn distance_moments(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let (rx, ry) = (row_means(x), row_means(y));
    let n = x.len();
    let (gx, gy) = (
        rx.iter().sum::<f64>() / n as f64,
        ry.iter().sum::<f64>() / n as f64,
    );
    let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let a = (x[i] - x[j]).abs() - rx[i] - rx[j] + gx;
            let b = (y[i] - y[j]).abs() - ry[i] - ry[j] + gy;
            xy += a * b;
            xx += a * a;
            yy += b * b;
        }
    }
    let pairs = (n * n) as f64;
    (xy / pairs, xx / pairs, yy / pairs)
}

/// Distance correlation of two equally long series; `None` when empty or when
/// either series is constant (zero distance variance).
pub fn distance_correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.is_empty() || x.len() != y.len() {
        return None;
    }
    let (xy, xx, yy) = distance_moments(x, y);
    let denominator = (xx * yy).sqrt();
    (denominator > 0.0).then(|| (xy.max(0.0) / denominator).sqrt())
}

/// Distance correlation of each window of the last `n` rows.
pub fn rolling_distance_correlation(x: &[f64], y: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || x.len() < n {
        return;
    }
    for (end, o) in out.iter_mut().enumerate().skip(n - 1) {
        let window = end + 1 - n..end + 1;
        *o = distance_correlation(&x[window.clone()], &y[window]).unwrap_or(f64::NAN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_relations_have_distance_correlation_one() {
        let x: Vec<f64> = (0..40).map(|i| (i as f64 * 0.7).sin()).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 - 2.0 * v).collect();
        assert!((distance_correlation(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(distance_correlation(&x, &[1.0; 40]), None);
    }

    #[test]
    fn known_small_sample() {
        // dcor.distance_correlation(np.array([1., 2, 3, 4]), np.array([1., 3, 2, 4]))
        let d = distance_correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!((d - 0.832_050_294_337_843_7).abs() < 1e-14, "{d}");
    }
}
