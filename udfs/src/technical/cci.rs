//! `cci`: commodity channel index.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Cci;

impl SeriesWindow for Cci {
    const NAME: &'static str = "cci";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[super::period(14, 2)],
    };
    const DOC: Doc = Doc {
        description: "Commodity channel index of the typical price over the last period rows (TA-Lib CCI); 0 when the mean deviation is 0. The first period-1 rows are NULL.",
        example: "SELECT ts, cci(high, low, close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::cci(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
