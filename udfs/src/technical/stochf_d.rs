//! `stochf_d`: fast stochastic %D.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct StochfD;

impl SeriesWindow for StochfD {
    const NAME: &'static str = "stochf_d";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::STOCHF_ARGS;
    const DOC: Doc = Doc {
        description: "Fast stochastic %D, the fastd-row mean of fast %K (TA-Lib STOCHF). NULL for the first (fastk-1)+(fastd-1) rows.",
        example: "SELECT ts, stochf_d(high, low, close, 5, 3) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0) + p.usize(1))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::stochf(s[0], s[1], s[2], p.usize(0), p.usize(1), true, out);
        Ok(())
    }
}
