//! `macd_hist`: MACD histogram.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::oscillators;
use crate::kernels::oscillators::MacdOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct MacdHist;

impl SeriesWindow for MacdHist {
    const NAME: &'static str = "macd_hist";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::MACD_ARGS;
    const DOC: Doc = Doc {
        description: "MACD histogram: MACD line - signal line (TA-Lib MACD). NULL for the first (slow-1)+(signal-1) rows.",
        example: "SELECT ts, macd_hist(close, 12, 26, 9) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::macd(
            s[0],
            p.usize(0),
            p.usize(1),
            p.usize(2),
            MacdOutput::Histogram,
            out,
        );
        Ok(())
    }
}
