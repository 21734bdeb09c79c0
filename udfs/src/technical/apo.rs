//! `apo`: absolute price oscillator.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Apo;

impl SeriesWindow for Apo {
    const NAME: &'static str = "apo";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::PRICE_OSCILLATOR_ARGS;
    const DOC: Doc = Doc {
        description: "Absolute price oscillator with simple moving averages, sma(fast) - sma(slow) (TA-Lib APO, matype 0). The first slow-1 rows are NULL.",
        example: "SELECT ts, apo(close, 12, 26) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0).max(p.usize(1)))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::price_oscillator(s[0], p.usize(0), p.usize(1), false, out);
        Ok(())
    }
}
