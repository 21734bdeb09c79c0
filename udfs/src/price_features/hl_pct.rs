//! `hl_pct(high, low, close)`: the bar's range relative to its close.

use crate::framework::{Arguments, Doc, Family, Params, SeriesScalar};
use crate::kernels::signals;
use datafusion::common::Result;

#[derive(Debug)]
pub struct HlPct;

impl SeriesScalar for HlPct {
    const NAME: &'static str = "hl_pct";
    const FAMILY: Family = Family::PriceFeatures;
    const ARGS: Arguments = Arguments {
        series: &[
            ("high", "High price."),
            ("low", "Low price."),
            ("close", "Close price."),
        ],
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "High-low percentage (high - low) / close, as a fraction (0.01 = 1 %). \
                      NULL where close is 0 or an input is missing.",
        example: "SELECT ts, hl_pct(high, low, close) FROM bars",
    };

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        signals::hl_pct(s[0], s[1], s[2], out);
        Ok(())
    }
}
