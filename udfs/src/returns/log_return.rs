//! `log_return(x)`: logarithmic one-period return.

use crate::framework::{Arguments, Doc, Family, Memory, Params, Prefill, SeriesWindow};
use crate::kernels::returns::log_return;
use datafusion::common::Result;

#[derive(Debug)]
pub struct LogReturn;

impl SeriesWindow for LogReturn {
    const NAME: &'static str = "log_return";
    const FAMILY: Family = Family::Returns;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Log return ln(x / previous x). The first row of a partition is NULL; \
                      after a missing row the previous present row is used.",
        example: "SELECT ts, log_return(close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        log_return(series[0], out);
        Ok(())
    }
}
