//! `rolling_quantile(x, n, q)`: interpolated quantile of the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_quantile;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingQuantile;

impl SeriesWindow for RollingQuantile {
    const NAME: &'static str = "rolling_quantile";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N1, super::QUANTILE, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "The q-quantile of the last n rows with linear interpolation (pandas rolling(n).quantile(q)). The first n-1 rows are NULL unless min_periods is given.",
        example: "SELECT ts, rolling_quantile(close, 20, 0.9) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 2)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 2, out, |series, n, out| {
            rolling_quantile(series[0], n, params.f64(1), out)
        });
        Ok(())
    }
}
