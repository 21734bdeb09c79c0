//! `macd_hist`: MACD histogram.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct MacdHist;

impl SeriesWindow for MacdHist {
    const NAME: &'static str = "macd_hist";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::MACD_ARGS;
    const DOC: Doc = Doc {
        description: "MACD histogram: MACD line - signal line (TA-Lib MACD). NULL for the first (slow-1)+(signal-1) rows.",
        example: "SELECT ts, macd_hist(close, 12, 26, 9) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::MACD, 2));
    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(1).max(p.usize(2)), 2, p.usize(1) + p.usize(2))
    }
}
