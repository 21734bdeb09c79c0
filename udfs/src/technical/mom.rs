//! `mom`: momentum.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Mom;

impl SeriesWindow for Mom {
    const NAME: &'static str = "mom";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(10, 1)],
    };
    const DOC: Doc = Doc {
        description:
            "Momentum x - x[period rows ago] (TA-Lib MOM). The first period rows are NULL.",
        example: "SELECT ts, mom(close, 10) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::mom(s[0], p.usize(0), out);
        Ok(())
    }
}
