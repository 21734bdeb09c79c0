//! Statistics of a whole sample that several metrics share.
//!
//! A scorecard asks for a dozen metrics of each group's returns: Sharpe, Sortino and
//! the annual volatility all need the mean, Calmar needs the maximum drawdown that
//! `max_drawdown` returns and the growth that `annual_return` uses, and the value at
//! risk, its conditional version and the tail ratio need the same order statistics.
//! While [`with_sample`] runs, the functions here compute each of these once for
//! that sample and hand the result to every later caller; for any other slice, or
//! outside it, they simply compute.
//!
//! A sample is recognised by its address and length: the slice is borrowed for the
//! whole of [`with_sample`], so neither can change meanwhile.

use super::{drawdown, moments};
use std::cell::RefCell;

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// What has been computed of the current sample.
struct Memo {
    address: usize,
    len: usize,
    mean: Option<Option<f64>>,
    mean_and_m2: Option<Option<(f64, f64)>>,
    growth: Option<f64>,
    max_drawdown: Option<Option<f64>>,
    downside_squares: Option<f64>,
    order: Option<OrderStatistics>,
}

impl Memo {
    fn new(x: &[f64]) -> Self {
        Memo {
            address: x.as_ptr() as usize,
            len: x.len(),
            mean: None,
            mean_and_m2: None,
            growth: None,
            max_drawdown: None,
            downside_squares: None,
            order: None,
        }
    }

    fn is(&self, x: &[f64]) -> bool {
        self.address == x.as_ptr() as usize && self.len == x.len()
    }
}

/// Runs `f` with `x` as the sample whose statistics are kept; the previous sample's
/// are dropped first and `x`'s when `f` returns.
pub fn with_sample<R>(x: &[f64], f: impl FnOnce() -> R) -> R {
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            MEMO.set(None);
        }
    }
    MEMO.set(Some(Memo::new(x)));
    let _forget = Forget;
    f()
}

/// The kept value in `slot` for sample `x`, or `compute()`'s, kept if `x` is the
/// current sample. `compute` may itself use this module (nothing is borrowed while
/// it runs).
fn kept<T: Copy>(
    x: &[f64],
    slot: fn(&mut Memo) -> &mut Option<T>,
    compute: impl FnOnce() -> T,
) -> T {
    let hit = MEMO.with_borrow_mut(|memo| memo.as_mut().filter(|m| m.is(x)).and_then(|m| *slot(m)));
    if let Some(value) = hit {
        return value;
    }
    let value = compute();
    MEMO.with_borrow_mut(|memo| {
        if let Some(m) = memo.as_mut().filter(|m| m.is(x)) {
            *slot(m) = Some(value);
        }
    });
    value
}

/// [`moments::mean`].
pub fn mean(x: &[f64]) -> Option<f64> {
    kept(x, |m| &mut m.mean, || moments::mean(x))
}

/// [`moments::mean_and_m2`], from the kept mean.
pub fn mean_and_m2(x: &[f64]) -> Option<(f64, f64)> {
    kept(
        x,
        |m| &mut m.mean_and_m2,
        || moments::mean_and_m2_with(x, mean),
    )
}

/// `prod(1 + r)`: compounded growth of returns `x`.
pub fn growth(x: &[f64]) -> f64 {
    kept(x, |m| &mut m.growth, || moments::product_of(x, |r| 1.0 + r))
}

/// [`drawdown::max_drawdown`].
pub fn max_drawdown(x: &[f64]) -> Option<f64> {
    kept(x, |m| &mut m.max_drawdown, || drawdown::max_drawdown(x))
}

/// `sum(min(r, 0)^2)`: the squared losses below 0.
pub fn downside_squares(x: &[f64]) -> f64 {
    kept(
        x,
        |m| &mut m.downside_squares,
        || moments::sum_of(x, |r| r.min(0.0) * r.min(0.0)),
    )
}

/// Runs `f` on the order statistics of `x`: the kept ones for the current sample
/// (so one caller's selections serve the next), fresh ones otherwise.
pub fn with_order_statistics<R>(x: &[f64], f: impl FnOnce(&mut OrderStatistics) -> R) -> R {
    let mut kept = MEMO.with_borrow_mut(|memo| {
        memo.as_mut()
            .filter(|m| m.is(x))
            .map(|m| m.order.take().unwrap_or_else(|| OrderStatistics::new(x)))
    });
    let result = match &mut kept {
        Some(order) => f(order),
        None => f(&mut OrderStatistics::new(x)),
    };
    if let Some(order) = kept {
        MEMO.with_borrow_mut(|memo| {
            if let Some(m) = memo.as_mut().filter(|m| m.is(x)) {
                m.order = Some(order);
            }
        });
    }
    result
}

/// The sample's values as integer keys in `f64::total_cmp` order, partly ordered by
/// the selections made so far: every position in `fixed` holds its order statistic,
/// with no larger key before it and no smaller one after. A new selection only
/// reorders the stretch between the two fixed positions around it, so the 5% and
/// 95% percentiles, the mean below the 5% and so on cost about one pass each
/// between them instead of one selection over the whole sample each.
#[derive(Debug)]
pub struct OrderStatistics {
    keys: Vec<i64>,
    fixed: Vec<usize>,
}

impl OrderStatistics {
    fn new(x: &[f64]) -> Self {
        OrderStatistics {
            keys: x.iter().map(|&v| ordered_bits(v)).collect(),
            fixed: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `k`-th smallest value (from 0); `k` must be less than the length.
    pub fn nth(&mut self, k: usize) -> f64 {
        if let Err(i) = self.fixed.binary_search(&k) {
            let start = if i == 0 { 0 } else { self.fixed[i - 1] + 1 };
            let end = self.fixed.get(i).copied().unwrap_or(self.keys.len());
            self.keys[start..end].select_nth_unstable(k - start);
            self.fixed.insert(i, k);
        }
        from_ordered_bits(self.keys[k])
    }

    /// The sum of the `k + 1` smallest values.
    pub fn sum_through(&mut self, k: usize) -> f64 {
        let pivot = self.nth(k);
        let below: f64 = self.keys[..k]
            .iter()
            .map(|&key| from_ordered_bits(key))
            .sum();
        below + pivot
    }

    /// numpy's `percentile(x, 100 q)` with linear interpolation.
    pub fn percentile(&mut self, q: f64) -> f64 {
        linear_percentile(self.len(), q, |k| self.nth(k))
    }
}

/// numpy's `percentile(x, 100 q)` with linear interpolation of a sample of `len`
/// values whose `k`-th smallest is `nth(k)`: at `i = q (len - 1)`,
/// `lo + (hi - lo) * (i - floor(i))`.
pub(crate) fn linear_percentile(len: usize, q: f64, mut nth: impl FnMut(usize) -> f64) -> f64 {
    let position = q * (len - 1) as f64;
    let lo = position.floor() as usize;
    let low = nth(lo);
    let high = if lo + 1 < len { nth(lo + 1) } else { low };
    low + (high - low) * (position - lo as f64)
}

/// `v` as an integer in `f64::total_cmp`'s order (an involution: it also maps back),
/// so that selection compares integers instead of decoding floats per comparison.
fn ordered_bits(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

fn from_ordered_bits(key: i64) -> f64 {
    f64::from_bits(ordered_bits(f64::from_bits(key as u64)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_data::walk;

    #[test]
    fn kept_statistics_equal_computed_ones() {
        let x = walk(2_520, 0.0, 0.02, 3);
        let other = walk(300, 0.0, 0.02, 8);
        with_sample(&x, || {
            for _ in 0..2 {
                assert_eq!(mean(&x), moments::mean(&x));
                assert_eq!(mean_and_m2(&x), moments::mean_and_m2(&x));
                assert_eq!(growth(&x), moments::product_of(&x, |r| 1.0 + r));
                assert_eq!(max_drawdown(&x), drawdown::max_drawdown(&x));
                // Another slice inside the scope (here a part of the sample) is
                // computed on its own.
                assert_eq!(mean(&x[1..]), moments::mean(&x[1..]));
                assert_eq!(mean_and_m2(&other), moments::mean_and_m2(&other));
            }
        });
        // Constant samples keep their exact zero spread.
        let flat = [0.01; 7];
        with_sample(&flat, || assert_eq!(mean_and_m2(&flat), Some((0.01, 0.0))));
    }

    #[test]
    fn selections_in_any_order_give_the_sorted_statistics() {
        let x = walk(1_001, 0.0, 1.0, 5);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        with_sample(&x, || {
            for k in [500, 50, 950, 51, 49, 0, 1_000, 999, 500, 700] {
                let kth = with_order_statistics(&x, |order| order.nth(k));
                assert_eq!(kth, sorted[k], "k {k}");
            }
            let sum = with_order_statistics(&x, |order| order.sum_through(50));
            let expected: f64 = sorted[..=50].iter().sum();
            assert!(
                (sum - expected).abs() < 1e-12 * expected.abs(),
                "{sum} vs {expected}"
            );
        });
        // Outside a scope every call starts afresh.
        let p95 = with_order_statistics(&x, |order| order.percentile(0.95));
        let position = 0.95 * 1_000.0;
        let lo = sorted[950];
        assert_eq!(p95, lo + (sorted[951] - lo) * (position - 950.0));
    }

    #[test]
    fn ordered_bits_keep_the_total_order_and_map_back() {
        let values = [
            f64::NEG_INFINITY,
            -2.5,
            -1e-300,
            -0.0,
            0.0,
            1e-300,
            3.0,
            f64::INFINITY,
        ];
        let keys: Vec<i64> = values.iter().map(|&v| ordered_bits(v)).collect();
        assert!(keys.windows(2).all(|k| k[0] < k[1]), "{keys:?}");
        for (&v, &k) in values.iter().zip(&keys) {
            assert_eq!(from_ordered_bits(k).to_bits(), v.to_bits());
        }
    }
}
