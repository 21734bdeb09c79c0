//! `stoch_d`: slow stochastic %D.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct StochD;

impl SeriesWindow for StochD {
    const NAME: &'static str = "stoch_d";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::STOCH_ARGS;
    const DOC: Doc = Doc {
        description: "Slow stochastic %D, the slowd-row mean of slow %K (TA-Lib STOCH, SMA). NULL for the first (fastk-1)+(slowk-1)+(slowd-1) rows.",
        example: "SELECT ts, stoch_d(high, low, close, 14, 3, 3) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0) + p.usize(1) + p.usize(2))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::stoch(
            s[0],
            s[1],
            s[2],
            p.usize(0),
            p.usize(1),
            p.usize(2),
            true,
            out,
        );
        Ok(())
    }
}
