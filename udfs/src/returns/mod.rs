//! One-period returns.

mod acceleration;
mod log_return;
mod pct_return;
mod realized_vol;
mod return_sign;

pub use acceleration::Acceleration;
pub use log_return::LogReturn;
pub use pct_return::PctReturn;
pub use realized_vol::RealizedVol;
pub use return_sign::ReturnSign;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<Acceleration>(),
        window::<LogReturn>(),
        window::<PctReturn>(),
        window::<RealizedVol>(),
        window::<ReturnSign>(),
    ]
}
