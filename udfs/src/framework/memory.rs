//! How far back a window function's value at a row reaches into its partition: what
//! an incremental run must recompute as warm-up so that new rows get the same values
//! as a full recompute.

use std::fmt;

/// The history a causal window function's value at a row depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Memory {
    /// The current row and at most this many present rows before it (`sma(x, 20)`:
    /// 19). Over-stating is harmless (more warm-up); under-stating is a wrong result.
    Rows(usize),
    /// Every earlier row, through `depth` cascaded exponential smoothings with factor
    /// `alpha` or more (EMA: `2 / (period + 1)`, Wilder: `1 / period`), after `rows`
    /// rows of finite look-back; and never less than `at_least` rows (a finite
    /// function computed beside it). A warm-up leaves the rows before it a weight
    /// that [`Memory::residual`] bounds; it falls geometrically with its length.
    Decaying {
        rows: usize,
        alpha: f64,
        depth: u32,
        at_least: usize,
    },
    /// Every earlier row at full weight (cumulative sums, drawdown from the start), or
    /// later rows (filters that look ahead): only a full recompute gives its values.
    Whole,
}

impl Memory {
    /// An exponential smoothing cascade: `depth` smoothings with factor `alpha` after
    /// `rows` rows of finite look-back.
    pub fn decaying(alpha: f64, depth: u32, rows: usize) -> Memory {
        Memory::Decaying {
            rows,
            alpha,
            depth,
            at_least: rows,
        }
    }

    /// EMA-style smoothing over `period` rows (`alpha = 2 / (period + 1)`).
    pub fn ema(period: usize, depth: u32, rows: usize) -> Memory {
        Memory::decaying(2.0 / (period as f64 + 1.0), depth, rows)
    }

    /// Wilder's smoothing over `period` rows (`alpha = 1 / period`).
    pub fn wilder(period: usize, depth: u32, rows: usize) -> Memory {
        Memory::decaying(1.0 / period as f64, depth, rows)
    }

    /// The memory of a function whose output at a row reads two stages in sequence
    /// (a moving average of a moving average): look-backs add, cascades deepen.
    pub fn then(self, next: Memory) -> Memory {
        let (Some(a), Some(b)) = (self.parts(), next.parts()) else {
            return Memory::Whole;
        };
        Memory::from_parts(Parts {
            rows: a.rows + b.rows,
            alpha: a.alpha.min(b.alpha),
            depth: a.depth + b.depth,
            at_least: a.at_least + b.at_least,
        })
    }

    /// The memory of several functions computed side by side: each must be served,
    /// so a finite look-back is a floor of the warm-up (not a delay of the decay),
    /// and the slowest, deepest cascade decides the rest.
    pub fn max(self, other: Memory) -> Memory {
        let (Some(a), Some(b)) = (self.parts(), other.parts()) else {
            return Memory::Whole;
        };
        let rows = match (a.depth, b.depth) {
            (0, 0) => a.rows.max(b.rows),
            (0, _) => b.rows,
            (_, 0) => a.rows,
            _ => a.rows.max(b.rows),
        };
        Memory::from_parts(Parts {
            rows,
            alpha: a.alpha.min(b.alpha),
            depth: a.depth.max(b.depth),
            at_least: a.at_least.max(b.at_least),
        })
    }

    /// A finite look-back as a cascade of depth 0; `None` for [`Memory::Whole`].
    fn parts(self) -> Option<Parts> {
        match self {
            Memory::Rows(n) => Some(Parts {
                rows: n,
                alpha: 1.0,
                depth: 0,
                at_least: n,
            }),
            Memory::Decaying {
                rows,
                alpha,
                depth,
                at_least,
            } => Some(Parts {
                rows,
                alpha,
                depth,
                at_least,
            }),
            Memory::Whole => None,
        }
    }

    fn from_parts(p: Parts) -> Memory {
        if p.depth == 0 {
            return Memory::Rows(p.rows.max(p.at_least));
        }
        Memory::Decaying {
            rows: p.rows,
            alpha: p.alpha,
            depth: p.depth,
            at_least: p.at_least,
        }
    }

    /// The weight that rows before a warm-up of `warmup` rows keep in a result
    /// (0 when the warm-up covers the look-back, 1 for [`Memory::Whole`]).
    ///
    /// A cascade of `depth` smoothings with factor `alpha` weighs the row `j` rows
    /// back by the negative binomial probability of `j` failures before the
    /// `depth`-th success; the weight beyond `w` rows is the chance of at most
    /// `depth - 1` successes in `w + depth - 1` trials.
    pub fn residual(&self, warmup: usize) -> f64 {
        match *self {
            Memory::Rows(n) => f64::from(u8::from(warmup < n)),
            Memory::Whole => 1.0,
            Memory::Decaying {
                rows,
                alpha,
                depth,
                at_least,
            } => {
                let Some(w) = warmup.checked_sub(rows).filter(|_| warmup >= at_least) else {
                    return 1.0;
                };
                binomial_lower_tail(w as f64 + f64::from(depth) - 1.0, alpha, depth)
            }
        }
    }

    /// The shortest warm-up whose [`Memory::residual`] is at most `tolerance`; `None`
    /// for [`Memory::Whole`] or a warm-up beyond `limit` rows.
    pub fn warmup_for(&self, tolerance: f64, limit: usize) -> Option<usize> {
        match *self {
            Memory::Rows(n) => (n <= limit).then_some(n),
            Memory::Whole => None,
            Memory::Decaying { rows, at_least, .. } => {
                if self.residual(limit) > tolerance {
                    return None;
                }
                // The residual falls as the warm-up grows: bisect.
                let (mut low, mut high) = (rows.max(at_least), limit);
                while low < high {
                    let mid = low + (high - low) / 2;
                    if self.residual(mid) <= tolerance {
                        high = mid;
                    } else {
                        low = mid + 1;
                    }
                }
                Some(low)
            }
        }
    }
}

/// P(at most `k - 1` successes in `n` trials of probability `p`), summed in logs so
/// that long warm-ups do not underflow before the sum is formed.
fn binomial_lower_tail(n: f64, p: f64, k: u32) -> f64 {
    if p >= 1.0 {
        return 0.0;
    }
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let mut ln_choose = 0.0; // ln C(n, j)
    let mut total = 0.0;
    for j in 0..k {
        let j = f64::from(j);
        if j > 0.0 {
            ln_choose += (n - j + 1.0).ln() - j.ln();
        }
        total += (ln_choose + j * ln_p + (n - j) * ln_q).exp();
    }
    total.min(1.0)
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Memory::Rows(n) => write!(f, "{n} earlier rows"),
            Memory::Decaying {
                rows,
                alpha,
                depth,
                at_least,
            } => write!(
                f,
                "every earlier row, decaying ({depth} smoothing(s) with factor >= {alpha:.4} \
                 after {rows} rows, at least {at_least} rows)"
            ),
            Memory::Whole => f.write_str("the whole partition"),
        }
    }
}

/// The fields of [`Memory::Decaying`], with a finite look-back as depth 0.
#[derive(Debug, Clone, Copy)]
struct Parts {
    rows: usize,
    alpha: f64,
    depth: u32,
    at_least: usize,
}

#[cfg(test)]
mod tests {
    use super::Memory::{self, *};

    #[test]
    fn look_backs_add_in_sequence_and_take_the_longest_side_by_side() {
        assert_eq!(Rows(19).then(Rows(1)), Rows(20));
        assert_eq!(Rows(19).max(Rows(1)), Rows(19));
        assert_eq!(
            Rows(3).then(Memory::wilder(14, 1, 1)),
            Memory::decaying(1.0 / 14.0, 1, 4)
        );
        assert_eq!(
            Memory::ema(9, 1, 0).then(Memory::ema(26, 1, 0)),
            Memory::ema(26, 2, 0)
        );
        assert_eq!(
            Memory::ema(9, 3, 5).max(Memory::ema(26, 1, 0)),
            Memory::ema(26, 3, 5)
        );
        // A finite look-back beside a recursion is a floor, not a delay of the decay.
        let beside = Rows(480).max(Memory::wilder(14, 1, 15));
        assert_eq!(beside.residual(479), 1.0);
        let warmup = beside.warmup_for(1e-12, 10_000).unwrap();
        assert_eq!(
            warmup,
            480.max(15 + Memory::wilder(14, 1, 0).warmup_for(1e-12, 10_000).unwrap())
        );
        // In sequence, the floor moves with the look-back.
        assert_eq!(
            Rows(10).then(beside),
            Decaying {
                rows: 25,
                alpha: 1.0 / 14.0,
                depth: 1,
                at_least: 490
            }
        );
        assert_eq!(Memory::ema(9, 1, 0).max(Whole), Whole);
        assert_eq!(Rows(0).then(Whole), Whole);
    }

    #[test]
    fn one_smoothing_leaves_the_start_a_geometric_weight() {
        let ema = Memory::ema(19, 1, 0); // alpha = 0.1
        assert!((ema.residual(10) - 0.9f64.powi(10)).abs() < 1e-15);
        assert!((ema.residual(300) / 0.9f64.powi(300) - 1.0).abs() < 1e-9);
        let warmup = ema.warmup_for(1e-12, 100_000).unwrap();
        assert!(ema.residual(warmup) <= 1e-12 && ema.residual(warmup - 1) > 1e-12);
        assert_eq!(warmup, 263); // ln(1e-12) / ln(0.9) = 262.3
    }

    #[test]
    fn a_cascade_keeps_more_weight_than_one_smoothing() {
        // Two smoothings: weight beyond w is (1 - a)^(w+1) + (w+1) a (1 - a)^w.
        let (a, w) = (0.1f64, 50usize);
        let expected =
            (1.0 - a).powi(w as i32 + 1) + (w as f64 + 1.0) * a * (1.0 - a).powi(w as i32);
        let two = Memory::decaying(a, 2, 0);
        assert!((two.residual(w) - expected).abs() < 1e-14);
        assert!(two.residual(w) > Memory::decaying(a, 1, 0).residual(w));
        // The finite look-back comes first.
        assert_eq!(Memory::decaying(a, 1, 30).residual(29), 1.0);
    }

    #[test]
    fn finite_and_whole_memories() {
        assert_eq!(Rows(20).warmup_for(1e-12, 1000), Some(20));
        assert_eq!(Rows(20).residual(19), 1.0);
        assert_eq!(Rows(20).residual(20), 0.0);
        assert_eq!(Whole.warmup_for(1e-12, usize::MAX), None);
        // kama's slowest factor (2/31)^2 needs thousands of rows.
        let kama = Memory::decaying((2.0f64 / 31.0).powi(2), 1, 10);
        assert_eq!(kama.warmup_for(1e-12, 1000), None);
        assert!(kama.warmup_for(1e-12, 100_000).unwrap() > 6000);
    }
}
