//! Mean and spread of a whole sample, two-pass, as numpy computes them.

/// Mean and sum of squared deviations from it, or `None` for an empty sample.
///
/// Two passes (mean, then deviations, with the mean corrected by the residual sum)
/// keep full accuracy whatever the offset of the data. A constant sample gives a
/// spread of exactly 0, so ratios over it are recognised as undefined.
pub fn mean_and_m2(x: &[f64]) -> Option<(f64, f64)> {
    mean_and_m2_with(x, mean)
}

/// [`mean_and_m2`] with the mean (when the sample is not constant) from `mean_of`,
/// for a caller that may already have it.
pub fn mean_and_m2_with(
    x: &[f64],
    mean_of: impl FnOnce(&[f64]) -> Option<f64>,
) -> Option<(f64, f64)> {
    let first = *x.first()?;
    if x.iter().all(|&v| v == first) {
        return Some((first, 0.0));
    }
    let mean = mean_of(x)?;
    let m2 = sum_of(x, |v| (v - mean) * (v - mean));
    Some((mean, m2))
}

/// The mean, corrected by the residual sum (two passes), or `None` when empty.
pub fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let rough = sum_of(x, |v| v) / n;
    Some(rough + sum_of(x, |v| v - rough) / n)
}

/// `sum(f(v))` over eight interleaved partial sums, combined pairwise.
///
/// A single running sum is a chain of dependent additions (one per 4 cycles); eight
/// independent ones fill the vector units, and their pairwise combination rounds no
/// worse than the sequential order.
#[inline(always)]
pub fn sum_of(x: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    fold_lanes(x, 0.0, f, |a, b| a + b)
}

/// `prod(f(v))` over eight interleaved partial products (see [`sum_of`]).
#[inline(always)]
pub fn product_of(x: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    fold_lanes(x, 1.0, f, |a, b| a * b)
}

/// Folds `f(v)` with the associative `op` into eight lanes, then combines them
/// pairwise with the tail.
#[inline(always)]
fn fold_lanes(
    x: &[f64],
    identity: f64,
    f: impl Fn(f64) -> f64,
    op: impl Fn(f64, f64) -> f64,
) -> f64 {
    let mut lanes = [identity; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(identity, |acc, &v| op(acc, f(v)));
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = op(*lane, f(v));
        }
    }
    let [a, b, c, d, e, g, h, i] = lanes;
    op(op(op(a, e), op(b, g)), op(op(op(c, h), op(d, i)), tail))
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
    fn lane_sums_and_products_match_the_plain_ones() {
        for len in [0, 1, 7, 8, 9, 63, 1000] {
            let x: Vec<f64> = (0..len)
                .map(|i| ((i * 37 % 101) as f64 - 50.0) / 1e3)
                .collect();
            let plain: f64 = x.iter().map(|v| v * 2.0).sum();
            assert!((sum_of(&x, |v| v * 2.0) - plain).abs() <= 1e-12, "{len}");
            let plain: f64 = x.iter().map(|v| 1.0 + v).product();
            let lanes = product_of(&x, |v| 1.0 + v);
            assert!((lanes - plain).abs() <= 1e-12 * plain.abs(), "{len}");
        }
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[2.0, 4.0]), Some(3.0));
    }

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
