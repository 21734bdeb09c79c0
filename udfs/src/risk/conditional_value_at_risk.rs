//! `conditional_value_at_risk`: conditional value at risk of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::conditional_value_at_risk;
use datafusion::common::Result;

#[derive(Debug)]
pub struct ConditionalValueAtRisk;

impl SeriesAggregate for ConditionalValueAtRisk {
    const NAME: &'static str = "conditional_value_at_risk";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::CUTOFF],
    };
    const DOC: Doc = Doc {
        description: "Conditional value at risk (expected shortfall) as empyrical computes it: the mean of the floor((count - 1) * cutoff) + 1 smallest returns.",
        example: "SELECT symbol, conditional_value_at_risk(ret, 0.05) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(conditional_value_at_risk(s[0], p.f64(0)))
    }
}
