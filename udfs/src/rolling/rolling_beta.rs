//! `rolling_beta(y, x, n)`: regression slope of `y` on `x` over the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_beta;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingBeta;

impl SeriesWindow for RollingBeta {
    const NAME: &'static str = "rolling_beta";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_YX,
        params: &[super::N2, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Regression slope of y on x over the last n rows: cov(y, x) / var(x). NULL where x is flat; a row is skipped when either argument is missing.",
        example: "SELECT ts, rolling_beta(stock_ret, index_ret, 60) OVER (PARTITION BY symbol ORDER BY ts) FROM returns",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_beta(series[0], series[1], n, out)
        });
        Ok(())
    }
}
