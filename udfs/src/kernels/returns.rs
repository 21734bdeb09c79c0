//! One-period returns. The first row has no previous value and stays NaN.

/// `ln(x[i] / x[i-1])`, numpy's `np.log(x[1:] / x[:-1])`.
pub fn log_return(x: &[f64], out: &mut [f64]) {
    for (o, w) in out.iter_mut().skip(1).zip(x.windows(2)) {
        *o = (w[1] / w[0]).ln();
    }
}

/// `x[i] / x[i-1] - 1`.
pub fn pct_return(x: &[f64], out: &mut [f64]) {
    for (o, w) in out.iter_mut().skip(1).zip(x.windows(2)) {
        *o = w[1] / w[0] - 1.0;
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
    fn zero_previous_price_is_not_finite() {
        let mut pr = vec![f64::NAN; 2];
        pct_return(&[0.0, 1.0], &mut pr);
        assert!(!pr[1].is_finite());
    }
}
