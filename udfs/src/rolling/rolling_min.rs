//! `rolling_min(x, n)`: minimum of the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_min;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingMin;

impl SeriesWindow for RollingMin {
    const NAME: &'static str = "rolling_min";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N1, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Minimum of the last n rows (pandas rolling(n, min_periods).min()). The first n-1 rows are NULL unless min_periods is given.",
        example: "SELECT ts, rolling_min(low, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_min(series[0], n, out)
        });
        Ok(())
    }
}
