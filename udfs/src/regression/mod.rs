//! Rolling least-squares lines on the row index: TA-Lib's LINEARREG family and the
//! fit statistics, all from one sliding fit (`kernels::linreg`).

mod linreg;
mod linreg_angle;
mod linreg_intercept;
mod linreg_r2;
mod linreg_rmse;
mod linreg_slope;
mod tsf;

pub use linreg::Linreg;
pub use linreg_angle::LinregAngle;
pub use linreg_intercept::LinregIntercept;
pub use linreg_r2::LinregR2;
pub use linreg_rmse::LinregRmse;
pub use linreg_slope::LinregSlope;
pub use tsf::Tsf;

use crate::framework::{Arguments, Param, ParamKind};
use crate::registry::{window, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![
        window::<LinregSlope>(),
        window::<LinregIntercept>(),
        window::<Linreg>(),
        window::<Tsf>(),
        window::<LinregAngle>(),
        window::<LinregR2>(),
        window::<LinregRmse>(),
    ]
}

const ARGS: Arguments = Arguments {
    series: &[("x", "Price or any numeric series.")],
    params: &[Param::required(
        "period",
        ParamKind::int_at_least(2),
        "Number of rows the line is fitted to.",
    )],
};
