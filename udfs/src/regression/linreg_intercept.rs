//! `linreg_intercept(x, period)`: the rolling line at the oldest row.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct LinregIntercept;

impl SeriesWindow for LinregIntercept {
    const NAME: &'static str = "linreg_intercept";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Value of the least-squares line through the last `period` rows at the OLDEST row of the window (TA-Lib LINEARREG_INTERCEPT). The first period-1 rows are NULL.",
        example: "SELECT ts, linreg_intercept(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 1));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
