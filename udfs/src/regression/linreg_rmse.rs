//! `linreg_rmse(x, period)`: residual size of the rolling line.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow, Shared};

#[derive(Debug)]
pub struct LinregRmse;

impl SeriesWindow for LinregRmse {
    const NAME: &'static str = "linreg_rmse";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Root mean squared residual (divided by period) of the least-squares line through the last `period` rows. The first period-1 rows are NULL.",
        example: "SELECT ts, linreg_rmse(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };
    const SHARED: Option<(Shared, usize)> = Some((super::LINREG, 3));
    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
