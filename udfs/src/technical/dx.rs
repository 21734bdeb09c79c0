//! `dx`: directional movement index.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::directional;
use crate::kernels::directional::Directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Dx;

impl SeriesWindow for Dx {
    const NAME: &'static str = "dx";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::DIRECTIONAL_ARGS;
    const DOC: Doc = Doc {
        description: "Directional movement index 100 |+DI - -DI| / (+DI + -DI) (TA-Lib DX); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, dx(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::directional(s[0], s[1], s[2], p.usize(0), Directional::Dx, out);
        Ok(())
    }
}
