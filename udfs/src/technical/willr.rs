//! `willr`: Williams %R.

use crate::framework::{Arguments, Doc, Family, Memory, Params, Prefill, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Willr;

impl SeriesWindow for Willr {
    const NAME: &'static str = "willr";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[super::period(14, 2)],
    };
    const DOC: Doc = Doc {
        description: "Williams %R, -100 (highest high - close) / (highest high - lowest low) over the last period rows (TA-Lib WILLR); 0 on a flat range.",
        example: "SELECT ts, willr(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::willr(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
