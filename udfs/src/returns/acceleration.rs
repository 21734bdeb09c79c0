//! `acceleration(x)`: change of the one-period return.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::returns::acceleration;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Acceleration;

impl SeriesWindow for Acceleration {
    const NAME: &'static str = "acceleration";
    const FAMILY: Family = Family::Returns;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Price acceleration: the simple return minus the previous row's simple \
                      return, r[t] - r[t-1] with r = pct_return(x) (pandas \
                      x.pct_change().diff()). The first two rows of a partition are NULL.",
        example: "SELECT ts, acceleration(close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(2)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        acceleration(series[0], out);
        Ok(())
    }
}
