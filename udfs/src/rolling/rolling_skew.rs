//! `rolling_skew(x, n)`: skewness of the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::rolling::rolling_skew;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RollingSkew;

impl SeriesWindow for RollingSkew {
    const NAME: &'static str = "rolling_skew";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N3, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Skewness of the last n rows as pandas computes it (adjusted Fisher-Pearson, sqrt(n(n-1))/(n-2) * m3/m2^1.5). NULL where the window is flat, and for the first n-1 rows unless min_periods is given.",
        example: "SELECT ts, rolling_skew(ret, 60) OVER (PARTITION BY symbol ORDER BY ts) FROM returns",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        super::check_min_periods(Self::NAME, params, 1)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 1, out, |series, n, out| {
            rolling_skew(series[0], n, out)
        });
        Ok(())
    }
}
