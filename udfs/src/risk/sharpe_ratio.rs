//! `sharpe_ratio(ret [, periods])`: annualised Sharpe ratio of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::sharpe_ratio;
use datafusion::common::Result;

#[derive(Debug)]
pub struct SharpeRatio;

impl SeriesAggregate for SharpeRatio {
    const NAME: &'static str = "sharpe_ratio";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Annualised Sharpe ratio mean(ret) / std(ret, ddof=1) * sqrt(periods), \
                      as empyrical.sharpe_ratio with risk_free=0. NULL for fewer than two \
                      returns or zero volatility.",
        example: "SELECT symbol, sharpe_ratio(ret, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(series: &[&[f64]], params: &Params) -> Result<Option<f64>> {
        Ok(sharpe_ratio(series[0], params.f64(0)))
    }
}
