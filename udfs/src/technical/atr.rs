//! `atr`: average true range.

use crate::framework::{Arguments, Doc, Family, Memory, Params, Prefill, SeriesWindow};
use crate::kernels::volatility;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Atr;

impl SeriesWindow for Atr {
    const NAME: &'static str = "atr";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[super::period(14, 1)],
    };
    const DOC: Doc = Doc {
        description: "Average true range with Wilder smoothing seeded by the mean of the first period true ranges (TA-Lib ATR). The first period rows are NULL.",
        example: "SELECT ts, atr(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::atr(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
