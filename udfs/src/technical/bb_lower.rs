//! `bb_lower`: lower Bollinger band.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::volatility;
use crate::kernels::volatility::Band;
use datafusion::common::Result;

#[derive(Debug)]
pub struct BbLower;

impl SeriesWindow for BbLower {
    const NAME: &'static str = "bb_lower";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Lower Bollinger band: simple mean - nbdev population standard deviations of the last period rows (TA-Lib BBANDS, matype SMA).",
        example: "SELECT ts, bb_lower(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::bollinger(s[0], p.usize(0), p.f64(1), Band::Lower, out);
        Ok(())
    }
}
