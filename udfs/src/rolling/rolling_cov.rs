//! `rolling_cov(x, y, n)`: sample covariance over the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_cov;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingCov;

impl SeriesWindow for RollingCov {
    const NAME: &'static str = "rolling_cov";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_XY,
        params: &[super::N2, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Sample covariance (ddof 1) of x and y over the last n rows (pandas rolling(n).cov). A row is skipped when either argument is missing. The first n-1 rows are NULL unless min_periods is given.",
        example: "SELECT ts, rolling_cov(close, volume, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_cov(series[0], series[1], n, out)
        });
        Ok(())
    }
}
