//! `plus_di`: positive directional indicator.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::directional;
use crate::kernels::directional::Directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct PlusDi;

impl SeriesWindow for PlusDi {
    const NAME: &'static str = "plus_di";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::DIRECTIONAL_ARGS;
    const DOC: Doc = Doc {
        description: "Positive directional indicator, 100 +DM / TR of Wilder sums (TA-Lib PLUS_DI); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, plus_di(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::directional(s[0], s[1], s[2], p.usize(0), Directional::PlusDi, out);
        Ok(())
    }
}
