//! One-period returns. The first row has no previous value and stays NaN.

/// `ln(x[i] / x[i-1])`, numpy's `np.log(x[1:] / x[:-1])`.
pub fn log_return(x: &[f64], out: &mut [f64]) {
    super::no_value_before(out, 1);
    let rows = x.len().min(out.len());
    if rows < 2 {
        return;
    }
    for (o, w) in out[1..rows].iter_mut().zip(x.windows(2)) {
        *o = w[1] / w[0];
    }
    super::logarithm::ln_in_place(&mut out[1..rows]);
}

/// `x[i] / x[i-1] - 1`.
pub fn pct_return(x: &[f64], out: &mut [f64]) {
    for (o, w) in out.iter_mut().skip(1).zip(x.windows(2)) {
        *o = w[1] / w[0] - 1.0;
    }
}

/// Sign of the one-period change, -1, 0 or 1 (the sign of the return for positive
/// prices); the first row stays NaN.
pub fn return_sign(x: &[f64], out: &mut [f64]) {
    for (o, w) in out.iter_mut().skip(1).zip(x.windows(2)) {
        let change = w[1] - w[0];
        *o = if change > 0.0 {
            1.0
        } else if change < 0.0 {
            -1.0
        } else {
            0.0
        };
    }
}

/// Change of the simple return, `r[i] - r[i-1]` with `r = pct_return(x)`: the
/// discrete second derivative of the price in relative terms. The first two rows
/// stay NaN.
pub fn acceleration(x: &[f64], out: &mut [f64]) {
    for (o, w) in out.iter_mut().skip(2).zip(x.windows(3)) {
        *o = (w[2] / w[1] - 1.0) - (w[1] / w[0] - 1.0);
    }
}

/// Realised volatility: `sqrt` of the sum of the last `n` squared log returns (not
/// annualised, not demeaned). Needs `n + 1` prices, so the first `n` rows stay NaN.
pub fn realized_vol(x: &[f64], n: usize, out: &mut [f64]) {
    if x.len() < 2 {
        return;
    }
    let mut squared: Vec<f64> = x.windows(2).map(|w| w[1] / w[0]).collect();
    super::logarithm::ln_in_place(&mut squared);
    for v in &mut squared {
        *v *= *v;
    }
    // squared[j] is the return ending at row j + 1
    super::rolling::rolling_sum(&squared, n, &mut out[1..]);
    for v in &mut out[1..] {
        // rounding can leave a tiny negative sum; NaN (warm-up) stays NaN
        if *v < 0.0 {
            *v = 0.0;
        }
        *v = v.sqrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_of_a_doubling() {
        let x = [1.0, 2.0, 4.0];
        let mut lr = vec![f64::NAN; 3];
        let mut pr = vec![f64::NAN; 3];
        log_return(&x, &mut lr);
        pct_return(&x, &mut pr);
        assert!(lr[0].is_nan() && pr[0].is_nan());
        assert_eq!(&lr[1..], &[2f64.ln(), 2f64.ln()]);
        assert_eq!(&pr[1..], &[1.0, 1.0]);
    }

    #[test]
    fn sign_and_acceleration() {
        let x = [1.0, 2.0, 2.0, 1.0, 1.5];
        let mut sign = vec![f64::NAN; 5];
        let mut acc = vec![f64::NAN; 5];
        return_sign(&x, &mut sign);
        acceleration(&x, &mut acc);
        assert!(sign[0].is_nan());
        assert_eq!(&sign[1..], &[1.0, 0.0, -1.0, 1.0]);
        assert!(acc[0].is_nan() && acc[1].is_nan());
        // returns 1, 0, -0.5, 0.5
        assert_eq!(&acc[2..], &[-1.0, -0.5, 1.0]);
    }

    #[test]
    fn zero_previous_price_is_not_finite() {
        let mut pr = vec![f64::NAN; 2];
        pct_return(&[0.0, 1.0], &mut pr);
        assert!(!pr[1].is_finite());
    }

    #[test]
    fn realized_vol_of_constant_growth() {
        let x = [1.0, 2.0, 4.0, 8.0];
        let mut out = vec![f64::NAN; 4];
        realized_vol(&x, 2, &mut out);
        assert!(out[..2].iter().all(|v| v.is_nan()));
        let expected = (2.0 * 2f64.ln().powi(2)).sqrt();
        assert!((out[2] - expected).abs() < 1e-15 && (out[3] - expected).abs() < 1e-15);
    }
}
