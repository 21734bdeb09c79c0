//! `return_sign(x)`: direction of the one-period move.

use crate::framework::{Arguments, Doc, Family, Memory, Output, Params, SeriesWindow};
use crate::kernels::returns::return_sign;
use datafusion::common::Result;

#[derive(Debug)]
pub struct ReturnSign;

impl SeriesWindow for ReturnSign {
    const NAME: &'static str = "return_sign";
    const FAMILY: Family = Family::Returns;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[],
    };
    const OUTPUT: Output = Output::Int64;
    const DOC: Doc = Doc {
        description: "1 when x rose from the previous row, -1 when it fell, 0 when unchanged \
                      (the sign of the return for positive prices). The first row of a \
                      partition is NULL; after a missing row the previous present row is used.",
        example: "SELECT ts, return_sign(close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(1)
    }

    fn compute(series: &[&[f64]], _params: &Params, out: &mut [f64]) -> Result<()> {
        return_sign(series[0], out);
        Ok(())
    }
}
