//! `trix`: TRIX.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Trix;

impl SeriesWindow for Trix {
    const NAME: &'static str = "trix";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 1)],
    };
    const DOC: Doc = Doc {
        description: "TRIX: one-row rate of change in percent of a triple EMA, each EMA seeded with a simple mean (TA-Lib TRIX). The first 3(period-1)+1 rows are NULL.",
        example: "SELECT ts, trix(close, 30) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(0), 3, 3 * p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::trix(s[0], p.usize(0), out);
        Ok(())
    }
}
