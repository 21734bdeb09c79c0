//! `bop`: balance of power.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Bop;

impl SeriesWindow for Bop {
    const NAME: &'static str = "bop";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::OHLC,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Balance of power (close - open) / (high - low), 0 on a zero range (TA-Lib BOP).",
        example: "SELECT ts, bop(open, high, low, close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(0)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::bop(s[0], s[1], s[2], s[3], out);
        Ok(())
    }
}
