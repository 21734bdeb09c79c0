//! `drawdown(ret)`: the running drawdown path.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::drawdown::drawdown_path;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Drawdown;

impl SeriesWindow for Drawdown {
    const NAME: &'static str = "drawdown";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Running drawdown W_t / max(1, max_(s<=t) W_s) - 1 of the compounded wealth \
                      W_t = prod_(s<=t)(1 + ret_s); the starting wealth 1 is the first peak, so \
                      the path's minimum is max_drawdown.",
        example: "SELECT ts, drawdown(ret) OVER (PARTITION BY strategy ORDER BY ts) FROM backtest",
    };

    fn compute(s: &[&[f64]], _: &Params, out: &mut [f64]) -> Result<()> {
        drawdown_path(s[0], out);
        Ok(())
    }
}
