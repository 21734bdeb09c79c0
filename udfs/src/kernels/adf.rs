//! The augmented Dickey-Fuller unit-root test as statsmodels `adfuller(x, maxlag,
//! regression, autolag='AIC')` computes it, with MacKinnon's approximate p-values.

use super::ols::{aic, nested_ssr, ols, OlsFit};

/// Deterministic terms of the test regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdfTrend {
    /// `'n'`: none.
    None,
    /// `'c'`: a constant.
    Constant,
    /// `'ct'`: a constant and a linear trend.
    ConstantTrend,
    /// `'ctt'`: a constant, a linear and a quadratic trend.
    ConstantTrendSquared,
}

impl AdfTrend {
    fn terms(self) -> usize {
        match self {
            AdfTrend::None => 0,
            AdfTrend::Constant => 1,
            AdfTrend::ConstantTrend => 2,
            AdfTrend::ConstantTrendSquared => 3,
        }
    }

    /// MacKinnon (1994, 2010) for one series: (tau_min, tau_star, tau_max, the
    /// small-p polynomial, the large-p polynomial), lowest power first.
    fn mackinnon(self) -> (f64, f64, f64, [f64; 3], [f64; 4]) {
        match self {
            AdfTrend::None => (
                -19.04,
                -1.04,
                f64::INFINITY,
                [0.6344, 1.2378, 3.2496e-2],
                [0.4797, 9.3557e-1, -0.6999e-1, 3.3066e-2],
            ),
            AdfTrend::Constant => (
                -18.83,
                -1.61,
                2.74,
                [2.1659, 1.4412, 3.8269e-2],
                [1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2],
            ),
            AdfTrend::ConstantTrend => (
                -16.18,
                -2.89,
                0.7,
                [3.2512, 1.6047, 4.9588e-2],
                [2.5261, 6.1654e-1, -3.7956e-1, -6.0285e-2],
            ),
            AdfTrend::ConstantTrendSquared => (
                -17.17,
                -3.21,
                0.54,
                [4.0003, 1.658, 4.8288e-2],
                [3.0778, 4.9529e-1, -4.1477e-1, -5.9359e-2],
            ),
        }
    }
}

/// The test's statistic, p-value, the lag chosen and the regression's row count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adf {
    pub stat: f64,
    pub p_value: f64,
    pub used_lag: usize,
    pub nobs: usize,
}

/// MacKinnon's approximate p-value `Phi(polynomial(stat))`.
pub fn mackinnon_p_value(stat: f64, trend: AdfTrend) -> f64 {
    let (min, star, max, small, large) = trend.mackinnon();
    if stat > max {
        return 1.0;
    }
    if stat < min {
        return 0.0;
    }
    let poly = |c: &[f64]| c.iter().rev().fold(0.0, |acc, k| acc * stat + k);
    let z = if stat <= star {
        poly(&small)
    } else {
        poly(&large)
    };
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The regression of `diff[j]` on the lagged level `x[j]`, the deterministic
/// terms and `lags` lagged differences, over rows `j = first..diff.len()`.
fn regression(
    x: &[f64],
    diff: &[f64],
    first: usize,
    lags: usize,
    trend: AdfTrend,
) -> Option<OlsFit> {
    let (columns, y) = design(x, diff, first, lags, trend);
    ols(&columns, &y)
}

/// The columns (lagged level, deterministic terms, lagged differences, in that
/// order) and the response of [`regression`].
fn design(
    x: &[f64],
    diff: &[f64],
    first: usize,
    lags: usize,
    trend: AdfTrend,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let rows = first..diff.len();
    let nobs = rows.len();
    let mut columns = vec![rows.clone().map(|j| x[j]).collect::<Vec<_>>()];
    if trend != AdfTrend::None {
        columns.push(vec![1.0; nobs]);
    }
    for power in 1..trend.terms() {
        columns.push((1..=nobs).map(|t| (t as f64).powi(power as i32)).collect());
    }
    for lag in 1..=lags {
        columns.push(rows.clone().map(|j| diff[j - lag]).collect());
    }
    (columns, diff[first..].to_vec())
}

/// The first differences of `x`, or `None` where statsmodels refuses the test: a
/// constant series, or more lags than n/2 - 1 - (deterministic terms).
fn differences_if_testable(x: &[f64], lags: usize, trend: AdfTrend) -> Option<Vec<f64>> {
    let first = *x.first()?;
    if x.iter().all(|&v| v == first) || lags + trend.terms() + 1 > x.len() / 2 {
        return None;
    }
    Some(x.windows(2).map(|w| w[1] - w[0]).collect())
}

/// The ADF test with the lag chosen by AIC among 0..=max_lag, all fitted on the
/// same rows (those that allow max_lag lags), then refitted with the chosen lag on
/// every row it allows. `None` for a constant series, a max_lag that statsmodels
/// rejects (more than n/2 - terms - 1), or a degenerate regression.
pub fn adf(x: &[f64], max_lag: usize, trend: AdfTrend) -> Option<Adf> {
    let diff = differences_if_testable(x, max_lag, trend)?;
    // Every candidate lag is fitted on the same rows, and each model's columns are
    // the leading columns of the largest: one factorisation gives all their SSRs.
    let (columns, y) = design(x, &diff, max_lag, max_lag, trend);
    let fixed = 1 + trend.terms();
    let ssrs = nested_ssr(&columns, &y, fixed)?;
    let mut best: Option<(f64, usize)> = None;
    for (lags, ssr) in ssrs.into_iter().enumerate() {
        let aic = aic(ssr, y.len(), fixed + lags);
        // Ties keep the shorter lag, as statsmodels' min over (aic, lag).
        if best.is_none_or(|(b, _)| aic < b) {
            best = Some((aic, lags));
        }
    }
    let (_, used_lag) = best?;
    let fit = regression(x, &diff, used_lag, used_lag, trend)?;
    let stat = fit.first_t_value();
    Some(Adf {
        stat,
        p_value: mackinnon_p_value(stat, trend),
        used_lag,
        nobs: fit.rows,
    })
}

/// The ADF test with a fixed number of lagged differences (statsmodels
/// `adfuller(x, maxlag=lags, autolag=None)`), fitted on every row the lags allow.
pub fn adf_with_lags(x: &[f64], lags: usize, trend: AdfTrend) -> Option<Adf> {
    let diff = differences_if_testable(x, lags, trend)?;
    let fit = regression(x, &diff, lags, lags, trend)?;
    let stat = fit.first_t_value();
    Some(Adf {
        stat,
        p_value: mackinnon_p_value(stat, trend),
        used_lag: lags,
        nobs: fit.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_follow_mackinnon() {
        // statsmodels.tsa.adfvalues.mackinnonp(-2.0, 'c'); the ends clip.
        let p = mackinnon_p_value(-2.0, AdfTrend::Constant);
        assert!((p - 0.286_573_099_168_431_54).abs() < 1e-14, "{p}");
        assert_eq!(mackinnon_p_value(3.0, AdfTrend::Constant), 1.0);
        assert_eq!(mackinnon_p_value(-20.0, AdfTrend::Constant), 0.0);
    }

    #[test]
    fn white_noise_rejects_a_unit_root_and_a_walk_does_not() {
        let walk = crate::kernels::test_data::walk(1_000, 100.0, 1.0, 17);
        let noise: Vec<f64> = walk.windows(2).map(|w| w[1] - w[0]).collect();
        let on_noise = adf(&noise, 8, AdfTrend::Constant).unwrap();
        assert!(on_noise.p_value < 0.01, "{on_noise:?}");
        let on_walk = adf(&walk, 8, AdfTrend::Constant).unwrap();
        assert!(on_walk.p_value > 0.05, "{on_walk:?}");
        assert_eq!(adf(&[2.0; 100], 4, AdfTrend::Constant), None);
        assert_eq!(adf(&walk[..20], 9, AdfTrend::Constant), None);
    }
}
