//! `macd_signal`: MACD signal line.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::oscillators;
use crate::kernels::oscillators::MacdOutput;
use datafusion::common::Result;

#[derive(Debug)]
pub struct MacdSignal;

impl SeriesWindow for MacdSignal {
    const NAME: &'static str = "macd_signal";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price or any numeric series.")],
        params: &[
            Param::optional(
                "fast",
                ParamKind::int_at_least(2),
                ParamValue::Int(12),
                "Fast period.",
            ),
            Param::optional(
                "slow",
                ParamKind::int_at_least(2),
                ParamValue::Int(26),
                "Slow period.",
            ),
            Param::optional(
                "signal",
                ParamKind::int_at_least(1),
                ParamValue::Int(9),
                "Signal period.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "MACD signal line: the signal-period EMA of the MACD line (TA-Lib MACD). NULL for the first (slow-1)+(signal-1) rows.",
        example: "SELECT ts, macd_signal(close, 12, 26, 9) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::macd(
            s[0],
            p.usize(0),
            p.usize(1),
            p.usize(2),
            MacdOutput::Signal,
            out,
        );
        Ok(())
    }
}
