//! `rolling_corr(x, y, n)`: Pearson correlation over the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_corr;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingCorr;

impl SeriesWindow for RollingCorr {
    const NAME: &'static str = "rolling_corr";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_XY,
        params: &[super::N2, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Pearson correlation of x and y over the last n rows (pandas rolling(n).corr). NULL where either window is flat; a row is skipped when either argument is missing.",
        example: "SELECT ts, rolling_corr(close, volume, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_corr(series[0], series[1], n, out)
        });
        Ok(())
    }
}
