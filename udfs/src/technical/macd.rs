//! `macd`: MACD line.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::oscillators;
use crate::kernels::oscillators::MacdOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Macd;

impl SeriesWindow for Macd {
    const NAME: &'static str = "macd";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::MACD_ARGS;
    const DOC: Doc = Doc {
        description: "MACD line: fast EMA - slow EMA with TA-Lib's seeding (the fast EMA starts with the slow one). NULL for the first (slow-1)+(signal-1) rows, like all MACD outputs.",
        example: "SELECT ts, macd(close, 12, 26) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::macd(
            s[0],
            p.usize(0),
            p.usize(1),
            p.usize(2),
            MacdOutput::Macd,
            out,
        );
        Ok(())
    }
}
