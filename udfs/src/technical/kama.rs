//! `kama`: Kaufman adaptive moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Kama;

impl SeriesWindow for Kama {
    const NAME: &'static str = "kama";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(30, 2)],
    };
    const DOC: Doc = Doc {
        description: "Kaufman adaptive moving average (TA-Lib KAMA): smoothing between the 2- and 30-row EMA constants by the efficiency ratio of the last period changes. The first period rows are NULL.",
        example: "SELECT ts, kama(close, 30) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::decaying((2.0f64 / 31.0).powi(2), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::kama(s[0], p.usize(0), out);
        Ok(())
    }
}
