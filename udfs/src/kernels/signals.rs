//! Bar-shape ratios and crossover signals (seed 003's features that TA-Lib lacks).
//! Signals are written as 1.0 / 0.0 and presented to SQL as booleans.

/// `(high - low) / close`: the bar's range as a fraction of its close.
pub fn hl_pct(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (high[i] - low[i]) / close[i];
    }
}

/// `(close - open) / open`: the bar's body as a fraction of its open.
pub fn oc_pct(open: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (close[i] - open[i]) / open[i];
    }
}

/// 1 on the rows where `a` is strictly above `b` and was not on the previous row
/// (at or below it), else 0; the first row has no previous row and stays NaN.
///
/// "Not above" includes touching, so below -> equal -> above counts once, on the
/// row that ends above.
pub fn cross_above(a: &[f64], b: &[f64], out: &mut [f64]) {
    for i in 1..out.len() {
        out[i] = f64::from(a[i] > b[i] && a[i - 1] <= b[i - 1]);
    }
}

/// 1 on the rows where `a` is strictly below `b` and was at or above it on the
/// previous row; mirror of [`cross_above`].
pub fn cross_below(a: &[f64], b: &[f64], out: &mut [f64]) {
    for i in 1..out.len() {
        out[i] = f64::from(a[i] < b[i] && a[i - 1] >= b[i - 1]);
    }
}

/// `x / sma(x, n)`: the price relative to its simple moving average (1 = on it).
pub fn price_to_sma(x: &[f64], n: usize, out: &mut [f64]) {
    super::rolling::rolling_mean(x, n, out);
    for (o, v) in out.iter_mut().zip(x) {
        *o = v / *o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nan_eq(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn crossings_fire_once_per_crossing() {
        let a = [1.0, 2.0, 3.0, 3.0, 1.0, 3.0];
        let b = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
        let mut up = vec![f64::NAN; 6];
        let mut down = vec![f64::NAN; 6];
        cross_above(&a, &b, &mut up);
        cross_below(&a, &b, &mut down);
        // below, touch, above (cross), above, below (cross down), above (cross)
        assert!(nan_eq(&up, &[f64::NAN, 0.0, 1.0, 0.0, 0.0, 1.0]));
        assert!(nan_eq(&down, &[f64::NAN, 0.0, 0.0, 0.0, 1.0, 0.0]));
    }

    #[test]
    fn bar_ratios() {
        let mut hl = [0.0];
        let mut oc = [0.0];
        hl_pct(&[11.0], &[9.0], &[10.0], &mut hl);
        oc_pct(&[10.0], &[10.5], &mut oc);
        assert_eq!(hl, [0.2]);
        assert_eq!(oc, [0.05]);
    }

    #[test]
    fn price_to_sma_is_one_on_a_flat_series() {
        let mut out = vec![f64::NAN; 4];
        price_to_sma(&[5.0, 5.0, 5.0, 10.0], 3, &mut out);
        assert!(out[..2].iter().all(|v| v.is_nan()));
        assert_eq!(out[2], 1.0);
        assert!((out[3] - 10.0 / (20.0 / 3.0)).abs() < 1e-15);
    }
}
