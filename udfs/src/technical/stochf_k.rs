//! `stochf_k`: fast stochastic %K.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct StochfK;

impl SeriesWindow for StochfK {
    const NAME: &'static str = "stochf_k";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::STOCHF_ARGS;
    const DOC: Doc = Doc {
        description: "Fast stochastic %K, 100 (close - lowest low) / (highest high - lowest low) over fastk rows (TA-Lib STOCHF); 0 on a flat range. NULL for the first (fastk-1)+(fastd-1) rows.",
        example: "SELECT ts, stochf_k(high, low, close, 5, 3) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        // TA-Lib leaves %K NULL as long as %D.
        Memory::Rows(p.usize(0) + p.usize(1))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::stochf(s[0], s[1], s[2], p.usize(0), p.usize(1), false, out);
        Ok(())
    }
}
