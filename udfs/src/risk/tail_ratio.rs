//! `tail_ratio`: tail ratio of a group's returns.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::tail_ratio;
use datafusion::common::Result;

#[derive(Debug)]
pub struct TailRatio;

impl SeriesAggregate for TailRatio {
    const NAME: &'static str = "tail_ratio";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Tail ratio |95th percentile| / |5th percentile| of the returns, as empyrical.tail_ratio. NULL where the 5th percentile is 0.",
        example: "SELECT symbol, tail_ratio(ret) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], _p: &Params) -> Result<Option<f64>> {
        Ok(tail_ratio(s[0]))
    }
}
