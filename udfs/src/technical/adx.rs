//! `adx`: average directional index.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Adx;

impl SeriesWindow for Adx {
    const NAME: &'static str = "adx";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::DIRECTIONAL_ARGS;
    const DOC: Doc = Doc {
        description: "Average directional index: Wilder average of DX seeded with the mean of the first period DX values (TA-Lib ADX). The first 2 period-1 rows are NULL.",
        example: "SELECT ts, adx(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 2, 2 * p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::adx(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
