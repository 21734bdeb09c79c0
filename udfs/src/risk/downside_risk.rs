//! `downside_risk`: annualised downside deviation of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::downside_risk;
use datafusion::common::Result;

#[derive(Debug)]
pub struct DownsideRisk;

impl SeriesAggregate for DownsideRisk {
    const NAME: &'static str = "downside_risk";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Annualised downside deviation sqrt(mean(min(ret, 0)^2)) * sqrt(periods), as empyrical.downside_risk with required_return 0; 0 without losses.",
        example: "SELECT symbol, downside_risk(ret, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(downside_risk(s[0], p.f64(0)))
    }
}
