//! `mc_max_drawdown(ret, n_sims, q [, seed [, block]] ORDER BY ts)`: a quantile of
//! the maximum drawdown over bootstrap resamples.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
};
use crate::kernels::bootstrap::{available_threads, mc_max_drawdown, Bootstrap};
use datafusion::common::Result;

#[derive(Debug)]
pub struct McMaxDrawdown;

impl SeriesAggregate for McMaxDrawdown {
    const NAME: &'static str = "mc_max_drawdown";
    const FAMILY: Family = Family::Risk;
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[
            Param::required(
                "n_sims",
                // 10^8 simulations keep 800 MB of results.
                ParamKind::Int {
                    min: 1,
                    max: 100_000_000,
                },
                "Number of bootstrap resamples.",
            ),
            Param::required(
                "q",
                ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    min_exclusive: false,
                    max_exclusive: false,
                },
                "Quantile of the simulated maximum drawdowns, in [0, 1] (0.05: the 5% worst case).",
            ),
            Param::optional(
                "seed",
                ParamKind::int_at_least(0),
                ParamValue::Int(0),
                "Seed of the generator; the same seed gives the same value on every run.",
            ),
            Param::optional(
                "block",
                ParamKind::int_at_least(1),
                ParamValue::Int(1),
                "Block length: 1 resamples returns independently, b > 1 draws circular blocks of b consecutive returns.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "The q quantile (linear interpolation) of the maximum drawdown over n_sims \
                      resamples of the group's returns, each as long as the series: i.i.d. for \
                      block 1, a circular block bootstrap otherwise. Simulation i draws from \
                      Xoshiro256++ seeded with seed xor i*0x9E3779B97F4A7C15, so the value depends \
                      only on the seed, never on threads or batches. Runs on all cores. Needs the \
                      order inside the call.",
        example: "SELECT symbol, mc_max_drawdown(ret, 10000, 0.05, 42, 21 ORDER BY ts) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        let bootstrap = Bootstrap {
            simulations: p.usize(0),
            seed: p.usize(2) as u64,
            block: p.usize(3),
        };
        Ok(mc_max_drawdown(
            s[0],
            p.f64(1),
            &bootstrap,
            available_threads(),
        ))
    }
}
