//! `cum_return(ret)`: the compounded wealth path minus 1.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::drawdown::cum_return_path;
use datafusion::common::Result;

#[derive(Debug)]
pub struct CumReturn;

impl SeriesWindow for CumReturn {
    const NAME: &'static str = "cum_return";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description:
            "Compounded return to date prod_(s<=t)(1 + ret_s) - 1, as empyrical.cum_returns.",
        example:
            "SELECT ts, cum_return(ret) OVER (PARTITION BY strategy ORDER BY ts) FROM backtest",
    };

    fn compute(s: &[&[f64]], _: &Params, out: &mut [f64]) -> Result<()> {
        cum_return_path(s[0], out);
        Ok(())
    }
}
