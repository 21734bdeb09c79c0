//! `price_to_sma(x, period)`: the price relative to its simple moving average.

use crate::framework::{Arguments, Doc, Family, Memory, Param, ParamKind, Params, SeriesWindow};
use crate::kernels::signals;
use datafusion::common::Result;

#[derive(Debug)]
pub struct PriceToSma;

impl SeriesWindow for PriceToSma {
    const NAME: &'static str = "price_to_sma";
    const FAMILY: Family = Family::PriceFeatures;
    const ARGS: Arguments = Arguments {
        series: &[("x", "Price series.")],
        params: &[Param::required(
            "period",
            ParamKind::int_at_least(2),
            "Rows in the moving average.",
        )],
    };
    const DOC: Doc = Doc {
        description: "x / sma(x, period): 1 when the price is on its moving average, 1.05 \
                      when 5 % above. The first period-1 rows are NULL, as is a zero average.",
        example: "SELECT ts, price_to_sma(close, 24) OVER (PARTITION BY symbol ORDER BY ts) \
                  FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0))
    }

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        signals::price_to_sma(series[0], params.usize(0), out);
        Ok(())
    }
}
