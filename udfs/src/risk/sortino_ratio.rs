//! `sortino_ratio`: annualised Sortino ratio of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::sortino_ratio;
use datafusion::common::Result;

#[derive(Debug)]
pub struct SortinoRatio;

impl SeriesAggregate for SortinoRatio {
    const NAME: &'static str = "sortino_ratio";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Annualised Sortino ratio mean(ret) * periods / downside_risk(ret, periods), as empyrical.sortino_ratio with required_return 0 (the downside mean is over all returns). NULL for fewer than two returns or no negative return.",
        example: "SELECT symbol, sortino_ratio(ret, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(sortino_ratio(s[0], p.f64(0)))
    }
}
