//! `frac_diff_min_d(x [, threshold [, p_value [, step]]] ORDER BY ts)`: the least
//! fractional differentiation that makes a series stationary (AFML chapter 5).

use crate::framework::{
    Arguments, Causality, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
};
use crate::kernels::frac_diff::min_stationary_d;
use datafusion::common::Result;

const OPEN_UNIT: ParamKind = ParamKind::Float {
    min: 0.0,
    max: 1.0,
    min_exclusive: true,
    max_exclusive: true,
};

#[derive(Debug)]
pub struct FracDiffMinD;

impl SeriesAggregate for FracDiffMinD {
    const NAME: &'static str = "frac_diff_min_d";
    const FAMILY: Family = Family::Stationarity;
    const CAUSALITY: Causality = Causality::LooksAhead;
    const ORDERED: bool = true;
    const ARGS: Arguments = Arguments {
        series: super::X,
        params: &[
            Param::optional(
                "threshold",
                OPEN_UNIT,
                ParamValue::Float(1e-2),
                "Weight cut-off of frac_diff (AFML's 0.01 keeps windows short enough to test).",
            ),
            Param::optional(
                "p_value",
                OPEN_UNIT,
                ParamValue::Float(0.05),
                "ADF p-value at or below which a series counts as stationary.",
            ),
            Param::optional(
                "step",
                ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    min_exclusive: true,
                    max_exclusive: false,
                },
                ParamValue::Float(0.05),
                "Spacing of the grid of d tried from 0 to 1.",
            ),
        ],
    };
    const DOC: Doc = Doc {
        description: "The smallest d on the grid 0, step, ..., 1 whose frac_diff(x, d, threshold) \
                      passes the augmented Dickey-Fuller test with one lag and a constant (as \
                      AFML snippet 5.4: adfuller(maxlag=1, regression='c', autolag=None)) at \
                      p_value. NULL when no d on the grid does (or the windows are longer than \
                      the series). Needs the order inside the call.",
        example: "SELECT pair, frac_diff_min_d(ln(close) ORDER BY ts) FROM bars GROUP BY pair",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(min_stationary_d(s[0], p.f64(0), p.f64(1), p.f64(2)))
    }
}
