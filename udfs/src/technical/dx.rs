//! `dx`: directional movement index.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesWindow,
};
use crate::kernels::directional;
use crate::kernels::directional::Directional;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Dx;

impl SeriesWindow for Dx {
    const NAME: &'static str = "dx";
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
        description: "Directional movement index 100 |+DI - -DI| / (+DI + -DI) (TA-Lib DX); 0 on a flat range. The first period rows are NULL.",
        example: "SELECT ts, dx(high, low, close, 14) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        directional::directional(s[0], s[1], s[2], p.usize(0), Directional::Dx, out);
        Ok(())
    }
}
