//! `bb_middle`: middle Bollinger band.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct BbMiddle;

impl SeriesWindow for BbMiddle {
    const NAME: &'static str = "bb_middle";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(5, 2)],
    };
    const DOC: Doc = Doc {
        description:
            "Middle Bollinger band: the simple mean of the last period rows (TA-Lib BBANDS).",
        example: "SELECT ts, bb_middle(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const SHARED: Option<(Shared, usize)> = Some((super::WINDOW_MOMENTS, 0));

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
