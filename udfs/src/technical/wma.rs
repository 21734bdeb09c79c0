//! `wma`: weighted moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::moving_average;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Wma;

impl SeriesWindow for Wma {
    const NAME: &'static str = "wma";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 2)],
    };
    const DOC: Doc = Doc {
        description: "Weighted moving average with weights 1..period, the newest row weighted most (TA-Lib WMA). The first period-1 rows are NULL.",
        example: "SELECT ts, wma(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        moving_average::wma(s[0], p.usize(0), out);
        Ok(())
    }
}
