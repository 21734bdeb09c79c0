//! `stability_of_timeseries(ret ORDER BY ts)`: how straight the log-wealth path is.

use crate::framework::{Arguments, Doc, Family, Params, SeriesAggregate};
use crate::kernels::risk::stability_of_timeseries;
use datafusion::common::Result;

#[derive(Debug)]
pub struct StabilityOfTimeseries;

impl SeriesAggregate for StabilityOfTimeseries {
    const NAME: &'static str = "stability_of_timeseries";
    const FAMILY: Family = Family::Risk;
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "R² of the least-squares line through cumsum(ln(1 + ret)) against the row \
                      number, as empyrical.stability_of_timeseries. NULL for fewer than two \
                      returns or when every return is 0 (a flat path). Needs the order inside \
                      the call.",
        example: "SELECT symbol, stability_of_timeseries(ret ORDER BY ts) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], _: &Params) -> Result<Option<f64>> {
        Ok(stability_of_timeseries(s[0]))
    }
}
