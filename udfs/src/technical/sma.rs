//! `sma(x, period)`: TA-Lib's simple moving average.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, Params, SeriesWindow, Shared,
};

#[derive(Debug)]
pub struct Sma;

impl SeriesWindow for Sma {
    const NAME: &'static str = "sma";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[Param::required(
            "period",
            ParamKind::int_at_least(2),
            "Number of rows averaged.",
        )],
    };
    const DOC: Doc = Doc {
        description: "Simple moving average of the last `period` rows (TA-Lib SMA). \
                      The first period-1 rows are NULL.",
        example: "SELECT ts, sma(close, 20) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const SHARED: Option<(Shared, usize)> = Some((super::WINDOW_MOMENTS, 0));

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }
}
