//! `trima`: triangular moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::moving_average;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Trima;

impl SeriesWindow for Trima {
    const NAME: &'static str = "trima";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 2)],
    };
    const DOC: Doc = Doc {
        description: "Triangular moving average, a simple mean of simple means (TA-Lib TRIMA). The first period-1 rows are NULL.",
        example: "SELECT ts, trima(close, 30) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        moving_average::trima(s[0], p.usize(0), out);
        Ok(())
    }
}
