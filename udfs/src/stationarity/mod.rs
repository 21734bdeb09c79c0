//! Stationarity: fractional differentiation, unit-root and stationarity tests,
//! band-pass and trend filters, dependence measures and volatility models, with the
//! definitions of statsmodels, dcor, arch and López de Prado's AFML.

mod adf;
mod bk_filter;
mod distance_corr;
mod emd_imf;
mod frac_diff;
mod frac_diff_min_d;
mod garch;
mod hp_filter;
mod kpss;

pub use adf::{AdfPvalue, AdfStat, AdfUsedLag};
pub use bk_filter::BkFilter;
pub use distance_corr::{DistanceCorr, RollingDistanceCorr};
pub use emd_imf::EmdImf;
pub use frac_diff::FracDiff;
pub use frac_diff_min_d::FracDiffMinD;
pub use garch::{Garch11Alpha, Garch11Beta, Garch11Loglik, Garch11Mu, Garch11Omega, Garch11Vol};
pub use hp_filter::{HpCycle, HpTrend};
pub use kpss::{KpssPvalue, KpssStat};

use crate::framework::{Param, ParamKind, ParamValue};
use crate::registry::{aggregate, window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        aggregate::<AdfPvalue>(),
        aggregate::<AdfStat>(),
        aggregate::<AdfUsedLag>(),
        window::<BkFilter>(),
        aggregate::<DistanceCorr>(),
        window::<RollingDistanceCorr>(),
        window::<EmdImf>(),
        window::<FracDiff>(),
        aggregate::<FracDiffMinD>(),
        aggregate::<Garch11Alpha>(),
        aggregate::<Garch11Beta>(),
        aggregate::<Garch11Loglik>(),
        aggregate::<Garch11Mu>(),
        aggregate::<Garch11Omega>(),
        window::<Garch11Vol>(),
        window::<HpCycle>(),
        window::<HpTrend>(),
        aggregate::<KpssPvalue>(),
        aggregate::<KpssStat>(),
    ]
}

const XY: &[(&str, &str)] = &[("x", "First series."), ("y", "Second series.")];

const X: &[(&str, &str)] = &[("x", "The series (e.g. close prices or log prices).")];

/// The Hodrick-Prescott smoothing parameter.
const LAMBDA: Param = Param::optional(
    "lambda",
    ParamKind::Float {
        min: 0.0,
        max: f64::INFINITY,
        min_exclusive: false,
        max_exclusive: false,
    },
    ParamValue::Float(1600.0),
    "Smoothing: 1600 for quarterly data, 129600 monthly (Ravn-Uhlig), larger is smoother.",
);
