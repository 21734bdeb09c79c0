//! Rolling statistics over the last `n` rows, pandas semantics: `min_periods = n`
//! unless the optional last argument `min_periods` says otherwise.

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

use crate::framework::{Param, ParamKind, ParamValue, Params};
use crate::registry::{window, QfFunction};
use datafusion::common::{plan_err, Result};

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

/// pandas' `min_periods`, the optional last argument of every rolling statistic.
const MIN_PERIODS: Param = Param::optional(
    "min_periods",
    ParamKind::int_at_least(1),
    ParamValue::Automatic,
    "Rows needed for a value before the window is full: the rows before the n-th get \
     the statistic of the rows so far once there are this many (pandas min_periods); \
     left out, n.",
);

/// Checks `min_periods <= n` (pandas' rule), `index` being min_periods' position.
fn check_min_periods(name: &str, params: &Params, index: usize) -> Result<()> {
    match params.usize_or_automatic(index) {
        Some(m) if m > params.usize(0) => plan_err!(
            "{name}: min_periods must be at most n ({}), got {m}",
            params.usize(0)
        ),
        _ => Ok(()),
    }
}

/// Runs `kernel(series, n, out)` on full windows, then gives each row before the
/// first full window that has at least `min_periods` rows (parameter `index`) the
/// statistic of the rows so far, by running the kernel on that prefix with a window
/// of its length: O(n²) for those rows only, and exactly the full-window arithmetic.
fn with_min_periods(
    series: &[&[f64]],
    params: &Params,
    index: usize,
    out: &mut [f64],
    kernel: impl Fn(&[&[f64]], usize, &mut [f64]),
) {
    let n = params.usize(0);
    kernel(series, n, out);
    let Some(min_periods) = params.usize_or_automatic(index) else {
        return;
    };
    let rows = series.first().map_or(0, |s| s.len());
    let mut prefix_out = Vec::with_capacity(n);
    for row in min_periods.saturating_sub(1)..n.saturating_sub(1).min(rows) {
        let prefix: Vec<&[f64]> = series.iter().map(|s| &s[..=row]).collect();
        prefix_out.clear();
        prefix_out.resize(row + 1, f64::NAN);
        kernel(&prefix, row + 1, &mut prefix_out);
        out[row] = prefix_out[row];
    }
}
