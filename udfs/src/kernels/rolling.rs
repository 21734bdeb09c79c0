//! Fixed-width rolling windows (pandas `rolling(n, min_periods=n)`).
//!
//! Moments use shifted running sums re-anchored every `n` rows: at each anchor row
//! the window's mean is computed exactly (two-pass) and becomes the shift `K`; the
//! next `n - 1` rows slide the sums of `x - K` and `(x - K)^2` in O(1). Because `K`
//! stays within one window's drift of the data, the variance never suffers the
//! catastrophic cancellation of raw power sums (prices near 1e5 moving by 1e-3), and
//! because the sums are rebuilt every `n` rows, rounding cannot accumulate along a
//! long series. Amortised cost: about three reads of each value, whatever `n`.

/// Calls `emit(row, mean, m2)` for every row whose window of `n` values ending there
/// is full: `m2` is the window's sum of squared deviations from its mean.
///
/// A window of identical values reports exactly that value and an `m2` of exactly 0,
/// so ratios over a flat window are recognised as undefined rather than noise.
pub fn for_each_window_moments(x: &[f64], n: usize, mut emit: impl FnMut(usize, f64, f64)) {
    if n == 0 || x.len() < n {
        return;
    }
    let nf = n as f64;
    let mut equal_run = 1usize;
    for w in x[..n].windows(2) {
        equal_run = if w[1] == w[0] { equal_run + 1 } else { 1 };
    }
    let mut anchor_row = n - 1;
    while anchor_row < x.len() {
        // Exact restart at the anchor row.
        let window = &x[anchor_row + 1 - n..=anchor_row];
        let rough = window.iter().sum::<f64>() / nf;
        let shift = rough + window.iter().map(|v| v - rough).sum::<f64>() / nf;
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        for v in window {
            let d = v - shift;
            s1 += d;
            s2 += d * d;
        }
        let block_end = (anchor_row + n).min(x.len());
        for row in anchor_row..block_end {
            if row > anchor_row {
                let added = x[row] - shift;
                let removed = x[row - n] - shift;
                s1 += added - removed;
                s2 += (added - removed) * (added + removed);
            }
            if row >= n {
                equal_run = if x[row] == x[row - 1] {
                    equal_run + 1
                } else {
                    1
                };
            }
            if equal_run >= n {
                emit(row, x[row], 0.0);
            } else {
                let mean = shift + s1 / nf;
                emit(row, mean, (s2 - s1 * s1 / nf).max(0.0));
            }
        }
        anchor_row = block_end;
    }
}

/// Rolling mean over `n` rows.
pub fn rolling_mean(x: &[f64], n: usize, out: &mut [f64]) {
    for_each_window_moments(x, n, |row, mean, _| out[row] = mean);
}

/// Rolling variance over `n` rows with `ddof` delta degrees of freedom.
pub fn rolling_var(x: &[f64], n: usize, ddof: usize, out: &mut [f64]) {
    if n <= ddof {
        return;
    }
    let denom = (n - ddof) as f64;
    for_each_window_moments(x, n, |row, _, m2| out[row] = m2 / denom);
}

/// Rolling standard deviation over `n` rows with `ddof` delta degrees of freedom.
pub fn rolling_std(x: &[f64], n: usize, ddof: usize, out: &mut [f64]) {
    rolling_var(x, n, ddof, out);
    for v in out.iter_mut() {
        *v = v.sqrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::moments::mean_and_m2;
    use rstest::rstest;

    /// Two-pass reference for each full window.
    fn reference(x: &[f64], n: usize) -> Vec<Option<(f64, f64)>> {
        (0..x.len())
            .map(|i| (i + 1 >= n).then(|| mean_and_m2(&x[i + 1 - n..=i]).unwrap()))
            .collect()
    }

    /// A deterministic pseudo-random walk (xorshift), to avoid a dependency.
    fn walk(len: usize, start: f64, step: f64, seed: u64) -> Vec<f64> {
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

    #[rstest]
    #[case(1)]
    #[case(2)]
    #[case(7)]
    #[case(20)]
    #[case(333)]
    fn matches_two_pass_reference_under_large_offset(#[case] n: usize) {
        let x = walk(5000, 1e5, 1e-3, 42 + n as u64);
        let expected = reference(&x, n);
        let mut rows = 0;
        for_each_window_moments(&x, n, |row, mean, m2| {
            rows += 1;
            let (em, e2) = expected[row].unwrap();
            assert!(
                (mean - em).abs() <= 1e-15 * em.abs(),
                "row {row}: {mean} vs {em}"
            );
            assert!(
                (m2 - e2).abs() <= 1e-9 * e2 + 1e-300,
                "row {row}: {m2} vs {e2}"
            );
        });
        assert_eq!(rows, x.len() + 1 - n);
    }

    /// Ten million rows near 1e5 moving by 1e-3: raw power sums would keep no correct
    /// digit of the variance; the re-anchored sums must not drift along the series.
    #[test]
    fn long_offset_series_stays_accurate() {
        let n = 50;
        let x = walk(10_000_000, 1e5, 1e-3, 7);
        let mut checked = 0;
        let mut worst = 0.0f64;
        for_each_window_moments(&x, n, |row, mean, m2| {
            if row % 997 == 0 || row + 3 >= x.len() {
                let (em, e2) = mean_and_m2(&x[row + 1 - n..=row]).unwrap();
                assert!((mean - em).abs() <= 1e-15 * em.abs(), "row {row}");
                worst = worst.max((m2 - e2).abs() / e2);
                checked += 1;
            }
        });
        assert!(checked > 10_000);
        assert!(
            worst <= 1e-9,
            "worst relative error of the variance: {worst:e}"
        );
    }

    #[test]
    fn flat_window_has_exactly_zero_variance() {
        let x = [1.0, 2.0, 0.1, 0.1, 0.1, 0.1, 5.0];
        let mut out = vec![f64::NAN; x.len()];
        rolling_var(&x, 3, 1, &mut out);
        assert_eq!(out[4], 0.0);
        assert_eq!(out[5], 0.0);
        assert!(out[6] > 0.0);
        assert!(out[1].is_nan());
    }

    #[test]
    fn short_series_gives_no_values() {
        let mut out = vec![f64::NAN; 2];
        rolling_mean(&[1.0, 2.0], 3, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 6.0];
        let mut mean = vec![f64::NAN; 5];
        let mut std = vec![f64::NAN; 5];
        rolling_mean(&x, 2, &mut mean);
        rolling_std(&x, 3, 1, &mut std);
        assert_eq!(&mean[1..], &[1.5, 2.5, 3.5, 5.0]);
        assert!((std[4] - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(std[2], 1.0);
    }
}
