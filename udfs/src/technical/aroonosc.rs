//! `aroonosc`: Aroon oscillator.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use crate::kernels::oscillators::AroonOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Aroonosc;

impl SeriesWindow for Aroonosc {
    const NAME: &'static str = "aroonosc";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::AROON_ARGS;
    const DOC: Doc = Doc {
        description: "Aroon oscillator, Aroon up - Aroon down (TA-Lib AROONOSC). The first period rows are NULL.",
        example: "SELECT ts, aroonosc(high, low, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::aroon(s[0], s[1], p.usize(0), AroonOutput::Oscillator, out);
        Ok(())
    }
}
