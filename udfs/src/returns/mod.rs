//! One-period returns.

mod log_return;
mod pct_return;
mod realized_vol;

pub use log_return::LogReturn;
pub use pct_return::PctReturn;
pub use realized_vol::RealizedVol;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<LogReturn>(),
        window::<PctReturn>(),
        window::<RealizedVol>(),
    ]
}
