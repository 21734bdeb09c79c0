//! Technical indicators with TA-Lib's names, arguments and values.

mod ad;
mod adosc;
mod apo;
mod aroon_down;
mod aroon_up;
mod aroonosc;
mod atr;
mod avgprice;
mod bb_lower;
mod bb_middle;
mod bb_percent_b;
mod bb_upper;
mod bb_width;
mod bop;
mod cci;
mod cmo;
mod dema;
mod ema;
mod kama;
mod macd;
mod macd_hist;
mod macd_signal;
mod medprice;
mod mom;
mod natr;
mod obv;
mod ppo;
mod roc;
mod rocp;
mod rsi;
mod sma;
mod stoch_d;
mod stoch_k;
mod stochf_d;
mod stochf_k;
mod t3;
mod tema;
mod trange;
mod trima;
mod trix;
mod typprice;
mod wclprice;
mod willr;
mod wma;

pub use ad::Ad;
pub use adosc::Adosc;
pub use apo::Apo;
pub use aroon_down::AroonDown;
pub use aroon_up::AroonUp;
pub use aroonosc::Aroonosc;
pub use atr::Atr;
pub use avgprice::Avgprice;
pub use bb_lower::BbLower;
pub use bb_middle::BbMiddle;
pub use bb_percent_b::BbPercentB;
pub use bb_upper::BbUpper;
pub use bb_width::BbWidth;
pub use bop::Bop;
pub use cci::Cci;
pub use cmo::Cmo;
pub use dema::Dema;
pub use ema::Ema;
pub use kama::Kama;
pub use macd::Macd;
pub use macd_hist::MacdHist;
pub use macd_signal::MacdSignal;
pub use medprice::Medprice;
pub use mom::Mom;
pub use natr::Natr;
pub use obv::Obv;
pub use ppo::Ppo;
pub use roc::Roc;
pub use rocp::Rocp;
pub use rsi::Rsi;
pub use sma::Sma;
pub use stoch_d::StochD;
pub use stoch_k::StochK;
pub use stochf_d::StochfD;
pub use stochf_k::StochfK;
pub use t3::T3;
pub use tema::Tema;
pub use trange::Trange;
pub use trima::Trima;
pub use trix::Trix;
pub use typprice::Typprice;
pub use wclprice::Wclprice;
pub use willr::Willr;
pub use wma::Wma;

use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<Ad>(),
        window::<Adosc>(),
        window::<Apo>(),
        window::<AroonDown>(),
        window::<AroonUp>(),
        window::<Aroonosc>(),
        window::<Atr>(),
        window::<Avgprice>(),
        window::<BbLower>(),
        window::<BbMiddle>(),
        window::<BbPercentB>(),
        window::<BbUpper>(),
        window::<BbWidth>(),
        window::<Bop>(),
        window::<Cci>(),
        window::<Cmo>(),
        window::<Dema>(),
        window::<Ema>(),
        window::<Kama>(),
        window::<Macd>(),
        window::<MacdHist>(),
        window::<MacdSignal>(),
        window::<Medprice>(),
        window::<Mom>(),
        window::<Natr>(),
        window::<Obv>(),
        window::<Ppo>(),
        window::<Roc>(),
        window::<Rocp>(),
        window::<Rsi>(),
        window::<Sma>(),
        window::<StochD>(),
        window::<StochK>(),
        window::<StochfD>(),
        window::<StochfK>(),
        window::<T3>(),
        window::<Tema>(),
        window::<Trange>(),
        window::<Trima>(),
        window::<Trix>(),
        window::<Typprice>(),
        window::<Wclprice>(),
        window::<Willr>(),
        window::<Wma>(),
    ]
}
