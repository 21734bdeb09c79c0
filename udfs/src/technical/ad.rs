//! `ad`: accumulation/distribution line.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Ad;

impl SeriesWindow for Ad {
    const NAME: &'static str = "ad";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLCV,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Chaikin accumulation/distribution line, the running sum of volume times the close location value (TA-Lib AD). Path-dependent from the partition start.",
        example: "SELECT ts, ad(high, low, close, volume) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::ad(s[0], s[1], s[2], s[3], out);
        Ok(())
    }
}
