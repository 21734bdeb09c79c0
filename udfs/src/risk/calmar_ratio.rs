//! `calmar_ratio(ret, periods ORDER BY ts)`: annual return over the maximum drawdown.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::calmar_ratio;
use datafusion::common::Result;

#[derive(Debug)]
pub struct CalmarRatio;

impl SeriesAggregate for CalmarRatio {
    const NAME: &'static str = "calmar_ratio";
    const FAMILY: Family = Family::Risk;
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Calmar ratio annual_return(ret, periods) / |max_drawdown(ret)|, as \
                      empyrical.calmar_ratio. NULL when there is no drawdown. Needs the order \
                      inside the call.",
        example:
            "SELECT symbol, calmar_ratio(ret, 252 ORDER BY ts) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(calmar_ratio(s[0], p.f64(0)))
    }
}
