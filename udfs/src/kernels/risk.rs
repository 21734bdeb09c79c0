//! Whole-sample risk metrics (empyrical's definitions).
//!
//! Statistics that several metrics need (the mean and spread, the growth, the
//! maximum drawdown, order statistics) come from [`super::sample`], which computes
//! each once per group when a scorecard asks for many metrics of it.

use super::moments::{mean_and_m2, sum_of};
use super::sample;

/// Annualised Sharpe ratio of returns: `mean / std(ddof=1) * sqrt(periods)`.
/// `None` for fewer than two returns or zero spread.
pub fn sharpe_ratio(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let (mean, m2) = sample::mean_and_m2(returns)?;
    if m2 == 0.0 {
        return None;
    }
    let std = (m2 / (returns.len() - 1) as f64).sqrt();
    Some(mean / std * periods.sqrt())
}

/// Annualised Sortino ratio with a required return of 0:
/// `mean(r) * periods / downside_risk(r, periods)`. `None` for fewer than two returns
/// or no negative return.
pub fn sortino_ratio(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let downside = downside_risk(returns, periods)?;
    if downside == 0.0 {
        return None;
    }
    Some(sample::mean(returns)? * periods / downside)
}

/// Annualised downside deviation below 0: `sqrt(mean(min(r, 0)^2)) * sqrt(periods)`,
/// the mean taken over all returns; 0 without losses.
pub fn downside_risk(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let squares = sample::downside_squares(returns);
    Some((squares / returns.len() as f64).sqrt() * periods.sqrt())
}

/// Annualised volatility `std(r, ddof=1) * sqrt(periods)`; `None` for fewer than two
/// returns.
pub fn annual_volatility(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let (_, m2) = sample::mean_and_m2(returns)?;
    Some((m2 / (returns.len() - 1) as f64).sqrt() * periods.sqrt())
}

/// Compound annual growth rate `prod(1 + r)^(periods / count) - 1`.
pub fn annual_return(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let growth = sample::growth(returns);
    Some(growth.powf(periods / returns.len() as f64) - 1.0)
}

/// Calmar ratio `annual_return / |max_drawdown|`; `None` without a drawdown.
pub fn calmar_ratio(returns: &[f64], periods: f64) -> Option<f64> {
    let drawdown = sample::max_drawdown(returns)?;
    if drawdown >= 0.0 {
        return None;
    }
    Some(annual_return(returns, periods)? / drawdown.abs())
}

/// R² of the least-squares line through the cumulative log returns
/// `cumsum(log1p(r))` against `0..n`; `None` for fewer than two returns or a flat
/// cumulative path (zero total sum of squares).
///
/// Two passes: the mean of the path, then centred cross products, so a long path
/// far from zero loses nothing to cancellation.
pub fn stability_of_timeseries(returns: &[f64]) -> Option<f64> {
    let n = returns.len();
    if n < 2 {
        return None;
    }
    // The cumulative log growth: logarithms in a vectorised pass, then the sums.
    let mut path = returns.to_vec();
    super::logarithm::ln_1p_in_place(&mut path);
    let mut total = 0.0;
    for v in &mut path {
        total += *v;
        *v = total;
    }
    let (y_mean, syy) = mean_and_m2(&path)?;
    if syy == 0.0 {
        return None;
    }
    let x_mean = (n - 1) as f64 / 2.0;
    let sxy = centred_cross_products(&path, x_mean, y_mean);
    let nf = n as f64;
    let sxx = nf * (nf * nf - 1.0) / 12.0;
    Some((sxy * sxy / (sxx * syy)).min(1.0))
}

/// `sum((i - x_mean) (y_i - y_mean))` over eight interleaved partial sums.
fn centred_cross_products(y: &[f64], x_mean: f64, y_mean: f64) -> f64 {
    let mut lanes = [0.0f64; 8];
    let chunks = y.chunks_exact(8);
    let done = y.len() - chunks.remainder().len();
    let tail: f64 = (done..y.len())
        .map(|i| (i as f64 - x_mean) * (y[i] - y_mean))
        .sum();
    for (c, chunk) in chunks.enumerate() {
        let first = (8 * c) as f64 - x_mean;
        for (k, (lane, &v)) in lanes.iter_mut().zip(chunk).enumerate() {
            *lane += (first + k as f64) * (v - y_mean);
        }
    }
    let [a, b, c, d, e, g, h, i] = lanes;
    ((a + e) + (b + g)) + ((c + h) + (d + i)) + tail
}

/// Share of the non-zero results that are gains; `None` when all are zero.
pub fn win_rate(pnl: &[f64]) -> Option<f64> {
    let wins = pnl.iter().filter(|&&p| p > 0.0).count();
    let decided = pnl.iter().filter(|&&p| p != 0.0).count();
    (decided > 0).then(|| wins as f64 / decided as f64)
}

/// Gross profit over gross loss, `sum(p > 0) / |sum(p < 0)|`; `None` without losses.
pub fn profit_factor(pnl: &[f64]) -> Option<f64> {
    let profit = sum_of(pnl, |p| p.max(0.0));
    let loss = sum_of(pnl, |p| p.min(0.0));
    (loss < 0.0).then(|| profit / -loss)
}

/// Sharpe ratio of each window of `n` returns (`mean / std(ddof=1) * sqrt(periods)`);
/// NaN where the window's returns are all equal.
pub fn rolling_sharpe(returns: &[f64], n: usize, periods: f64, out: &mut [f64]) {
    if n < 2 {
        return;
    }
    let scale = periods.sqrt();
    let dof = (n - 1) as f64;
    super::rolling::for_each_window_moments(returns, n, |row, mean, m2| {
        out[row] = if m2 > 0.0 {
            mean / (m2 / dof).sqrt() * scale
        } else {
            f64::NAN
        };
    });
}

/// numpy's `percentile(x, 100 q)` with linear interpolation, on a sorted sample.
pub(crate) fn percentile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    sample::linear_percentile(sorted.len(), q, |k| sorted[k])
}

/// Historical value at risk: the `cutoff` percentile of the returns (linear).
pub fn value_at_risk(returns: &[f64], cutoff: f64) -> Option<f64> {
    (!returns.is_empty())
        .then(|| sample::with_order_statistics(returns, |order| order.percentile(cutoff)))
}

/// Conditional value at risk as empyrical computes it: the mean of the
/// `floor((count - 1) cutoff) + 1` smallest returns (found by selection, then summed).
pub fn conditional_value_at_risk(returns: &[f64], cutoff: f64) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let take = ((returns.len() - 1) as f64 * cutoff).floor() as usize + 1;
    let sum = sample::with_order_statistics(returns, |order| order.sum_through(take - 1));
    Some(sum / take as f64)
}

/// Omega ratio: gains over losses relative to a per-period threshold derived from an
/// annual required return (`(1 + required)^(1/periods) - 1`; the required return
/// itself when `periods` is 1). `None` for fewer than two returns or no loss.
pub fn omega_ratio(returns: &[f64], required: f64, periods: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let threshold = if periods == 1.0 {
        required
    } else {
        (1.0 + required).powf(1.0 / periods) - 1.0
    };
    // Branch-free: the sign of a return is a coin flip the predictor cannot learn.
    let gains = sum_of(returns, |r| (r - threshold).max(0.0));
    let losses = sum_of(returns, |r| (threshold - r).max(0.0));
    (losses > 0.0).then(|| gains / losses)
}

/// `|95th percentile| / |5th percentile|` of the returns; `None` when the 5th is 0.
pub fn tail_ratio(returns: &[f64]) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    sample::with_order_statistics(returns, |order| {
        let low = order.percentile(0.05).abs();
        (low != 0.0).then(|| order.percentile(0.95).abs() / low)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpe_of_known_sample() {
        // mean 0.02, std (ddof 1) 0.01
        let r = [0.01, 0.02, 0.03];
        let s = sharpe_ratio(&r, 4.0).unwrap();
        assert!((s - 4.0).abs() < 1e-12, "{s}");
    }

    #[test]
    fn selection_gives_the_sorted_percentile() {
        let x = crate::kernels::test_data::walk(1_001, 0.0, 1.0, 5);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.001, 0.05, 0.5, 0.77, 0.95, 1.0] {
            let by_selection = value_at_risk(&x, q).unwrap();
            assert_eq!(by_selection, percentile_of_sorted(&sorted, q), "q {q}");
        }
        let take = 51; // floor(1000 * 0.05) + 1
        let mean: f64 = sorted[..take].iter().sum::<f64>() / take as f64;
        let cvar = conditional_value_at_risk(&x, 0.05).unwrap();
        assert!((cvar - mean).abs() < 1e-12 * mean.abs(), "{cvar} vs {mean}");
    }

    #[test]
    fn undefined_cases_are_none() {
        assert_eq!(sharpe_ratio(&[0.01], 252.0), None);
        assert_eq!(sharpe_ratio(&[0.01, 0.01, 0.01], 252.0), None);
        assert_eq!(sharpe_ratio(&[], 252.0), None);
    }
}
