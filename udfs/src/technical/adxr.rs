//! `adxr`: ADX rating.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Adxr;

impl SeriesWindow for Adxr {
    const NAME: &'static str = "adxr";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::DIRECTIONAL_ARGS;
    const DOC: Doc = Doc {
        description: "ADX rating, (ADX + ADX period-1 rows ago) / 2 (TA-Lib ADXR). The first 3 period-2 rows are NULL.",
        example: "SELECT ts, adxr(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 2, 3 * p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::adxr(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
