//! `minus_dm`: negative directional movement.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::directional;
use crate::kernels::directional::Directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct MinusDm;

impl SeriesWindow for MinusDm {
    const NAME: &'static str = "minus_dm";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::DM_ARGS;
    const DOC: Doc = Doc {
        description: "Wilder sum of negative directional movement (TA-Lib MINUS_DM). The first period-1 rows are NULL.",
        example: "SELECT ts, minus_dm(high, low, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::directional(s[0], s[1], s[1], p.usize(0), Directional::MinusDm, out);
        Ok(())
    }
}
