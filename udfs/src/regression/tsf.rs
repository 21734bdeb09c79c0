//! `tsf(x, period)`: the rolling line one row ahead.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::linreg::tsf;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Tsf;

impl SeriesWindow for Tsf {
    const NAME: &'static str = "tsf";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::ARGS;
    const DOC: Doc = Doc {
        description: "Time series forecast: the least-squares line through the last `period` rows extended one row ahead (TA-Lib TSF). The first period-1 rows are NULL.",
        example: "SELECT ts, tsf(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        tsf(series[0], params.usize(0), out);
        Ok(())
    }
}
