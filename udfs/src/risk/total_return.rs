//! `total_return(ret ORDER BY ts)`: the compounded return of the whole group.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::drawdown::total_return;
use datafusion::common::Result;

#[derive(Debug)]
pub struct TotalReturn;

impl SeriesAggregate for TotalReturn {
    const NAME: &'static str = "total_return";
    const FAMILY: Family = Family::Risk;
    // The product is taken in row order so that the rounding, and so the last digits,
    // are the same on every run.
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Compounded return prod(1 + ret) - 1 (empyrical.cum_returns_final), the \
                      product taken in the given order.",
        example: "SELECT strategy, total_return(ret ORDER BY ts) FROM backtest GROUP BY strategy",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(total_return(s[0]))
    }
}
