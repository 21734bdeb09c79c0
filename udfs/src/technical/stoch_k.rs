//! `stoch_k`: slow stochastic %K.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct StochK;

impl SeriesWindow for StochK {
    const NAME: &'static str = "stoch_k";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::STOCH_ARGS;
    const DOC: Doc = Doc {
        description: "Slow stochastic %K, the slowk-row mean of fast %K (TA-Lib STOCH, SMA); NULL for the first (fastk-1)+(slowk-1)+(slowd-1) rows, like %D.",
        example: "SELECT ts, stoch_k(high, low, close, 14, 3, 3) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        // TA-Lib leaves %K NULL as long as %D.
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
            false,
            out,
        );
        Ok(())
    }
}
