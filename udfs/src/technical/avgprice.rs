//! `avgprice`: average price.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::price;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Avgprice;

impl SeriesWindow for Avgprice {
    const NAME: &'static str = "avgprice";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::OHLC,
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Average price (open + high + low + close) / 4 (TA-Lib AVGPRICE).",
        example: "SELECT ts, avgprice(open, high, low, close) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(_p: &Params) -> Memory {
        Memory::Rows(0)
    }

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        price::avgprice(s[0], s[1], s[2], s[3], out);
        Ok(())
    }
}
