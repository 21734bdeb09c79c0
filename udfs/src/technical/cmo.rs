//! `cmo`: Chande momentum oscillator.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Cmo;

impl SeriesWindow for Cmo {
    const NAME: &'static str = "cmo";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[super::period(14, 2)],
    };
    const DOC: Doc = Doc {
        description: "Chande momentum oscillator as TA-Lib computes it, from Wilder-smoothed gains and losses (= 2 RSI - 100); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, cmo(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::wilder(p.usize(0), 1, p.usize(0) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::cmo(s[0], p.usize(0), out);
        Ok(())
    }
}
