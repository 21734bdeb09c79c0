//! `rolling_std(x, n [, ddof])`: standard deviation of the last `n` rows.

use crate::framework::{Arguments, Doc, Family, Memory, Params, Prefill, SeriesWindow};
use crate::kernels::rolling::rolling_std;
use datafusion::common::{plan_err, Result};

#[derive(Debug)]
pub struct RollingStd;

impl SeriesWindow for RollingStd {
    const NAME: &'static str = "rolling_std";
    const FAMILY: Family = Family::Rolling;
    const ARGS: Arguments = Arguments {
        series: super::SERIES_X,
        params: &[super::N1, super::DDOF, super::MIN_PERIODS],
    };
    const DOC: Doc = Doc {
        description: "Standard deviation of the last n rows (pandas rolling(n, min_periods)\
                      .std(ddof)), sample (ddof = 1) by default. The first n-1 rows are NULL unless min_periods is given.",
        example:
            "SELECT ts, rolling_std(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    /// The kernel writes its own warm-up rows (and `with_min_periods` only
    /// overwrites some of them).
    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn validate(params: &Params) -> Result<()> {
        check_ddof(Self::NAME, params)?;
        super::check_min_periods(Self::NAME, params, 2)
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        super::with_min_periods(series, params, 2, out, |series, n, out| {
            rolling_std(series[0], n, params.usize(1), out)
        });
        Ok(())
    }
}

/// A variance over n rows divides by n - ddof, which must stay positive.
pub(super) fn check_ddof(name: &str, params: &Params) -> Result<()> {
    let (n, ddof) = (params.usize(0), params.usize(1));
    if ddof >= n {
        return plan_err!("{name}: ddof must be smaller than n, got n = {n}, ddof = {ddof}");
    }
    Ok(())
}
