//! Whole-sample risk metrics (empyrical's definitions).

use super::moments::mean_and_m2;

/// Annualised Sharpe ratio of returns: `mean / std(ddof=1) * sqrt(periods)`.
/// `None` for fewer than two returns or zero spread.
pub fn sharpe_ratio(returns: &[f64], periods: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let (mean, m2) = mean_and_m2(returns)?;
    if m2 == 0.0 {
        return None;
    }
    let std = (m2 / (returns.len() - 1) as f64).sqrt();
    Some(mean / std * periods.sqrt())
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
    fn undefined_cases_are_none() {
        assert_eq!(sharpe_ratio(&[0.01], 252.0), None);
        assert_eq!(sharpe_ratio(&[0.01, 0.01, 0.01], 252.0), None);
        assert_eq!(sharpe_ratio(&[], 252.0), None);
    }
}
