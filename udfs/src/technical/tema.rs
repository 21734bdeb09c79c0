//! `tema`: triple exponential moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::moving_average;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Tema;

impl SeriesWindow for Tema {
    const NAME: &'static str = "tema";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 2)],
    };
    const DOC: Doc = Doc {
        description: "Triple exponential moving average 3 EMA - 3 EMA(EMA) + EMA(EMA(EMA)) (TA-Lib TEMA). The first 3(period-1) rows are NULL.",
        example: "SELECT ts, tema(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(0), 3, 3 * p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        moving_average::tema(s[0], p.usize(0), out);
        Ok(())
    }
}
