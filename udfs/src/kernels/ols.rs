//! Small dense least squares by Householder QR: backward stable, so levels far
//! from zero next to a constant column cost no precision that the normal equations
//! would lose.

/// A least-squares fit of `y` on the columns of `X`.
#[derive(Debug, Clone, PartialEq)]
pub struct OlsFit {
    pub coef: Vec<f64>,
    /// Sum of squared residuals.
    pub ssr: f64,
    /// `[(X'X)^-1]_00`: the first coefficient's variance per unit error variance.
    pub first_coef_variance_factor: f64,
    pub rows: usize,
}

impl OlsFit {
    /// t-value of the first coefficient.
    pub fn first_t_value(&self) -> f64 {
        let dof = (self.rows - self.coef.len()) as f64;
        let sigma2 = self.ssr / dof;
        self.coef[0] / (sigma2 * self.first_coef_variance_factor).sqrt()
    }

    /// Akaike's criterion with the Gaussian log-likelihood, as statsmodels' OLS:
    /// `n (ln(2 pi) + ln(ssr / n) + 1) + 2 k`.
    pub fn aic(&self) -> f64 {
        aic(self.ssr, self.rows, self.coef.len())
    }
}

/// Householder QR of the columns, applied to `y` as well: `R` in the upper
/// triangle of the returned columns (`a[col][row]`, row <= col) and `Q'y`.
/// `None` when there are no more rows than columns or the columns are
/// (numerically) collinear.
fn householder(columns: &[Vec<f64>], y: &[f64]) -> Option<(Vec<Vec<f64>>, Vec<f64>)> {
    let (n, k) = (y.len(), columns.len());
    if n <= k || k == 0 {
        return None;
    }
    let mut a: Vec<Vec<f64>> = columns.to_vec();
    let mut qty = y.to_vec();
    for j in 0..k {
        let scale = columns[j].iter().map(|v| v.abs()).fold(0.0, f64::max);
        // Householder reflection zeroing a[j][j+1..].
        let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm <= 1e-12 * scale.max(f64::MIN_POSITIVE) * (n as f64).sqrt() {
            return None;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[j][j..].to_vec();
        v[0] -= alpha;
        let v_norm2 = v.iter().map(|x| x * x).sum::<f64>();
        let reflect = |target: &mut [f64]| {
            let dot = target.iter().zip(&v).map(|(t, w)| t * w).sum::<f64>();
            let f = 2.0 * dot / v_norm2;
            target.iter_mut().zip(&v).for_each(|(t, w)| *t -= f * w);
        };
        for col in a.iter_mut().skip(j + 1) {
            reflect(&mut col[j..]);
        }
        reflect(&mut qty[j..]);
        a[j][j] = alpha;
    }
    Some((a, qty))
}

/// Fits `y` on `columns` (each as long as `y`); `None` when there are no more rows
/// than columns or the columns are (numerically) collinear.
pub fn ols(columns: &[Vec<f64>], y: &[f64]) -> Option<OlsFit> {
    let (n, k) = (y.len(), columns.len());
    let (a, qty) = householder(columns, y)?;
    // Solve R coef = (Q'y)[..k].
    let mut coef = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|c| a[c][i] * coef[c]).sum();
        coef[i] = (qty[i] - s) / a[i][i];
    }
    // Row 0 of R^-1: solve R' w = e_0 by forward substitution.
    let mut w = vec![0.0; k];
    for i in 0..k {
        let s: f64 = (0..i).map(|r| a[i][r] * w[r]).sum();
        w[i] = ((i == 0) as u8 as f64 - s) / a[i][i];
    }
    Some(OlsFit {
        coef,
        ssr: qty[k..].iter().map(|v| v * v).sum(),
        first_coef_variance_factor: w.iter().map(|v| v * v).sum(),
        rows: n,
    })
}

/// The residual sums of squares of `y` regressed on the first `k` columns, for
/// every `k` from `first` to all of them, from one QR factorisation: the QR of
/// leading columns is the leading part of the full QR, so model `k` leaves the
/// components `k..` of `Q'y` unexplained.
pub fn nested_ssr(columns: &[Vec<f64>], y: &[f64], first: usize) -> Option<Vec<f64>> {
    let (_, qty) = householder(columns, y)?;
    Some(
        (first..=columns.len())
            .map(|k| qty[k..].iter().map(|v| v * v).sum())
            .collect(),
    )
}

/// Akaike's criterion of a fit with `ssr` over `rows` rows and `k` coefficients.
pub fn aic(ssr: f64, rows: usize, k: usize) -> f64 {
    let n = rows as f64;
    n * ((2.0 * std::f64::consts::PI).ln() + (ssr / n).ln() + 1.0) + 2.0 * k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_line_and_its_statistics() {
        let x: Vec<f64> = (0..20).map(|i| 1e4 + i as f64).collect();
        let noise = [0.1, -0.2, 0.05, 0.0, 0.3, -0.1, 0.2, -0.3, 0.1, 0.0];
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 2.0 * v - 5.0 + noise[i % 10])
            .collect();
        let fit = ols(&[x.clone(), vec![1.0; 20]], &y).unwrap();
        // Reference: the normal equations in centred form.
        let xm = x.iter().sum::<f64>() / 20.0;
        let ym = y.iter().sum::<f64>() / 20.0;
        let sxx: f64 = x.iter().map(|v| (v - xm).powi(2)).sum();
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - xm) * (b - ym)).sum();
        let slope = sxy / sxx;
        assert!((fit.coef[0] - slope).abs() < 1e-9);
        assert!((fit.coef[1] - (ym - slope * xm)).abs() < 1e-5);
        assert!((fit.first_coef_variance_factor - 1.0 / sxx).abs() < 1e-9 / sxx);
        let ssr: f64 = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (b - fit.coef[1] - fit.coef[0] * a).powi(2))
            .sum();
        assert!((fit.ssr - ssr).abs() < 1e-9);
    }

    #[test]
    fn nested_fits_share_one_factorisation() {
        let x: Vec<f64> = (0..30).map(|i| (i as f64 * 0.3).sin()).collect();
        let z: Vec<f64> = (0..30).map(|i| (i as f64 * 0.7).cos()).collect();
        let y: Vec<f64> = (0..30)
            .map(|i| 1.0 + x[i] - 0.5 * z[i] + (i % 3) as f64 * 0.1)
            .collect();
        let columns = vec![vec![1.0; 30], x, z];
        let nested = nested_ssr(&columns, &y, 1).unwrap();
        for k in 1..=3 {
            let alone = ols(&columns[..k], &y).unwrap().ssr;
            assert!(
                (nested[k - 1] - alone).abs() < 1e-12 * alone.max(1.0),
                "{k}"
            );
        }
    }

    #[test]
    fn collinear_columns_have_no_fit() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let twice: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        assert_eq!(ols(&[x.clone(), twice], &x), None);
    }
}
