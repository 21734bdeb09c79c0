//! `linreg(x, period)`: the rolling line at the current row.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct Linreg;

impl SeriesWindow for Linreg {
    const NAME: &'static str = "linreg";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Value of the least-squares line through the last `period` rows at the current row (TA-Lib LINEARREG). The first period-1 rows are NULL.",
        example: "SELECT ts, linreg(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 4));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
