//! `bb_percent_b`: position within the Bollinger bands.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::volatility;
use crate::kernels::volatility::Band;
use datafusion::common::Result;

#[derive(Debug)]
pub struct BbPercentB;

impl SeriesWindow for BbPercentB {
    const NAME: &'static str = "bb_percent_b";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::BBANDS_ARGS;
    const DOC: Doc = Doc {
        description: "Position of x within its Bollinger bands, (x - lower) / (upper - lower); NULL where the bands have zero width.",
        example: "SELECT ts, bb_percent_b(close, 20, 2) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::bollinger(s[0], p.usize(0), p.f64(1), Band::PercentB, out);
        Ok(())
    }
}
