//! `macd`: MACD line.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct Macd;

impl SeriesWindow for Macd {
    const NAME: &'static str = "macd";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::MACD_ARGS;
    const DOC: Doc = Doc {
        description: "MACD line: fast EMA - slow EMA with TA-Lib's seeding (the fast EMA starts with the slow one). NULL for the first (slow-1)+(signal-1) rows, like all MACD outputs.",
        example: "SELECT ts, macd(close, 12, 26) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::MACD, 0));
    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(1).max(p.usize(2)), 2, p.usize(1) + p.usize(2))
    }
}
