//! `max_drawdown(ret ORDER BY ts)`: the largest fall from a running peak.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::sample::max_drawdown;
use datafusion::common::Result;

#[derive(Debug)]
pub struct MaxDrawdown;

impl SeriesAggregate for MaxDrawdown {
    const NAME: &'static str = "max_drawdown";
    const FAMILY: Family = Family::Risk;
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Maximum drawdown min_t (W_t - max_(s<=t) W_s) / max_(s<=t) W_s of the compounded \
                      wealth W = cumprod(1 + ret), the start W_0 = 1 counting as a peak (so a loss on \
                      the first return counts), as empyrical.max_drawdown. A number <= 0; 0 without \
                      a loss. Needs the order inside the call.",
        example: "SELECT symbol, max_drawdown(ret ORDER BY ts) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(max_drawdown(s[0]))
    }
}
