//! `medprice`: median price.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::price;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Medprice;

impl SeriesWindow for Medprice {
    const NAME: &'static str = "medprice";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HL,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Median price (high + low) / 2 (TA-Lib MEDPRICE).",
        example: "SELECT ts, medprice(high, low) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(0)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        price::medprice(s[0], s[1], out);
        Ok(())
    }
}
