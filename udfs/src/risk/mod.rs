//! Risk and performance metrics with empyrical's definitions.

mod annual_return;
mod annual_volatility;
mod conditional_value_at_risk;
mod downside_risk;
mod omega_ratio;
mod sharpe_ratio;
mod sortino_ratio;
mod tail_ratio;
mod value_at_risk;

pub use annual_return::AnnualReturn;
pub use annual_volatility::AnnualVolatility;
pub use conditional_value_at_risk::ConditionalValueAtRisk;
pub use downside_risk::DownsideRisk;
pub use omega_ratio::OmegaRatio;
pub use sharpe_ratio::SharpeRatio;
pub use sortino_ratio::SortinoRatio;
pub use tail_ratio::TailRatio;
pub use value_at_risk::ValueAtRisk;

use crate::framework::{Param, ParamKind, ParamValue};
use crate::registry::{aggregate, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        aggregate::<AnnualReturn>(),
        aggregate::<AnnualVolatility>(),
        aggregate::<ConditionalValueAtRisk>(),
        aggregate::<DownsideRisk>(),
        aggregate::<OmegaRatio>(),
        aggregate::<SharpeRatio>(),
        aggregate::<SortinoRatio>(),
        aggregate::<TailRatio>(),
        aggregate::<ValueAtRisk>(),
    ]
}

const RET: &[(&str, &str)] = &[(
    "ret",
    "Simple periodic returns (subtract a risk-free rate first if needed).",
)];

/// Return periods per year, for annualising.
const PERIODS: Param = Param::optional(
    "periods",
    ParamKind::positive(),
    ParamValue::Int(252),
    "Return periods per year (252 daily, 52 weekly, 12 monthly).",
);

/// The tail probability of VaR and CVaR.
const CUTOFF: Param = Param::optional(
    "cutoff",
    ParamKind::Float {
        min: 0.0,
        max: 1.0,
        min_exclusive: false,
        max_exclusive: false,
    },
    ParamValue::Float(0.05),
    "Tail probability in [0, 1].",
);
