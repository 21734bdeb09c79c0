//! Technical indicators with TA-Lib's names, arguments and values.

mod atr;
mod avgprice;
mod bb_lower;
mod bb_middle;
mod bb_percent_b;
mod bb_upper;
mod bb_width;
mod cmo;
mod dema;
mod ema;
mod medprice;
mod mom;
mod natr;
mod obv;
mod roc;
mod rocp;
mod rsi;
mod sma;
mod tema;
mod trange;
mod trima;
mod typprice;
mod wclprice;
mod willr;
mod wma;

pub use atr::Atr;
pub use avgprice::Avgprice;
pub use bb_lower::BbLower;
pub use bb_middle::BbMiddle;
pub use bb_percent_b::BbPercentB;
pub use bb_upper::BbUpper;
pub use bb_width::BbWidth;
pub use cmo::Cmo;
pub use dema::Dema;
pub use ema::Ema;
pub use medprice::Medprice;
pub use mom::Mom;
pub use natr::Natr;
pub use obv::Obv;
pub use roc::Roc;
pub use rocp::Rocp;
pub use rsi::Rsi;
pub use sma::Sma;
pub use tema::Tema;
pub use trange::Trange;
pub use trima::Trima;
pub use typprice::Typprice;
pub use wclprice::Wclprice;
pub use willr::Willr;
pub use wma::Wma;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<Atr>(),
        window::<Avgprice>(),
        window::<BbLower>(),
        window::<BbMiddle>(),
        window::<BbPercentB>(),
        window::<BbUpper>(),
        window::<BbWidth>(),
        window::<Cmo>(),
        window::<Dema>(),
        window::<Ema>(),
        window::<Medprice>(),
        window::<Mom>(),
        window::<Natr>(),
        window::<Obv>(),
        window::<Roc>(),
        window::<Rocp>(),
        window::<Rsi>(),
        window::<Sma>(),
        window::<Tema>(),
        window::<Trange>(),
        window::<Trima>(),
        window::<Typprice>(),
        window::<Wclprice>(),
        window::<Willr>(),
        window::<Wma>(),
    ]
}
