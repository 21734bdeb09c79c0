//! `rolling_max_drawdown(ret, n)`: the maximum drawdown within the last `n` returns.

use crate::framework::{Arguments, Doc, Family, Memory, Param, ParamKind, Params, SeriesWindow};
use crate::kernels::drawdown::rolling_max_drawdown;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingMaxDrawdown;

impl SeriesWindow for RollingMaxDrawdown {
    const NAME: &'static str = "rolling_max_drawdown";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[Param::required(
            "n",
            ParamKind::int_at_least(1),
            "Window length in rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "max_drawdown of the last n returns, wealth restarting at 1 before the \
                      window's first return (empyrical.roll_max_drawdown). The first n-1 rows \
                      are NULL. Costs O(n) per row: each window is computed afresh.",
        example: "SELECT ts, rolling_max_drawdown(ret, 63) OVER (PARTITION BY symbol ORDER BY ts) FROM daily_returns",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        rolling_max_drawdown(s[0], p.usize(0), out);
        Ok(())
    }
}
