//! `aroon_up`: Aroon up.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use crate::kernels::oscillators::AroonOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct AroonUp;

impl SeriesWindow for AroonUp {
    const NAME: &'static str = "aroon_up";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::AROON_ARGS;
    const DOC: Doc = Doc {
        description: "Aroon up: 100 (period - rows since the highest high) / period over period+1 rows, ties to the most recent (TA-Lib AROON). The first period rows are NULL.",
        example: "SELECT ts, aroon_up(high, low, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::aroon(s[0], s[1], p.usize(0), AroonOutput::Up, out);
        Ok(())
    }
}
