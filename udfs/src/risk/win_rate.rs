//! `win_rate(pnl)`: the share of decided trades or periods that made money.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::win_rate;
use datafusion::common::Result;

#[derive(Debug)]
pub struct WinRate;

impl SeriesAggregate for WinRate {
    const NAME: &'static str = "win_rate";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::PNL,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "count(pnl > 0) / count(pnl != 0): rows with a zero result are neither wins \
                      nor losses. NULL when every row is 0.",
        example: "SELECT strategy, win_rate(pnl) FROM trades GROUP BY strategy",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(win_rate(s[0]))
    }
}
