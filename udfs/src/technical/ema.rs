//! `ema(x, period)`: TA-Lib's exponential moving average.

use crate::framework::{
    Arguments, Doc, Family, Memory, Param, ParamKind, Params, Prefill, SeriesWindow,
};
use crate::kernels::moving_average::ema;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Ema;

impl SeriesWindow for Ema {
    const NAME: &'static str = "ema";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[Param::required(
            "period",
            ParamKind::int_at_least(2),
            "Smoothing period; the weight of a new row is 2 / (period + 1).",
        )],
    };
    const DOC: Doc = Doc {
        description: "Exponential moving average as TA-Lib computes it: seeded with the \
                      simple mean of the first `period` rows, then \
                      prev + 2/(period+1) * (x - prev). The first period-1 rows are NULL.",
        example: "SELECT ts, ema(close, 12) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    const PREFILL: Prefill = Prefill::Nothing;

    fn memory(p: &Params) -> Memory {
        Memory::ema(p.usize(0), 1, p.usize(0))
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        ema(series[0], params.usize(0), out);
        Ok(())
    }
}
