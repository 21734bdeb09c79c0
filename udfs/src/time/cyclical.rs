//! `cyclical_sin(value, period)` and `cyclical_cos(value, period)`: a periodic value
//! as a point on the unit circle, so the end of a cycle meets its start.

use crate::framework::{Arguments, Doc, Family, Param, ParamKind, Params, SeriesScalar};
use crate::kernels::time::{cyclical_cos, cyclical_sin};
use datafusion::common::Result;

const ARGS: Arguments = Arguments {
    series: &[("value", "Periodic quantity, e.g. extract(hour FROM ts).")],
    params: &[Param::required(
        "period",
        ParamKind::positive(),
        "Length of one cycle in the units of value (24 for hours, 7 for weekdays).",
    )],
};

#[derive(Debug)]
pub struct CyclicalSin;

impl SeriesScalar for CyclicalSin {
    const NAME: &'static str = "cyclical_sin";
    const FAMILY: Family = Family::Time;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "Sine encoding sin(2 pi value / period) of a periodic value; use with \
                      cyclical_cos.",
        example: "SELECT ts, cyclical_sin(extract(hour FROM ts), 24) AS hour_sin FROM bars",
    };

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        cyclical_sin(series[0], params.f64(0), out);
        Ok(())
    }
}

#[derive(Debug)]
pub struct CyclicalCos;

impl SeriesScalar for CyclicalCos {
    const NAME: &'static str = "cyclical_cos";
    const FAMILY: Family = Family::Time;
    const ARGS: Arguments = ARGS;
    const DOC: Doc = Doc {
        description: "Cosine encoding cos(2 pi value / period) of a periodic value; use with \
                      cyclical_sin.",
        example: "SELECT ts, cyclical_cos(extract(hour FROM ts), 24) AS hour_cos FROM bars",
    };

    fn compute(series: &[&[f64]], params: &Params, out: &mut [f64]) -> Result<()> {
        cyclical_cos(series[0], params.f64(0), out);
        Ok(())
    }
}
