//! `value_at_risk`: historical value at risk of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::value_at_risk;
use datafusion::common::Result;

#[derive(Debug)]
pub struct ValueAtRisk;

impl SeriesAggregate for ValueAtRisk {
    const NAME: &'static str = "value_at_risk";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::CUTOFF],
    };
    const DOC: Doc = Doc {
        description: "Historical value at risk: the cutoff percentile of the returns with linear interpolation, as empyrical.value_at_risk.",
        example: "SELECT symbol, value_at_risk(ret, 0.05) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(value_at_risk(s[0], p.f64(0)))
    }
}
