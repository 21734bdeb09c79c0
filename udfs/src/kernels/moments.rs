//! Mean and spread of a whole sample, two-pass, as numpy computes them.

/// Mean and sum of squared deviations from it, or `None` for an empty sample.
///
/// Two passes (mean, then deviations, with the mean corrected by the residual sum)
/// keep full accuracy whatever the offset of the data. A constant sample gives a
/// spread of exactly 0, so ratios over it are recognised as undefined.
pub fn mean_and_m2(x: &[f64]) -> Option<(f64, f64)> {
    let first = *x.first()?;
    if x.iter().all(|&v| v == first) {
        return Some((first, 0.0));
    }
    let n = x.len() as f64;
    let rough = x.iter().sum::<f64>() / n;
    let residual = x.iter().map(|v| v - rough).sum::<f64>();
    let mean = rough + residual / n;
    let m2 = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    Some((mean, m2))
}

/// Sample standard deviation with `ddof` delta degrees of freedom, `None` when the
/// sample has no more than `ddof` values.
pub fn std_dev(x: &[f64], ddof: usize) -> Option<f64> {
    if x.len() <= ddof {
        return None;
    }
    let (_, m2) = mean_and_m2(x)?;
    Some((m2 / (x.len() - ddof) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_sample_has_zero_spread() {
        assert_eq!(mean_and_m2(&[0.1; 7]), Some((0.1, 0.0)));
    }

    #[test]
    fn matches_textbook_values() {
        let (mean, m2) = mean_and_m2(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(mean, 5.0);
        assert_eq!(m2, 32.0);
        assert_eq!(
            std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 0),
            Some(2.0)
        );
        assert_eq!(std_dev(&[1.0], 1), None);
        assert_eq!(mean_and_m2(&[]), None);
    }

    #[test]
    fn large_offset_keeps_its_digits() {
        let x: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 7) as f64 * 1e-3).collect();
        let (_, m2) = mean_and_m2(&x).unwrap();
        let exact_mean = 1e9 + x.iter().map(|v| v - 1e9).sum::<f64>() / 1000.0;
        let exact: f64 = x.iter().map(|v| (v - exact_mean).powi(2)).sum();
        assert!((m2 - exact).abs() <= 1e-9 * exact, "{m2} vs {exact}");
    }
}
