//! `bb_upper`: upper Bollinger band.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct BbUpper;

impl SeriesWindow for BbUpper {
    const NAME: &'static str = "bb_upper";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Upper Bollinger band: simple mean + nbdev population standard deviations of the last period rows (TA-Lib BBANDS, matype SMA).",
        example: "SELECT ts, bb_upper(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::WINDOW_MOMENTS, 2));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
