//! Risk and performance metrics with empyrical's definitions.

mod annual_return;
mod annual_volatility;
mod calmar_ratio;
mod conditional_value_at_risk;
mod cum_return;
mod downside_risk;
mod drawdown;
mod max_drawdown;
mod mc_max_drawdown;
mod omega_ratio;
mod profit_factor;
mod rolling_max_drawdown;
mod rolling_sharpe;
mod sharpe_ratio;
mod sortino_ratio;
mod stability_of_timeseries;
mod tail_ratio;
mod total_return;
mod value_at_risk;
mod win_rate;

pub use annual_return::AnnualReturn;
pub use annual_volatility::AnnualVolatility;
pub use calmar_ratio::CalmarRatio;
pub use conditional_value_at_risk::ConditionalValueAtRisk;
pub use cum_return::CumReturn;
pub use downside_risk::DownsideRisk;
pub use drawdown::Drawdown;
pub use max_drawdown::MaxDrawdown;
pub use mc_max_drawdown::McMaxDrawdown;
pub use omega_ratio::OmegaRatio;
pub use profit_factor::ProfitFactor;
pub use rolling_max_drawdown::RollingMaxDrawdown;
pub use rolling_sharpe::RollingSharpe;
pub use sharpe_ratio::SharpeRatio;
pub use sortino_ratio::SortinoRatio;
pub use stability_of_timeseries::StabilityOfTimeseries;
pub use tail_ratio::TailRatio;
pub use total_return::TotalReturn;
pub use value_at_risk::ValueAtRisk;
pub use win_rate::WinRate;

use crate::framework::{Param, ParamKind, ParamValue};
use crate::registry::{aggregate, window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        aggregate::<AnnualReturn>(),
        aggregate::<AnnualVolatility>(),
        aggregate::<CalmarRatio>(),
        aggregate::<ConditionalValueAtRisk>(),
        window::<CumReturn>(),
        aggregate::<DownsideRisk>(),
        window::<Drawdown>(),
        aggregate::<MaxDrawdown>(),
        aggregate::<McMaxDrawdown>(),
        aggregate::<OmegaRatio>(),
        aggregate::<ProfitFactor>(),
        window::<RollingMaxDrawdown>(),
        window::<RollingSharpe>(),
        aggregate::<SharpeRatio>(),
        aggregate::<SortinoRatio>(),
        aggregate::<StabilityOfTimeseries>(),
        aggregate::<TailRatio>(),
        aggregate::<TotalReturn>(),
        aggregate::<ValueAtRisk>(),
        aggregate::<WinRate>(),
    ]
}

const PNL: &[(&str, &str)] = &[("pnl", "Profit and loss per trade or period.")];

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
        min_exclusive: true,
        max_exclusive: true,
    },
    ParamValue::Float(0.05),
    "Tail probability in (0, 1).",
);
