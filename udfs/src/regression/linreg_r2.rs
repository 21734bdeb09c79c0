//! `linreg_r2(x, period)`: goodness of fit of the rolling line.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct LinregR2;

impl SeriesWindow for LinregR2 {
    const NAME: &'static str = "linreg_r2";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "R squared of the least-squares line through the last `period` rows on the row index. NULL where the window is flat, and for the first period-1 rows.",
        example: "SELECT ts, linreg_r2(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 2));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
