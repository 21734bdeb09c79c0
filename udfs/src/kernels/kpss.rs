//! The KPSS stationarity test (Kwiatkowski, Phillips, Schmidt and Shin 1992) as
//! statsmodels `kpss` computes it.

use super::moments::mean_and_m2;

/// What the series is stationary around under the null hypothesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deterministic {
    /// A level: residuals from the mean (`'c'`).
    Constant,
    /// A linear trend: residuals from the OLS line on t = 1..n (`'ct'`).
    ConstantAndTrend,
}

impl Deterministic {
    /// Kwiatkowski et al.'s critical values at p = 0.10, 0.05, 0.025, 0.01.
    fn critical_values(self) -> [f64; 4] {
        match self {
            Deterministic::Constant => [0.347, 0.463, 0.574, 0.739],
            Deterministic::ConstantAndTrend => [0.119, 0.146, 0.176, 0.216],
        }
    }
}

const P_VALUES: [f64; 4] = [0.10, 0.05, 0.025, 0.01];

/// The test's statistic, p-value and the lag truncation used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kpss {
    pub stat: f64,
    pub p_value: f64,
    pub lags: usize,
}

/// Residuals from the mean, or from the least-squares line on 1..n (two-pass, so
/// a level far from zero costs no precision).
fn residuals(x: &[f64], deterministic: Deterministic) -> Option<Vec<f64>> {
    let (mean, _) = mean_and_m2(x)?;
    let centred = x.iter().map(|v| v - mean);
    Some(match deterministic {
        Deterministic::Constant => centred.collect(),
        Deterministic::ConstantAndTrend => {
            let t_mean = (x.len() + 1) as f64 / 2.0;
            let (mut sty, mut stt) = (0.0, 0.0);
            for (i, c) in centred.clone().enumerate() {
                let t = (i + 1) as f64 - t_mean;
                sty += t * c;
                stt += t * t;
            }
            let slope = if stt > 0.0 { sty / stt } else { 0.0 };
            centred
                .enumerate()
                .map(|(i, c)| c - slope * ((i + 1) as f64 - t_mean))
                .collect()
        }
    })
}

/// `sum_t e_t e_(t-lag)`.
fn autocovariance_sum(e: &[f64], lag: usize) -> f64 {
    e[lag..].iter().zip(e).map(|(a, b)| a * b).sum()
}

/// Hobijn, Franses and Ooms (1998) automatic lag truncation, as statsmodels.
fn automatic_lags(e: &[f64]) -> usize {
    let n = e.len() as f64;
    let covlags = n.powf(2.0 / 9.0) as usize;
    let mut s0 = e.iter().map(|v| v * v).sum::<f64>() / n;
    let mut s1 = 0.0;
    for i in 1..=covlags.min(e.len() - 1) {
        let g = autocovariance_sum(e, i) / (n / 2.0);
        s0 += g;
        s1 += i as f64 * g;
    }
    let s_hat = s1 / s0;
    let gamma = 1.1447 * (s_hat * s_hat).powf(1.0 / 3.0);
    (gamma * n.powf(1.0 / 3.0)) as usize
}

/// numpy's `interp` of the statistic in the critical-value table: clipped to
/// 0.10 below the first value and 0.01 above the last.
fn p_value(stat: f64, critical: [f64; 4]) -> f64 {
    if stat <= critical[0] {
        return P_VALUES[0];
    }
    for i in 1..4 {
        if stat <= critical[i] {
            let f = (stat - critical[i - 1]) / (critical[i] - critical[i - 1]);
            return P_VALUES[i - 1] + f * (P_VALUES[i] - P_VALUES[i - 1]);
        }
    }
    P_VALUES[3]
}

/// The KPSS test of `x`; `lags` is the Bartlett truncation, automatic when `None`.
/// `None` for fewer than 2 values, `lags >= n`, or a series with no variation
/// around its level or trend (the statistic is 0/0).
pub fn kpss(x: &[f64], deterministic: Deterministic, lags: Option<usize>) -> Option<Kpss> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let e = residuals(x, deterministic)?;
    let lags = match lags {
        Some(l) if l >= n => return None,
        Some(l) => l,
        None => automatic_lags(&e).min(n - 1),
    };
    let nf = n as f64;
    let mut partial = 0.0;
    let eta = e
        .iter()
        .map(|v| {
            partial += v;
            partial * partial
        })
        .sum::<f64>()
        / (nf * nf);
    let mut s_hat = e.iter().map(|v| v * v).sum::<f64>();
    for i in 1..=lags {
        s_hat += 2.0 * autocovariance_sum(&e, i) * (1.0 - i as f64 / (lags as f64 + 1.0));
    }
    s_hat /= nf;
    if s_hat <= 0.0 {
        return None;
    }
    let stat = eta / s_hat;
    Some(Kpss {
        stat,
        p_value: p_value(stat, deterministic.critical_values()),
        lags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_interpolate_and_clip() {
        let c = Deterministic::Constant.critical_values();
        assert_eq!(p_value(0.1, c), 0.10);
        assert_eq!(p_value(0.347, c), 0.10);
        assert!((p_value(0.405, c) - 0.075).abs() < 1e-15);
        assert_eq!(p_value(0.739, c), 0.01);
        assert_eq!(p_value(5.0, c), 0.01);
    }

    #[test]
    fn flat_series_have_no_statistic() {
        assert_eq!(kpss(&[3.0; 50], Deterministic::Constant, None), None);
        let line: Vec<f64> = (0..50).map(|i| 2.0 * i as f64).collect();
        assert_eq!(kpss(&line, Deterministic::ConstantAndTrend, Some(3)), None);
        assert_eq!(
            kpss(&[1.0, 2.0, 4.0], Deterministic::Constant, Some(3)),
            None
        );
    }

    #[test]
    fn a_random_walk_is_not_level_stationary() {
        let walk = crate::kernels::test_data::walk(2_000, 100.0, 1.0, 9);
        let test = kpss(&walk, Deterministic::Constant, None).unwrap();
        assert!(test.stat > 0.739 && test.p_value == 0.01, "{test:?}");
    }
}
