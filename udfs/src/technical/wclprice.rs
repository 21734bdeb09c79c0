//! `wclprice`: weighted close price.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::price;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Wclprice;

impl SeriesWindow for Wclprice {
    const NAME: &'static str = "wclprice";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Weighted close price (high + low + 2 close) / 4 (TA-Lib WCLPRICE).",
        example:
            "SELECT ts, wclprice(high, low, close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(0)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        price::wclprice(s[0], s[1], s[2], out);
        Ok(())
    }
}
