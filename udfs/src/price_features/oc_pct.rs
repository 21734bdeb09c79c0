//! `oc_pct(open, close)`: the bar's body relative to its open.

use crate::framework::{Arguments, Doc, Family, Params, SeriesScalar};
use crate::kernels::signals;
use datafusion::common::Result;

#[derive(Debug)]
pub struct OcPct;

impl SeriesScalar for OcPct {
    const NAME: &'static str = "oc_pct";
    const FAMILY: Family = Family::PriceFeatures;
    const ARGS: Arguments = Arguments {
        series: &[("open", "Open price."), ("close", "Close price.")],
        params: &[],
    };
    const DOC: Doc = Doc {
        description: "Open-close percentage (close - open) / open, as a fraction: the \
                      bar's return from its open. NULL where open is 0 or an input is missing.",
        example: "SELECT ts, oc_pct(open, close) FROM bars",
    };

    fn compute(s: &[&[f64]], _p: &Params, out: &mut [f64]) -> Result<()> {
        signals::oc_pct(s[0], s[1], out);
        Ok(())
    }
}
