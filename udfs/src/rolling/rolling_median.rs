//! `rolling_median(x, n)`: median of the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_quantile;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingMedian;

impl SeriesWindow for RollingMedian {
    const NAME: &'static str = "rolling_median";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N1, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Median of the last n rows (pandas rolling(n, min_periods).median()). The first n-1 rows are NULL unless min_periods is given.",
        example: "SELECT ts, rolling_median(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_quantile(series[0], n, 0.5, out)
        });
        Ok(())
    }
}
