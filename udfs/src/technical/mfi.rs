//! `mfi`: money flow index.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Mfi;

impl SeriesWindow for Mfi {
    const NAME: &'static str = "mfi";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLCV,
        params: &[super::period(14, 2)],
    };
    const DOC: Doc = Doc {
        description: "Money flow index, 100 positive money flow / total money flow of the typical price over the last period changes (TA-Lib MFI; 0 when the total flow is below 1). The first period rows are NULL.",
        example: "SELECT ts, mfi(high, low, close, volume, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::mfi(s[0], s[1], s[2], s[3], p.usize(0), out);
        Ok(())
    }
}
