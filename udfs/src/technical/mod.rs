//! Technical indicators with TA-Lib's names, arguments and values.

mod ad;
mod adosc;
mod adx;
mod adxr;
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
mod dx;
mod ema;
mod kama;
mod macd;
mod macd_hist;
mod macd_signal;
mod medprice;
mod mfi;
mod minus_di;
mod minus_dm;
mod mom;
mod natr;
mod obv;
mod plus_di;
mod plus_dm;
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
mod ultosc;
mod wclprice;
mod willr;
mod wma;

pub use ad::Ad;
pub use adosc::Adosc;
pub use adx::Adx;
pub use adxr::Adxr;
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
pub use dx::Dx;
pub use ema::Ema;
pub use kama::Kama;
pub use macd::Macd;
pub use macd_hist::MacdHist;
pub use macd_signal::MacdSignal;
pub use medprice::Medprice;
pub use mfi::Mfi;
pub use minus_di::MinusDi;
pub use minus_dm::MinusDm;
pub use mom::Mom;
pub use natr::Natr;
pub use obv::Obv;
pub use plus_di::PlusDi;
pub use plus_dm::PlusDm;
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
pub use ultosc::Ultosc;
pub use wclprice::Wclprice;
pub use willr::Willr;
pub use wma::Wma;

use crate::framework::{Arguments, Param, ParamKind, ParamValue, Params, Shared};
use crate::kernels::{oscillators, volatility};
use crate::registry::{window, QfFunction};
use datafusion::common::Result;

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<Ad>(),
        window::<Adosc>(),
        window::<Adx>(),
        window::<Adxr>(),
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
        window::<Dx>(),
        window::<Ema>(),
        window::<Kama>(),
        window::<Macd>(),
        window::<MacdHist>(),
        window::<MacdSignal>(),
        window::<Medprice>(),
        window::<Mfi>(),
        window::<MinusDi>(),
        window::<MinusDm>(),
        window::<Mom>(),
        window::<Natr>(),
        window::<Obv>(),
        window::<PlusDi>(),
        window::<PlusDm>(),
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
        window::<Ultosc>(),
        window::<Wclprice>(),
        window::<Willr>(),
        window::<Wma>(),
    ]
}

/// The mean and population standard deviation of the last `period` rows, from one
/// pass over the window moments: `sma` and `bb_middle` read the mean; the bands, %b
/// and the width (any `nbdev`) are made from both when asked for. A stage asking for
/// `sma` and the three bands makes one pass, not one for the mean and one for the
/// bands.
const WINDOW_MOMENTS: Shared = Shared {
    id: "window_moments",
    outputs: 2,
    compute: window_moments,
    writes_every_row: true,
    computed_from: Some(1),
    derived: &[upper_band, lower_band, percent_b, band_width],
};

fn window_moments(s: &[&[f64]], p: &Params, outs: &mut [&mut [f64]]) -> Result<()> {
    let [mean, sd, ..] = outs else {
        return Ok(());
    };
    volatility::window_mean_and_sd(s[0], p.usize(0), mean, sd);
    Ok(())
}

fn upper_band(p: &Params, _x: &[&[f64]], moments: &[&[f64]], out: &mut [f64]) {
    volatility::band(moments[0], moments[1], p.f64(1), out);
}

fn lower_band(p: &Params, _x: &[&[f64]], moments: &[&[f64]], out: &mut [f64]) {
    volatility::band(moments[0], moments[1], -p.f64(1), out);
}

fn percent_b(p: &Params, x: &[&[f64]], moments: &[&[f64]], out: &mut [f64]) {
    volatility::percent_b(x[0], moments[0], moments[1], p.f64(1), out);
}

fn band_width(p: &Params, _x: &[&[f64]], moments: &[&[f64]], out: &mut [f64]) {
    volatility::band_width(moments[0], moments[1], p.f64(1), out);
}

/// The MACD line and signal from one pass; the histogram made from them when asked
/// for.
const MACD: Shared = Shared {
    id: "macd",
    outputs: 2,
    compute: macd_all,
    writes_every_row: true,
    computed_from: None,
    derived: &[macd_hist],
};

fn macd_hist(_p: &Params, _x: &[&[f64]], macd: &[&[f64]], out: &mut [f64]) {
    oscillators::macd_hist(macd[0], macd[1], out);
}

fn macd_all(s: &[&[f64]], p: &Params, outs: &mut [&mut [f64]]) -> Result<()> {
    oscillators::macd_all(s[0], p.usize(0), p.usize(1), p.usize(2), outs);
    Ok(())
}

/// Arguments of the three MACD outputs.
const MACD_ARGS: Arguments = Arguments {
    series: X,
    params: &[
        FAST,
        SLOW,
        Param::optional(
            "signal",
            ParamKind::int_at_least(1),
            ParamValue::Int(9),
            "Signal period.",
        ),
    ],
};

/// Arguments of the Bollinger bands with a width.
const BBANDS_ARGS: Arguments = Arguments {
    series: X,
    params: &[
        period(5, 2),
        Param::optional(
            "nbdev",
            ParamKind::positive(),
            ParamValue::Int(2),
            "Width of the bands in population standard deviations.",
        ),
    ],
};

/// Arguments of the slow stochastic outputs.
const STOCH_ARGS: Arguments = Arguments {
    series: HLC,
    params: &[
        Param::optional(
            "fastk",
            ParamKind::int_at_least(1),
            ParamValue::Int(5),
            "Rows of the %K range.",
        ),
        Param::optional(
            "slowk",
            ParamKind::int_at_least(1),
            ParamValue::Int(3),
            "Rows averaged for slow %K.",
        ),
        Param::optional(
            "slowd",
            ParamKind::int_at_least(1),
            ParamValue::Int(3),
            "Rows averaged for slow %D.",
        ),
    ],
};

/// Arguments of the fast stochastic outputs.
const STOCHF_ARGS: Arguments = Arguments {
    series: HLC,
    params: &[
        Param::optional(
            "fastk",
            ParamKind::int_at_least(1),
            ParamValue::Int(5),
            "Rows of the %K range.",
        ),
        Param::optional(
            "fastd",
            ParamKind::int_at_least(1),
            ParamValue::Int(3),
            "Rows averaged for %D.",
        ),
    ],
};

/// Arguments of the Aroon outputs.
const AROON_ARGS: Arguments = Arguments {
    series: HL,
    params: &[period(14, 2)],
};

/// Arguments of APO and PPO.
const PRICE_OSCILLATOR_ARGS: Arguments = Arguments {
    series: X,
    params: &[FAST, SLOW],
};

/// Arguments of the directional indicators over high, low and close.
const DIRECTIONAL_ARGS: Arguments = Arguments {
    series: HLC,
    params: &[period(14, 2)],
};

/// Arguments of the directional movement sums over high and low.
const DM_ARGS: Arguments = Arguments {
    series: HL,
    params: &[period(14, 2)],
};

/// The `period` parameter with TA-Lib's default and smallest value.
const fn period(default: i64, min: i64) -> Param {
    Param::optional(
        "period",
        ParamKind::int_at_least(min),
        ParamValue::Int(default),
        "Number of rows.",
    )
}

const X: &[(&str, &str)] = &[("x", "Price or any numeric series.")];
const HL: &[(&str, &str)] = &[("high", "High price."), ("low", "Low price.")];
const HLC: &[(&str, &str)] = &[
    ("high", "High price."),
    ("low", "Low price."),
    ("close", "Close price."),
];
const OHLC: &[(&str, &str)] = &[
    ("open", "Open price."),
    ("high", "High price."),
    ("low", "Low price."),
    ("close", "Close price."),
];
const HLCV: &[(&str, &str)] = &[
    ("high", "High price."),
    ("low", "Low price."),
    ("close", "Close price."),
    ("volume", "Traded volume."),
];
const CV: &[(&str, &str)] = &[("close", "Close price."), ("volume", "Traded volume.")];

/// Fast period of MACD, APO and PPO.
const FAST: Param = Param::optional(
    "fast",
    ParamKind::int_at_least(2),
    ParamValue::Int(12),
    "Fast period.",
);

/// Slow period of MACD, APO and PPO.
const SLOW: Param = Param::optional(
    "slow",
    ParamKind::int_at_least(2),
    ParamValue::Int(26),
    "Slow period.",
);
