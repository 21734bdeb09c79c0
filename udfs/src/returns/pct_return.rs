//! `pct_return(x)`: simple one-period return.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::returns::pct_return;
use datafusion::common::Result;

#[derive(Debug)]
pub struct PctReturn;

impl SeriesWindow for PctReturn {
    const NAME: &'static str = "pct_return";
    const FAMILY: Family = Family::Returns;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Simple return x / previous x - 1 (pandas pct_change). The first row of \
                      a partition is NULL; after a missing row the previous present row is used.",
        example: "SELECT ts, pct_return(close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        pct_return(series[0], out);
        Ok(())
    }
}
