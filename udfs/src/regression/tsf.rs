//! `tsf(x, period)`: the rolling line one row ahead.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct Tsf;

impl SeriesWindow for Tsf {
    const NAME: &'static str = "tsf";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Time series forecast: the least-squares line through the last `period` rows extended one row ahead (TA-Lib TSF). The first period-1 rows are NULL.",
        example: "SELECT ts, tsf(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 5));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
