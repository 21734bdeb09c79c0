//! `roc`: rate of change in percent.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Roc;

impl SeriesWindow for Roc {
    const NAME: &'static str = "roc";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(10, 1)],
    };
    const DOC: Doc = Doc {
        description: "Rate of change in percent, 100 (x / x[period rows ago] - 1) (TA-Lib ROC). The first period rows are NULL.",
        example: "SELECT ts, roc(close, 10) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::roc(s[0], p.usize(0), out);
        Ok(())
    }
}
