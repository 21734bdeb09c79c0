//! `bb_percent_b`: position within the Bollinger bands.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct BbPercentB;

impl SeriesWindow for BbPercentB {
    const NAME: &'static str = "bb_percent_b";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Position of x within its Bollinger bands, (x - lower) / (upper - lower); NULL where the bands have zero width.",
        example: "SELECT ts, bb_percent_b(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::WINDOW_MOMENTS, 4));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
