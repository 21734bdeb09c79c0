//! Whole-sample filters (statsmodels' definitions): they look ahead, every output
//! row depends on rows after it.

/// The Baxter-King band-pass weights for periods between `low` and `high` rows
/// with `k` leads and lags: the ideal filter's 2k+1 central weights, shifted to
/// sum to 0 (statsmodels `bkfilter`).
pub fn baxter_king_weights(low: f64, high: f64, k: usize) -> Vec<f64> {
    let omega_low = 2.0 * std::f64::consts::PI / high;
    let omega_high = 2.0 * std::f64::consts::PI / low;
    let mut weights = vec![0.0; 2 * k + 1];
    weights[k] = (omega_high - omega_low) / std::f64::consts::PI;
    for j in 1..=k {
        let jf = j as f64;
        let w = ((omega_high * jf).sin() - (omega_low * jf).sin()) / (std::f64::consts::PI * jf);
        weights[k + j] = w;
        weights[k - j] = w;
    }
    let mean = weights.iter().sum::<f64>() / weights.len() as f64;
    weights.iter_mut().for_each(|w| *w -= mean);
    weights
}

/// Baxter-King cycle: rows `k..n-k` get the weighted sum of their 2k+1 neighbours;
/// the first and last `k` rows (and a series shorter than 2k+1) are left.
pub fn bk_filter(x: &[f64], low: f64, high: f64, k: usize, out: &mut [f64]) {
    let width = 2 * k + 1;
    if x.len() < width {
        return;
    }
    let weights = baxter_king_weights(low, high, k);
    for (window, o) in x.windows(width).zip(&mut out[k..]) {
        *o = window.iter().zip(&weights).map(|(v, w)| v * w).sum();
    }
}

/// Hodrick-Prescott trend: the solution of `(I + lambda D'D) trend = x`, D the
/// second-difference operator, by an O(n) banded Cholesky (LDLᵀ) factorisation of
/// the symmetric positive definite pentadiagonal matrix.
pub fn hp_trend(x: &[f64], lambda: f64, out: &mut [f64]) {
    let n = x.len();
    if n == 0 {
        return;
    }
    // Entries of D'D: D has rows r = 0..n-2 with 1, -2, 1 at columns r, r+1, r+2.
    let rows = n.saturating_sub(2);
    let row = |r: isize| r >= 0 && (r as usize) < rows;
    let diag = |i: usize| {
        let i = i as isize;
        [(i, 1.0), (i - 1, 4.0), (i - 2, 1.0)]
            .iter()
            .filter(|(r, _)| row(*r))
            .map(|(_, v)| v)
            .sum::<f64>()
    };
    let off1 = |i: usize| {
        let i = i as isize;
        [(i, -2.0), (i - 1, -2.0)]
            .iter()
            .filter(|(r, _)| row(*r))
            .map(|(_, v)| v)
            .sum::<f64>()
    };
    let off2 = |i: usize| if row(i as isize) { 1.0 } else { 0.0 };

    // LDLᵀ: l1[i] = L[i+1][i], l2[i] = L[i+2][i].
    let mut d = vec![0.0; n];
    let mut l1 = vec![0.0; n];
    let mut l2 = vec![0.0; n];
    for i in 0..n {
        let mut di = 1.0 + lambda * diag(i);
        if i >= 1 {
            di -= l1[i - 1] * l1[i - 1] * d[i - 1];
        }
        if i >= 2 {
            di -= l2[i - 2] * l2[i - 2] * d[i - 2];
        }
        d[i] = di;
        if i + 1 < n {
            let mut a = lambda * off1(i);
            if i >= 1 {
                a -= l1[i - 1] * l2[i - 1] * d[i - 1];
            }
            l1[i] = a / di;
        }
        if i + 2 < n {
            l2[i] = lambda * off2(i) / di;
        }
    }
    // Solve L z = x, then D y = z, then Lᵀ t = y, in place in `out`.
    for i in 0..n {
        let mut z = x[i];
        if i >= 1 {
            z -= l1[i - 1] * out[i - 1];
        }
        if i >= 2 {
            z -= l2[i - 2] * out[i - 2];
        }
        out[i] = z;
    }
    for i in 0..n {
        out[i] /= d[i];
    }
    for i in (0..n).rev() {
        let mut t = out[i];
        if i + 1 < n {
            t -= l1[i] * out[i + 1];
        }
        if i + 2 < n {
            t -= l2[i] * out[i + 2];
        }
        out[i] = t;
    }
}

/// Hodrick-Prescott cycle `x - trend`.
pub fn hp_cycle(x: &[f64], lambda: f64, out: &mut [f64]) {
    hp_trend(x, lambda, out);
    for (o, v) in out.iter_mut().zip(x) {
        *o = v - *o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (I + lambda D'D) t, computed directly from the definition.
    fn apply(t: &[f64], lambda: f64) -> Vec<f64> {
        let n = t.len();
        let second: Vec<f64> = (0..n.saturating_sub(2))
            .map(|r| t[r] - 2.0 * t[r + 1] + t[r + 2])
            .collect();
        let mut out = t.to_vec();
        for (r, s) in second.iter().enumerate() {
            out[r] += lambda * s;
            out[r + 1] -= 2.0 * lambda * s;
            out[r + 2] += lambda * s;
        }
        out
    }

    #[test]
    fn hp_trend_solves_the_system() {
        for n in [1, 2, 3, 4, 7, 500] {
            let x = crate::kernels::test_data::walk(n, 100.0, 1.0, 3);
            for lambda in [0.0, 1600.0, 129600.0] {
                let mut trend = vec![f64::NAN; n];
                hp_trend(&x, lambda, &mut trend);
                let back = apply(&trend, lambda);
                for (b, v) in back.iter().zip(&x) {
                    assert!(
                        (b - v).abs() < 1e-8 * v.abs(),
                        "n {n} lambda {lambda}: {b} vs {v}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_straight_line_is_its_own_trend() {
        let x: Vec<f64> = (0..50).map(|i| 3.0 + 0.5 * i as f64).collect();
        let mut cycle = vec![f64::NAN; 50];
        hp_cycle(&x, 1600.0, &mut cycle);
        assert!(cycle.iter().all(|c| c.abs() < 1e-9), "{cycle:?}");
    }

    #[test]
    fn bk_weights_sum_to_zero_and_are_symmetric() {
        let w = baxter_king_weights(6.0, 32.0, 12);
        assert_eq!(w.len(), 25);
        assert!(w.iter().sum::<f64>().abs() < 1e-15);
        for j in 0..12 {
            assert_eq!(w[j], w[24 - j]);
        }
        let mut out = vec![f64::NAN; 30];
        bk_filter(&[5.0; 30], 6.0, 32.0, 12, &mut out);
        assert!(out[..12].iter().all(|v| v.is_nan()) && out[18..].iter().all(|v| v.is_nan()));
        assert!(out[12..18].iter().all(|v| v.abs() < 1e-13));
    }
}
