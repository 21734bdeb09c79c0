//! `obv`: on-balance volume.

use crate::framework::{Arguments, Doc, Family, Params, SeriesWindow};
use crate::kernels::price;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Obv;

impl SeriesWindow for Obv {
    const NAME: &'static str = "obv";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::CV,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "On-balance volume: starts at the first row's volume, adds the volume on an up close and subtracts it on a down close (TA-Lib OBV). Path-dependent from the partition start.",
        example: "SELECT ts, obv(close, volume) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        price::obv(s[0], s[1], out);
        Ok(())
    }
}
