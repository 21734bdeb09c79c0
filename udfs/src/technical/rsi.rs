//! `rsi`: relative strength index.

use crate::framework::{Arguments, Doc, Family, Memory, Params, Prefill, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Rsi;

impl SeriesWindow for Rsi {
    const NAME: &'static str = "rsi";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(14, 2)],
    };
    const DOC: Doc = Doc {
        description: "Relative strength index with Wilder smoothing seeded by simple means (TA-Lib RSI); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, rsi(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::rsi(s[0], p.usize(0), out);
        Ok(())
    }
}
