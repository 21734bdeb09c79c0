//! `typprice`: typical price.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::price;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Typprice;

impl SeriesWindow for Typprice {
    const NAME: &'static str = "typprice";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Typical price (high + low + close) / 3 (TA-Lib TYPPRICE).",
        example:
            "SELECT ts, typprice(high, low, close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(0)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        price::typprice(s[0], s[1], s[2], out);
        Ok(())
    }
}
