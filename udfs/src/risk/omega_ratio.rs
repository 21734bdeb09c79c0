//! `omega_ratio`: Omega ratio of a group's returns.

use crate::framework::{
    Arguments, Doc, Family, Param, ParamKind, ParamValue, Params, SeriesAggregate,
};
use crate::kernels::risk::omega_ratio;
use datafusion::common::Result;

#[derive(Debug)]
pub struct OmegaRatio;

impl SeriesAggregate for OmegaRatio {
    const NAME: &'static str = "omega_ratio";
    const FAMILY: Family = Family::Risk;
    const ARGS: Arguments = Arguments {
        series: super::RET,
        params: &[
            Param::optional(
                "required_return",
                ParamKind::Float {
                    min: -1.0,
                    max: f64::INFINITY,
                    min_exclusive: true,
                    max_exclusive: false,
                },
                ParamValue::Float(0.0),
                "Annual return the gains and losses are measured from.",
            ),
            super::PERIODS,
        ],
    };
    const DOC: Doc = Doc {
        description: "Omega ratio: sum of gains over sum of losses relative to the per-period threshold (1 + required_return)^(1/periods) - 1, as empyrical.omega_ratio. NULL for fewer than two returns or no return below the threshold.",
        example: "SELECT symbol, omega_ratio(ret, 0.05, 252) FROM daily_returns GROUP BY symbol",
    };

    fn evaluate(s: &[&[f64]], p: &Params) -> Result<Option<f64>> {
        Ok(omega_ratio(s[0], p.f64(0), p.f64(1)))
    }
}
