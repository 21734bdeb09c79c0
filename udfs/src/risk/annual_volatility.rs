//! `annual_volatility`: annualised volatility of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::annual_volatility;
use datafusion::common::Result;

#[derive(Debug)]
pub struct AnnualVolatility;

impl SeriesAggregate for AnnualVolatility {
    const NAME: &'static str = "annual_volatility";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Annualised volatility std(ret, ddof=1) * sqrt(periods), as empyrical.annual_volatility. NULL for fewer than two returns.",
        example: "SELECT symbol, annual_volatility(ret, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(annual_volatility(s[0], p.f64(0)))
    }
}
