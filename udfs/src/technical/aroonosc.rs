//! `aroonosc`: Aroon oscillator.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::oscillators;
use crate::kernels::oscillators::AroonOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Aroonosc;

impl SeriesWindow for Aroonosc {
    const NAME: &'static str = "aroonosc";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: &[("high", "High price."), ("low", "Low price.")],
        params: &[Param::optional(
            "period",
            ParamKind::int_at_least(2),
            ParamValue::Int(14),
            "Number of rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "Aroon oscillator, Aroon up - Aroon down (TA-Lib AROONOSC). The first period rows are NULL.",
        example: "SELECT ts, aroonosc(high, low, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::aroon(s[0], s[1], p.usize(0), AroonOutput::Oscillator, out);
        Ok(())
    }
}
