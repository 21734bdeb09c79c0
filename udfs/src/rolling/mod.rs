//! Rolling statistics over the last `n` rows, pandas semantics with `min_periods = n`.

mod rolling_mean;
mod rolling_std;

pub use rolling_mean::RollingMean;
pub use rolling_std::RollingStd;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![window::<RollingMean>(), window::<RollingStd>()]
}
