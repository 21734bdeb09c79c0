//! `ultosc`: ultimate oscillator.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Ultosc;

impl SeriesWindow for Ultosc {
    const NAME: &'static str = "ultosc";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::HLC,
        params: &[
            Param::optional(
                "period1",
                ParamKind::int_at_least(1),
                ParamValue::Int(7),
                "First period.",
            ),
            Param::optional(
                "period2",
                ParamKind::int_at_least(1),
                ParamValue::Int(14),
                "Second period.",
            ),
            Param::optional(
                "period3",
                ParamKind::int_at_least(1),
                ParamValue::Int(28),
                "Third period.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "Ultimate oscillator: buying pressure over true range on three periods, weighted 4:2:1 from the shortest (TA-Lib ULTOSC). The first (longest period) rows are NULL.",
        example: "SELECT ts, ultosc(high, low, close, 7, 14, 28) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0).max(p.usize(1)).max(p.usize(2)) + 1)
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::ultosc(s[0], s[1], s[2], [p.usize(0), p.usize(1), p.usize(2)], out);
        Ok(())
    }
}
