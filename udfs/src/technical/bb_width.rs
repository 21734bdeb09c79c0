//! `bb_width`: relative width of the Bollinger bands.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::volatility;
use crate::kernels::volatility::Band;
use datafusion::common::Result;

#[derive(Debug)]
pub struct BbWidth;

impl SeriesWindow for BbWidth {
    const NAME: &'static str = "bb_width";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Relative width of the Bollinger bands, (upper - lower) / middle.",
        example:
            "SELECT ts, bb_width(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::bollinger(s[0], p.usize(0), p.f64(1), Band::Width, out);
        Ok(())
    }
}
