//! `atr`: average true range.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::volatility;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Atr;

impl SeriesWindow for Atr {
    const NAME: &'static str = "atr";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: &[
            ("high", "High price."),
            ("low", "Low price."),
            ("close", "Close price."),
        ],
        params: &[Param::optional(
            "period",
            ParamKind::int_at_least(1),
            ParamValue::Int(14),
            "Number of rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "Average true range with Wilder smoothing seeded by the mean of the first period true ranges (TA-Lib ATR). The first period rows are NULL.",
        example: "SELECT ts, atr(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        volatility::atr(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
