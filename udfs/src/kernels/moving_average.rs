//! Recursive moving averages with TA-Lib's seeding.

/// TA-Lib's EMA: seeded with the simple mean of the first `n` values (output at row
/// `n - 1`), then `prev + k * (x - prev)` with `k = 2 / (n + 1)`, computed as
/// `(1 - k) prev + k x` ([`super::smooth_in_place`]); writes every row.
pub fn ema(x: &[f64], n: usize, out: &mut [f64]) {
    super::no_value_before(out, n.checked_sub(1).unwrap_or(usize::MAX));
    if n == 0 || x.len() < n {
        return;
    }
    let k = 2.0 / (n as f64 + 1.0);
    let seed = x[..n].iter().sum::<f64>() / n as f64;
    out[n - 1] = seed;
    for (o, &v) in out[n..].iter_mut().zip(&x[n..]) {
        *o = k * v;
    }
    super::smooth_in_place(seed, 1.0 - k, &mut out[n..]);
}

/// TA-Lib's WMA: weights 1..=n, the newest row weighted n.
pub fn wma(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || x.len() < n {
        return;
    }
    let divisor = (n * (n + 1)) as f64 / 2.0;
    for row in n - 1..x.len() {
        let window = &x[row + 1 - n..=row];
        let weighted: f64 = window
            .iter()
            .enumerate()
            .map(|(j, v)| (j + 1) as f64 * v)
            .sum();
        out[row] = weighted / divisor;
    }
}

/// An EMA of a series that starts at row `start` (earlier rows have no value),
/// seeded like [`ema`] with the mean of its first `n` values.
fn ema_from(x: &[f64], start: usize, n: usize, out: &mut [f64]) {
    if start < x.len() {
        ema(&x[start..], n, &mut out[start..]);
    }
}

/// TA-Lib's DEMA: `2 e1 - e2`, with `e2` the EMA of `e1`; lookback 2(n - 1).
pub fn dema(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 {
        return;
    }
    let mut e1 = vec![f64::NAN; x.len()];
    let mut e2 = vec![f64::NAN; x.len()];
    ema(x, n, &mut e1);
    ema_from(&e1, n - 1, n, &mut e2);
    for row in 2 * (n - 1)..x.len() {
        out[row] = 2.0 * e1[row] - e2[row];
    }
}

/// TA-Lib's TEMA: `3 e1 - 3 e2 + e3` of chained EMAs; lookback 3(n - 1).
pub fn tema(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 {
        return;
    }
    let mut e1 = vec![f64::NAN; x.len()];
    let mut e2 = vec![f64::NAN; x.len()];
    let mut e3 = vec![f64::NAN; x.len()];
    ema(x, n, &mut e1);
    ema_from(&e1, n - 1, n, &mut e2);
    ema_from(&e2, 2 * (n - 1), n, &mut e3);
    for row in 3 * (n - 1)..x.len() {
        out[row] = 3.0 * e1[row] - 3.0 * e2[row] + e3[row];
    }
}

/// TA-Lib's TRIMA: a simple mean of simple means (periods (n+1)/2 twice for odd n,
/// n/2 and n/2 + 1 for even n); lookback n - 1.
pub fn trima(x: &[f64], n: usize, out: &mut [f64]) {
    if n == 0 || x.len() < n {
        return;
    }
    let (first, second) = if n % 2 == 1 {
        (n.div_ceil(2), n.div_ceil(2))
    } else {
        (n / 2, n / 2 + 1)
    };
    let mut inner = vec![f64::NAN; x.len()];
    super::rolling::rolling_mean(x, first, &mut inner);
    super::rolling::rolling_mean(&inner[first - 1..], second, &mut out[first - 1..]);
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
