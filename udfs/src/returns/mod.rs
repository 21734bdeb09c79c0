//! One-period returns.

mod log_return;
mod pct_return;

pub use log_return::LogReturn;
pub use pct_return::PctReturn;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![window::<LogReturn>(), window::<PctReturn>()]
}
