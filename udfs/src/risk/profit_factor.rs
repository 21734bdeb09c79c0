//! `profit_factor(pnl)`: gross profit over gross loss.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::profit_factor;
use datafusion::common::Result;

#[derive(Debug)]
pub struct ProfitFactor;

impl SeriesAggregate for ProfitFactor {
    const NAME: &'static str = "profit_factor";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::PNL,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "sum(pnl where pnl > 0) / |sum(pnl where pnl < 0)|. NULL without a loss; 0 \
                      with losses only.",
        example: "SELECT strategy, profit_factor(pnl) FROM trades GROUP BY strategy",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(profit_factor(s[0]))
    }
}
