//! `macd_signal`: MACD signal line.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct MacdSignal;

impl SeriesWindow for MacdSignal {
    const NAME: &'static str = "macd_signal";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::MACD_ARGS;
    const DOC: Doc = Doc {
        description: "MACD signal line: the signal-period EMA of the MACD line (TA-Lib MACD). NULL for the first (slow-1)+(signal-1) rows.",
        example: "SELECT ts, macd_signal(close, 12, 26, 9) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::MACD, 1));
    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(1).max(p.usize(2)), 2, p.usize(1) + p.usize(2))
    }
}
