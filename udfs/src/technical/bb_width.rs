//! `bb_width`: relative width of the Bollinger bands.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct BbWidth;

impl SeriesWindow for BbWidth {
    const NAME: &'static str = "bb_width";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Relative width of the Bollinger bands, (upper - lower) / middle.",
        example:
            "SELECT ts, bb_width(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::WINDOW_MOMENTS, 5));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
