//! Risk and performance metrics with empyrical's definitions.

mod sharpe_ratio;

pub use sharpe_ratio::SharpeRatio;

use crate::registry::{aggregate, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![aggregate::<SharpeRatio>()]
}
