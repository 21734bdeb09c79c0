//! `rocp`: rate of change as a fraction.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Rocp;

impl SeriesWindow for Rocp {
    const NAME: &'static str = "rocp";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(10, 1)],
    };
    const DOC: Doc = Doc {
        description: "Rate of change as a fraction, x / x[period rows ago] - 1 (TA-Lib ROCP). The first period rows are NULL.",
        example: "SELECT ts, rocp(close, 10) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::rocp(s[0], p.usize(0), out);
        Ok(())
    }
}
