//! Monte-Carlo drawdowns: the distribution of the maximum drawdown over bootstrap
//! resamples of a return series.
//!
//! A resample has the series' length and is built from blocks of `block` consecutive
//! returns (wrapping round the end: a circular block bootstrap) whose starts are
//! uniform; `block = 1` is the i.i.d. bootstrap. Simulation `i` draws from its own
//! Xoshiro256++ generator seeded with `seed ⊕ i·φ` (expanded by SplitMix64), so
//! every simulation — and hence the result — is the same whatever the number of
//! threads and however the simulations are split among them.

use super::drawdown::Wealth;
use super::risk::percentile_of_sorted;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// How the resamples are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    pub simulations: usize,
    pub block: usize,
    pub seed: u64,
}

/// 2^64 / golden ratio: spreads consecutive simulation numbers across the seed space.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Bootstrap {
    fn generator(&self, simulation: usize) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(
            self.seed ^ (simulation as u64).wrapping_mul(GOLDEN_GAMMA),
        )
    }

    /// The maximum drawdown of one resample of `returns` (not empty).
    fn simulate(&self, returns: &[f64], simulation: usize) -> f64 {
        let mut rng = self.generator(simulation);
        let len = returns.len();
        let block = self.block.min(len);
        let mut wealth = Wealth::new();
        let mut worst = 0.0f64;
        let mut drawn = 0;
        while drawn < len {
            let start = rng.random_range(0..len);
            let take = block.min(len - drawn);
            let (tail, head) = if start + take <= len {
                (&returns[start..start + take], &returns[..0])
            } else {
                (&returns[start..], &returns[..start + take - len])
            };
            for &r in tail.iter().chain(head) {
                wealth.step_and_track(r, &mut worst);
            }
            drawn += take;
        }
        worst
    }

    /// The maximum drawdown of every simulation, in simulation order, computed on
    /// up to `threads` threads.
    pub fn max_drawdowns(&self, returns: &[f64], threads: usize) -> Vec<f64> {
        let mut results = vec![0.0; self.simulations];
        if returns.is_empty() {
            return results;
        }
        let per_thread = self.simulations.div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (chunk_index, chunk) in results.chunks_mut(per_thread).enumerate() {
                let first = chunk_index * per_thread;
                scope.spawn(move || {
                    for (offset, out) in chunk.iter_mut().enumerate() {
                        *out = self.simulate(returns, first + offset);
                    }
                });
            }
        });
        results
    }
}

/// The `q` quantile (numpy's linear interpolation) of the bootstrap distribution of
/// the maximum drawdown; `None` for an empty series.
pub fn mc_max_drawdown(
    returns: &[f64],
    q: f64,
    bootstrap: &Bootstrap,
    threads: usize,
) -> Option<f64> {
    if returns.is_empty() || bootstrap.simulations == 0 {
        return None;
    }
    let mut drawdowns = bootstrap.max_drawdowns(returns, threads);
    drawdowns.sort_by(f64::total_cmp);
    Some(percentile_of_sorted(&drawdowns, q))
}

/// Threads for CPU-heavy work inside one function call: the machine's cores.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::drawdown::max_drawdown;

    fn setup(block: usize) -> (Vec<f64>, Bootstrap) {
        let returns: Vec<f64> = (0..300)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) / 2000.0)
            .collect();
        let bootstrap = Bootstrap {
            simulations: 257,
            block,
            seed: 7,
        };
        (returns, bootstrap)
    }

    #[test]
    fn the_same_seed_gives_the_same_drawdowns_on_any_number_of_threads() {
        for block in [1, 21] {
            let (returns, bootstrap) = setup(block);
            let one = bootstrap.max_drawdowns(&returns, 1);
            assert_eq!(one, bootstrap.max_drawdowns(&returns, 2));
            assert_eq!(one, bootstrap.max_drawdowns(&returns, 5));
            let other = Bootstrap {
                seed: 8,
                ..bootstrap
            };
            assert_ne!(one, other.max_drawdowns(&returns, 2));
        }
    }

    #[test]
    fn a_block_as_long_as_the_series_is_a_rotation() {
        let (returns, mut bootstrap) = setup(300);
        bootstrap.simulations = 20;
        let worst_rotation = (0..returns.len())
            .map(|s| {
                let rotated: Vec<f64> = returns[s..].iter().chain(&returns[..s]).copied().collect();
                max_drawdown(&rotated).unwrap()
            })
            .fold(f64::INFINITY, f64::min);
        for dd in bootstrap.max_drawdowns(&returns, 2) {
            assert!(dd >= worst_rotation && dd <= 0.0);
        }
    }

    #[test]
    fn identical_returns_give_one_drawdown() {
        let losses = vec![-0.01; 50];
        let bootstrap = Bootstrap {
            simulations: 100,
            block: 3,
            seed: 1,
        };
        let expected = max_drawdown(&losses).unwrap();
        assert!((expected - (0.99f64.powi(50) - 1.0)).abs() < 1e-14);
        for q in [0.0, 0.5, 1.0] {
            assert_eq!(mc_max_drawdown(&losses, q, &bootstrap, 2), Some(expected));
        }
        assert_eq!(mc_max_drawdown(&[0.01; 50], 0.5, &bootstrap, 2), Some(0.0));
    }
}
