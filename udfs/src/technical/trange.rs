//! `trange`: true range.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::volatility;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Trange;

impl SeriesWindow for Trange {
    const NAME: &'static str = "trange";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "True range max(high, previous close) - min(low, previous close) (TA-Lib TRANGE). The first row of a partition is NULL.",
        example: "SELECT ts, trange(high, low, close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::trange(s[0], s[1], s[2], out);
        Ok(())
    }
}
