//! Technical indicators with TA-Lib's names, arguments and values.

mod ema;
mod sma;

pub use ema::Ema;
pub use sma::Sma;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![window::<Sma>(), window::<Ema>()]
}
