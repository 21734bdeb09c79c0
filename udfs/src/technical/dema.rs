//! `dema`: double exponential moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::moving_average;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Dema;

impl SeriesWindow for Dema {
    const NAME: &'static str = "dema";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 2)],
    };
    const DOC: Doc = Doc {
        description: "Double exponential moving average 2 EMA - EMA(EMA) (TA-Lib DEMA, EMAs seeded with simple means). The first 2(period-1) rows are NULL.",
        example: "SELECT ts, dema(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(0), 2, 2 * p.usize(0))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        moving_average::dema(s[0], p.usize(0), out);
        Ok(())
    }
}
