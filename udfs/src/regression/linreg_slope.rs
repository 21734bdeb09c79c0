//! `linreg_slope(x, period)`: slope of the rolling least-squares line.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct LinregSlope;

impl SeriesWindow for LinregSlope {
    const NAME: &'static str = "linreg_slope";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Slope per row of the least-squares line through the last `period` rows (TA-Lib LINEARREG_SLOPE). The first period-1 rows are NULL.",
        example: "SELECT ts, linreg_slope(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 0));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
