//! `cmo`: Chande momentum oscillator.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::momentum;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Cmo;

impl SeriesWindow for Cmo {
    const NAME: &'static str = "cmo";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price or any numeric series.")],
        params: &[Param::optional(
            "period",
            ParamKind::int_at_least(2),
            ParamValue::Int(14),
            "Number of rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "Chande momentum oscillator as TA-Lib computes it, from Wilder-smoothed gains and losses (= 2 RSI - 100); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, cmo(close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        momentum::cmo(s[0], p.usize(0), out);
        Ok(())
    }
}
