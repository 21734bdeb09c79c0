//! `adx`: average directional index.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Adx;

impl SeriesWindow for Adx {
    const NAME: &'static str = "adx";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: &[
            ("high", "High price."),
            ("low", "Low price."),
            ("close", "Close price."),
        ],
        params: &[Param::optional(
            "period",
            ParamKind::int_at_least(2),
            ParamValue::Int(14),
            "Number of rows.",
        )],
    };
    const DOC: Doc = Doc {
        description: "Average directional index: Wilder average of DX seeded with the mean of the first period DX values (TA-Lib ADX). The first 2 period-1 rows are NULL.",
        example: "SELECT ts, adx(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::adx(s[0], s[1], s[2], p.usize(0), out);
        Ok(())
    }
}
