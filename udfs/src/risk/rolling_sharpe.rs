//! `rolling_sharpe(ret, n [, periods])`: the Sharpe ratio of the last `n` returns.

use crate::framework::{Arguments, Doc, Family, Memory, Param, ParamKind, Params, SeriesWindow};
use crate::kernels::risk::rolling_sharpe;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingSharpe;

impl SeriesWindow for RollingSharpe {
    const NAME: &'static str = "rolling_sharpe";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[
            Param::required("n", ParamKind::int_at_least(2), "Window length in rows."),
            super::PERIODS,
        ],
    };
    const DOC: Doc = Doc {
        description: "Sharpe ratio mean / std(ddof=1) * sqrt(periods) of the last n returns, as \
                      empyrical.roll_sharpe_ratio. The first n-1 rows are NULL, and so is a window \
                      whose returns are all equal.",
        example: "SELECT ts, rolling_sharpe(ret, 63, 252) OVER (PARTITION BY symbol ORDER BY ts) FROM daily_returns",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        rolling_sharpe(s[0], p.usize(0), p.f64(1), out);
        Ok(())
    }
}
