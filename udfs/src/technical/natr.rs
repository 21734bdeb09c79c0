//! `natr`: normalised average true range.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::volatility;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Natr;

impl SeriesWindow for Natr {
    const NAME: &'static str = "natr";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[super::period(14, 1)],
    };
    const DOC: Doc = Doc {
        description: "Normalised average true range, 100 ATR / close (TA-Lib NATR). The first period rows are NULL.",
        example: "SELECT ts, natr(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::natr(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
