//! Rolling statistics over the last `n` rows, pandas semantics with `min_periods = n`.

mod rolling_beta;
mod rolling_corr;
mod rolling_cov;
mod rolling_kurt;
mod rolling_max;
mod rolling_mean;
mod rolling_median;
mod rolling_min;
mod rolling_quantile;
mod rolling_skew;
mod rolling_std;
mod rolling_sum;
mod rolling_var;
mod rolling_zscore;

pub use rolling_beta::RollingBeta;
pub use rolling_corr::RollingCorr;
pub use rolling_cov::RollingCov;
pub use rolling_kurt::RollingKurt;
pub use rolling_max::RollingMax;
pub use rolling_mean::RollingMean;
pub use rolling_median::RollingMedian;
pub use rolling_min::RollingMin;
pub use rolling_quantile::RollingQuantile;
pub use rolling_skew::RollingSkew;
pub use rolling_std::RollingStd;
pub use rolling_sum::RollingSum;
pub use rolling_var::RollingVar;
pub use rolling_zscore::RollingZscore;

use crate::framework::{Param, ParamKind, ParamValue};
use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<RollingBeta>(),
        window::<RollingCorr>(),
        window::<RollingCov>(),
        window::<RollingKurt>(),
        window::<RollingMax>(),
        window::<RollingMean>(),
        window::<RollingMedian>(),
        window::<RollingMin>(),
        window::<RollingQuantile>(),
        window::<RollingSkew>(),
        window::<RollingStd>(),
        window::<RollingSum>(),
        window::<RollingVar>(),
        window::<RollingZscore>(),
    ]
}

const SERIES_X: &[(&str, &str)] = &[("x", "Numeric series.")];
const SERIES_XY: &[(&str, &str)] = &[
    ("x", "First numeric series."),
    ("y", "Second numeric series."),
];
const SERIES_YX: &[(&str, &str)] = &[
    ("y", "Dependent series (e.g. the asset's returns)."),
    ("x", "Explanatory series (e.g. the market's returns)."),
];

/// The window length, with the smallest length the statistic is defined for.
const fn window_length(min: i64) -> Param {
    Param::required("n", ParamKind::int_at_least(min), "Window length in rows.")
}
pub(crate) const N1: Param = window_length(1);
pub(crate) const N2: Param = window_length(2);
pub(crate) const N3: Param = window_length(3);
pub(crate) const N4: Param = window_length(4);

/// `ddof` of the variance-based statistics.
const DDOF: Param = Param::optional(
    "ddof",
    ParamKind::int_at_least(0),
    ParamValue::Int(1),
    "Delta degrees of freedom: the divisor is n - ddof.",
);

/// The probability of a quantile.
const QUANTILE: Param = Param::required(
    "q",
    ParamKind::Float {
        min: 0.0,
        max: 1.0,
        min_exclusive: false,
        max_exclusive: false,
    },
    "Probability in [0, 1] (0.5 is the median).",
);
