//! `realized_vol(x, n)`: realised volatility of the last `n` log returns.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::returns::realized_vol;
use datafusion::common::Result;

#[derive(Debug)]
pub struct RealizedVol;

impl SeriesWindow for RealizedVol {
    const NAME: &'static str = "realized_vol";
    const FAMILY: Family = Family::Returns;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[crate::rolling::N1],
    };
    const DOC: Doc = Doc {
        description: "Realised volatility: sqrt of the sum of the last n squared log returns (not annualised, not demeaned). Needs n+1 prices: the first n rows are NULL.",
        example: "SELECT ts, realized_vol(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        realized_vol(series[0], params.usize(0), out);
        Ok(())
    }
}
