//! `rolling_zscore(x, n)`: z-score of the current row within its window.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_zscore;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingZscore;

impl SeriesWindow for RollingZscore {
    const NAME: &'static str = "rolling_zscore";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N2, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Z-score of the current row within the last n rows: (x - rolling_mean) / rolling_std (ddof 1). NULL where the window is flat, and for the first n-1 rows unless min_periods is given.",
        example: "SELECT ts, rolling_zscore(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_zscore(series[0], n, out)
        });
        Ok(())
    }
}
