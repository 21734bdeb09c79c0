//! `annual_return`: compound annual growth rate of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::annual_return;
use datafusion::common::Result;

#[derive(Debug)]
pub struct AnnualReturn;

impl SeriesAggregate for AnnualReturn {
    const NAME: &'static str = "annual_return";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[super::PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Compound annual growth rate prod(1 + ret)^(periods / count) - 1, as empyrical.annual_return.",
        example: "SELECT symbol, annual_return(ret, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(annual_return(s[0], p.f64(0)))
    }
}
