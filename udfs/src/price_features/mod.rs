//! Price features that TA-Lib lacks but feature pipelines compute beside it (seed
//! 003): bar-shape ratios, the price relative to its moving average, and crossover
//! signals between two series.

mod cross;
mod hl_pct;
mod oc_pct;
mod price_to_sma;

pub use cross::{CrossAbove, CrossBelow};
pub use hl_pct::HlPct;
pub use oc_pct::OcPct;
pub use price_to_sma::PriceToSma;

use crate::registry::{scalar, window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<CrossAbove>(),
        window::<CrossBelow>(),
        scalar::<HlPct>(),
        scalar::<OcPct>(),
        window::<PriceToSma>(),
    ]
}
