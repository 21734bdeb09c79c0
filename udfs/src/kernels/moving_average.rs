//! Recursive moving averages with TA-Lib's seeding.

/// TA-Lib's EMA: seeded with the simple mean of the first `n` values (output at row
/// `n - 1`), then `prev + k * (x - prev)` with `k = 2 / (n + 1)`.
pub fn ema(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || x.len() < n {
        return;
    }
    let k = 2.0 / (n as f64 + 1.0);
    let mut prev = x[..n].iter().sum::<f64>() / n as f64;
    out[n - 1] = prev;
    for (o, &v) in out[n..].iter_mut().zip(&x[n..]) {
        prev += k * (v - prev);
        *o = prev;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_with_simple_mean() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut out = vec![f64::NAN; 5];
        ema(&x, 3, &mut out);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(out[2], 2.0);
        assert_eq!(out[3], 2.0 + 0.5 * (4.0 - 2.0));
        assert_eq!(out[4], 3.0 + 0.5 * (5.0 - 3.0));
    }

    #[test]
    fn short_series_gives_no_values() {
        let mut out = vec![f64::NAN; 2];
        ema(&[1.0, 2.0], 3, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
