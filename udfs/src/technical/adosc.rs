//! `adosc`: Chaikin A/D oscillator.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Adosc;

impl SeriesWindow for Adosc {
    const NAME: &'static str = "adosc";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLCV,
        params: &[
            Param::optional(
                "fast",
                ParamKind::int_at_least(2),
                ParamValue::Int(3),
                "Fast EMA period.",
            ),
            Param::optional(
                "slow",
                ParamKind::int_at_least(2),
                ParamValue::Int(10),
                "Slow EMA period.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "Chaikin A/D oscillator, EMA(AD, fast) - EMA(AD, slow), both seeded with the first AD value (TA-Lib ADOSC). The first max(fast, slow)-1 rows are NULL.",
        example: "SELECT ts, adosc(high, low, close, volume, 3, 10) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::adosc(s[0], s[1], s[2], s[3], p.usize(0), p.usize(1), out);
        Ok(())
    }
}
